package portal_test

import (
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestPageRights: what each person may do with a page is what the
// actions would let them do; to whoever may not view it, the page does
// not exist.
func TestPageRights(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		pageWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("reg"), View: true, Edit: true}))
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("part"), View: true}))
		for _, c := range []struct {
			actor string
			want  portal.PageRights
		}{
			{"ed", portal.PageRights{Edit: true, Manage: true}},
			{"adm", portal.PageRights{Edit: true, Manage: true}},
			{"reg", portal.PageRights{Edit: true}},
			{"part", portal.PageRights{}},
		} {
			if got := must[portal.PageRights](t)(svc.PageRights(ctx, c.actor, "report")); got != c.want {
				t.Errorf("%s: %+v, want %+v", c.actor, got, c.want)
			}
		}
		for _, a := range []string{"", "stranger"} {
			_, err := svc.PageRights(ctx, a, "report")
			wantErr(t, err, portal.ErrNotFound)
		}
		_, err := svc.PageRights(ctx, "ed", "bad id")
		wantErr(t, err, portal.ErrInvalid)
		must[portal.Page](t)(svc.SetPagePolicy(ctx, "ed", "report", true))
		for _, a := range []string{"", "stranger"} {
			if got := must[portal.PageRights](t)(svc.PageRights(ctx, a, "report")); got != (portal.PageRights{}) {
				t.Errorf("%q on a public page: %+v", a, got)
			}
		}
	})
}

// TestMapRightsAndOwners: source 004's table (read views, write edits,
// owner shares, deletes and names); the owners are listed to every
// viewer, a private community they may not view without its name.
func TestMapRightsAndOwners(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := mapWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "csup", "net", hIGN, portal.MapRead))
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "csup", "net", hRegion, portal.MapWrite))
		all := portal.MapRights{Edit: true, Share: true, Delete: true, SetProperties: true}
		for _, c := range []struct {
			actor string
			want  portal.MapRights
		}{
			{"part", all},
			{w.admin, all},
			{"reg", portal.MapRights{}},
			{"adm2", portal.MapRights{Edit: true}},
		} {
			if got := must[portal.MapRights](t)(svc.MapRights(ctx, c.actor, "net")); got != c.want {
				t.Errorf("%s: %+v, want %+v", c.actor, got, c.want)
			}
		}
		_, err := svc.MapRights(ctx, "stranger", "net")
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.MapRights(ctx, "", "net")
		wantErr(t, err, portal.ErrUnauthenticated)

		// The club is private: reg (ign, read) sees that a community
		// owns the map, not which.
		owners := must[[]portal.Holder](t)(svc.MapOwners(ctx, "reg", "net"))
		if len(owners) != 1 || owners[0] != (portal.Holder{Kind: portal.HolderCommunity}) {
			t.Errorf("reg sees owners %+v", owners)
		}
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "csup", "net", hRegion, portal.MapOwner))
		owners = must[[]portal.Holder](t)(svc.MapOwners(ctx, "part", "net"))
		want := []portal.Holder{{Kind: portal.HolderOrganisation, ID: "region", Name: "Région Sud"}, {Kind: portal.HolderCommunity, ID: "club", Name: "Club SIG"}}
		if len(owners) != 2 || owners[0] != want[0] || owners[1] != want[1] {
			t.Errorf("part sees owners %+v, want %+v", owners, want)
		}
		for _, a := range []string{"stranger", ""} {
			if _, err := svc.MapOwners(ctx, a, "net"); err == nil {
				t.Errorf("%q reads the owners of a map they may not view", a)
			}
		}
	})
}

// TestContentRights: who may create maps and give content roles.
func TestContentRights(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := mapWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for _, c := range []struct {
			actor string
			want  portal.ContentRights
		}{
			{"", portal.ContentRights{}},
			{"stranger", portal.ContentRights{}},
			{"part", portal.ContentRights{CreateMap: true}},
			{w.admin, portal.ContentRights{CreateMap: true, ManageRoles: true}},
		} {
			if got := must[portal.ContentRights](t)(svc.ContentRights(ctx, c.actor)); got != c.want {
				t.Errorf("%q: %+v, want %+v", c.actor, got, c.want)
			}
		}
	})
}

// TestPageCandidates: whoever manages a page finds people to add by name
// or whole e-mail, seeing their id and name only; nobody else searches.
func TestPageCandidates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		pageWorld(t, e)
		svc, ctx := e.svc, e.ctx
		found := must[[]portal.Account](t)(svc.PageCandidates(ctx, "ed", "report", "person str", 10))
		if len(found) != 1 || found[0].ID != "stranger" || found[0].Name != "Person stranger" || found[0].Email != "" || found[0].Status != "" {
			t.Errorf("found %+v", found)
		}
		// An e-mail prefix finds nobody; the whole address finds its owner.
		if found := must[[]portal.Account](t)(svc.PageCandidates(ctx, "ed", "report", "stranger@", 10)); len(found) != 0 {
			t.Errorf("an e-mail prefix finds %+v", found)
		}
		found = must[[]portal.Account](t)(svc.PageCandidates(ctx, "ed", "report", "stranger@example.org", 10))
		if len(found) != 1 || found[0].ID != "stranger" {
			t.Errorf("the whole e-mail finds %+v", found)
		}
		_, err := svc.PageCandidates(ctx, "ed", "report", "  ", 10)
		wantErr(t, err, portal.ErrInvalid)
		// A viewer may not search; an outsider does not see the page.
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("reg"), View: true}))
		_, err = svc.PageCandidates(ctx, "reg", "report", "person", 10)
		wantErr(t, err, portal.ErrForbidden)
		_, err = svc.PageCandidates(ctx, "stranger", "report", "person", 10)
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.PageCandidates(ctx, "", "report", "person", 10)
		wantErr(t, err, portal.ErrUnauthenticated)
		must[portal.Page](t)(svc.SetPagePolicy(ctx, "ed", "report", true))
		_, err = svc.PageCandidates(ctx, "", "report", "person", 10)
		wantErr(t, err, portal.ErrUnauthenticated) // a public page is no search for anyone
	})
}

// TestFindGroups: organisations and the communities one may view, by a
// part of their name ignoring case and accents; a private community is
// never found by whoever may not view it.
func TestFindGroups(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		found := must[[]portal.Holder](t)(svc.FindGroups(ctx, "stranger", "REGION", 10))
		if len(found) != 1 || found[0] != (portal.Holder{Kind: portal.HolderOrganisation, ID: "region", Name: "Région Sud"}) {
			t.Errorf("stranger finds %+v", found)
		}
		if found := must[[]portal.Holder](t)(svc.FindGroups(ctx, "stranger", "club", 10)); len(found) != 0 {
			t.Errorf("a private community is found by an outsider: %+v", found)
		}
		found = must[[]portal.Holder](t)(svc.FindGroups(ctx, "part", "sig", 10))
		if len(found) != 1 || found[0] != (portal.Holder{Kind: portal.HolderCommunity, ID: "club", Name: "Club SIG"}) {
			t.Errorf("a member finds %+v", found)
		}
		if found := must[[]portal.Holder](t)(svc.FindGroups(ctx, "part", "i", 1)); len(found) != 1 {
			t.Errorf("limit 1 gives %+v", found)
		}
		_, err := svc.FindGroups(ctx, "part", " ", 10)
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.FindGroups(ctx, "", "ign", 10)
		wantErr(t, err, portal.ErrUnauthenticated)
	})
}
