// Package sqlstore is the dialect-neutral half of store's SQL backends
// (sqlite and postgres): everything about relationships, documents,
// revisions and migrations that is the same logic in both, so that each
// backend keeps only its SQL, its driver and its locking.
//
// What a backend gives it: the text of its statements where the dialects
// differ (placeholders through Args, locks, upserts, window functions),
// its column value for a time (microseconds in SQLite), functions that
// run a statement or a transaction with its driver, and the
// classification of its driver's errors (which ones a new attempt may
// cure, which ones it converts). Tables and columns are the ones both dialects'
// migrations create (Columns, IdentityColumns, DocColumns, …).
//
// What it guarantees: requests and imported relationships are checked
// and normalised the same way in both backends (CheckWrite, Normalize,
// ImportBatches, CheckDoc); a relationship page and its cursor mean the
// same thing whichever backend wrote the cursor (ReadPage, EncodeCursor);
// migrations are loaded, ordered, versioned and applied exactly once by
// one procedure (LoadMigrations, ApplyMigrations); the changelog is read
// and bounded alike (CheckChangesAfter, AppendChangeRow, ChangeBatch);
// retries are bounded and back off (Retry, CommitGroup). It opens no
// connection and imports no driver.
package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Columns lists the relationship columns in the order every query of both
// backends selects them (ScanTarget relies on it).
const Columns = "resource_type, resource_id, relation, subject_type, subject_id, subject_relation, caveat_name, caveat_context, expires_at"

// IdentityColumns is the identity, in sort order.
const IdentityColumns = "resource_type, resource_id, relation, subject_type, subject_id, subject_relation"

// Key is a relationship identity, in IdentityColumns order.
type Key [6]string

// KeyOf returns r's identity.
func KeyOf(r tuple.Relationship) Key {
	return Key{r.Resource.Type, r.Resource.ID, r.Relation, r.Subject.Type, r.Subject.ID, r.Subject.Relation}
}

// NormalizeTime is the store's time policy: UTC, truncated to microseconds
// (PostgreSQL's precision; SQLite stores the same integer microseconds).
func NormalizeTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// Normalize returns r with its expiration normalised (a copy: the caller's
// value is not mutated).
func Normalize(r tuple.Relationship) tuple.Relationship {
	if r.Expiration != nil {
		e := NormalizeTime(*r.Expiration)
		r.Expiration = &e
	}
	return r
}

// EncodeCaveat returns the caveat_name and caveat_context column values:
// nil (SQL NULL) or a string. A nil Context is NULL; an empty one is "{}".
func EncodeCaveat(c *tuple.Caveat) (name, ctx any, err error) {
	if c == nil {
		return nil, nil, nil
	}
	if c.Context == nil {
		return c.Name, nil, nil
	}
	b, err := json.Marshal(c.Context)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: caveat %s context: %v", store.ErrInvalid, c.Name, err)
	}
	return c.Name, string(b), nil
}

// RowValues returns r's Columns values, in order; at converts the
// expiration to the backend's column value (SQLite stores microseconds).
func RowValues(r tuple.Relationship, at func(time.Time) any) ([]any, error) {
	name, cctx, err := EncodeCaveat(r.Caveat)
	if err != nil {
		return nil, err
	}
	var exp any
	if r.Expiration != nil {
		exp = at(*r.Expiration)
	}
	return []any{r.Resource.Type, r.Resource.ID, r.Relation, r.Subject.Type, r.Subject.ID, r.Subject.Relation, name, cctx, exp}, nil
}

// DecodeCaveat is EncodeCaveat's inverse; name is nil or its string value.
func DecodeCaveat(name *string, ctx []byte) (*tuple.Caveat, error) {
	if name == nil {
		return nil, nil
	}
	c := &tuple.Caveat{Name: *name}
	if ctx != nil {
		d := json.NewDecoder(bytes.NewReader(ctx))
		if err := d.Decode(&c.Context); err != nil {
			return nil, fmt.Errorf("decoding stored caveat %s context: %w", *name, err)
		}
		if c.Context == nil { // the JSON was "null": keep the "present but empty" distinction
			c.Context = map[string]any{}
		}
	}
	return c, nil
}

