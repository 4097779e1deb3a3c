package server

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/store"
)

// Operator tokens.
//
// An operator token reaches the low-level API (schema, relationships,
// permissions, watch). The server accepts those of three sources:
//
//   - the database: documents of kind KindOperatorToken, one per token
//     (ID a short random id, Alt the hex SHA-256 of the secret, Data an
//     OperatorToken), written by `octroi token create|revoke` on the
//     database directly, or by CreateOperatorToken and RevokeOperatorToken;
//   - Config.Tokens (OCTROI_TOKEN), in clear;
//   - Config.TokenHashesFile, hashes only.
//
// Secrets are bearer secrets prefixed "octop_" (personal tokens are
// "oct_…"; the API tells the two apart by looking the token up, the prefix
// is for people and secret scanners). Only their hash is stored.
//
// A check never touches the database: the server keeps the stored hashes
// in memory and re-reads them every PollInterval, and at once after a
// create or revoke made through it. So a token revoked on any node is
// refused by every node on the same database within a poll interval. When
// the database cannot be read, the hashes read last stay in force (a
// database outage neither locks operators out nor lets strangers in, but
// delays revocations until it ends).
//
// A token's last use is recorded like a personal token's, at most once a
// minute (bearer.LastUseEvery), but off the request path: a check notes
// the use in memory, and the next refresh writes it.

// KindOperatorToken is the document kind of operator tokens.
const KindOperatorToken = "operator_token"

// OperatorTokenPrefix starts every operator token secret.
const OperatorTokenPrefix = "octop_"

// Audit actions of operator tokens.
const (
	ActionOperatorTokenCreate = "operator_token.create"
	ActionOperatorTokenRevoke = "operator_token.revoke"
)

// maxTokenName bounds a token's name, which is shown in lists and logs.
const maxTokenName = 200

// OperatorToken describes a stored operator token; its secret is never
// stored, nor is its hash part of this description.
type OperatorToken struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Created  time.Time  `json:"created"`
	LastUsed *time.Time `json:"last_used,omitempty"`
}

// ErrNoOperatorToken is wrapped by RevokeOperatorToken when no token has
// the id or name given.
var ErrNoOperatorToken = errors.New("no such operator token")

// docLister is what reading the tokens needs: the store itself, or a
// transaction.
type docLister interface {
	ListDocs(ctx context.Context, kind, parent, after string, limit int) ([]store.Doc, error)
}

// storedToken is an operator token with its hash.
type storedToken struct {
	OperatorToken
	hash string
}

func readOperatorTokens(ctx context.Context, l docLister) ([]storedToken, error) {
	docs, err := l.ListDocs(ctx, KindOperatorToken, "", "", 0)
	if err != nil {
		return nil, err
	}
	toks := make([]storedToken, 0, len(docs))
	for _, d := range docs {
		var t OperatorToken
		if err := json.Unmarshal(d.Data, &t); err != nil {
			return nil, fmt.Errorf("operator token %s: %w", d.ID, err)
		}
		t.ID = d.ID
		toks = append(toks, storedToken{OperatorToken: t, hash: strings.ToLower(d.Alt)})
	}
	return toks, nil
}

// newTokenID returns a short random id; CreateOperatorToken checks that it
// is free.
func newTokenID() string { return "op_" + bearer.NewID() }

// CreateOperatorToken stores a new operator token named name (unique among
// operator tokens) with an audit entry naming actor, and returns it with
// its secret: the only time the secret is shown. Servers on the same
// database accept it within their poll interval (Server.CreateOperatorToken
// at once). Safe for concurrent use: the name check and the write are one
// transaction.
func CreateOperatorToken(ctx context.Context, docs store.Documents, actor, name string) (OperatorToken, string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return OperatorToken{}, "", errors.New("a token needs a name (what or who uses it)")
	case len(name) > maxTokenName:
		return OperatorToken{}, "", fmt.Errorf("a token name has at most %d bytes", maxTokenName)
	}
	secret := bearer.NewSecret(OperatorTokenPrefix)
	var tok OperatorToken
	_, err := docs.Transact(ctx, func(tx store.DocTx) error {
		existing, err := readOperatorTokens(ctx, tx)
		if err != nil {
			return err
		}
		tok = OperatorToken{ID: newTokenID(), Name: name, Created: time.Now().UTC()}
		for _, t := range existing {
			if t.Name == name {
				return fmt.Errorf("an operator token named %q exists already (id %s): revoke it or pick another name", name, t.ID)
			}
			if t.ID == tok.ID {
				return errors.New("a fresh token id was taken (1 in 2^64): please try again")
			}
		}
		data, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		if err := tx.PutDoc(ctx, store.Doc{Kind: KindOperatorToken, ID: tok.ID, Alt: bearer.Hash(secret), Data: data}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: ActionOperatorTokenCreate, Resource: KindOperatorToken + ":" + tok.ID, After: data})
	})
	if err != nil {
		return OperatorToken{}, "", err
	}
	return tok, secret, nil
}

