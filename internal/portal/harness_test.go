package portal_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/store/storetest"
	"github.com/octroi/octroi/internal/tuple"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// docStore is a backend: relationships and documents in one database.
type docStore interface {
	store.Store
	store.Documents
}

// backends are the real stores every test runs on.
var backends = []struct {
	name string
	open func(t *testing.T) docStore
}{
	{"sqlite", func(t *testing.T) docStore {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "octroi.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
	{"postgres", func(t *testing.T) docStore {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

// forEachBackend runs f on a fresh environment of every backend.
func forEachBackend(t *testing.T, f func(t *testing.T, e *env)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			f(t, newEnv(t, b.open(t)))
		})
	}
}

// clock is the service's clock: tests move it on by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a store, an engine following it and the service on top, as the
// server wires them.
type env struct {
	t     testing.TB
	ctx   context.Context
	st    docStore
	idx   *index.Index
	eng   *engine.Engine
	svc   *portal.Service
	clock *clock
	mu    sync.Mutex // serialises followers
}

func newEnv(t testing.TB, st docStore) *env {
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteSchema(ctx, portal.Schema); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, st: st, idx: index.New(), clock: &clock{now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}}
	if _, err := e.idx.Load(func(add func(tuple.Relationship)) (uint64, error) {
		rev, err := st.LoadAll(ctx, func(r tuple.Relationship) error { add(r); return nil })
		return uint64(rev), err
	}); err != nil {
		t.Fatal(err)
	}
	e.eng = engine.New(e.idx)
	e.setSchema()
	creds, err := credentials.NewDecodingCache(ctx, st, nil, portal.DecodeCredential, portal.KindToken, portal.KindAccessKey, portal.KindSession)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := portal.New(portal.Config{Docs: st, Store: st, Engine: func() *engine.Engine { return e.eng }, Sync: e.sync, Now: e.clock.Now, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	return e
}

func (e *env) setSchema() {
	text, _, err := e.st.ReadSchema(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := schema.Parse(text)
	if err != nil {
		e.t.Fatal(err)
	}
	e.eng.SetSchema(s)
}

// sync is the follower: it applies the changelog to the index until it has
// applied rev.
func (e *env) sync(ctx context.Context, rev store.Revision) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return storetest.SyncIndex(ctx, e.st, e.idx, rev)
}

// head is the store's head revision: tests compare it to prove that a
// refused action wrote nothing.
func (e *env) head() store.Revision {
	e.t.Helper()
	rev, err := e.st.HeadRevision(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return rev
}

// check asks the engine directly, as a client of octroi would.
func (e *env) check(q string) bool {
	e.t.Helper()
	r, err := tuple.Parse(q)
	if err != nil {
		e.t.Fatal(err)
	}
	res, _, err := e.eng.Check(e.ctx, engine.CheckRequest{Resource: r.Resource, Permission: r.Relation, Subject: r.Subject}, engine.At{})
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return res.Result == engine.HasPermission
}

// must fails the test on an error.
func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err wraps want.
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func lvl(l portal.Level) *portal.Level { return &l }
