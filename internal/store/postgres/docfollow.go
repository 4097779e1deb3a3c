package postgres

import (
	"context"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
)

var _ store.DocFollower = (*Store)(nil)

// DocsSince implements store.DocFollower (on the index of migration 0004).
func (s *Store) DocsSince(ctx context.Context, kinds []string, after, through store.Revision) ([]store.Doc, error) {
	ds, err := sqlstore.DocsSince(kinds, after, through, true, func(q string, args []any) ([]store.Doc, error) {
		rows, err := s.pool.Query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		return sqlstore.Collect(rows, func(r sqlstore.Rows) (store.Doc, error) { return scanDoc(r) })
	})
	return ds, convert(err)
}
