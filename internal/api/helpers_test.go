package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/sqlite"

	"github.com/octroi/octroi/internal/syncbuf"
)

const testToken = "oct_test-token-for-api-tests"

const testSchema = `definition user {}

definition group {
	relation member: user | group#member
}

definition document {
	relation owner: user
	relation viewer: user | user:* | group#member
	permission edit = owner
	permission view = viewer + edit
}
`

type env struct {
	t     *testing.T
	url   string
	store store.Store
	srv   *server.Server
	logs  *logBuffer // the server's log, debug level and up
}

// logBuffer is a server's log.
type logBuffer struct{ syncbuf.Buffer }

// lines returns the lines of the log that contain every one of parts.
func (l *logBuffer) lines(parts ...string) []string {
	var out []string
	for line := range strings.Lines(l.String()) {
		if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(line, p) }) {
			out = append(out, line)
		}
	}
	return out
}

// newEnv serves the API over a fresh, migrated SQLite store.
func newEnv(t *testing.T, mutate ...func(*server.Config)) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "octroi.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newEnvOn(t, st, dir, mutate...)
}

func newEnvOn(t *testing.T, st store.Store, dir string, mutate ...func(*server.Config)) *env {
	t.Helper()
	cfg := server.Default()
	cfg.DataDir = dir
	// The relationship API tests bring their own schema; portal tests
	// turn the portal on.
	cfg.NoPortal = true
	cfg.Tokens = []string{testToken}
	cfg.PollInterval = 50 * time.Millisecond
	cfg.ConsistencyTimeout = 300 * time.Millisecond
	for _, m := range mutate {
		m(&cfg)
	}
	logs := &logBuffer{}
	srv, err := server.New(context.Background(), cfg, st, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv.Start(ctx)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		cancel()
		st.Close()
	})
	return &env{t: t, url: ts.URL, store: st, srv: srv, logs: logs}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// problem decodes a problem document and checks its status and code.
func (r response) problem(t *testing.T, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p map[string]any
	r.json(t, &p)
	if p["code"] != code {
		t.Fatalf("code %v, want %s; body %s", p["code"], code, r.body)
	}
	if p["status"] != float64(status) || p["detail"] == "" {
		t.Fatalf("problem without status or detail: %s", r.body)
	}
	return p
}

// do sends body (a string or bytes as is, anything else as JSON) with the
// test token unless headers say otherwise.
func (e *env) do(method, path string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// ok sends a request and decodes a 200 answer into v.
func (e *env) ok(method, path string, body, v any, headers ...string) response {
	e.t.Helper()
	r := e.do(method, path, body, headers...)
	if r.status != http.StatusOK {
		e.t.Fatalf("%s %s: status %d, want 200; body %s", method, path, r.status, r.body)
	}
	if v != nil {
		r.json(e.t, v)
	}
	return r
}

func (e *env) writeSchema(text string) string {
	e.t.Helper()
	var resp struct {
		ConsistencyToken string `json:"consistency_token"`
	}
	e.ok("PUT", "/api/v1/schema", map[string]any{"schema": text}, &resp)
	return resp.ConsistencyToken
}

// touch writes relationships in the text form and returns the token.
func (e *env) touch(rels ...string) string {
	e.t.Helper()
	var ups []map[string]any
	for _, r := range rels {
		ups = append(ups, map[string]any{"operation": "touch", "relationship": r})
	}
	var resp struct {
		ConsistencyToken string `json:"consistency_token"`
	}
	e.ok("POST", "/api/v1/relationships/write", map[string]any{"updates": ups}, &resp)
	if resp.ConsistencyToken == "" {
		e.t.Fatal("write answered no consistency token")
	}
	return resp.ConsistencyToken
}

func (e *env) check(resource, perm, subject string, consistency map[string]any) string {
	e.t.Helper()
	body := map[string]any{"resource": resource, "permission": perm, "subject": subject}
	if consistency != nil {
		body["consistency"] = consistency
	}
	var resp struct {
		Result string `json:"result"`
	}
	e.ok("POST", "/api/v1/permissions/check", body, &resp)
	return resp.Result
}

type envMaker func(t *testing.T, mutate ...func(*server.Config)) *env

func TestMain(m *testing.M) { pgtest.Main(m) }

// forEachStore runs fn on SQLite and on PostgreSQL (skipped when
// PostgreSQL cannot be had, never in CI: see pgtest).
func forEachStore(t *testing.T, fn func(t *testing.T, mk envMaker)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv) })
	t.Run("postgres", func(t *testing.T) { fn(t, newPGEnv) })
}

func newPGEnv(t *testing.T, mutate ...func(*server.Config)) *env {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newEnvOn(t, st, t.TempDir(), mutate...)
}
