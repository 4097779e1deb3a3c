package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/store"
)

// testDocsSince: DocsSince returns the documents of the kinds asked whose
// last write lies in the range, in revision order, without deleted ones.
func testDocsSince(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), s
	f := s
	r1 := transact(t, d, putDocs(doc("org", "o1", "", "", `{}`), doc("org", "o2", "", "", `{}`), doc("org", "o3", "", "", `{}`), doc("token", "t1", "", "", `{}`)))
	r2 := transact(t, d, putDocs(doc("org", "o1", "", "", `{"name":"renamed"}`), doc("dataset", "d1", "", "o1", `{}`)))
	r3 := transact(t, d, func(ctx context.Context, tx store.DocTx) error { return tx.DeleteDoc(ctx, "org", "o2") })
	for _, c := range []struct {
		after, through store.Revision
		want           []string
	}{
		{0, r1, []string{"o3"}}, // o1 was written again at r2, o2 deleted
		{0, r3, []string{"o3", "d1", "o1"}},
		{r1, r2, []string{"d1", "o1"}},
		{r2, r3, nil},
		{r3, r3, nil},
	} {
		got, err := f.DocsSince(ctx, []string{"org", "dataset"}, c.after, c.through)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("DocsSince(%d, %d): got %v, want %v", c.after, c.through, ids(got), c.want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Revision < got[i-1].Revision {
				t.Errorf("DocsSince(%d, %d): not in revision order: %v", c.after, c.through, got)
			}
		}
	}
}