// OperatorTokens returns the stored operator tokens, oldest first.
func OperatorTokens(ctx context.Context, docs store.Documents) ([]OperatorToken, error) {
	stored, err := readOperatorTokens(ctx, docs)
	if err != nil {
		return nil, err
	}
	toks := make([]OperatorToken, len(stored))
	for i, t := range stored {
		toks[i] = t.OperatorToken
	}
	slices.SortFunc(toks, func(a, b OperatorToken) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return toks, nil
}

// RevokeOperatorToken deletes the operator token whose id, or else name,
// is idOrName, with an audit entry naming actor, and returns what it was.
// Servers on the same database refuse it within their poll interval
// (Server.RevokeOperatorToken at once). An unknown token is
// ErrNoOperatorToken.
func RevokeOperatorToken(ctx context.Context, docs store.Documents, actor, idOrName string) (OperatorToken, error) {
	var tok OperatorToken
	_, err := docs.Transact(ctx, func(tx store.DocTx) error {
		existing, err := readOperatorTokens(ctx, tx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(existing, func(t storedToken) bool { return t.ID == idOrName })
		if i < 0 {
			i = slices.IndexFunc(existing, func(t storedToken) bool { return t.Name == idOrName })
		}
		if i < 0 {
			return fmt.Errorf("%w with id or name %q (octroi token list shows them)", ErrNoOperatorToken, idOrName)
		}
		tok = existing[i].OperatorToken
		before, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		if err := tx.DeleteDoc(ctx, KindOperatorToken, tok.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: ActionOperatorTokenRevoke, Resource: KindOperatorToken + ":" + tok.ID, Before: before})
	})
	if err != nil {
		return OperatorToken{}, err
	}
	return tok, nil
}

// authenticator accepts the tokens of the configuration and those stored
// in the database, of which it keeps an in-memory copy (see above).
type authenticator struct {
	static map[string]string // hashes from Config.Tokens and the hashes file → a name for the log
	docs   store.Documents   // nil when the store keeps no documents
	log    *slog.Logger

	// stored maps hashes to the database's tokens. Refreshes replace the
	// map whole (checks read it without a lock) but carry its entries
	// over, so that a use noted during a refresh is not lost.
	stored atomic.Pointer[map[string]*liveToken]

	// refreshMu makes refreshes one at a time, so that an older read
	// never replaces a newer one; failing (guarded by it) makes a failing
	// database logged once, not at every poll.
	refreshMu sync.Mutex
	failing   bool
}

// liveToken is the in-memory side of a stored token.
type liveToken struct {
	id, name string
	recorded atomic.Pointer[time.Time] // last use as stored; nil: never
	pending  atomic.Pointer[time.Time] // a use to record; nil: none
}

// newAuthenticator reads the configured tokens and the stored ones (docs
// may be nil: configured tokens only; log may be nil: no logging).
func newAuthenticator(ctx context.Context, cfg Config, docs store.Documents, log *slog.Logger) (*authenticator, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &authenticator{static: map[string]string{}, docs: docs, log: log}
	a.stored.Store(&map[string]*liveToken{})
	for _, t := range cfg.Tokens {
		if t = strings.TrimSpace(t); t != "" {
			a.static[bearer.Hash(t)] = "(configured)"
		}
	}
	if cfg.TokenHashesFile != "" {
		if err := a.readHashesFile(cfg.TokenHashesFile); err != nil {
			return nil, err
		}
	}
	if err := a.refresh(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *authenticator) readHashesFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("token hashes file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.ToLower(strings.TrimPrefix(line, "sha256:"))
		if b, err := hex.DecodeString(line); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("token hashes file %s line %d: want a hex SHA-256 (64 hex digits)", path, n)
		}
		a.static[line] = "(hashes file)"
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("token hashes file: %w", err)
	}
	return nil
}

// configured reports whether any token is accepted now.
func (a *authenticator) configured() bool {
	return len(a.static) > 0 || len(*a.stored.Load()) > 0
}

// Authenticate reports whether token is an operator token, and its name
// for the request log ("(configured)" for OCTROI_TOKEN's, "(hashes file)"
// for the hashes file's, which have none). It reads memory only. Safe for
// concurrent use.
func (a *authenticator) Authenticate(token string) (string, bool) {
	h := bearer.Hash(token)
	if name, ok := a.static[h]; ok {
		return name, true
	}
	t := (*a.stored.Load())[h]
	if t == nil {
		return "", false
	}
	if t.pending.Load() == nil {
		if now := time.Now().UTC(); bearer.LastUseDue(t.recorded.Load(), now) {
			t.pending.CompareAndSwap(nil, &now)
		}
	}
	return t.name, true
}

// follow refreshes the stored tokens every interval until ctx ends.
func (a *authenticator) follow(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_ = a.refresh(ctx) // logged by refresh
	}
}

