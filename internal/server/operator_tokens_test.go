package server_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/sqlite"

	"github.com/octroi/octroi/internal/syncbuf"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// storeHandles returns a function that opens a new handle on one fresh,
// migrated database: two handles are two nodes, as far as the store can
// tell (no wake-ups, no shared memory).
type storeHandles func(t *testing.T) store.Store

func sqliteHandles(t *testing.T) storeHandles {
	path := filepath.Join(t.TempDir(), server.DatabaseFile)
	return func(t *testing.T) store.Store {
		st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
}

func postgresHandles(t *testing.T) storeHandles {
	url := pgtest.URL(t)
	return func(t *testing.T) store.Store {
		st, err := postgres.Open(context.Background(), url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
}

// node is one server over its own store handle, serving over HTTP.
type node struct {
	srv *server.Server
	url string
}

func startNode(t *testing.T, st store.Store, cfg server.Config, log *slog.Logger) node {
	t.Helper()
	srv, err := server.New(context.Background(), cfg, st, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv.Start(ctx)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); cancel() })
	return node{srv, ts.URL}
}

// status is the status of GET /api/v1/schema with token.
func (n node) status(t *testing.T, token string) int {
	t.Helper()
	return n.get(t, "/api/v1/schema", token)
}

// get is the status of GET path with token.
func (n node) get(t *testing.T, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", n.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// eventually waits until n answers want to token, failing after a bound
// far above the poll interval (no timing assertion: a loaded machine may
// be slow).
func (n node) eventually(t *testing.T, token string, want int, what string) {
	t.Helper()
	n.eventuallyAt(t, "/api/v1/schema", token, want, what)
}

func (n node) eventuallyAt(t *testing.T, path, token string, want int, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := n.get(t, path, token)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: got status %d, want %d", what, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOperatorTokensAcrossNodes: operator tokens live in the database.
// Two servers on one database: a token created through one works on it at
// once and on the other within a poll interval; revoked through one, or on
// the database directly (the CLI's way), it is refused by both; uses are
// recorded as last use; creations and revocations are audited; no secret
// reaches the log.
func TestOperatorTokensAcrossNodes(t *testing.T) {
	onEveryBackend(t, testOperatorTokensAcrossNodes)
}

// onEveryBackend runs test on a fresh database of each backend.
func onEveryBackend(t *testing.T, test func(*testing.T, storeHandles)) {
	for _, b := range []struct {
		name    string
		handles func(*testing.T) storeHandles
	}{{"sqlite", sqliteHandles}, {"postgres", postgresHandles}} {
		t.Run(b.name, func(t *testing.T) { test(t, b.handles(t)) })
	}
}

func testOperatorTokensAcrossNodes(t *testing.T, open storeHandles) {
	ctx := context.Background()
	st := open(t)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteSchema(ctx, schemaText); err != nil {
		t.Fatal(err)
	}
	docs := store.Documents(st)
	// The relationship API alone refuses to start without any operator
	// token: the first one is made on the database, as the CLI does.
	first, firstSecret, err := credentials.CreateOperatorToken(ctx, docs, "operator-cli", "first")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(firstSecret, credentials.OperatorTokenPrefix) || len(firstSecret) < 40 {
		t.Fatalf("secret %q: want %s and 32 random bytes", firstSecret, credentials.OperatorTokenPrefix)
	}
	if _, _, err := credentials.CreateOperatorToken(ctx, docs, "operator-cli", "first"); err == nil {
		t.Error("a second token named first was accepted")
	}

	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := server.Default()
	cfg.DataDir = t.TempDir()
	cfg.NoPortal = true
	cfg.PollInterval = 50 * time.Millisecond
	a := startNode(t, st, cfg, log.With("node", "a"))
	b := startNode(t, open(t), cfg, log.With("node", "b"))
	for _, n := range []node{a, b} {
		if got := n.status(t, firstSecret); got != http.StatusOK {
			t.Fatalf("token created before start: status %d, want 200", got)
		}
		if got := n.status(t, "octop_unknown"); got != http.StatusUnauthorized {
			t.Fatalf("unknown token: status %d, want 401", got)
		}
	}

	// Created through a: at once there, within a poll interval on b.
	second, secondSecret, err := a.srv.CreateOperatorToken(ctx, "test", "second")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.status(t, secondSecret); got != http.StatusOK {
		t.Errorf("created through this server: status %d, want 200 at once", got)
	}
	b.eventually(t, secondSecret, http.StatusOK, "created through the other server")

	// Uses become last uses, written by the next refresh.
	deadline := time.Now().Add(10 * time.Second)
	for {
		toks, err := credentials.OperatorTokens(ctx, docs)
		if err != nil {
			t.Fatal(err)
		}
		if len(toks) != 2 || toks[0].ID != first.ID || toks[1].ID != second.ID {
			t.Fatalf("OperatorTokens = %+v, want first then second", toks)
		}
		if toks[0].LastUsed != nil && toks[1].LastUsed != nil {
			if since := time.Since(*toks[0].LastUsed); since < 0 || since > time.Minute {
				t.Errorf("first token's last use %v is not a recent time", toks[0].LastUsed)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("last uses not recorded: %+v", toks)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Revoked through a: at once there, within a poll interval on b.
	if _, err := a.srv.RevokeOperatorToken(ctx, "test", "second"); err != nil {
		t.Fatal(err)
	}
	if got := a.status(t, secondSecret); got != http.StatusUnauthorized {
		t.Errorf("revoked through this server: status %d, want 401 at once", got)
	}
	b.eventually(t, secondSecret, http.StatusUnauthorized, "revoked through the other server")

	// Revoked on the database directly (octroi token revoke): both refuse
	// it within a poll interval.
	if _, err := credentials.RevokeOperatorToken(ctx, docs, "operator-cli", first.ID); err != nil {
		t.Fatal(err)
	}
	a.eventually(t, firstSecret, http.StatusUnauthorized, "revoked on the database, node a")
	b.eventually(t, firstSecret, http.StatusUnauthorized, "revoked on the database, node b")
	if _, err := credentials.RevokeOperatorToken(ctx, docs, "operator-cli", first.ID); !errors.Is(err, credentials.ErrNoOperatorToken) {
		t.Errorf("revoking twice: %v, want ErrNoOperatorToken", err)
	}

	// The audit log has every creation and revocation, with its actor.
	var got []string
	for _, tok := range []credentials.OperatorToken{first, second} {
		entries, err := docs.Audit(ctx, store.AuditQuery{Resource: credentials.KindOperatorToken + ":" + tok.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			got = append(got, fmt.Sprintf("%s %s %s", tok.Name, e.Actor, e.Action))
		}
	}
	want := []string{"first operator-cli operator_token.create", "first operator-cli operator_token.revoke",
		"second test operator_token.create", "second test operator_token.revoke"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	out := logs.String()
	for _, s := range []string{firstSecret, secondSecret} {
		if strings.Contains(out, s) || strings.Contains(out, bearer.Hash(s)) {
			t.Errorf("a secret or its hash is in the log:\n%s", out)
		}
	}
	if !strings.Contains(out, "operator token revoked") || !strings.Contains(out, "node=b") {
		t.Errorf("the log does not say which node refuses which token from when:\n%s", out)
	}
}

// TestPersonalTokensAcrossNodes: personal tokens are credentials like
// operator tokens. Two servers on one database: a token created through
// one is accepted by the other within the follower's delay, and refused
// by both once revoked through one (at once there); a disabled account's
// token is refused at once everywhere, since the account is read at every
// request.
func TestPersonalTokensAcrossNodes(t *testing.T) {
	onEveryBackend(t, testPersonalTokensAcrossNodes)
}

func testPersonalTokensAcrossNodes(t *testing.T, open storeHandles) {
	ctx := context.Background()
	st := open(t)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := server.Default()
	cfg.DataDir = t.TempDir()
	cfg.PollInterval = 50 * time.Millisecond
	a := startNode(t, st, cfg, nil)
	b := startNode(t, open(t), cfg, nil)
	pa := a.srv.Portal().(*portal.Service) // the test acts as several people at once
	admin, adminSecret, err := pa.Bootstrap(ctx, "admin@example.org", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	user, err := pa.CreateAccount(ctx, admin.ID, portal.Account{Email: "u@example.org", Name: "U"})
	if err != nil {
		t.Fatal(err)
	}
	tok, secret, err := pa.CreateToken(ctx, user.ID, "script", nil)
	if err != nil {
		t.Fatal(err)
	}
	const me = "/api/v1/me"
	if got := a.get(t, me, secret); got != http.StatusOK {
		t.Errorf("created through this server: got status %d, want 200 at once", got)
	}
	b.eventuallyAt(t, me, secret, http.StatusOK, "created through the other server")
	b.eventuallyAt(t, me, adminSecret, http.StatusOK, "bootstrapped through the other server")

	if _, err := pa.SetAccountStatus(ctx, admin.ID, user.ID, portal.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	for i, n := range []node{a, b} {
		if got := n.get(t, me, secret); got == http.StatusOK {
			t.Errorf("account disabled: node %d: got status %d, want a refusal at once", i, got)
		}
	}
	if _, err := pa.SetAccountStatus(ctx, admin.ID, user.ID, portal.AccountActive); err != nil {
		t.Fatal(err)
	}
	b.eventuallyAt(t, me, secret, http.StatusOK, "account enabled again")

	if err := pa.RevokeToken(ctx, user.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if got := a.get(t, me, secret); got != http.StatusUnauthorized {
		t.Errorf("revoked through this server: got status %d, want 401 at once", got)
	}
	b.eventuallyAt(t, me, secret, http.StatusUnauthorized, "revoked through the other server")
}
