package portal_test

import (
	"slices"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// deletedGrantNotices returns, for each account, the "grant.deleted" notices'
// grant names.
func deletedGrantNotices(t *testing.T, e *env, accounts ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, a := range accounts {
		for _, n := range must[[]portal.Notice](t)(e.svc.Notices(e.ctx, a, "", 0)) {
			if n.Kind == "grant.deleted" {
				out[a] = append(out[a], n.Data["grant_name"])
				if org := n.Data["organisation"]; n.Names["organisation"] == "" || n.Names["organisation"] == org {
					t.Errorf("notice %s names organisation %q by %q, want its name", n.ID, org, n.Names["organisation"])
				}
			}
		}
	}
	return out
}

// TestGrantLeftCoveringNothingIsDeleted: deleting the last service a grant
// covers deletes the grant in the same transaction (audited, its keys'
// accesses and its relationships gone, its pending renewals cancelled),
// and tells its beneficiaries, personal and through a community, but not
// whoever deleted; a grant still covering a service stays. Someone
// without the right deletes nothing.
func TestGrantLeftCoveringNothingIsDeleted(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		servicesWorld(t, e, w)
		exp := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
		both := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Deux services", Services: []string{"topo-wms", "topo-wms2"},
			Users: []string{"stranger"}, Communities: []string{"club"}}))
		hydro := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Hydro seule", Services: []string{"topo-wms2"},
			Users: []string{"stranger", "ed"}, Expires: &exp}))
		k, _, err := svc.CreateKey(ctx, "stranger", portal.KeySpec{Name: "qgis", Type: portal.KeyHash,
			Accesses: []portal.AccessPair{{Grant: hydro.ID, Service: "topo-wms2"}, {Grant: both.ID, Service: "topo-wms"}}})
		ok(t, err)
		renewal := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Renewal: hydro.ID}))

		// Refused: nothing changes.
		wantErr(t, svc.DeleteService(ctx, "", "topo-wms2"), portal.ErrUnauthenticated)
		wantErr(t, svc.DeleteService(ctx, "stranger", "topo-wms2"), portal.ErrForbidden)
		must[portal.Grant](t)(svc.GrantOf(ctx, "ed", hydro.ID))

		ok(t, svc.DeleteService(ctx, "ed", "topo-wms2"))
		_, err = svc.GrantOf(ctx, "ed", hydro.ID)
		wantErr(t, err, portal.ErrNotFound)
		if g := must[portal.Grant](t)(svc.GrantOf(ctx, "ed", both.ID)); !slices.Equal(g.Services, []string{"topo-wms"}) {
			t.Errorf("the grant still covering a service: %+v", g)
		}
		if rs := e.rels(store.Filter{ResourceType: "grant", ResourceID: hydro.ID}); len(rs) != 0 {
			t.Errorf("relationships of the deleted grant left: %v", rs)
		}
		if rs := e.rels(store.Filter{SubjectType: "grant", SubjectID: hydro.ID}); len(rs) != 0 {
			t.Errorf("relationships to the deleted grant left: %v", rs)
		}
		if !e.check("service:topo-wms#use@user:stranger") {
			t.Error("the other grant no longer opens its service")
		}
		key := must[portal.AccessKey](t)(svc.Key(ctx, "stranger", k.ID))
		if len(key.Accesses) != 1 || key.Accesses[0].Grant != both.ID {
			t.Errorf("the key's accesses: %+v", key.Accesses)
		}
		revService, _ := auditAt(t, e, w, "service:topo-wms2", "service.delete")
		revGrant, entry := auditAt(t, e, w, "grant:"+hydro.ID, "grant.delete")
		if revService != revGrant || entry.After != nil {
			t.Errorf("grant deleted at revision %d (service at %d), after %s", revGrant, revService, entry.After)
		}
		if r := must[portal.AccessRequest](t)(svc.AccessRequestOf(ctx, "stranger", renewal.ID)); r.Status != portal.AccessCancelled || r.Cause != portal.CancelGrantDeleted {
			t.Errorf("the renewal of the deleted grant: %+v", r)
		}
		got := deletedGrantNotices(t, e, "stranger", "ed", "part", "csup", "reg")
		if len(got) != 1 || !slices.Equal(got["stranger"], []string{"Hydro seule"}) {
			t.Errorf("told of the deletion: %v, want stranger only (ed deleted)", got)
		}

		// The dataset goes with its services: the other grant too, and
		// its community's members are told.
		ok(t, svc.DeleteDataset(ctx, w.admin, "IGNF_BD-TOPO"))
		_, err = svc.GrantOf(ctx, "ed", both.ID)
		wantErr(t, err, portal.ErrNotFound)
		got = deletedGrantNotices(t, e, "stranger", "ed", "part", "csup", "reg")
		want := map[string][]string{"stranger": {"Hydro seule", "Deux services"}, "part": {"Deux services"}, "csup": {"Deux services"}}
		for a, names := range want {
			if !slices.Equal(got[a], names) {
				t.Errorf("%s was told of %v, want %v", a, got[a], names)
			}
		}
		if len(got) != len(want) {
			t.Errorf("told: %v", got)
		}
		mails := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0))
		if !slices.ContainsFunc(mails, func(m portal.Mail) bool { return m.Kind == "grant.deleted" && m.Account == "part" }) {
			t.Error("the deletion is not e-mailed")
		}
	})
}
