package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

// WriteSchema implements store.SchemaStore.
func (s *Store) WriteSchema(ctx context.Context, text string) (store.Revision, error) {
	return s.write(ctx, func(ctx context.Context, w *wtx) error {
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO schema_versions (revision, schema_text, written_at) VALUES (?, ?, ?)`,
			int64(w.rev), text, micros(w.now)); err != nil {
			return fmt.Errorf("writing schema: %w", err)
		}
		return w.logChange(ctx, store.ChangeSchema, tuple.Relationship{})
	})
}

// ReadSchema implements store.SchemaStore.
func (s *Store) ReadSchema(ctx context.Context) (string, store.Revision, error) {
	var text string
	var rev int64
	err := s.r.QueryRowContext(ctx, `SELECT schema_text, revision FROM schema_versions ORDER BY revision DESC LIMIT 1`).Scan(&text, &rev)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, store.ErrNoSchema
	}
	if err != nil {
		return "", 0, convert(fmt.Errorf("reading schema: %w", err))
	}
	return text, store.Revision(rev), nil
}

// GC implements store.Maintainer.
func (s *Store) GC(ctx context.Context, olderThan time.Duration) (store.GCResult, error) {
	var res store.GCResult
	cutoff := micros(s.now().Add(-olderThan))

	// Long-expired relationships first, as an ordinary write (so that
	// followers drop them too), and only when there are some: GC must
	// not burn a revision per run.
	if err := s.fresh(ctx); err != nil {
		return res, err
	}
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM relationships WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT 1`, cutoff).Scan(&one)
	switch {
	case err == nil:
		res.Revision, err = s.write(ctx, func(ctx context.Context, w *wtx) error {
			if err := w.catchUp(ctx); err != nil {
				return err
			}
			rows, err := w.tx.QueryContext(ctx, `DELETE FROM relationships WHERE expires_at IS NOT NULL AND expires_at <= ? RETURNING `+sqlstore.Columns, cutoff)
			if err != nil {
				return fmt.Errorf("deleting expired relationships: %w", err)
			}
			deleted, err := scanAll(rows)
			if err != nil {
				return fmt.Errorf("deleting expired relationships: %w", err)
			}
			res.ExpiredDeleted = int64(len(deleted))
			return w.logChanges(ctx, store.ChangeDelete, deleted)
		})
		if err != nil {
			return res, err
		}
	case !errors.Is(err, sql.ErrNoRows):
		return res, convert(fmt.Errorf("finding expired relationships: %w", err))
	}

	err = s.exclusive(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var trimmed int64
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT trimmed_through FROM changelog_horizon WHERE singleton = 1`).Scan(&trimmed); err != nil {
			return fmt.Errorf("reading changelog horizon: %w", err)
		}
		res.TrimmedThrough = store.Revision(trimmed)
		if err := tx.QueryRowContext(ctx, `SELECT max(revision) FROM revisions WHERE committed_at < ?`, cutoff).Scan(&last); err != nil {
			return fmt.Errorf("finding old revisions: %w", err)
		}
		// Changes not yet in the relationships table stay (tail.go).
		var head, applied int64
		if err := tx.QueryRowContext(ctx, appliedSQL).Scan(&head, &applied); err != nil {
			return fmt.Errorf("reading the applied revision: %w", err)
		}
		if last.Valid && last.Int64 > applied {
			last.Int64 = applied
		}
		if !last.Valid || last.Int64 <= trimmed {
			return nil
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(sum(changes), 0) FROM changelog WHERE revision <= ?`, last.Int64).Scan(&res.ChangesDeleted); err != nil {
			return fmt.Errorf("counting changes to trim: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM changelog WHERE revision <= ?`, last.Int64); err != nil {
			return fmt.Errorf("trimming changelog: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM revisions WHERE revision <= ?`, last.Int64); err != nil {
			return fmt.Errorf("trimming revisions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE changelog_horizon SET trimmed_through = ? WHERE singleton = 1`, last.Int64); err != nil {
			return fmt.Errorf("moving changelog horizon: %w", err)
		}
		res.TrimmedThrough = store.Revision(last.Int64)
		return nil
	})
	return res, err
}

// DefaultImportBatch is Import's batch size when none is given: big enough
// that the one fsync per commit is amortised, small enough that a
// follower's Changes page (whole revisions) stays reasonable.
const DefaultImportBatch = 10_000

// Import implements store.Importer: one write transaction (one revision)
// per batch. The batch is upserted with prepared single-row INSERTs
// (upsertRows) and logged as changelog batches (sqlstore.ChangeBatch), one
// row per 1024 relationships: per relationship, only its row and its
// subject index entry are B-tree inserts.
//
// An import into an empty relationships table (a first load) builds the
// subject index once at the end instead of inserting into it row by row:
// its first batch drops the index, in the same transaction, and the end of
// the import — whatever way it ends — creates it again. Meanwhile, filters
// by subject alone scan the table. Should the process die in between,
// Open creates the index again (ensureSubjectIndex).
func (s *Store) Import(ctx context.Context, rels iter.Seq2[tuple.Relationship, error], batchSize int) (_ store.Revision, _ int, err error) {
	if batchSize <= 0 {
		batchSize = DefaultImportBatch
	}
	var one int
	switch err := s.r.QueryRowContext(ctx, `SELECT 1 FROM relationships LIMIT 1`).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		// Empty: defer the index (see above).
	case err != nil:
		return 0, 0, convert(fmt.Errorf("import: %w", err))
	default:
		one = 0
	}
	deferIndex, dropped := one == 0, false
	defer func() {
		if dropped {
			// Even when the import was cancelled: the index must be back.
			if ierr := s.ensureSubjectIndex(context.WithoutCancel(ctx)); ierr != nil {
				err = errors.Join(err, fmt.Errorf("import: building the subject index: %w", ierr))
			}
		}
	}()
	return sqlstore.ImportBatches(rels, batchSize, nil, func(batch []tuple.Relationship) (store.Revision, error) {
		// In identity order, the primary key's inserts walk its B-tree
		// once instead of landing all over it. Stable: the last of
		// duplicates still wins.
		slices.SortStableFunc(batch, sqlstore.CompareIdentity)
		drop := deferIndex && !dropped
		rev, err := s.write(ctx, func(ctx context.Context, w *wtx) error {
			if drop {
				if _, err := w.tx.ExecContext(ctx, `DROP INDEX IF EXISTS `+subjectIndex); err != nil {
					return fmt.Errorf("dropping the subject index until the end of the import: %w", err)
				}
			}
			return w.importBatch(ctx, batch)
		})
		dropped = dropped || (drop && err == nil)
		return rev, err
	})
}

// importBatch upserts batch (in identity order) and logs it.
func (w *wtx) importBatch(ctx context.Context, batch []tuple.Relationship) error {
	if err := w.catchUp(ctx); err != nil {
		return err
	}
	if err := w.upsertRows(ctx, batch); err != nil {
		return err
	}
	return w.logChanges(ctx, store.ChangeTouch, batch)
}
