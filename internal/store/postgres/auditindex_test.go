package postgres_test

import (
	"context"
	"testing"

	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/storetest"
)

// TestAuditByActionMigration: a database of the previous version, with a
// log, gets the audit log's (action, seq) index from Migrate.
func TestAuditByActionMigration(t *testing.T) {
	s := openFresh(t)
	pool := s.(*postgres.Store).Pool()
	ctx := context.Background()
	storetest.AuditByActionMigration(t, s, func(t *testing.T) {
		if _, err := pool.Exec(ctx, `DROP INDEX audit_by_action`); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, postgres.LatestVersion()); err != nil {
			t.Fatal(err)
		}
	}, func(t *testing.T) bool {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE tablename = 'audit' AND indexname = 'audit_by_action'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
}
