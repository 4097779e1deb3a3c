package portal_test

import (
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestRecordsFollow: a second node on the same database (its own index
// and service, as another octroi process has) sees the records the first
// one creates, renames and deletes once its index has followed the store,
// in lists and access tables, which read records from memory.
func TestRecordsFollow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *env) {
		w := newWorld(t, a)
		b := newEnv(t, a.st)
		ctx := a.ctx
		name := func(e *env) string {
			t.Helper()
			rows, _ := must2(t)(e.svc.AccessTable(ctx, w.admin, "IGNF_BD-TOPO", portal.AccessFilter{Kind: portal.GroupOrgGroup, Name: "pôle"}))
			if len(rows) == 0 {
				return ""
			}
			return rows[0].Name
		}
		follow := func() { ok(t, b.sync(ctx, a.head())) }
		if got := name(b); got != "" { // b loads its records here
			t.Fatalf("before: got %q", got)
		}
		must[portal.OrgGroup](t)(a.svc.CreateOrgGroup(ctx, w.admin, portal.OrgGroup{ID: "pole", Name: "Pôle métropolitain", Organisations: []string{"ign"}}))
		follow()
		if got := name(b); got != "Pôle métropolitain" {
			t.Errorf("after creation: got %q, want Pôle métropolitain", got)
		}
		must[portal.OrgGroup](t)(a.svc.RenameOrgGroup(ctx, w.admin, "pole", "Pôle azuréen"))
		follow()
		if got := name(b); got != "Pôle azuréen" {
			t.Errorf("after renaming: got %q, want Pôle azuréen", got)
		}
		ok(t, a.svc.DeleteOrgGroup(ctx, w.admin, "pole"))
		follow()
		if got := name(b); got != "" {
			t.Errorf("after deletion: got %q, want none", got)
		}
		gs, err := b.svc.OrgGroups(ctx, w.admin, "", 0)
		ok(t, err)
		for _, g := range gs {
			if g.ID == "pole" {
				t.Errorf("the deleted group is still listed: %+v", g)
			}
		}
	})
}
