package client_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store/sqlite"
)

// serve runs a server over a fresh, migrated SQLite store until the test
// ends, configured by mutate, and returns it with its URL.
func serve(t *testing.T, mutate func(*server.Config)) (*server.Server, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "octroi.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := server.Default()
	cfg.DataDir = dir
	mutate(&cfg)
	srv, err := server.New(ctx, cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	srv.Start(sctx)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, ts.URL
}
