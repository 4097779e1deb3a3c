// Package credentials keeps octroi's credentials: the secrets people and
// programs present on every request (operator tokens today; personal
// tokens and access keys are meant to join them), stored hashed, and an
// in-memory cache of them on every node, so that checking a secret never
// waits for the database.
//
// # Stored credentials
//
// A credential is a document (store.Documents) of its kind: ID its id, Alt
// the hex SHA-256 of its secret (bearer.Hash: the secret itself is never
// stored nor logged), Parent its owner (an account; "" for operator
// tokens), and Data a JSON object whose optional fields "name",
// "expires_at" and "last_used" the cache reads; anything else in it is the
// kind's own. Whoever creates, deletes or changes a credential in a way
// that changes which secrets are accepted (revocation, expiry, owner) calls
// Changed in the same transaction: that is how every node's cache learns
// of it, since the store's changelog holds relationships only.
//
// # The cache
//
// A Cache holds the credentials of the kinds it was made for, by hash. It
// follows the store: woken by every committed revision (Subscribe) and by
// a poll as a fallback (the only way to see other processes' writes on
// SQLite), it reads one small document, the list of the last credential
// changes (see Changed), and re-reads the credentials listed there since
// its last refresh (all of them, if it fell further behind). So a
// credential revoked on any node is refused by every node within the
// follower's delay (at once on PostgreSQL's notifications, within the poll
// interval otherwise), and a node that made the change itself can Refresh
// to refuse it at once. Expiry is checked at lookup, against the clock, so
// an expired credential is refused at once whatever the cache's age.
//
// When the database cannot be read, the credentials read last stay in force:
// an outage neither locks everyone out nor lets strangers in, but it delays
// revocations until it ends (the failure is logged once, and its end).
//
// It holds the portal's access keys too (kind access_key): the key's
// secret hashed as Alt (for a BASIC key, its user name and password
// together), its owner as Parent, its status, filters and accesses in
// Data, decoded once per change by a Decoder (NewDecodingCache) into what
// the gateway reads at every request (Entry.Value); every change of a key
// is a Changed change.
//
// A credential's last use is recorded at most once per bearer.LastUseEvery,
// off the request path: Lookup notes the use in memory, and the next
// refresh writes it (without an audit entry: bookkeeping, not a change by
// anyone, and without Changed: it changes no answer).
package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/store"
)

// Entry is what the cache knows of a credential.
type Entry struct {
	Kind    string
	ID      string
	Owner   string // the document's Parent: "" for operator tokens
	Name    string
	Expires *time.Time // nil: until revoked
	// Data is the stored record, for the kind's own fields (an access
	// key's filters and accesses); callers must not modify it.
	Data json.RawMessage
	// Value is Data as the cache's Decoder read it once, when the
	// credential was read (nil without a decoder for the kind, or when
	// the decoder refused the record: see Decoder); callers must not
	// modify it.
	Value any
}

// Decoder reads a credential's Data into the value lookups need (an
// access key's parsed filters and accesses), once per change of the
// credential rather than at every lookup. A record it refuses is kept
// with a nil Value and the refusal is logged: the kind's lookups then
// treat the credential as unusable, and the others stay in force.
type Decoder func(kind string, data json.RawMessage) (any, error)

// ErrUnknown is returned by Lookup for a secret that is no credential of
// the kind asked for, or no longer.
var ErrUnknown = errors.New("unknown or revoked credential")

// ExpiredError is returned by Lookup for a credential past its expiry.
type ExpiredError struct {
	Entry Entry
}

func (e *ExpiredError) Error() string {
	return fmt.Sprintf("%s %s expired at %s", e.Entry.Kind, e.Entry.ID, e.Entry.Expires.UTC().Format(time.RFC3339))
}

// kindHead is the document kind of the one document that lists the last
// changes of credentials (see Changed): a short changelog of their own,
// since the store's changelog holds relationships only.
const kindHead, headID = "credentials_head", "head"

// headChanges bounds the changes the head document lists. A cache that
// fell further behind (a long database outage) re-reads every credential.
const headChanges = 256

