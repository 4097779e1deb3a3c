package sqlite_test

import (
	"database/sql"
	"strconv"
	"testing"

	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/store/storetest"
)

// TestAuditByActionMigration: a database of the previous version, with a
// log, gets the audit log's (action, seq) index from Migrate.
func TestAuditByActionMigration(t *testing.T) {
	s := openFresh(t)
	exec := func(t *testing.T, q string, args ...any) {
		t.Helper()
		db, err := sql.Open("sqlite", s.(*sqlite.Store).Path())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	storetest.AuditByActionMigration(t, s, func(t *testing.T) {
		exec(t, `DROP INDEX audit_by_action`)
		exec(t, `DELETE FROM schema_migrations WHERE version = `+strconv.Itoa(sqlite.LatestVersion()))
	}, func(t *testing.T) bool {
		db, err := sql.Open("sqlite", s.(*sqlite.Store).Path())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'audit_by_action'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
}
