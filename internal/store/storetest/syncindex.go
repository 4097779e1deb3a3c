package storetest

import (
	"context"

	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/store"
)

// SyncIndex is the follower of the tests that build a portal without a
// server: it applies st's changelog to idx, whole revisions at a time,
// until idx has applied rev (schema changes carry no relationship and are
// skipped). The server's own follower is server.catchUp; the callers
// serialize calls themselves.
func SyncIndex(ctx context.Context, st store.Store, idx *index.Index, rev store.Revision) error {
	for store.Revision(idx.Revision()) < rev {
		changes, through, err := st.Changes(ctx, store.Revision(idx.Revision()), 1000)
		if err != nil {
			return err
		}
		for i := 0; i < len(changes); {
			r := changes[i].Revision
			var batch []index.Change
			for ; i < len(changes) && changes[i].Revision == r; i++ {
				switch c := changes[i]; c.Op {
				case store.ChangeTouch:
					batch = append(batch, index.Change{Op: index.Touch, Rel: c.Relationship})
				case store.ChangeDelete:
					batch = append(batch, index.Change{Op: index.Delete, Rel: c.Relationship})
				}
			}
			if err := idx.Apply(uint64(r), batch); err != nil {
				return err
			}
		}
		if through > store.Revision(idx.Revision()) {
			if err := idx.Apply(uint64(through), nil); err != nil {
				return err
			}
		}
	}
	return nil
}
