package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/octroi/octroi/internal/store/internal/sqlstore"
)

// Migrations returns this binary's migrations (the embedded
// migrations/NNNN_*.sql files), oldest first.
func Migrations() ([]sqlstore.Migration, error) {
	return sqlstore.LoadMigrations(migrationFiles, "migrations")
}

// LatestVersion is the database schema version this binary expects.
func LatestVersion() int {
	return sqlstore.LatestVersion(migrationFiles, "migrations")
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
)`

// Migrate implements store.Migrator. Each migration runs in its own
// IMMEDIATE transaction (sqlstore.ApplyMigrations), which holds the
// database's write lock and so excludes other processes' migrators.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	if err := s.exclusive(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, createMigrationsTable)
		return err
	}); err != nil {
		return fmt.Errorf("sqlite: creating schema_migrations: %w", err)
	}
	err = sqlstore.ApplyMigrations(ctx, ms, func(ctx context.Context, fn func(sqlstore.MigrationTx) error) error {
		return s.exclusive(ctx, func(ctx context.Context, tx *sql.Tx) error {
			return fn(migrationTx{tx: tx, now: s.now()})
		})
	})
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// migrationTx is an exclusive transaction as a migration sees it.
type migrationTx struct {
	tx  *sql.Tx
	now time.Time
}

func (m migrationTx) Version(ctx context.Context) (int, error) { return version(ctx, m.tx) }

func (m migrationTx) Exec(ctx context.Context, sql string) error {
	_, err := m.tx.ExecContext(ctx, sql)
	return err
}

func (m migrationTx) Record(ctx context.Context, mig sqlstore.Migration) error {
	_, err := m.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		mig.Version, mig.Name, micros(m.now))
	return err
}

// CheckVersion implements store.Migrator.
func (s *Store) CheckVersion(ctx context.Context) error {
	var v int
	err := s.read(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
			return fmt.Errorf("reading schema version: %w", err)
		}
		if n == 0 {
			return nil
		}
		var err error
		v, err = version(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return sqlstore.CheckVersion(v, LatestVersion())
}

func version(ctx context.Context, tx *sql.Tx) (int, error) {
	var v sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return int(v.Int64), nil
}
