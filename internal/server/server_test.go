package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/tuple"
)

const schemaText = "definition user {}\ndefinition doc {\n\trelation viewer: user\n\tpermission view = viewer\n}\n"

func openStore(t *testing.T, dir string, migrate bool) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, server.DatabaseFile), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if migrate {
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// config is a configuration of the relationship API alone, with the
// tests' own schema (portal_test.go tests the portal).
func config(dir string) server.Config {
	cfg := server.Default()
	cfg.DataDir = dir
	cfg.NoPortal = true
	cfg.Tokens = []string{"secret"}
	cfg.PollInterval = 20 * time.Millisecond
	return cfg
}

func touch(t *testing.T, st store.Store, rels ...string) store.Revision {
	t.Helper()
	var req store.WriteRequest
	for _, s := range rels {
		r, err := tuple.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		req.Updates = append(req.Updates, store.Update{Op: store.Touch, Relationship: r})
	}
	rev, err := st.Write(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

func check(t *testing.T, e *engine.Engine, res, perm, subj string) engine.Result {
	t.Helper()
	o, _ := tuple.ParseObject(res)
	s, _ := tuple.ParseSubject(subj)
	r, _, err := e.Check(context.Background(), engine.CheckRequest{Resource: o, Permission: perm, Subject: s}, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	return r.Result
}

func TestRefusesUnmigratedDatabase(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, false)
	_, err := server.New(context.Background(), config(dir), st, nil)
	if !errors.Is(err, store.ErrMigrationNeeded) || !strings.Contains(err.Error(), "octroi migrate") {
		t.Errorf("New on an unmigrated database: %v, want a message saying to run octroi migrate", err)
	}
}

func TestRefusesNoToken(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, true)
	cfg := config(dir)
	cfg.Tokens = nil
	if _, err := server.New(context.Background(), cfg, st, nil); err == nil || !strings.Contains(err.Error(), "octroi token create") {
		t.Errorf("New without tokens: %v, want a refusal naming octroi token create", err)
	}
	cfg.NoAuth = true
	if _, err := server.New(context.Background(), cfg, st, nil); err != nil {
		t.Errorf("New with --no-auth: %v", err)
	}
}

// TestLoadAndFollow: the index is loaded at start, then follows writes of
// another process (a second handle on the file: no wake-up, polling only).
func TestLoadAndFollow(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, true)
	if _, err := st.WriteSchema(context.Background(), schemaText); err != nil {
		t.Fatal(err)
	}
	touch(t, st, "doc:a#viewer@user:tom")
	srv, err := server.New(context.Background(), config(dir), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := check(t, srv.CurrentEngine(), "doc:a", "view", "user:tom"); got != engine.HasPermission {
		t.Fatalf("after load: %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.Start(ctx)
	other := openStore(t, dir, false)
	rev := touch(t, other, "doc:b#viewer@user:ann")
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := srv.CurrentEngine().Index().WaitFor(wctx, uint64(rev)); err != nil {
		t.Fatalf("the index did not follow another process's write: %v", err)
	}
	if got := check(t, srv.CurrentEngine(), "doc:b", "view", "user:ann"); got != engine.HasPermission {
		t.Errorf("after following: %v", got)
	}
	if err := srv.Ready(); err != nil {
		t.Errorf("Ready: %v", err)
	}
}

// TestReloadWhenChangelogTrimmed: a server whose changelog position was
// trimmed away reloads its index instead of missing changes.
func TestReloadWhenChangelogTrimmed(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, true)
	if _, err := st.WriteSchema(context.Background(), schemaText); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), config(dir), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Not started yet: these writes are only in the changelog, which GC
	// then trims.
	touch(t, st, "doc:a#viewer@user:tom")
	rev := touch(t, st, "doc:b#viewer@user:tom")
	time.Sleep(2 * time.Millisecond)
	if res, err := st.GC(context.Background(), time.Millisecond); err != nil || res.TrimmedThrough < rev {
		t.Fatalf("store GC: %+v, %v", res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.Start(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for srv.CurrentEngine().Index().Revision() < uint64(rev) {
		if time.Now().After(deadline) {
			t.Fatal("index never reloaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := check(t, srv.CurrentEngine(), "doc:b", "view", "user:tom"); got != engine.HasPermission {
		t.Errorf("after reload: %v", got)
	}
	if n := value(t, srv, "octroi_index_reloads_total"); n != 1 {
		t.Errorf("reloads = %v, want 1", n)
	}
}

// value reads a counter or gauge of the server's registry.
func value(t *testing.T, srv *server.Server, name string) float64 {
	t.Helper()
	mfs, err := srv.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestGracefulShutdown: a request in flight when shutdown starts (an
// import still sending its body) completes and is durable; a watch stream
// ends; Serve returns.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, true)
	if _, err := st.WriteSchema(context.Background(), schemaText); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), config(dir), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	url, stop, served := start(t, srv)

	watch, _ := http.NewRequest("GET", url+"/api/v1/watch", nil)
	watch.Header.Set("Authorization", "Bearer secret")
	wresp, err := http.DefaultClient.Do(watch)
	if err != nil {
		t.Fatal(err)
	}
	defer wresp.Body.Close()

	pr, pw := io.Pipe()
	imp, _ := http.NewRequest("POST", url+"/api/v1/relationships/import", pr)
	imp.Header.Set("Authorization", "Bearer secret")
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(imp)
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	fmt.Fprintln(pw, "doc:a#viewer@user:tom")
	time.Sleep(50 * time.Millisecond) // the import is in flight
	stop()
	time.Sleep(50 * time.Millisecond) // shutdown has begun
	fmt.Fprintln(pw, "doc:b#viewer@user:tom")
	pw.Close()
	resp := <-done
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("in-flight import during shutdown: %v", resp)
	}
	resp.Body.Close()
	if _, err := io.ReadAll(wresp.Body); err != nil {
		t.Errorf("watch stream did not end cleanly: %v", err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	rels, _, err := st.ReadRelationships(context.Background(), store.Filter{}, "", 10)
	if err != nil || len(rels) != 2 {
		t.Errorf("after shutdown the store holds %v, %v; want both imported relationships", rels, err)
	}
	if _, err := net.Dial("tcp", strings.TrimPrefix(url, "http://")); err == nil {
		t.Error("still accepting connections after shutdown")
	}
}
