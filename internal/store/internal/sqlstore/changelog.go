package sqlstore

import (
	"fmt"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// CheckChangesAfter reports whether store.Changelog.Changes can answer
// from after, given the changelog's bounds read in the same snapshot:
// trimmed (GC deleted the changes up to it) and head (the last revision).
// Its errors wrap store.ErrRevisionTooOld and store.ErrFutureRevision.
func CheckChangesAfter(after store.Revision, trimmed, head int64) error {
	switch {
	case int64(after) < trimmed:
		return fmt.Errorf("changes after revision %d: %w (retained from %d)", after, store.ErrRevisionTooOld, trimmed)
	case int64(after) > head:
		return fmt.Errorf("changes after revision %d: %w (head is %d)", after, store.ErrFutureRevision, head)
	}
	return nil
}

// AppendChangeRow appends the changes of one changelog row to out. c is
// the row's revision, op and time. A row holds either batch, a ChangeBatch
// of n changes, or (batch nil) one change whose relationship rel decodes
// from the row's columns, none for a schema change.
func AppendChangeRow(out []store.Change, c store.Change, batch []byte, n int, rel func() (tuple.Relationship, error)) ([]store.Change, error) {
	if batch != nil {
		err := DecodeChangeBatch(batch, n, func(r tuple.Relationship) error {
			c.Relationship = r
			out = append(out, c)
			return nil
		})
		if err != nil {
			return out, fmt.Errorf("reading changes of revision %d: %w", c.Revision, err)
		}
		return out, nil
	}
	if c.Op != store.ChangeSchema {
		r, err := rel()
		if err != nil {
			return out, err
		}
		c.Relationship = r
	}
	return append(out, c), nil
}
