package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
)

func portalConfig(dir string) server.Config {
	cfg := config(dir)
	cfg.NoPortal = false
	return cfg
}

// TestPortalSchemaAtStart: the server writes the portal schema into an
// empty database, leaves it alone when it is already there, replaces a
// schema nothing uses, and refuses to start over relationships the portal
// schema would orphan, saying what they are and what to do.
func TestPortalSchemaAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openStore(t, dir, true)
	srv, err := server.New(ctx, portalConfig(dir), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Portal() == nil {
		t.Fatal("no portal")
	}
	text, rev, err := st.ReadSchema(ctx)
	if err != nil || text != portal.Schema {
		t.Fatalf("schema after start: %v, the portal's: %v", err, text == portal.Schema)
	}
	if _, err := server.New(ctx, portalConfig(dir), st, nil); err != nil {
		t.Fatal(err)
	}
	if _, rev2, _ := st.ReadSchema(ctx); rev2 != rev {
		t.Errorf("a restart rewrote the same schema (revision %d → %d)", rev, rev2)
	}

	// A schema of one's own, unused: replaced.
	dir = t.TempDir()
	st = openStore(t, dir, true)
	if _, err := st.WriteSchema(ctx, schemaText); err != nil {
		t.Fatal(err)
	}
	if _, err := server.New(ctx, portalConfig(dir), st, nil); err != nil {
		t.Fatalf("start over an unused schema: %v", err)
	}
	if text, _, _ := st.ReadSchema(ctx); text != portal.Schema {
		t.Error("the unused schema was not replaced by the portal's")
	}

	// In use: refused, and --no-portal still serves it.
	dir = t.TempDir()
	st = openStore(t, dir, true)
	if _, err := st.WriteSchema(ctx, schemaText); err != nil {
		t.Fatal(err)
	}
	touch(t, st, "doc:a#viewer@user:tom", "doc:b#viewer@user:ann")
	_, err = server.New(ctx, portalConfig(dir), st, nil)
	var pe *server.PortalSchemaError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "doc#viewer@user: 2 relationships") || !strings.Contains(err.Error(), "--no-portal") {
		t.Fatalf("start over a schema in use: %v, want a PortalSchemaError naming doc#viewer@user and --no-portal", err)
	}
	if text, _, _ := st.ReadSchema(ctx); text != schemaText {
		t.Error("a refused start changed the schema")
	}
	if _, err := server.New(ctx, config(dir), st, nil); err != nil {
		t.Errorf("--no-portal over one's own schema: %v", err)
	}
}

// TestPortalNeedsNoOperatorToken: with the portal, personal tokens are
// enough to start; without it, an operator token is still required.
func TestPortalNeedsNoOperatorToken(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, true)
	cfg := portalConfig(dir)
	cfg.Tokens = nil
	if _, err := server.New(context.Background(), cfg, st, nil); err != nil {
		t.Errorf("portal without operator tokens: %v", err)
	}
}
