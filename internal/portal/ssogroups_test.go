package portal_test

import (
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestSyncGroupCommunities: the groups a provider gives bring an
// account's membership of the mapped communities in line, adding and
// taking back only what they gave; a member by hand, the supervisor and
// unmapped communities are never touched; unknown communities are
// skipped; the engine sees the changes at once.
func TestSyncGroupCommunities(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Community](t)(svc.CreateCommunity(ctx, "csup", portal.Community{ID: "geo", Name: "Géomatique"}))
		mapping := map[string][]string{"g-club": {"club"}, "g-geo": {"geo", "nowhere"}, "g-sup": {"geo"}}
		role := func(c, acc string) portal.CommunityRole {
			t.Helper()
			for _, m := range must[[]portal.CommunityMember](t)(svc.CommunityMembers(ctx, "csup", c)) {
				if m.Account == acc {
					return m.Role
				}
			}
			return ""
		}
		sync := func(acc string, groups ...string) portal.GroupSync {
			t.Helper()
			return must[portal.GroupSync](t)(svc.SyncGroupCommunities(ctx, acc, "https://idp.example", groups, mapping))
		}
		// part is in club by hand; stranger in nothing.
		if got := sync("stranger", "g-club", "g-geo", "other"); !slices.Equal(got.Added, []string{"club", "geo"}) || len(got.Removed) != 0 {
			t.Errorf("first sync: %+v", got)
		}
		if got := sync("part", "g-geo"); !slices.Equal(got.Added, []string{"geo"}) {
			t.Errorf("part's first sync: %+v", got)
		}
		if role("club", "stranger") != portal.CommunityParticipant || role("geo", "stranger") != portal.CommunityParticipant {
			t.Errorf("stranger's roles: %q %q", role("club", "stranger"), role("geo", "stranger"))
		}
		// The same groups again: nothing to do.
		if got := sync("stranger", "g-club", "g-geo"); len(got.Added)+len(got.Removed) != 0 {
			t.Errorf("an unchanged sync changed %+v", got)
		}
		// No group: what the groups gave goes; part stays in club (by
		// hand); the supervisor is never touched.
		if got := sync("part"); !slices.Equal(got.Removed, []string{"geo"}) {
			t.Errorf("part without groups: %+v", got)
		}
		if role("club", "part") != portal.CommunityParticipant {
			t.Error("a membership by hand was taken back")
		}
		if got := sync("csup"); len(got.Added)+len(got.Removed) != 0 || role("club", "csup") != portal.CommunitySupervisor {
			t.Errorf("the supervisor: %+v %q", got, role("club", "csup"))
		}
		if got := sync("csup", "g-club"); len(got.Added) != 0 || role("club", "csup") != portal.CommunitySupervisor {
			t.Errorf("the supervisor given a group: %+v %q", got, role("club", "csup"))
		}
		// A role a manager set makes the membership one by hand.
		must[portal.CommunityMember](t)(svc.SetCommunityMember(ctx, "csup", "club", "stranger", portal.CommunityAdministrator))
		if got := sync("stranger", "g-geo"); len(got.Removed) != 0 || role("club", "stranger") != portal.CommunityAdministrator {
			t.Errorf("after a manager's change: %+v %q", got, role("club", "stranger"))
		}
		if got := sync("stranger"); !slices.Equal(got.Removed, []string{"geo"}) || role("club", "stranger") != portal.CommunityAdministrator {
			t.Errorf("no groups: %+v %q", got, role("club", "stranger"))
		}
		_, err := svc.SyncGroupCommunities(ctx, "nobody", "https://idp.example", []string{"g-club"}, mapping)
		wantErr(t, err, portal.ErrNotFound)
	})
}
