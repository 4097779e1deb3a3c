package client_test

import (
	"context"
	"testing"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/client"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
)

func TestPortalClient(t *testing.T) {
	ctx := context.Background()
	srv, url := serve(t, func(*server.Config) {})
	acc, secret, err := srv.Portal().Bootstrap(ctx, "root@example.org", "Root", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(url, secret)
	me, err := c.Me(ctx)
	if err != nil || me.Account.ID != acc.ID {
		t.Fatalf("Me: %+v, %v", me, err)
	}
	ct, err := c.CreateToken(ctx, "script")
	if err != nil {
		t.Fatal(err)
	}
	if err := client.New(url, ct.Secret).RevokeToken(ctx, ct.Token.ID); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if _, err := client.New(url, ct.Secret).Me(ctx); !client.IsCode(err, api.CodeUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	if l, err := c.SearchableDatasets(ctx, "", 10); err != nil || len(l.Datasets) != 0 {
		t.Errorf("SearchableDatasets: %+v, %v", l, err)
	}
	if f, err := c.FilterDatasets(ctx, api.FilterRequest{IDs: []string{"X"}}); err != nil || f.Results["X"] {
		t.Errorf("FilterDatasets: %+v, %v", f, err)
	}
	if _, err := c.ExplainAccess(ctx, "X", "", "search"); !client.IsCode(err, api.CodeNotFound) {
		t.Errorf("ExplainAccess of a missing dataset: %v", err)
	}
	if _, err := c.ReadSchema(ctx); !client.IsCode(err, api.CodeForbidden) {
		t.Errorf("a personal token on the low-level API: %v", err)
	}
}
