package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
)`

// Migrate implements store.Migrator. Each migration runs in its own
// IMMEDIATE transaction that re-reads the version first, so concurrent
// migrators (other processes) apply each migration exactly once.
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
	for _, m := range ms {
		err := s.exclusive(ctx, func(ctx context.Context, tx *sql.Tx) error {
			v, err := version(ctx, tx)
			if err != nil {
				return err
			}
			if v > len(ms) {
				return &store.VersionError{Database: v, Binary: len(ms)}
			}
			if v >= m.Version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, micros(s.now())); err != nil {
				return fmt.Errorf("recording migration %s: %w", m.Name, err)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	return nil
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
	if latest := LatestVersion(); v != latest {
		return &store.VersionError{Database: v, Binary: latest}
	}
	return nil
}

func version(ctx context.Context, tx *sql.Tx) (int, error) {
	var v sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return int(v.Int64), nil
}
