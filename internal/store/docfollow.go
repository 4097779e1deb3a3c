package store

import "context"

// DocFollower is a store whose documents can be followed, as the changelog
// lets the relationships be: a domain that keeps its records in memory on
// every node reads what was written since it last looked. Both backends
// implement it; Documents includes it.
type DocFollower interface {
	// DocsSince returns the documents of kinds whose last write committed
	// at a revision in (after, through], in revision order, then kind and
	// id. A deleted document is not returned: a follower that must see
	// deletions records them as documents of their own. The revisions are
	// those of the changelog, so a follower that has applied the changelog
	// through R may ask for the documents through R.
	DocsSince(ctx context.Context, kinds []string, after, through Revision) ([]Doc, error)
}
