package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
)

// Migrations returns this binary's migrations (the embedded
// migrations/NNNN_*.sql files), oldest first.
func Migrations() ([]sqlstore.Migration, error) {
	return sqlstore.LoadMigrations(migrationFiles, "migrations")
}

// LatestVersion is the database schema version this binary expects.
func LatestVersion() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0 // a broken embed fails Migrate and every test anyway
	}
	return ms[len(ms)-1].Version
}

// migrationLock is the transaction-level advisory lock key that serialises
// migrators (any number of processes running "octroi migrate" at once).
const migrationLock = 0x6f6374726f69 // "octroi"

// Migrate implements store.Migrator. Each migration runs in its own
// transaction, under the advisory lock, after re-reading the version, so
// concurrent migrators apply each migration exactly once.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := s.exclusive(ctx, func(ctx context.Context, tx pgx.Tx) error {
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
			var v int
			if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
				return fmt.Errorf("reading schema version: %w", err)
			}
			if v > len(ms) {
				return &store.VersionError{Database: v, Binary: len(ms)}
			}
			if v >= m.Version {
				return nil
			}
			// No arguments: pgx sends it with the simple protocol,
			// which runs a multi-statement file.
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("recording migration %s: %w", m.Name, err)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
	}
	return nil
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
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
			return fmt.Errorf("reading schema version: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if latest := LatestVersion(); v != latest {
		return &store.VersionError{Database: v, Binary: latest}
	}
	return nil
}
