package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/syncbuf"
)

func me(t *testing.T, base, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Account struct{ Email string }
	}
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Account.Email
}

// serveDemoOnce runs `serve --demo` on dir until the returned stop is
// called; it returns the server's URL and what it printed.
func serveDemoOnce(t *testing.T, dir string) (string, string, func()) {
	t.Helper()
	url, out, _, stop := serveOnce(t, "--demo", "--data-dir", dir, "--listen", "127.0.0.1:0", "--log-level", "warn")
	return url, out.String(), stop
}

// serveOnce runs `serve args` until the returned stop is called; it
// returns the server's URL and its stdout and stderr, which it goes on
// writing.
func serveOnce(t *testing.T, args ...string) (string, *syncbuf.Buffer, *syncbuf.Buffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, args, &out, &errb) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errb.String(), "octroi serving on ") {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve %s ended: %v; stderr %s", strings.Join(args, " "), err, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve %s did not start; stderr %s", strings.Join(args, " "), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s := errb.String()
	url := strings.TrimSpace(strings.SplitN(s[strings.Index(s, "octroi serving on ")+len("octroi serving on "):], "\n", 2)[0])
	return url, &out, &errb, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve %s: %v", strings.Join(args, " "), err)
		}
	}
}

// demoTokens reads the printed table: e-mail → token.
func demoTokens(printed string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(printed, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && strings.HasSuffix(f[0], "@demo.octroi.dev") && strings.HasPrefix(f[1], "oct_") {
			m[f[0]] = f[1]
		}
	}
	return m
}

// TestServeDemo: on an empty data dir, serve --demo migrates, loads the
// demo and prints working tokens with a loud warning; restarted, it finds
// the demo, prints the same people with new working tokens, and the first
// ones no longer work (only the last printed tokens open the demo).
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	url, printed, stop := serveDemoOnce(t, dir)
	toks := demoTokens(printed)
	if len(toks) < 15 || !strings.Contains(printed, "DEMO ONLY") || !strings.Contains(printed, "NE PAS UTILISER EN PRODUCTION") {
		stop()
		t.Fatalf("printed %d tokens; output:\n%s", len(toks), printed)
	}
	for email, tok := range toks {
		if code, got := me(t, url, tok); code != 200 || got != email {
			t.Errorf("GET /me with the printed token of %s: %d %s", email, code, got)
		}
	}
	if toks["denis.desactive@demo.octroi.dev"] != "" {
		t.Error("the disabled account got a token")
	}
	demoSignIn(t, url, printed, toks)
	stop()

	url, printed, stop = serveDemoOnce(t, dir)
	defer stop()
	again := demoTokens(printed)
	if !strings.Contains(printed, "found in the database") || len(again) != len(toks) ||
		!strings.Contains(printed, "julie.candidate@demo.octroi.dev") {
		t.Fatalf("restart: %d tokens, want %d; output:\n%s", len(again), len(toks), printed)
	}
	for email, tok := range again {
		if code, got := me(t, url, tok); code != 200 || got != email {
			t.Errorf("GET /me after a restart with the new token of %s: %d %s", email, code, got)
		}
		if code, _ := me(t, url, toks[email]); code != 401 {
			t.Errorf("GET /me after a restart with the first token of %s: %d, want 401", email, code)
		}
	}
}

// TestAdminCreateUser: the first administrator is made on the database
// directly, which must be migrated; the printed token acts as them; the
// demo then refuses this database, which is not the demo's.
func TestAdminCreateUser(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, "admin", "create-user", "--data-dir", dir, "--email", "root@example.org", "--name", "Root", "--platform-admin")
	if code != 1 || !strings.Contains(errs, "octroi migrate") {
		t.Fatalf("create-user on an unmigrated database: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, "migrate", "--data-dir", dir); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	if code, _, _ := run(t, "admin", "create-user", "--data-dir", dir, "--email", "root@example.org"); code != 2 {
		t.Errorf("create-user without --name: exit %d, want 2", code)
	}
	code, out, errs := run(t, "admin", "create-user", "--data-dir", dir, "--email", "root@example.org", "--name", "Root", "--platform-admin")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "oct_") || !strings.Contains(errs, "administrator") || strings.Contains(errs, tok) {
		t.Fatalf("create-user: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	var serr syncbuf.Buffer
	err := runServe(context.Background(), []string{"--demo", "--data-dir", dir, "--listen", "127.0.0.1:0"}, &serr, &serr)
	if err == nil || !strings.Contains(err.Error(), "not the demo's") {
		t.Errorf("serve --demo over a real platform: %v", err)
	}
}

// TestAdminCreateUserExpiry: --expires-in gives the printed token an
// expiry, which the command states; a negative one is a usage error.
func TestAdminCreateUserExpiry(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "migrate", "--data-dir", dir); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	if code, _, _ := run(t, "admin", "create-user", "--data-dir", dir, "--email", "a@example.org", "--name", "A", "--expires-in", "-1h"); code != 2 {
		t.Errorf("--expires-in -1h: exit %d, want 2", code)
	}
	code, out, errs := run(t, "admin", "create-user", "--data-dir", dir, "--email", "a@example.org", "--name", "A", "--expires-in", "24h")
	if code != 0 || !strings.HasPrefix(out, "oct_") || !strings.Contains(errs, "valid until "+time.Now().Add(24*time.Hour).UTC().Format("2006-01-02")) {
		t.Fatalf("create-user --expires-in 24h: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
