package cli

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// schemaStatus is the status of GET /api/v1/schema with token: 409 (no
// schema yet) once the token is accepted, 401 when it is not.
func schemaStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/schema", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestTokenCommands: octroi token create|list|revoke on the database of a
// temporary data dir (SQLite) or of --datastore (PostgreSQL), with a
// server running on it: the created token opens the low-level API, list
// shows its last use, revoke closes it within the poll interval, and the
// secret is printed once and logged never.
func TestTokenCommands(t *testing.T) {
	for _, b := range []struct {
		name  string
		store func(t *testing.T) []string
	}{
		{"sqlite", func(t *testing.T) []string { return []string{"--data-dir", t.TempDir()} }},
		{"postgres", func(t *testing.T) []string { return []string{"--data-dir", t.TempDir(), "--datastore", pgtest.URL(t)} }},
	} {
		t.Run(b.name, func(t *testing.T) { testTokenCommands(t, b.store(t)) })
	}
}

func testTokenCommands(t *testing.T, db []string) {
	with := func(args ...string) []string { return append(args, db...) }
	if code, _, errs := run(t, with("token", "create", "--name", "ci")...); code != 1 || !strings.Contains(errs, "octroi migrate") {
		t.Fatalf("token create on an unmigrated database: exit %d, stderr %q; want 1 and a message naming octroi migrate", code, errs)
	}
	if code, _, errs := run(t, with("migrate")...); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	if code, _, _ := run(t, with("token", "create")...); code != 2 {
		t.Errorf("token create without --name: exit %d, want 2", code)
	}
	code, out, errs := run(t, with("token", "create", "--name", "ci")...)
	secret := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(secret, "octop_") || strings.Contains(errs, secret) || !strings.Contains(errs, "shown only now") {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs := run(t, with("token", "create", "--name", "ci")...); code != 1 || !strings.Contains(errs, "exists already") {
		t.Errorf("a second token named ci: exit %d, stderr %q", code, errs)
	}
	if code, out, _ := run(t, with("token", "list")...); code != 0 || !strings.Contains(out, "LAST USED") || !strings.Contains(out, " ci ") || !strings.Contains(out, "never") || strings.Contains(out, secret) {
		t.Errorf("token list before any use: exit %d, %q", code, out)
	}

	url, sout, serr, stop := serveOnce(t, with("serve", "--no-portal", "--listen", "127.0.0.1:0", "--poll-interval", "50ms", "--log-level", "debug")[1:]...)
	if got := schemaStatus(t, url, secret); got != http.StatusConflict {
		t.Fatalf("with the created token: status %d, want 409 (accepted, no schema yet)", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, out, _ := run(t, with("token", "list")...)
		if strings.Contains(out, " ci ") && !strings.Contains(out, "never") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("token list never showed a last use:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, out, errs := run(t, append(with("token", "revoke"), "ci")...); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got := schemaStatus(t, url, secret)
		if got == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after token revoke: status %d, want 401 within the poll interval", got)
		}
	}
	if code, _, errs := run(t, append(with("token", "revoke"), "ci")...); code != 1 || !strings.Contains(errs, "token list") {
		t.Errorf("revoking twice: exit %d, stderr %q", code, errs)
	}
	if code, out, _ := run(t, with("token", "list")...); code != 0 || strings.Contains(out, " ci ") {
		t.Errorf("token list after revoke: exit %d, %q", code, out)
	}
	stop()

	cfg := server.Default()
	cfg.DataDir = db[1]
	if len(db) > 2 {
		cfg.Datastore = db[3]
	}
	docs, closeDB, err := openDocuments(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	entries, err := docs.Audit(context.Background(), store.AuditQuery{Actor: "operator-cli"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "operator_token.create operator_token.revoke" {
		t.Errorf("audit log of operator-cli: %q, want a creation and a revocation", got)
	}
	if log := sout.String() + serr.String(); strings.Contains(log, secret) || !strings.Contains(log, "operator token revoked") {
		t.Errorf("serve's output shows the secret, or not the revocation:\n%s", log)
	}
}
