package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// kindKey is a kind of credential of these tests, shaped like the access
// keys to come: an owner, an expiry, fields of its own.
const kindKey = "test_key"

func openSQLite(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// putKey stores a credential of kindKey for secret, with Changed unless
// quiet.
func putKey(t *testing.T, docs store.Documents, id, owner, secret string, expires *time.Time, quiet bool) {
	t.Helper()
	data, err := json.Marshal(map[string]any{"name": "key " + id, "expires_at": expires, "filters": []string{"10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = docs.Transact(context.Background(), func(tx store.DocTx) error {
		if err := tx.PutDoc(context.Background(), store.Doc{Kind: kindKey, ID: id, Alt: bearer.Hash(secret), Parent: owner, Data: data}); err != nil {
			return err
		}
		if quiet {
			return nil
		}
		return Changed(context.Background(), tx, kindKey, id)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func migrated(t *testing.T) *sqlite.Store {
	t.Helper()
	st := openSQLite(t, filepath.Join(t.TempDir(), "octroi.db"))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestLookup: a secret finds its credential of its kind only; expiry is
// checked at lookup, against the clock, with no refresh in between.
func TestLookup(t *testing.T) {
	ctx := context.Background()
	st := migrated(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	soon := now.Add(time.Hour)
	_, opSecret, err := CreateOperatorToken(ctx, st, "test", "ops")
	if err != nil {
		t.Fatal(err)
	}
	putKey(t, st, "k1", "alice", "key_one", nil, false)
	putKey(t, st, "k2", "bob", "key_two", &soon, false)
	c, err := NewCache(ctx, st, nil, KindOperatorToken, kindKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		at            time.Time
		kind, secret  string
		wantID, owner string
		wantErr       error // nil, ErrUnknown, or any *ExpiredError
	}{
		{"operator token", now, KindOperatorToken, opSecret, "", "", nil},
		{"key without expiry", now, kindKey, "key_one", "k1", "alice", nil},
		{"key before expiry", now, kindKey, "key_two", "k2", "bob", nil},
		{"key at expiry", soon, kindKey, "key_two", "", "", &ExpiredError{}},
		{"key without expiry, later", soon.Add(time.Hour), kindKey, "key_one", "k1", "alice", nil},
		{"other kind", now, KindOperatorToken, "key_one", "", "", ErrUnknown},
		{"unknown", now, kindKey, "key_three", "", "", ErrUnknown},
		{"a hash is no secret", now, kindKey, bearer.Hash("key_one"), "", "", ErrUnknown},
	} {
		got, err := c.Lookup(tc.kind, tc.secret, tc.at)
		var expired *ExpiredError
		switch {
		case tc.wantErr == nil && err != nil, tc.wantErr == ErrUnknown && !errors.Is(err, ErrUnknown):
			t.Errorf("%s: got error %v, want %v", tc.name, err, tc.wantErr)
		case tc.wantErr != nil && tc.wantErr != ErrUnknown && !errors.As(err, &expired):
			t.Errorf("%s: got error %v, want an *ExpiredError", tc.name, err)
		case tc.wantID != "" && (got.ID != tc.wantID || got.Owner != tc.owner || got.Kind != tc.kind):
			t.Errorf("%s: got %+v, want id %s, owner %q, kind %s", tc.name, got, tc.wantID, tc.owner, tc.kind)
		}
	}
	if got := c.Len(kindKey); got != 2 {
		t.Errorf("Len(%s): got %d, want 2", kindKey, got)
	}
}

// TestChanged: a refresh reads the credentials the head document lists
// as changed since the last one (created, given a new secret, deleted),
// and those only, unless the cache fell behind what the head lists: then
// it reads every credential.
func TestChanged(t *testing.T) {
	ctx := context.Background()
	st := migrated(t)
	c, err := NewCache(ctx, st, nil, kindKey)
	if err != nil {
		t.Fatal(err)
	}
	announce := func(n int, ids ...string) {
		t.Helper()
		_, err := st.Transact(ctx, func(tx store.DocTx) error {
			for range n {
				for _, id := range ids {
					if err := Changed(ctx, tx, kindKey, id); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	del := func(id string) {
		t.Helper()
		_, err := st.Transact(ctx, func(tx store.DocTx) error {
			return errors.Join(tx.DeleteDoc(ctx, kindKey, id), Changed(ctx, tx, kindKey, id))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		name    string
		do      func()
		known   []string
		unknown []string
	}{
		{"written without Changed", func() { putKey(t, st, "k1", "alice", "key_one", nil, true) }, nil, []string{"key_one"}},
		{"created", func() { putKey(t, st, "k2", "alice", "key_two", nil, false) }, []string{"key_two"}, []string{"key_one"}},
		{"new secret", func() { putKey(t, st, "k2", "alice", "key_two_again", nil, false) }, []string{"key_two_again"}, []string{"key_two", "key_one"}},
		{"deleted", func() { del("k2") }, nil, []string{"key_two_again", "key_one"}},
		{"recreated", func() { putKey(t, st, "k2", "alice", "key_two", nil, false) }, []string{"key_two"}, []string{"key_one"}},
		{"fell behind", func() { announce(headChanges+1, "k3") }, []string{"key_one", "key_two"}, nil},
	} {
		step.do()
		if err := c.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		for _, s := range step.known {
			if _, err := c.Lookup(kindKey, s, time.Now()); err != nil {
				t.Errorf("%s: Lookup(%s): got %v, want the credential", step.name, s, err)
			}
		}
		for _, s := range step.unknown {
			if _, err := c.Lookup(kindKey, s, time.Now()); !errors.Is(err, ErrUnknown) {
				t.Errorf("%s: Lookup(%s): got %v, want ErrUnknown", step.name, s, err)
			}
		}
	}
	if got := c.Len(kindKey); got != 2 {
		t.Errorf("Len: got %d, want 2", got)
	}
}

// TestLastUse: a use is written as last_used by the next refresh, at most
// once per bearer.LastUseEvery, keeping the kind's own fields.
func TestLastUse(t *testing.T) {
	ctx := context.Background()
	st := migrated(t)
	putKey(t, st, "k1", "alice", "key_one", nil, false)
	c, err := NewCache(ctx, st, nil, kindKey)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	lastUsed := func() (time.Time, []string) {
		t.Helper()
		d, err := st.GetDoc(ctx, kindKey, "k1")
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			LastUsed time.Time `json:"last_used"`
			Filters  []string  `json:"filters"`
		}
		if err := json.Unmarshal(d.Data, &r); err != nil {
			t.Fatal(err)
		}
		return r.LastUsed, r.Filters
	}
	for _, step := range []struct {
		after time.Duration
		want  time.Duration // since the first use
	}{{0, 0}, {time.Second, 0}, {bearer.LastUseEvery, bearer.LastUseEvery + time.Second}} {
		clock = clock.Add(step.after)
		if _, err := c.Lookup(kindKey, "key_one", clock); err != nil {
			t.Fatal(err)
		}
		if err := c.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		got, filters := lastUsed()
		want := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC).Add(step.want)
		if !got.Equal(want) || len(filters) != 1 {
			t.Errorf("after a use at %s: got last use %s and filters %v, want %s and the filters kept", clock, got, filters, want)
		}
	}
}

// TestRevocationAcrossNodes: two caches on two handles of one database
// (two nodes, as far as the store can tell): a credential created and then
// revoked through one is accepted and then refused by the other within
// the follower's delay, on SQLite (by polling) and PostgreSQL (woken by
// NOTIFY).
func TestRevocationAcrossNodes(t *testing.T) {
	for _, b := range []struct {
		name string
		open func(t *testing.T) func() store.Store
	}{
		{"sqlite", func(t *testing.T) func() store.Store {
			path := filepath.Join(t.TempDir(), "octroi.db")
			return func() store.Store { return openSQLite(t, path) }
		}},
		{"postgres", func(t *testing.T) func() store.Store {
			url := pgtest.URL(t)
			return func() store.Store {
				st, err := postgres.Open(context.Background(), url, postgres.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
		}},
	} {
		t.Run(b.name, func(t *testing.T) { testRevocationAcrossNodes(t, b.open(t)) })
	}
}

func testRevocationAcrossNodes(t *testing.T, open func() store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := open(), open()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	follow := func(st store.Store) *Cache {
		c, err := NewCache(ctx, st, nil, KindOperatorToken)
		if err != nil {
			t.Fatal(err)
		}
		wake, err := st.Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		go c.Follow(ctx, wake, 50*time.Millisecond)
		return c
	}
	ca, cb := follow(a), follow(b)
	eventually := func(c *Cache, secret string, want error, what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second) // far above the poll interval: no timing assertion
		for {
			_, err := c.Lookup(KindOperatorToken, secret, time.Now())
			if errors.Is(err, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: got %v, want %v", what, err, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	docs := a
	tok, secret, err := CreateOperatorToken(ctx, docs, "test", "ci")
	if err != nil {
		t.Fatal(err)
	}
	eventually(ca, secret, nil, "created on this node")
	eventually(cb, secret, nil, "created on the other node")
	if _, err := RevokeOperatorToken(ctx, docs, "test", tok.ID); err != nil {
		t.Fatal(err)
	}
	eventually(ca, secret, ErrUnknown, "revoked on this node")
	eventually(cb, secret, ErrUnknown, "revoked on the other node")
}