// CheckWrite validates req and returns a normalised copy. It refuses unknown
// ops, invalid strings and two updates of one identity (whose outcome would
// otherwise depend on order in a way callers rarely mean).
func CheckWrite(req store.WriteRequest) (store.WriteRequest, error) {
	out := store.WriteRequest{
		Updates:       make([]store.Update, len(req.Updates)),
		Preconditions: req.Preconditions,
	}
	seen := make(map[Key]struct{}, len(req.Updates))
	for i, u := range req.Updates {
		switch u.Op {
		case store.Touch, store.Create, store.Delete:
		default:
			return out, fmt.Errorf("%w: update %d: unknown op %v", store.ErrInvalid, i, u.Op)
		}
		if err := store.Validate(u.Relationship); err != nil {
			return out, fmt.Errorf("update %d: %w", i, err)
		}
		k := KeyOf(u.Relationship)
		if _, dup := seen[k]; dup {
			return out, fmt.Errorf("%w: relationship %s is updated twice in one write", store.ErrInvalid, store.FormatIdentity(u.Relationship))
		}
		seen[k] = struct{}{}
		if u.Op == store.Delete {
			// Only the identity matters; dropping attributes keeps
			// them from leaking into the changelog by mistake.
			u.Relationship.Caveat, u.Relationship.Expiration = nil, nil
		}
		out.Updates[i] = store.Update{Op: u.Op, Relationship: Normalize(u.Relationship)}
	}
	for i, p := range req.Preconditions {
		if p.Op != store.MustMatch && p.Op != store.MustNotMatch {
			return out, fmt.Errorf("%w: precondition %d: unknown op %v", store.ErrInvalid, i, p.Op)
		}
		if err := store.ValidateFilter(p.Filter); err != nil {
			return out, fmt.Errorf("precondition %d: %w", i, err)
		}
	}
	return out, nil
}

// Args collects query arguments and returns their placeholders: "?" for
// SQLite, "$n" for PostgreSQL.
type Args struct {
	Dollar bool
	List   []any
}

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.List = append(a.List, v)
	if a.Dollar {
		return "$" + strconv.Itoa(len(a.List))
	}
	return "?"
}

// FilterWhere returns the conditions selecting f (never empty: "TRUE" for
// the zero filter), with its arguments added to a.
func FilterWhere(f store.Filter, a *Args) string {
	var conds []string
	add := func(col, v string) {
		conds = append(conds, col+" = "+a.Add(v))
	}
	if f.ResourceType != "" {
		add("resource_type", f.ResourceType)
	}
	if f.ResourceID != "" {
		add("resource_id", f.ResourceID)
	}
	if f.Relation != "" {
		add("relation", f.Relation)
	}
	if f.SubjectType != "" {
		add("subject_type", f.SubjectType)
	}
	if f.SubjectID != "" {
		add("subject_id", f.SubjectID)
	}
	if f.SubjectRelation != nil {
		add("subject_relation", *f.SubjectRelation)
	}
	if len(conds) == 0 {
		return "TRUE"
	}
	return strings.Join(conds, " AND ")
}

// Retry runs fn until it succeeds, returns an error that retryable rejects,
// or has run attempts times, sleeping a short jittered, growing backoff
// between attempts. It returns fn's last error.
func Retry(ctx context.Context, attempts int, retryable func(error) bool, fn func() error) error {
	backoff := 2 * time.Millisecond
	for i := 1; ; i++ {
		err := fn()
		if err == nil || i >= attempts || !retryable(err) {
			return err
		}
		d := backoff/2 + rand.N(backoff)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(d):
		}
		backoff = min(2*backoff, 200*time.Millisecond)
	}
}
