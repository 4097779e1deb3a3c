package credentials

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/store"
)

// Operator tokens.
//
// An operator token reaches the low-level API (schema, relationships,
// permissions, watch). Operators accepts those of two sources:
//
//   - the database: credentials of kind KindOperatorToken (Data an
//     OperatorToken, no owner), written by `octroi token create|revoke` on
//     the database directly, or by a server's CreateOperatorToken and
//     RevokeOperatorToken, and read through a Cache;
//   - the configuration (OCTROI_TOKEN in clear, a file of hashes).
//
// Secrets are bearer secrets prefixed "octop_" (personal tokens are
// "oct_…"; the API tells the two apart by looking the token up, the prefix
// is for people and secret scanners).

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

func readOperatorTokens(ctx context.Context, l docLister) ([]OperatorToken, error) {
	docs, err := l.ListDocs(ctx, KindOperatorToken, "", "", 0)
	if err != nil {
		return nil, err
	}
	toks := make([]OperatorToken, 0, len(docs))
	for _, d := range docs {
		var t OperatorToken
		if err := json.Unmarshal(d.Data, &t); err != nil {
			return nil, fmt.Errorf("operator token %s: %w", d.ID, err)
		}
		t.ID = d.ID
		toks = append(toks, t)
	}
	return toks, nil
}

// CreateOperatorToken stores a new operator token named name (unique among
// operator tokens) with an audit entry naming actor, and returns it with
// its secret: the only time the secret is shown. Caches on the same
// database accept it within their follower's delay (at once after their
// Refresh). Safe for concurrent use: the name check and the write are one
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
		// The id is checked for collisions below, so 64 random bits do.
		tok = OperatorToken{ID: "op_" + bearer.NewID(), Name: name, Created: time.Now().UTC()}
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
		if err := Changed(ctx, tx, KindOperatorToken, tok.ID); err != nil {
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
	toks, err := readOperatorTokens(ctx, docs)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(toks, func(a, b OperatorToken) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return toks, nil
}

// RevokeOperatorToken deletes the operator token whose id, or else name,
// is idOrName, with an audit entry naming actor, and returns what it was.
// Caches on the same database refuse it within their follower's delay (at
// once after their Refresh). An unknown token is ErrNoOperatorToken.
func RevokeOperatorToken(ctx context.Context, docs store.Documents, actor, idOrName string) (OperatorToken, error) {
	var tok OperatorToken
	_, err := docs.Transact(ctx, func(tx store.DocTx) error {
		existing, err := readOperatorTokens(ctx, tx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(existing, func(t OperatorToken) bool { return t.ID == idOrName })
		if i < 0 {
			i = slices.IndexFunc(existing, func(t OperatorToken) bool { return t.Name == idOrName })
		}
		if i < 0 {
			return fmt.Errorf("%w with id or name %q (octroi token list shows them)", ErrNoOperatorToken, idOrName)
		}
		tok = existing[i]
		before, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		if err := tx.DeleteDoc(ctx, KindOperatorToken, tok.ID); err != nil {
			return err
		}
		if err := Changed(ctx, tx, KindOperatorToken, tok.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: ActionOperatorTokenRevoke, Resource: KindOperatorToken + ":" + tok.ID, Before: before})
	})
	if err != nil {
		return OperatorToken{}, err
	}
	return tok, nil
}

// Operators accepts the operator tokens of the configuration and those of
// a Cache. Its methods are safe for concurrent use.
type Operators struct {
	static map[string]string // hashes from the configuration → a name for the log
	cache  *Cache            // nil: configured tokens only
}

// NewOperators accepts tokens (in clear; blank ones are ignored), the
// hashes in the file hashesFile ("": none; one hex SHA-256 a line,
// optionally prefixed "sha256:", # comments) and the operator tokens of
// cache (nil: none).
func NewOperators(tokens []string, hashesFile string, cache *Cache) (*Operators, error) {
	o := &Operators{static: map[string]string{}, cache: cache}
	for _, t := range tokens {
		if t = strings.TrimSpace(t); t != "" {
			o.static[bearer.Hash(t)] = "(configured)"
		}
	}
	if hashesFile != "" {
		if err := o.readHashesFile(hashesFile); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *Operators) readHashesFile(path string) error {
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
		o.static[line] = "(hashes file)"
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("token hashes file: %w", err)
	}
	return nil
}

// Configured reports whether any token is accepted now.
func (o *Operators) Configured() bool {
	return len(o.static) > 0 || o.cache != nil && o.cache.Len(KindOperatorToken) > 0
}

// Authenticate reports whether token is an operator token, and its name
// for the request log ("(configured)" for OCTROI_TOKEN's, "(hashes file)"
// for the hashes file's, which have none). It reads memory only.
func (o *Operators) Authenticate(token string) (string, bool) {
	var h [bearer.HashLen]byte
	if name, ok := o.static[string(bearer.AppendHash(h[:0], token))]; ok { // looked up without a conversion
		return name, true
	}
	if o.cache == nil {
		return "", false
	}
	e, err := o.cache.Lookup(KindOperatorToken, token, time.Now())
	return e.Name, err == nil
}
