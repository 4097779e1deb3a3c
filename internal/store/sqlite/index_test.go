package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/store/storetest"
)

// subjectIndexStored returns the statement that created the subject
// index, as SQLite keeps it, or "" without the index.
func subjectIndexStored(t *testing.T, s *Store) string {
	t.Helper()
	var q string
	err := s.w.QueryRow(`SELECT COALESCE((SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?), '')`, subjectIndex).Scan(&q)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestSubjectIndexRebuilt: an import into an empty store drops the
// subject index and builds it again, the same as migration 0001's; a
// process that died in between gets it back at the next Open.
func TestSubjectIndexRebuilt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "octroi.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := subjectIndexStored(t, s); got != subjectIndexSQL {
		t.Fatalf("migrated subject index:\n%s\nwant subjectIndexSQL:\n%s", got, subjectIndexSQL)
	}
	if _, n, err := s.Import(ctx, storetest.Generate(0, 25_000), 10_000); err != nil || n != 25_000 {
		t.Fatalf("Import = %d, %v", n, err)
	}
	if got := subjectIndexStored(t, s); got != subjectIndexSQL {
		t.Fatalf("subject index after an import into an empty store:\n%s\nwant:\n%s", got, subjectIndexSQL)
	}
	// A crash during such an import leaves the index dropped.
	if _, err := s.w.Exec(`DROP INDEX ` + subjectIndex); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := subjectIndexStored(t, s); got != subjectIndexSQL {
		t.Fatalf("subject index after reopening without it:\n%s\nwant:\n%s", got, subjectIndexSQL)
	}
}
