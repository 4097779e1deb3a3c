package sqlstore

import (
	"cmp"

	"github.com/octroi/octroi/internal/tuple"
)

// CompareIdentity orders relationships by identity, field by field in byte
// order: the order of the relationships table's primary key.
func CompareIdentity(a, b tuple.Relationship) int {
	return cmp.Or(
		cmp.Compare(a.Resource.Type, b.Resource.Type),
		cmp.Compare(a.Resource.ID, b.Resource.ID),
		cmp.Compare(a.Relation, b.Relation),
		cmp.Compare(a.Subject.Type, b.Subject.Type),
		cmp.Compare(a.Subject.ID, b.Subject.ID),
		cmp.Compare(a.Subject.Relation, b.Subject.Relation),
	)
}
