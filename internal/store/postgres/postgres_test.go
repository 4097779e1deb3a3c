package postgres_test

import (
	"context"
	"testing"

	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func openAt(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openFresh opens a migrated store on a new database.
func openFresh(t testing.TB) store.Store {
	t.Helper()
	s := openAt(t, pgtest.URL(t))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

var harness = storetest.Harness{
	Open:      openFresh,
	OpenEmpty: func(t testing.TB) store.Store { return openAt(t, pgtest.URL(t)) },
	Reopen: func(t testing.TB, s store.Store) store.Store {
		return openAt(t, s.(*postgres.Store).Pool().Config().ConnString())
	},
	RecordVersion: func(t testing.TB, s store.Store, v int) {
		if _, err := s.(*postgres.Store).Pool().Exec(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES ($1, 'future')`, v); err != nil {
			t.Fatal(err)
		}
	},
	Latest:             postgres.LatestVersion(),
	CrossProcessNotify: true,
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
	storetest.BenchImport(b, openFresh(b), 100_000, postgres.DefaultImportBatch)
}

func TestDocuments(t *testing.T) { storetest.Documents(t, harness) }

// BenchmarkLoads: writes and imports of 1M portal-shaped relationships
// (see storetest.BenchLoads; -benchtime 10x).
func BenchmarkLoads(b *testing.B) {
	storetest.BenchLoads(b, openFresh, postgres.DefaultImportBatch)
}

// BenchmarkAudit: the administrators' audit screen's queries over 1M
// entries (storetest.BenchAudit).
func BenchmarkAudit(b *testing.B) { storetest.BenchAudit(b, openFresh(b), 1_000_000) }
