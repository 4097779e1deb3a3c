package portal

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/credentials"
)

// tokenPrefix marks octroi's personal tokens, so that secret scanners and
// people recognise a leaked one.
const tokenPrefix = "oct_"

// createToken writes a token for account, valid until expires (nil:
// until revoked), and returns it with its secret (see package bearer; the
// record's alternate key is the secret's hash).
func (t *txn) createToken(account, name string, expires *time.Time) (Token, string, error) {
	tok := Token{ID: t.s.newID(), Name: name, Account: account, Created: t.at}
	if expires != nil {
		at := expires.UTC()
		if !at.After(t.at) {
			return Token{}, "", invalid("invalid.expiry_past", at.Format(time.RFC3339))
		}
		tok.ExpiresAt = &at
	}
	secret := bearer.NewSecret(tokenPrefix)
	if err := t.put(kindToken, tok.ID, bearer.Hash(secret), account, tok); err != nil {
		return Token{}, "", err
	}
	if err := t.credentialsChanged(kindToken, tok.ID); err != nil {
		return Token{}, "", err
	}
	return tok, secret, t.audit("account.token.create", "account:"+account, nil, tok)
}

// CreateToken creates a personal token for the actor (an active account),
// valid until expires (nil: until revoked; else it must lie in the
// future). The secret is returned only here.
func (s *Service) CreateToken(ctx context.Context, actor, name string, expires *time.Time) (Token, string, error) {
	name, err := cleanText("name", name, maxName, false)
	if err != nil {
		return Token{}, "", err
	}
	var tok Token
	var secret string
	err = s.do(ctx, actor, guard{active: true}, func(t *txn) error {
		tok, secret, err = t.createToken(actor, name, expires)
		return err
	})
	return tok, secret, err
}

// Tokens lists the actor's own tokens, oldest first, with the uses this
// node noted but had not yet recorded.
func (s *Service) Tokens(ctx context.Context, actor string) ([]Token, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	_ = s.creds.Refresh(ctx) // a failure is logged by the cache; the uses wait for the next
	ts, err := list[Token](ctx, s.read(), kindToken, actor, "", 0)
	now := s.now()
	for i := range ts {
		ts[i].Expired = ts[i].expired(now)
	}
	return ts, err
}

func (t Token) expired(now time.Time) bool { return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) }

// RevokeToken deletes a token: one's own, or anyone's with manage_accounts
// (a platform administrator's only with administer: see actOnAccount). The
// audit log keeps its history.
func (s *Service) RevokeToken(ctx context.Context, actor, tokenID string) error {
	var tok Token
	if err := s.read().get(ctx, kindToken, tokenID, &tok); err != nil {
		return err
	}
	return s.do(ctx, actor, guard{self: tok.Account, rights: []right{{s.platformRef(), "manage_accounts"}}}, func(t *txn) error {
		if ok, err := t.exists(ctx, kindToken, tokenID); err != nil || !ok {
			return notFoundOr(err, kindToken, tokenID)
		}
		if tok.Account != actor {
			if err := t.actOnAccount(tok.Account, "act.revoke_tokens"); err != nil {
				return err
			}
		}
		if err := t.deleteDoc(kindToken, tokenID); err != nil {
			return err
		}
		if err := t.credentialsChanged(kindToken, tokenID); err != nil {
			return err
		}
		return t.audit("account.token.revoke", "account:"+tok.Account, tok, nil)
	})
}

// Authenticate returns the account of a token secret, or ErrUnauthenticated
// when the token is unknown or revoked or its account disabled, or a
// an *Error of that kind that says so past the token's expiry.
//
// The token is looked up in memory (Config.Credentials): a revocation on
// another node is seen within that cache's follower delay, one on this
// node at once; expiry is checked against the clock, so it is exact. The
// account is read at every call, so a disabled account is refused at once
// on every node. The token's last use is recorded by the cache, at most
// once a minute (bearer.LastUseEvery), off the request path.
func (s *Service) Authenticate(ctx context.Context, secret string) (Account, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Account{}, unauthenticated()
	}
	tok, err := s.creds.Lookup(kindToken, secret, s.now())
	var expired *credentials.ExpiredError
	if errors.As(err, &expired) {
		return Account{}, tokenExpired(*expired.Entry.Expires)
	}
	if err != nil {
		return Account{}, unauthenticated()
	}
	// The account (record and status) from the database, not from memory
	// or the index: disabling an account must refuse its tokens at once on
	// every node, not when this node's copy catches up.
	a, err := view{s: s, docs: s.docs, rels: s.readAllRels}.account(ctx, tok.Owner)
	if err == nil && a.Status != AccountActive {
		return Account{}, ErrAccountDisabled
	}
	if isNotFound(err) {
		return Account{}, unauthenticated()
	}
	if err != nil {
		return Account{}, err
	}
	return a, nil
}

// unauthenticated says nothing about why: whoever holds a bad secret learns
// nothing from the answer.
func unauthenticated() error { return ErrUnauthenticated }
