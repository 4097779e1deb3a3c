package portal_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// TestDeletionsLeaveNoPendingRequestNorOrigin: deleting a service takes
// it out of the pending access requests for it; deleting a dataset cancels
// the pending access requests for it, and deleting a community those made
// for it, in the deletion's transaction (so that the product id published
// again can be asked for); deleting a community forgets the origins of the
// memberships a provider's groups gave in it, so that a community created
// again with the same id keeps the memberships given by hand.
func TestDeletionsLeaveNoPendingRequestNorOrigin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		servicesWorld(t, e, w)
		mine := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_BD-TOPO"}))
		other := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "REGION_PLU"}))
		club := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "csup", portal.AccessRequest{Dataset: "REGION_PLU", Community: "club"}))
		status := func(id string) portal.AccessRequest {
			t.Helper()
			return must[portal.AccessRequest](t)(svc.AccessRequestOf(ctx, w.admin, id))
		}

		// A deleted service leaves the requests that asked for it; one
		// left asking for nothing is cancelled.
		only := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "part", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Services: []string{"topo-wms2"}}))
		ok(t, svc.DeleteService(ctx, "ed", "topo-wms2"))
		if r := status(mine.ID); r.Status != portal.AccessPending || !slices.Equal(r.Services, []string{"topo-wms"}) {
			t.Errorf("the request after its service went: %+v", r)
		}
		if r := status(only.ID); r.Status != portal.AccessCancelled || r.DecidedBy != "ed" {
			t.Errorf("the request for the deleted service alone: %+v", r)
		}

		ok(t, svc.DeleteDataset(ctx, "ed", "IGNF_BD-TOPO"))
		if r := status(mine.ID); r.Status != portal.AccessCancelled || r.DecidedBy != "ed" || r.DecidedAt == nil {
			t.Errorf("the request for the deleted dataset: %+v", r)
		}
		if status(other.ID).Status != portal.AccessPending || status(club.ID).Status != portal.AccessPending {
			t.Error("a request for another dataset was closed")
		}
		revDelete, _ := auditAt(t, e, w, "dataset:IGNF_BD-TOPO", "dataset.delete")
		revCancel, _ := auditAt(t, e, w, "dataset:IGNF_BD-TOPO", "access_request.cancel")
		if revDelete != revCancel {
			t.Errorf("request closed at revision %d, dataset deleted at %d", revCancel, revDelete)
		}
		// Published again, it can be asked for again.
		must[portal.Dataset](t)(svc.CreateDataset(ctx, "adm2", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "Autre", Owner: "region", Default: portal.LevelSearch}))
		must[portal.MapService](t)(svc.CreateService(ctx, "adm2", portal.MapService{ID: "autre-wms", Dataset: "IGNF_BD-TOPO", Title: "Autre", Type: portal.ServiceWMS,
			Path: "/wms/autre", Upstream: upstream, Layers: []string{"x"}, Available: true}))
		must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_BD-TOPO"}))

		// A provider's groups make stranger a participant of club.
		mapping := map[string][]string{"g-club": {"club"}}
		must[portal.GroupSync](t)(svc.SyncGroupCommunities(ctx, "stranger", "https://idp.example", []string{"g-club"}, mapping))
		ok(t, svc.DeleteCommunity(ctx, "csup", "club"))
		if r := status(club.ID); r.Status != portal.AccessCancelled || r.DecidedBy != "csup" {
			t.Errorf("the request for the deleted community: %+v", r)
		}
		if status(other.ID).Status != portal.AccessPending {
			t.Error("a request for the author was closed with the community")
		}
		// club again, stranger in it by hand: a sign-in without the group
		// keeps that membership.
		must[portal.Community](t)(svc.CreateCommunity(ctx, "csup", portal.Community{ID: "club", Name: "Club 2"}))
		joinCommunity(t, e, "csup", "club", "stranger")
		got := must[portal.GroupSync](t)(svc.SyncGroupCommunities(ctx, "stranger", "https://idp.example", nil, mapping))
		if len(got.Removed) != 0 {
			t.Errorf("the sign-in took back a membership given by hand: %+v", got)
		}
		ms := must[[]portal.CommunityMember](t)(svc.CommunityMembers(ctx, "csup", "club"))
		if !slices.ContainsFunc(ms, func(m portal.CommunityMember) bool { return m.Account == "stranger" }) {
			t.Errorf("club's members %+v", ms)
		}
	})
}

// TestDisabledSupervisorAndDeletedCommunity: disabling the supervisor of
// the community that owns a map leaves the map its owner (a role, never a
// person: its other members still share it); deleting that community,
// once another role owns the map too, records on each map, page and the
// content what it held there, in the deletion's revision.
func TestDisabledSupervisorAndDeletedCommunity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := mapWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Page](t)(svc.CreatePage(ctx, "ed", portal.Page{ID: "p", Title: "P", Owner: "ign"}))
		must[portal.PageMember](t)(svc.SetPageMember(ctx, w.admin, "p", portal.PageMember{Holder: hClub, View: true, Edit: true}))

		must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "csup", portal.AccountDisabled))
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "part", "net", hIGN, portal.MapOwner))
		shares := must[[]portal.MapShare](t)(svc.MapShares(ctx, "part", "net"))
		if !slices.ContainsFunc(shares, func(s portal.MapShare) bool { return s.Group.ID == "club" && s.Level == portal.MapOwner }) {
			t.Errorf("shares after the supervisor was disabled: %+v", shares)
		}

		ok(t, svc.DeleteCommunity(ctx, w.admin, "club"))
		rev, _ := auditAt(t, e, w, "community:club", "community.delete")
		for _, x := range []struct{ resource, action string }{{"map:net", "map.share"}, {"page:p", "page.member.remove"}} {
			at, entry := auditAt(t, e, w, x.resource, x.action)
			if at != rev || entry.After != nil || !strings.Contains(string(entry.Before), `"club"`) {
				t.Errorf("%s %s at %d (deletion at %d): before %s after %s", x.resource, x.action, at, rev, entry.Before, entry.After)
			}
		}
		es := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Action: "content.role.remove", Limit: 10}))
		if len(es) != 1 || es[0].Revision != rev || !strings.Contains(string(es[0].Before), "map_creator") {
			t.Errorf("content role removal: %+v", es)
		}
		if e.check("page:p#view@user:part") || e.check("map:net#view@user:part") {
			t.Error("the deleted community's member still views")
		}
	})
}