// head is the head document's Data.
type head struct {
	// Trimmed is the revision of the latest change no longer listed: a
	// cache that has seen it may apply Changes; one that has not reads
	// every credential.
	Trimmed store.Revision `json:"trimmed"`
	Changes []change       `json:"changes"` // oldest first
}

type change struct {
	Revision store.Revision `json:"revision"`
	Kind     string         `json:"kind"`
	ID       string         `json:"id"`
}

// Changed records, in tx, that the credential (kind, id) changed, so that
// every node's cache re-reads it. Call it in every transaction that
// creates or deletes a credential or changes its hash, owner, name or
// expiry. Transactions are serialised (store.Documents), so the head
// document lists changes in commit order.
func Changed(ctx context.Context, tx store.DocTx, kind, id string) error {
	var h head
	switch d, err := tx.GetDoc(ctx, kindHead, headID); {
	case err == nil:
		if err := json.Unmarshal(d.Data, &h); err != nil {
			return fmt.Errorf("credentials head: %w", err)
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	h.Changes = append(h.Changes, change{tx.Revision(), kind, id})
	if n := len(h.Changes) - headChanges; n > 0 {
		h.Trimmed = h.Changes[n-1].Revision
		h.Changes = slices.Delete(h.Changes, 0, n)
	}
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return tx.PutDoc(ctx, store.Doc{Kind: kindHead, ID: headID, Data: data})
}

// record is the part of a credential's Data the cache reads.
type record struct {
	Name     string     `json:"name"`
	Expires  *time.Time `json:"expires_at"`
	LastUsed *time.Time `json:"last_used"`
}

// live is the in-memory side of a stored credential.
type live struct {
	Entry
	recorded atomic.Pointer[time.Time] // last use as stored; nil: never
	pending  atomic.Pointer[time.Time] // a use to record; nil: none
}

// Cache is the in-memory copy of the stored credentials of some kinds. Its
// methods are safe for concurrent use.
type Cache struct {
	docs   store.Documents
	kinds  []string
	log    *slog.Logger
	decode Decoder // nil: no Values

	// byHash maps hashes to credentials. Refreshes replace the map whole
	// (lookups read it without a lock) but carry its entries over, so
	// that a use noted during a refresh is not lost.
	byHash atomic.Pointer[map[string]*live]

	// refreshMu makes refreshes one at a time, so that an older read
	// never replaces a newer one. It guards the fields below.
	refreshMu sync.Mutex
	head      store.Revision // the revision of the last change applied
	loaded    bool           // whether a read of every credential succeeded
	hashOf    map[kindID]string
	failing   bool // so that a failing database is logged once
}

// kindID names a credential, for hashOf: the hash it had when read last,
// to forget it when it is deleted or its hash changes.
type kindID struct{ kind, id string }

// NewCache reads the stored credentials of kinds (document kinds) from
// docs and returns a cache of them; log may be nil (no logging). Call
// Follow to keep it up to date.
func NewCache(ctx context.Context, docs store.Documents, log *slog.Logger, kinds ...string) (*Cache, error) {
	return NewDecodingCache(ctx, docs, log, nil, kinds...)
}

// NewDecodingCache is NewCache with a Decoder (nil: none), whose values
// lookups return in Entry.Value.
func NewDecodingCache(ctx context.Context, docs store.Documents, log *slog.Logger, decode Decoder, kinds ...string) (*Cache, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Cache{docs: docs, kinds: kinds, log: log, decode: decode}
	c.byHash.Store(&map[string]*live{})
	if err := c.Refresh(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Lookup returns the credential of kind whose secret is secret, or
// ErrUnknown, or an *ExpiredError when now is past its expiry. It reads
// memory only, and notes the use at now for the next refresh to record.
// now is the caller's, so that expiry and last uses follow one clock.
//
// It allocates nothing for a credential found whose use needs no
// recording (at most one lookup per credential and bearer.LastUseEvery
// does), nor for an unknown secret.
func (c *Cache) Lookup(kind, secret string, now time.Time) (Entry, error) {
	var h [bearer.HashLen]byte
	l := (*c.byHash.Load())[string(bearer.AppendHash(h[:0], secret))] // m[string(b)] copies nothing: Go looks b up as it is
	if l == nil || l.Kind != kind {
		return Entry{}, ErrUnknown
	}
	now = now.UTC()
	if l.Expires != nil && !now.Before(*l.Expires) {
		return Entry{}, &ExpiredError{l.Entry}
	}
	if l.pending.Load() == nil && bearer.LastUseDue(l.recorded.Load(), now) {
		at := now // a copy, so that only a use to record costs an allocation
		l.pending.CompareAndSwap(nil, &at)
	}
	return l.Entry, nil
}

// Len returns how many credentials of kind the cache holds.
func (c *Cache) Len(kind string) int {
	n := 0
	for _, l := range *c.byHash.Load() {
		if l.Kind == kind {
			n++
		}
	}
	return n
}

// Follow refreshes the cache at every revision wake delivers (nil: none)
// and every interval, until ctx ends (see store.Follow).
func (c *Cache) Follow(ctx context.Context, wake <-chan store.Revision, interval time.Duration) {
	store.Follow(ctx, wake, interval, func() { _ = c.Refresh(ctx) }) // logged by Refresh
}

// Refresh records the uses noted since the last refresh, then re-reads the
// stored credentials if any changed since the last read (see Changed). On
// failure it keeps what it read last, logs the failure (once until it
// recovers) and returns it.
func (c *Cache) Refresh(ctx context.Context) error {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	err := errors.Join(c.recordUses(ctx), c.reload(ctx))
	switch {
	case err != nil && ctx.Err() == nil && !c.failing:
		c.failing = true
		c.log.Error("reading credentials from the database; the ones read last stay in force until it works again", "error", err)
	case err == nil && c.failing:
		c.failing = false
		c.log.Info("credentials read from the database again")
	}
	return err
}

// reload brings the cache up to the head document: by re-reading the
// credentials it lists as changed, or every credential when it does not
// reach back to what the cache has seen. Called with refreshMu held.
func (c *Cache) reload(ctx context.Context) error {
	var h head
	var rev store.Revision
	switch d, err := c.docs.GetDoc(ctx, kindHead, headID); {
	case err == nil:
		rev = d.Revision
		if err := json.Unmarshal(d.Data, &h); err != nil {
			return fmt.Errorf("credentials head: %w", err)
		}
	case !errors.Is(err, store.ErrNotFound): // not found: no change since the database was made
		return fmt.Errorf("reading credentials: %w", err)
	}
	if c.loaded && rev == c.head {
		return nil
	}
	// Lookups read the map without a lock: a change is a new map. Copying
	// it costs a few milliseconds per 100,000 credentials, once per
	// batch of changes.
	old := *c.byHash.Load()
	var m map[string]*live
	if c.loaded && h.Trimmed <= c.head {
		m = maps.Clone(old)
		for _, ch := range h.Changes {
			if ch.Revision <= c.head || !slices.Contains(c.kinds, ch.Kind) {
				continue
			}
			d, err := c.docs.GetDoc(ctx, ch.Kind, ch.ID)
			if errors.Is(err, store.ErrNotFound) {
				c.forget(m, kindID{ch.Kind, ch.ID})
				continue
			}
			if err != nil {
				return fmt.Errorf("reading credentials: %w", err)
			}
			if err := c.put(m, old, d); err != nil {
				return err
			}
		}
	} else {
		m = make(map[string]*live, len(old))
		c.hashOf = map[kindID]string{}
		for _, kind := range c.kinds {
			docs, err := c.docs.ListDocs(ctx, kind, "", "", 0)
			if err != nil {
				return fmt.Errorf("reading credentials: %w", err)
			}
			for _, d := range docs {
				if err := c.put(m, old, d); err != nil {
					return err
				}
			}
		}
		if c.loaded {
			for h, l := range old {
				if m[h] == nil {
					c.logRevoked(l)
				}
			}
		} else {
			c.log.Info("credentials read", "kinds", c.kinds, "count", len(m))
		}
	}
	c.byHash.Store(&m)
	c.head, c.loaded = rev, true
	return nil
}

// put sets the credential d in m, replacing what it was (under this hash,
// or under the one it had); old is the map lookups may still be reading.
func (c *Cache) put(m, old map[string]*live, d store.Doc) error {
	var r record
	if err := json.Unmarshal(d.Data, &r); err != nil {
		return fmt.Errorf("%s %s: %w", d.Kind, d.ID, err)
	}
	h := strings.ToLower(d.Alt)
	k := kindID{d.Kind, d.ID}
	if was, ok := c.hashOf[k]; ok && was != h {
		c.forget(m, k)
	}
	e := Entry{Kind: d.Kind, ID: d.ID, Owner: d.Parent, Name: r.Name, Expires: r.Expires, Data: d.Data}
	if c.decode != nil {
		v, err := c.decode(d.Kind, d.Data)
		if err != nil {
			c.log.Error(human(d.Kind)+" unreadable: refused until it is written again", "id", d.ID, "error", err)
		}
		e.Value = v
	}
	// Lookups may be reading the old entry: this is a new one, with the
	// use noted on the old.
	l := &live{Entry: e}
	if was := old[h]; was != nil && was.Kind == d.Kind && was.ID == d.ID {
		l.pending.Store(was.pending.Load())
	} else if c.loaded {
		c.log.Info(human(d.Kind)+" accepted", "id", d.ID, "name", r.Name)
	}
	l.recorded.Store(r.LastUsed)
	m[h] = l
	c.hashOf[k] = h
	return nil
}

// forget removes the credential k from m.
func (c *Cache) forget(m map[string]*live, k kindID) {
	h, ok := c.hashOf[k]
	if !ok {
		return
	}
	delete(c.hashOf, k)
	if l := m[h]; l != nil && l.Kind == k.kind && l.ID == k.id {
		delete(m, h)
		c.logRevoked(l)
	}
}

func (c *Cache) logRevoked(l *live) {
	c.log.Info(human(l.Kind)+" revoked: refused from now on", "id", l.ID, "name", l.Name)
}

// human names a kind in log messages ("operator token revoked…"), which
// operators grep for.
func human(kind string) string { return strings.ReplaceAll(kind, "_", " ") }

// recordUses writes the noted uses as the credentials' last use, in one
// transaction. A credential deleted meanwhile is not brought back, and a
// use another node recorded within bearer.LastUseEvery is kept. Called
// with refreshMu held.
func (c *Cache) recordUses(ctx context.Context) error {
	type use struct {
		l  *live
		at *time.Time
	}
	var uses []use
	for _, l := range *c.byHash.Load() {
		if at := l.pending.Load(); at != nil {
			uses = append(uses, use{l, at})
		}
	}
	if len(uses) == 0 {
		return nil
	}
	_, err := c.docs.Transact(ctx, func(tx store.DocTx) error {
		for _, u := range uses {
			d, err := tx.GetDoc(ctx, u.l.Kind, u.l.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			// Only last_used changes: the rest of Data is the kind's,
			// kept as stored.
			var fields map[string]json.RawMessage
			var r record
			if err := errors.Join(json.Unmarshal(d.Data, &fields), json.Unmarshal(d.Data, &r)); err != nil {
				return fmt.Errorf("%s %s: %w", d.Kind, d.ID, err)
			}
			if !bearer.LastUseDue(r.LastUsed, *u.at) {
				continue
			}
			if fields["last_used"], err = json.Marshal(u.at); err != nil {
				return err
			}
			if d.Data, err = json.Marshal(fields); err != nil {
				return err
			}
			if err := tx.PutDoc(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording credentials' last use: %w", err)
	}
	for _, u := range uses {
		u.l.pending.CompareAndSwap(u.at, nil)
		u.l.recorded.Store(u.at)
	}
	return nil
}
