package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Harness gives the suites that need more than a fresh store what they
// need from a backend.
type Harness struct {
	// Open returns a fresh, empty, migrated store (closed by t.Cleanup).
	Open func(t testing.TB) store.Store
	// OpenEmpty returns a store on a fresh database never migrated.
	OpenEmpty func(t testing.TB) store.Store
	// Reopen returns another handle on s's database, as another process
	// would have (closed by t.Cleanup).
	Reopen func(t testing.TB, s store.Store) store.Store
	// RecordVersion records in s's database that migration version v was
	// applied, as a newer binary would have.
	RecordVersion func(t testing.TB, s store.Store, v int)
	// Latest is the binary's latest migration version.
	Latest int
	// CrossProcessNotify: writes through one handle wake subscribers of
	// another (PostgreSQL's NOTIFY; not SQLite's in-process signal).
	CrossProcessNotify bool
}

// Migrations checks Migrate and CheckVersion: the errors of a database
// behind or ahead of the binary, concurrent and repeated migration.
func Migrations(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.OpenEmpty(t)
	err := s.CheckVersion(ctx)
	var ve *store.VersionError
	if !errors.Is(err, store.ErrMigrationNeeded) || !errors.As(err, &ve) || ve.Database != 0 || ve.Binary != h.Latest {
		t.Fatalf("CheckVersion of an empty database: %v, want *VersionError{0, %d} matching ErrMigrationNeeded", err, h.Latest)
	}
	if !strings.Contains(err.Error(), `run "octroi migrate" first`) {
		t.Errorf("message %q does not say what to run", err)
	}
	// Migrators in several "processes" at once apply everything once.
	other := h.Reopen(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 4 {
		wg.Go(func() {
			if i%2 == 0 {
				errs <- s.Migrate(ctx)
			} else {
				errs <- other.Migrate(ctx)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Migrate: %v", err)
		}
	}
	for _, st := range []store.Store{s, other} {
		if err := st.CheckVersion(ctx); err != nil {
			t.Fatalf("CheckVersion after Migrate: %v", err)
		}
	}
	if _, err := s.Write(ctx, touch(R("document:a#viewer@user:1"))); err != nil {
		t.Fatalf("Write after Migrate: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	// A database migrated by a newer binary is refused.
	h.RecordVersion(t, s, h.Latest+1)
	err = s.CheckVersion(ctx)
	if !errors.Is(err, store.ErrDatabaseTooNew) || !errors.As(err, &ve) || ve.Database != h.Latest+1 {
		t.Errorf("CheckVersion of a newer database: %v, want ErrDatabaseTooNew", err)
	}
	if errors.Is(err, store.ErrMigrationNeeded) {
		t.Errorf("a newer database must not ask for a migration: %v", err)
	}
	if err := s.Migrate(ctx); !errors.Is(err, store.ErrDatabaseTooNew) {
		t.Errorf("Migrate of a newer database: %v, want ErrDatabaseTooNew", err)
	}
}

// Shared checks two handles on one database, as two processes: writers
// through both get distinct, gap-free revisions and see each other's
// writes; with CrossProcessNotify, one's writes wake the other's
// subscribers.
func Shared(t *testing.T, h Harness) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := h.Open(t)
	b := h.Reopen(t, a)
	const perHandle, each = 3, 10
	type result struct {
		rev store.Revision
		err error
	}
	results := make(chan result, 2*perHandle*each)
	var wg sync.WaitGroup
	for i, s := range []store.Store{a, b} {
		for w := range perHandle {
			wg.Go(func() {
				for j := range each {
					rev, err := s.Write(ctx, store.WriteRequest{Updates: []store.Update{
						{Op: store.Create, Relationship: R(fmt.Sprintf("document:h%d-w%d-%d#viewer@user:u", i, w, j))},
						{Op: store.Touch, Relationship: R("document:shared#viewer@user:u")},
					}})
					results <- result{rev, err}
				}
			})
		}
	}
	wg.Wait()
	close(results)
	seen := map[store.Revision]bool{}
	for r := range results {
		if r.err != nil {
			t.Fatalf("Write: %v", r.err)
		}
		if seen[r.rev] {
			t.Fatalf("revision %d given twice across handles", r.rev)
		}
		seen[r.rev] = true
	}
	total := store.Revision(2 * perHandle * each)
	for r := store.Revision(1); r <= total; r++ {
		if !seen[r] {
			t.Fatalf("revision %d missing", r)
		}
	}
	for _, s := range []store.Store{a, b} {
		n := 0
		rev, err := s.LoadAll(ctx, func(tuple.Relationship) error { n++; return nil })
		if err != nil || rev != total || n != int(total)+1 {
			t.Errorf("LoadAll = %d relationships at %d, %v; want %d at %d", n, rev, err, total+1, total)
		}
		cs, through, err := s.Changes(ctx, 0, 0)
		if err != nil || through != total || len(cs) != 2*int(total) {
			t.Errorf("Changes = %d at %d, %v", len(cs), through, err)
		}
	}
	if !h.CrossProcessNotify {
		return
	}
	ch, err := b.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The listener announces the head once connected…
	select {
	case rev := <-ch:
		if rev != total {
			t.Fatalf("subscriber first woken with %d, want the head %d", rev, total)
		}
	case <-ctx.Done():
		t.Fatal("subscriber never woken with the head")
	}
	// …then only a notification can tell it about a's write.
	rev, err := a.Write(ctx, touch(R("document:notify#viewer@user:u")))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ch:
		if got != rev {
			t.Errorf("subscriber woken with %d, want %d", got, rev)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a write through one handle did not wake the other's subscriber")
	}
}
