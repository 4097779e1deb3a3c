package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/store"
)

// Migration is one append-only migration file, NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads dir of fsys. Versions must be 1, 2, 3, … without
// gaps or duplicates, so that a mistake in a file name fails every test
// rather than skipping a migration in production.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d (versions must be contiguous from 1)", m.Name, i+1)
		}
	}
	return ms, nil
}

// LatestVersion returns the version of the last migration of dir in fsys,
// the schema version a binary embedding them expects; 0 if they cannot be
// loaded (a broken embed fails Migrate and every test anyway).
func LatestVersion(fsys fs.FS, dir string) int {
	ms, err := LoadMigrations(fsys, dir)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// MigrationTx is a migrator's transaction, as ApplyMigrations uses it.
type MigrationTx interface {
	// Version returns the highest version in schema_migrations, 0 for
	// none.
	Version(ctx context.Context) (int, error)
	// Exec runs a migration file's text, which may hold several
	// statements.
	Exec(ctx context.Context, sql string) error
	// Record adds m to schema_migrations.
	Record(ctx context.Context, m Migration) error
}

// ApplyMigrations applies those of ms (from LoadMigrations) that the
// database lacks, oldest first, each in a transaction of its own: inTx
// must run fn in a transaction that excludes other migrators (SQLite's
// write lock, PostgreSQL's advisory lock) and commit it when fn succeeds.
// The version is read again inside every transaction, so migrators
// running at once apply each migration exactly once. A database at a
// version this binary does not know is refused with a *store.VersionError
// before anything is applied.
func ApplyMigrations(ctx context.Context, ms []Migration, inTx func(ctx context.Context, fn func(MigrationTx) error) error) error {
	for _, m := range ms {
		err := inTx(ctx, func(tx MigrationTx) error {
			v, err := tx.Version(ctx)
			if err != nil {
				return err
			}
			if v > len(ms) {
				return &store.VersionError{Database: v, Binary: len(ms)}
			}
			if v >= m.Version {
				return nil
			}
			if err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.Name, err)
			}
			if err := tx.Record(ctx, m); err != nil {
				return fmt.Errorf("recording migration %s: %w", m.Name, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CheckVersion reports a *store.VersionError unless v, the database's
// schema version (0 for a database never migrated), is latest, the
// binary's.
func CheckVersion(v, latest int) error {
	if v != latest {
		return &store.VersionError{Database: v, Binary: latest}
	}
	return nil
}