// refresh records the uses noted since the last refresh, then re-reads the
// stored tokens. On failure it keeps what it read last, logs the failure
// (once until it recovers) and returns it. Safe for concurrent use.
func (a *authenticator) refresh(ctx context.Context) error {
	if a.docs == nil {
		return nil
	}
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	err := errors.Join(a.recordUses(ctx), a.reload(ctx))
	switch {
	case err != nil && ctx.Err() == nil && !a.failing:
		a.failing = true
		a.log.Error("reading operator tokens from the database; the ones read last stay in force until it works again", "error", err)
	case err == nil && a.failing:
		a.failing = false
		a.log.Info("operator tokens read from the database again")
	}
	return err
}

// reload replaces the in-memory tokens with the stored ones.
func (a *authenticator) reload(ctx context.Context) error {
	toks, err := readOperatorTokens(ctx, a.docs)
	if err != nil {
		return fmt.Errorf("reading operator tokens: %w", err)
	}
	old := *a.stored.Load()
	m := make(map[string]*liveToken, len(toks))
	for _, t := range toks {
		lt := old[t.hash]
		if lt == nil || lt.id != t.ID {
			lt = &liveToken{id: t.ID, name: t.Name}
			a.log.Info("operator token accepted", "id", t.ID, "name", t.Name)
		}
		lt.recorded.Store(t.LastUsed)
		m[t.hash] = lt
	}
	for h, lt := range old {
		if m[h] == nil {
			a.log.Info("operator token revoked: refused from now on", "id", lt.id, "name", lt.name)
		}
	}
	a.stored.Store(&m)
	return nil
}

// recordUses writes the noted uses as the tokens' last use, in one
// transaction and without audit entries (bookkeeping, not a change by
// anyone). A token revoked meanwhile is not brought back, and a use
// another node recorded within bearer.LastUseEvery is kept.
func (a *authenticator) recordUses(ctx context.Context) error {
	type use struct {
		t  *liveToken
		at *time.Time
	}
	var uses []use
	for _, t := range *a.stored.Load() {
		if at := t.pending.Load(); at != nil {
			uses = append(uses, use{t, at})
		}
	}
	if len(uses) == 0 {
		return nil
	}
	_, err := a.docs.Transact(ctx, func(tx store.DocTx) error {
		for _, u := range uses {
			d, err := tx.GetDoc(ctx, KindOperatorToken, u.t.id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			var tok OperatorToken
			if err := json.Unmarshal(d.Data, &tok); err != nil {
				return fmt.Errorf("operator token %s: %w", d.ID, err)
			}
			if !bearer.LastUseDue(tok.LastUsed, *u.at) {
				continue
			}
			tok.LastUsed = u.at
			data, err := json.Marshal(tok)
			if err != nil {
				return err
			}
			d.Data = data
			if err := tx.PutDoc(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording operator tokens' last use: %w", err)
	}
	for _, u := range uses {
		u.t.pending.CompareAndSwap(u.at, nil)
	}
	return nil
}

// documents returns the store's documents, or an error saying the store
// keeps none.
func (s *Server) documents() (store.Documents, error) {
	docs, ok := s.store.(store.Documents)
	if !ok {
		return nil, errors.New("this datastore keeps no documents, hence no operator tokens: use OCTROI_TOKEN or --token-hashes-file")
	}
	return docs, nil
}

// CreateOperatorToken is the package's CreateOperatorToken, after which
// this server accepts the token at once.
func (s *Server) CreateOperatorToken(ctx context.Context, actor, name string) (OperatorToken, string, error) {
	docs, err := s.documents()
	if err != nil {
		return OperatorToken{}, "", err
	}
	tok, secret, err := CreateOperatorToken(ctx, docs, actor, name)
	if err != nil {
		return OperatorToken{}, "", err
	}
	s.refreshTokens(ctx)
	return tok, secret, nil
}

// RevokeOperatorToken is the package's RevokeOperatorToken, after which
// this server refuses the token at once.
func (s *Server) RevokeOperatorToken(ctx context.Context, actor, idOrName string) (OperatorToken, error) {
	docs, err := s.documents()
	if err != nil {
		return OperatorToken{}, err
	}
	tok, err := RevokeOperatorToken(ctx, docs, actor, idOrName)
	if err != nil {
		return OperatorToken{}, err
	}
	s.refreshTokens(ctx)
	return tok, nil
}

// OperatorTokens returns the stored operator tokens, oldest first, with
// the uses this server has noted but not yet recorded.
func (s *Server) OperatorTokens(ctx context.Context) ([]OperatorToken, error) {
	docs, err := s.documents()
	if err != nil {
		return nil, err
	}
	s.refreshTokens(ctx)
	return OperatorTokens(ctx, docs)
}

// refreshTokens refreshes the in-memory tokens now. A failure is logged by
// refresh; the change is committed either way, and the next poll retries.
func (s *Server) refreshTokens(ctx context.Context) {
	if s.auth != nil {
		_ = s.auth.refresh(ctx)
	}
}
