package sqlstore

import (
	"fmt"
	"iter"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// ImportBatches is the loop of store.Importer.Import: it reads rels,
// checks and normalises each relationship, hands it to add (the backend's
// encoding of the row; nil for none), and every batchSize relationships
// (batchSize > 0), and once at the end, calls flush with the batch, which
// writes it in one revision. The batch's slice is reused: flush must not
// keep it, and a backend that keeps rows of its own in add empties them
// in flush.
//
// It returns the revision of the last batch written and how many
// relationships were written, with the first error, which names the
// relationship or the batch at fault.
func ImportBatches(rels iter.Seq2[tuple.Relationship, error], batchSize int, add func(tuple.Relationship) error, flush func([]tuple.Relationship) (store.Revision, error)) (store.Revision, int, error) {
	var (
		rev   store.Revision
		n     int
		batch = make([]tuple.Relationship, 0, batchSize)
	)
	write := func() error {
		if len(batch) == 0 {
			return nil
		}
		r, err := flush(batch)
		if err != nil {
			return fmt.Errorf("importing relationships %d to %d: %w", n+1, n+len(batch), err)
		}
		rev, n = r, n+len(batch)
		batch = batch[:0]
		return nil
	}
	for r, err := range rels {
		if err != nil {
			return rev, n, fmt.Errorf("import source, after %d relationships: %w", n+len(batch), err)
		}
		if err := store.Validate(r); err != nil {
			return rev, n, fmt.Errorf("import, relationship %d: %w", n+len(batch)+1, err)
		}
		r = Normalize(r)
		if add != nil {
			if err := add(r); err != nil {
				return rev, n, fmt.Errorf("import, relationship %d: %w", n+len(batch)+1, err)
			}
		}
		batch = append(batch, r)
		if len(batch) == batchSize {
			if err := write(); err != nil {
				return rev, n, err
			}
		}
	}
	if err := write(); err != nil {
		return rev, n, err
	}
	return rev, n, nil
}
