package portal

import (
	"context"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/store"
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
			return Token{}, "", invalidf("expires_at %s is not in the future", at.Format(time.RFC3339))
		}
		tok.ExpiresAt = &at
	}
	secret := bearer.New(tokenPrefix)
	if err := t.put(kindToken, tok.ID, bearer.Hash(secret), account, tok); err != nil {
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

// Tokens lists the actor's own tokens, oldest first.
func (s *Service) Tokens(ctx context.Context, actor string) ([]Token, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
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
			return notFoundOr(err, "no token %q", tokenID)
		}
		if tok.Account != actor {
			if err := t.actOnAccount(tok.Account, Text{"revoke the tokens of", "révoquer les jetons d'"}); err != nil {
				return err
			}
		}
		if err := t.deleteDoc(kindToken, tokenID); err != nil {
			return err
		}
		return t.audit("account.token.revoke", "account:"+tok.Account, tok, nil)
	})
}

// Authenticate returns the account of a token secret, or ErrUnauthenticated
// when the token is unknown or revoked or its account disabled, or a
// an *Error of that kind that says so past the token's expiry. It records
// the token's last use, at most once a minute (bearer.LastUseEvery).
func (s *Service) Authenticate(ctx context.Context, secret string) (Account, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Account{}, unauthenticated()
	}
	d, err := s.docs.DocByAlt(ctx, kindToken, bearer.Hash(secret))
	if isNotFound(err) {
		return Account{}, unauthenticated()
	}
	if err != nil {
		return Account{}, err
	}
	var tok Token
	if err := decodeRecord(d, &tok); err != nil {
		return Account{}, err
	}
	if tok.expired(s.now()) {
		return Account{}, tokenExpired(*tok.ExpiresAt)
	}
	a, err := s.read().account(ctx, tok.Account)
	if err == nil && a.Status != AccountActive {
		return Account{}, ErrAccountDisabled
	}
	if isNotFound(err) {
		return Account{}, unauthenticated()
	}
	if err != nil {
		return Account{}, err
	}
	now := s.now().UTC()
	if bearer.LastUseDue(tok.LastUsed, now) {
		tok.LastUsed = &now
		// Bookkeeping, not a change by anyone: no audit entry, and no
		// need to wait for the index (no relationship changes).
		_, err := s.docs.Transact(ctx, func(tx store.DocTx) error {
			if _, err := tx.GetDoc(ctx, kindToken, tok.ID); err != nil {
				return err // revoked meanwhile: do not bring it back
			}
			data, err := encodeRecord(tok)
			if err != nil {
				return err
			}
			return tx.PutDoc(ctx, store.Doc{Kind: kindToken, ID: tok.ID, Alt: d.Alt, Parent: d.Parent, Data: data})
		})
		if isNotFound(err) {
			return Account{}, unauthenticated()
		}
		if err != nil {
			return Account{}, err
		}
	}
	return a, nil
}

// unauthenticated says nothing about why: whoever holds a bad secret learns
// nothing from the answer.
func unauthenticated() error { return ErrUnauthenticated }
