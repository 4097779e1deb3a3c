package sqlite

import (
	"context"
	"fmt"
	"slices"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlutil"
)

var _ store.DocFollower = (*Store)(nil)

// DocsSince implements store.DocFollower (on the index of migration 0004).
func (s *Store) DocsSince(ctx context.Context, kinds []string, after, through store.Revision) ([]store.Doc, error) {
	if len(kinds) == 0 || through <= after {
		return nil, nil
	}
	a := sqlutil.Args{}
	rows, err := s.r.QueryContext(ctx, sqlutil.DocsSinceQuery(int64(after), int64(through), &a), a.List...)
	if err != nil {
		return nil, convert(fmt.Errorf("reading documents since revision %d: %w", after, err))
	}
	defer rows.Close()
	out, err := sqlutil.Collect(rows, func(r sqlutil.Rows) (store.Doc, error) { return scanDoc(r) })
	if err != nil {
		return nil, convert(fmt.Errorf("reading documents since revision %d: %w", after, err))
	}
	return slices.DeleteFunc(out, func(d store.Doc) bool { return !slices.Contains(kinds, d.Kind) }), nil
}
