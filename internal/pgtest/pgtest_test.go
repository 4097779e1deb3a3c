package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/octroi/octroi/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestURLGivesFreshDatabases(t *testing.T) {
	ctx := context.Background()
	var names []string
	for range 2 {
		u := pgtest.URL(t)
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var name, enc, collate string
		var tables int
		if err := conn.QueryRow(ctx, `SELECT current_database(), pg_encoding_to_char(encoding), datcollate FROM pg_database WHERE datname = current_database()`).Scan(&name, &enc, &collate); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if enc != "UTF8" || collate != "C" || tables != 0 {
			t.Errorf("database %s: encoding %s, collation %s, %d tables; want UTF8, C, empty", name, enc, collate, tables)
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE t (x int)`); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if names[0] == names[1] {
		t.Errorf("two URL calls gave the same database %s", names[0])
	}
}

// TestDurabilitySettings: tests that rely on crashes need fsync on.
func TestDurabilitySettings(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, setting := range []string{"fsync", "synchronous_commit"} {
		var v string
		if err := conn.QueryRow(ctx, `SELECT current_setting($1)`, setting).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != "on" && os.Getenv(pgtest.EnvURL) == "" {
			t.Errorf("%s = %s, want on", setting, v)
		}
	}
}
