package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/store/storetest"
)

func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openFresh opens a migrated store on a new file in a temporary directory.
func openFresh(t testing.TB) store.Store {
	t.Helper()
	s := openAt(t, filepath.Join(t.TempDir(), "octroi.db"))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

var harness = storetest.Harness{
	Open: openFresh,
	OpenEmpty: func(t testing.TB) store.Store {
		return openAt(t, filepath.Join(t.TempDir(), "octroi.db"))
	},
	Reopen: func(t testing.TB, s store.Store) store.Store {
		return openAt(t, s.(*sqlite.Store).Path())
	},
	RecordVersion: func(t testing.TB, s store.Store, v int) {
		db, err := sql.Open("sqlite", s.(*sqlite.Store).Path())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)`, v); err != nil {
			t.Fatal(err)
		}
	},
	Latest:             sqlite.LatestVersion(),
	CrossProcessNotify: false,
}

func TestConformance(t *testing.T) {
	storetest.All(t, func(t *testing.T) store.Store { return openFresh(t) })
}

func TestMigrations(t *testing.T) { storetest.Migrations(t, harness) }

func TestShared(t *testing.T) { storetest.Shared(t, harness) }

func BenchmarkLoadAll(b *testing.B) {
	storetest.BenchLoadAll(b, openFresh(b), 1_000_000)
}

func BenchmarkImport(b *testing.B) {
	storetest.BenchImport(b, openFresh(b), 100_000, sqlite.DefaultImportBatch)
}

func TestDocuments(t *testing.T) { storetest.Documents(t, harness) }

// BenchmarkLoads: writes and imports of 1M portal-shaped relationships
// (see storetest.BenchLoads; -benchtime 10x).
func BenchmarkLoads(b *testing.B) {
	storetest.BenchLoads(b, openFresh, sqlite.DefaultImportBatch)
}

// BenchmarkAudit: the administrators' audit screen's queries over 1M
// entries (storetest.BenchAudit).
func BenchmarkAudit(b *testing.B) { storetest.BenchAudit(b, openFresh(b), 1_000_000) }
