package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/store/storetest"
)

// openFresh opens a migrated store on a new file in a temporary directory.
func openFresh(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "octroi.db"), sqlite.Options{})
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
