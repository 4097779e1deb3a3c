package portal

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestFirstRows checks that the bounded heap keeps exactly the rows a full
// sort puts first, for every page size around the number of rows.
func TestFirstRows(t *testing.T) {
	order := func(a, b groupRow) int {
		return cmp.Or(cmp.Compare(a.lower, b.lower), cmp.Compare(a.Group.ID, b.Group.ID))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 40 {
		var all []groupRow
		for i := range n {
			all = append(all, groupRow{AccessRow: AccessRow{Group: GroupRef{GroupOrganisation, strconv.Itoa(i)}}, lower: strconv.Itoa(r.IntN(5))})
		}
		want := slices.SortedFunc(slices.Values(all), order)
		for keep := range n + 3 {
			h := firstRows{order: order, keep: keep}
			for _, row := range all {
				h.add(row)
			}
			if got := h.sorted(); !slices.EqualFunc(got, want[:min(keep, n)], func(a, b groupRow) bool { return order(a, b) == 0 }) {
				t.Fatalf("n=%d keep=%d: got %v, want %v", n, keep, got, want[:min(keep, n)])
			}
		}
	}
}
