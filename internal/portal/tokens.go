package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/store"
)

// tokenPrefix marks octroi's personal tokens, so that secret scanners and
// people recognise a leaked one.
const tokenPrefix = "oct_"

// lastUseEvery bounds how often Authenticate records a token's last use:
// each record is a write, and a token in a busy script is used many times a
// second.
const lastUseEvery = time.Minute

// tokenHash is the token record's alternate key: only the hash of the
// secret is stored, so a database leak reveals no usable token.
func tokenHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// createToken writes a token for account and returns it with its secret
// (32 random bytes).
func (t *txn) createToken(account, name string) (Token, string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Token{}, "", err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	tok := Token{ID: t.s.newID(), Name: name, Account: account, Created: t.at}
	if err := t.put(kindToken, tok.ID, tokenHash(secret), account, tok); err != nil {
		return Token{}, "", err
	}
	return tok, secret, t.audit("account.token.create", "account:"+account, nil, tok)
}

// CreateToken creates a personal token for the actor (an active account).
// The secret is returned only here.
func (s *Service) CreateToken(ctx context.Context, actor, name string) (Token, string, error) {
	name, err := cleanText("name", name, maxName, false)
	if err != nil {
		return Token{}, "", err
	}
	var tok Token
	var secret string
	err = s.do(ctx, actor, guard{active: true}, func(t *txn) error {
		tok, secret, err = t.createToken(actor, name)
		return err
	})
	return tok, secret, err
}

// Tokens lists the actor's own tokens, oldest first.
func (s *Service) Tokens(ctx context.Context, actor string) ([]Token, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	return list[Token](ctx, s.read(), kindToken, actor, "", 0)
}

// RevokeToken deletes a token: one's own, or anyone's with manage_accounts.
// The audit log keeps its history.
func (s *Service) RevokeToken(ctx context.Context, actor, tokenID string) error {
	var tok Token
	if err := s.read().get(ctx, kindToken, tokenID, &tok); err != nil {
		return err
	}
	return s.do(ctx, actor, guard{self: tok.Account, rights: []right{{s.platformRef(), "manage_accounts"}}}, func(t *txn) error {
		if ok, err := t.exists(ctx, kindToken, tokenID); err != nil || !ok {
			return notFoundOr(err, "no token %q", tokenID)
		}
		if err := t.deleteDoc(kindToken, tokenID); err != nil {
			return err
		}
		return t.audit("account.token.revoke", "account:"+tok.Account, tok, nil)
	})
}

// Authenticate returns the account of a token secret, or ErrUnauthenticated
// when the token is unknown or revoked or its account disabled. It records
// the token's last use, at most once a minute.
func (s *Service) Authenticate(ctx context.Context, secret string) (Account, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Account{}, unauthenticated()
	}
	d, err := s.docs.DocByAlt(ctx, kindToken, tokenHash(secret))
	if isNotFound(err) {
		return Account{}, unauthenticated()
	}
	if err != nil {
		return Account{}, err
	}
	var tok Token
	if err := json.Unmarshal(d.Data, &tok); err != nil {
		return Account{}, err
	}
	a, err := s.read().account(ctx, tok.Account)
	if isNotFound(err) || (err == nil && a.Status != AccountActive) {
		return Account{}, unauthenticated()
	}
	if err != nil {
		return Account{}, err
	}
	now := s.now().UTC()
	if tok.LastUsed == nil || now.Sub(*tok.LastUsed) >= lastUseEvery {
		tok.LastUsed = &now
		// Bookkeeping, not a change by anyone: no audit entry, and no
		// need to wait for the index (no relationship changes).
		_, err := s.docs.Transact(ctx, func(tx store.DocTx) error {
			if _, err := tx.GetDoc(ctx, kindToken, tok.ID); err != nil {
				return err // revoked meanwhile: do not bring it back
			}
			data, err := json.Marshal(tok)
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
