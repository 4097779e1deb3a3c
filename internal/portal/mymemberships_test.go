package portal_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestCommunityMembershipsPages: one's communities come a page at a time,
// in id order, with the cursor of the next page and the total; the pages
// together are Profile's list, and ProfileFirst is Profile with the first
// of them.
func TestCommunityMembershipsPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for _, id := range []string{"c3", "c1", "c4", "c2"} {
			must[portal.Community](t)(svc.CreateCommunity(ctx, "csup", portal.Community{ID: id, Name: "Communauté " + id}))
		}
		page := func(actor, id, after string, limit int) portal.CommunityMembershipPage {
			t.Helper()
			return must[portal.CommunityMembershipPage](t)(svc.CommunityMemberships(ctx, actor, id, after, limit))
		}
		ids := func(p portal.CommunityMembershipPage) []string {
			var out []string
			for _, c := range p.Communities {
				out = append(out, c.Community)
			}
			return out
		}

		// Empty: someone in no community.
		if p := page("stranger", "stranger", "", 10); len(p.Communities) != 0 || p.Communities == nil || p.Next != "" || p.Total != 0 {
			t.Errorf("no community: %+v", p)
		}
		// Exactly one page: no next page.
		if p := page("csup", "csup", "", 5); !slices.Equal(ids(p), []string{"c1", "c2", "c3", "c4", "club"}) || p.Next != "" || p.Total != 5 {
			t.Errorf("one full page: %+v", p)
		}
		// Pages of 2: the last one shorter, with no cursor; names and roles
		// as Profile gives them.
		var seen []portal.CommunityMembership
		after, pages := "", 0
		for {
			p := page("csup", "csup", after, 2)
			if p.Total != 5 {
				t.Fatalf("page after %q: total %d", after, p.Total)
			}
			seen = append(seen, p.Communities...)
			pages++
			if p.Next == "" {
				if len(p.Communities) != 1 {
					t.Errorf("last page: %+v", p)
				}
				break
			}
			if len(p.Communities) != 2 || p.Next != p.Communities[1].Community || pages > 3 {
				t.Fatalf("page %d: %+v", pages, p)
			}
			after = p.Next
		}
		prof := must[portal.Profile](t)(svc.Profile(ctx, "csup", "csup"))
		if pages != 3 || !slices.Equal(seen, prof.Communities) || seen[0].Name != "Communauté c1" || seen[4].Role != portal.CommunitySupervisor {
			t.Errorf("%d pages: %+v, profile %+v", pages, seen, prof.Communities)
		}
		// A cursor that is no longer a community still places the page.
		if p := page("csup", "csup", "c25", 10); !slices.Equal(ids(p), []string{"c3", "c4", "club"}) {
			t.Errorf("after c25: %+v", p)
		}
		// Past the end: an empty last page.
		if p := page("csup", "csup", "zz", 10); len(p.Communities) != 0 || p.Next != "" || p.Total != 5 {
			t.Errorf("after the last: %+v", p)
		}
		// The participant's role is theirs, not the supervisor's.
		if p := page("part", "part", "", 10); len(p.Communities) != 1 || p.Communities[0].Role != portal.CommunityParticipant {
			t.Errorf("the participant's communities: %+v", p)
		}

		// A bad cursor is refused, naming it.
		for _, bad := range []string{"a b", "x/y", strings.Repeat("x", 2000)} {
			_, err := svc.CommunityMemberships(ctx, "csup", "csup", bad, 10)
			wantErr(t, err, portal.ErrInvalid)
			if !strings.Contains(err.Error(), "after") {
				t.Errorf("cursor %.10q refused as %v", bad, err)
			}
		}
		// Someone else's communities: account managers only.
		_, err := svc.CommunityMemberships(ctx, "reg", "csup", "", 10)
		wantErr(t, err, portal.ErrForbidden)
		if p := page("manager", "csup", "", 10); p.Total != 5 {
			t.Errorf("to an account manager: %+v", p)
		}
		_, err = svc.CommunityMemberships(ctx, w.admin, "nobody", "", 10)
		wantErr(t, err, portal.ErrNotFound)

		// ProfileFirst: Profile with the first communities, and the total.
		first, total, err := svc.ProfileFirst(ctx, "csup", "csup", 2)
		ok(t, err)
		want := prof
		want.Communities = prof.Communities[:2]
		if total != 5 || !slices.Equal(first.Communities, want.Communities) || !slices.Equal(first.Organisations, prof.Organisations) ||
			!slices.Equal(first.PlatformRoles, prof.PlatformRoles) || len(first.ContentRoles) != len(prof.ContentRoles) {
			t.Errorf("ProfileFirst: %+v (%d), Profile %+v", first, total, prof)
		}
		_, _, err = svc.ProfileFirst(ctx, "reg", "csup", 2)
		wantErr(t, err, portal.ErrForbidden)
	})
}
