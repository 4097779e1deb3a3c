package loadgen_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/loadgen"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store/sqlite"
)

// serve starts an in-process server on a fresh SQLite database in a temp
// dir and returns its URL.
func serve(t *testing.T, token string) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.Open(ctx, filepath.Join(dir, server.DatabaseFile), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := server.Default()
	cfg.DataDir = dir
	cfg.Tokens = []string{token}
	cfg.NoPortal = true // the bench writes its own schema
	s, err := server.New(ctx, cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		st.Close()
	})
	return "http://" + ln.Addr().String()
}

// run runs cfg and logs its report.
func run(t *testing.T, cfg loadgen.Config) *loadgen.Report {
	t.Helper()
	rep, err := loadgen.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := rep.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	return rep
}

// TestBenchIsCorrect runs a tiny bench of every operation and asserts only
// correctness: every answer right, no request failed, every operation ran.
// It asserts nothing about speed.
func TestBenchIsCorrect(t *testing.T) {
	const token = "oct_loadgen-test-token"
	url := serve(t, token)
	cfg := loadgen.Defaults()
	cfg.Endpoint, cfg.Token = url, token
	cfg.Relationships = 20_000
	cfg.Workers = 2
	cfg.Duration = 2 * time.Second
	cfg.Queries = 2_000
	cfg.LookupUsers = 4
	cfg.Mix = loadgen.Mix{loadgen.OpCheck: 40, loadgen.OpBulk: 20, loadgen.OpLookup: 20, loadgen.OpWrite: 20}
	cfg.PID = 0
	rep := run(t, cfg)
	if rep.Load == nil || rep.Load.Relationships < 19_000 {
		t.Errorf("load: %+v, want about 20000 relationships imported", rep.Load)
	}
	if rep.Total.Mismatches != 0 || rep.Total.Errors != 0 {
		t.Errorf("got %d mismatches and %d errors, want none: %q", rep.Total.Mismatches, rep.Total.Errors, rep.Examples)
	}
	if len(rep.Ops) != 4 {
		t.Fatalf("report has %d operations, want 4", len(rep.Ops))
	}
	for _, o := range rep.Ops {
		if o.Count == 0 {
			t.Errorf("%s: no request ran", o.Op)
		}
		if (o.Op == "lookup" || o.Op == "bulk") && o.Items == 0 {
			t.Errorf("%s: no items (results or checks) counted", o.Op)
		}
	}

	// Driving again without loading sees the same data (and the writes of
	// the first run, which must not change any answer).
	cfg.Load, cfg.Duration = false, time.Second
	rep = run(t, cfg)
	if rep.Total.Mismatches != 0 || rep.Total.Errors != 0 || rep.Total.Count == 0 {
		t.Errorf("second run: %d requests, %d mismatches, %d errors: %q", rep.Total.Count, rep.Total.Mismatches, rep.Total.Errors, rep.Examples)
	}
}

// TestBenchLoadByWrites loads through the batch write API and checks the
// load's own verification and its report, nothing about speed.
func TestBenchLoadByWrites(t *testing.T) {
	const token = "oct_loadgen-test-token"
	cfg := loadgen.Defaults()
	cfg.Endpoint, cfg.Token = serve(t, token), token
	cfg.Relationships = 20_000
	cfg.LoadVia, cfg.LoadBatch, cfg.LoadWriters = loadgen.ViaWrite, 500, 3
	cfg.Duration = 0
	cfg.Queries = 2_000
	rep := run(t, cfg)
	l := rep.Load
	if l == nil || l.Via != loadgen.ViaWrite || l.Relationships < 19_000 || len(l.Tenths) != 10 {
		t.Fatalf("load: %+v, want about 20000 relationships written, ten tenths", l)
	}
	if l.Verified != int64(cfg.Queries) || l.Mismatches != 0 || rep.Failed() {
		t.Errorf("verified %d checks, %d wrong; want %d, none: %q", l.Verified, l.Mismatches, cfg.Queries, rep.Examples)
	}
	if len(rep.Ops) != 0 {
		t.Errorf("a load-only run drove %d operations", len(rep.Ops))
	}
}

func TestBenchRefusesRemoteEndpoint(t *testing.T) {
	cfg := loadgen.Defaults()
	cfg.Endpoint = "http://192.0.2.10:8080"
	if _, err := loadgen.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("Run against 192.0.2.10: %v, want a refusal naming loopback", err)
	}
}
