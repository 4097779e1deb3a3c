package portal_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestOrgGrantsFilteredByBeneficiaryInPages: the grant list filtered by
// beneficiary pages the grants that match, however many that do not come
// between: empty, exactly one page, a last shorter page, a cursor past
// the end; each shown with its details.
func TestOrgGrantsFilteredByBeneficiaryInPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := e.ctx
		servicesWorld(t, e, w)
		var club []string // the grants to the club, in id order
		for i := range 9 {
			g := portal.Grant{Name: fmt.Sprintf("Licence %d", i), Services: []string{"topo-wms"}, Users: []string{"stranger"}}
			if i%3 == 1 {
				g.Users, g.Communities = nil, []string{"club"}
			}
			made := must[portal.Grant](t)(e.svc.CreateGrant(ctx, "ed", g))
			if i%3 == 1 {
				club = append(club, made.ID)
			}
		}
		slices.Sort(club)
		pages := func(beneficiary string, limit int) [][]string {
			t.Helper()
			var out [][]string
			after := ""
			for range 10 {
				gs, next := must2s[[]portal.GrantDetail](t)(e.svc.OrgGrants(ctx, "ed", "ign", portal.OrgGrantQuery{Beneficiary: beneficiary, After: after, Limit: limit}))
				out = append(out, grantIDs(gs))
				for _, g := range gs {
					if len(g.CommunityNames) != 1 || g.CommunityNames[0].Name != "Club SIG" || g.CreatorName != "Person ed" {
						t.Errorf("detail of %s: %+v", g.ID, g)
					}
				}
				if next == "" {
					return out
				}
				after = next
			}
			t.Fatal("no last page")
			return nil
		}
		for _, c := range []struct {
			beneficiary string
			limit       int
			want        [][]string
		}{
			{"Club SIG", 2, [][]string{club[:2], club[2:]}}, // a last, shorter page
			{"club", 3, [][]string{club}},                   // exactly one page
			{"CLUB", 1, [][]string{club[:1], club[1:2], club[2:]}},
			{"nobody", 2, [][]string{nil}}, // empty
		} {
			if got := pages(c.beneficiary, c.limit); !slices.EqualFunc(got, c.want, slices.Equal) {
				t.Errorf("%q by %d: %v, want %v", c.beneficiary, c.limit, got, c.want)
			}
		}
		// A cursor past the last grant: an empty page, no next.
		gs, next := must2s[[]portal.GrantDetail](t)(e.svc.OrgGrants(ctx, "ed", "ign", portal.OrgGrantQuery{Beneficiary: "club", After: club[2]}))
		if len(gs) != 0 || next != "" {
			t.Errorf("after the last: %v %q", grantIDs(gs), next)
		}
	})
}
