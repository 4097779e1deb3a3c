package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

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

// migrationLock is the transaction-level advisory lock key that serialises
// migrators (any number of processes running "octroi migrate" at once).
const migrationLock = 0x6f6374726f69 // "octroi"

// Migrate implements store.Migrator. Each migration runs in its own
// transaction (sqlstore.ApplyMigrations) that first takes the advisory
// lock, which excludes other processes' migrators.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	err = sqlstore.ApplyMigrations(ctx, ms, func(ctx context.Context, fn func(sqlstore.MigrationTx) error) error {
		return s.exclusive(ctx, func(ctx context.Context, tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
				return fmt.Errorf("taking the migration lock: %w", err)
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)`); err != nil {
				return fmt.Errorf("creating schema_migrations: %w", err)
			}
			return fn(migrationTx{tx})
		})
	})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// migrationTx is a transaction under the migration lock, as a migration
// sees it.
type migrationTx struct{ tx pgx.Tx }

func (m migrationTx) Version(ctx context.Context) (int, error) { return version(ctx, m.tx) }

// Exec passes no arguments: pgx then sends sql with the simple protocol,
// which runs a multi-statement file.
func (m migrationTx) Exec(ctx context.Context, sql string) error {
	_, err := m.tx.Exec(ctx, sql)
	return err
}

func (m migrationTx) Record(ctx context.Context, mig sqlstore.Migration) error {
	_, err := m.tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, mig.Version, mig.Name)
	return err
}

// CheckVersion implements store.Migrator.
func (s *Store) CheckVersion(ctx context.Context) error {
	var v int
	err := s.read(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
			return fmt.Errorf("reading schema version: %w", err)
		}
		if !exists {
			return nil
		}
		var err error
		v, err = version(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return sqlstore.CheckVersion(v, LatestVersion())
}

func version(ctx context.Context, tx pgx.Tx) (int, error) {
	var v int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}
