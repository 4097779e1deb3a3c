package postgres_test

import (
	"testing"

	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openFresh opens a migrated store on a new database.
func openFresh(t testing.TB) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), pgtest.URL(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.All(t, func(t *testing.T) store.Store { return openFresh(t) })
}
