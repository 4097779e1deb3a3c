package portal_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestBeneficiarySearchReadsCommunitiesInBatches: the communities a
// beneficiary search finds are the first of those the searcher may view,
// in id order, however many private ones come between (read a batch at a
// time); a whole id finds its community first.
func TestBeneficiarySearchReadsCommunitiesInBatches(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := e.ctx
		public := map[int]bool{0: true, 7: true, 11: true}
		for i := range 12 {
			must[portal.Community](t)(e.svc.CreateCommunity(ctx, "csup", portal.Community{ID: fmt.Sprintf("veille-%02d", i), Name: fmt.Sprintf("Veille %d", i), Public: public[i]}))
		}
		ids := func(q string, limit int) []string {
			t.Helper()
			_, cs := mustPair[[]portal.Account, []portal.Named](t)(e.svc.SearchBeneficiaries(ctx, "ed", q, limit))
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		for _, c := range []struct {
			q     string
			limit int
			want  []string
		}{
			{"veille", 10, []string{"veille-00", "veille-07", "veille-11"}},
			{"VEILLE", 3, []string{"veille-00", "veille-07", "veille-11"}},
			{"veil", 2, []string{"veille-00", "veille-07"}},
			{"veille", 1, []string{"veille-00"}},
			{"veille-05", 3, []string{"veille-05"}}, // whole id; no other starts so
			{"veille-1", 3, []string{"veille-11"}},
			{"nothing", 3, nil},
		} {
			if got := ids(c.q, c.limit); !slices.Equal(got, c.want) {
				t.Errorf("%q, %d: %v, want %v", c.q, c.limit, got, c.want)
			}
		}
		// The platform administrator sees them all: the first of them.
		_, cs := mustPair[[]portal.Account, []portal.Named](t)(e.svc.SearchBeneficiaries(ctx, w.admin, "veille", 5))
		if len(cs) != 5 || cs[4].ID != "veille-04" {
			t.Errorf("the administrator's search: %+v", cs)
		}
	})
}
