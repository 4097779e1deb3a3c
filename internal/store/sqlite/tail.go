package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

// Changelog-first writes (migration 0005).
//
// A Write made only of touches, without preconditions, is durable once its
// changelog row — the whole batch, encoded compactly, appended at the end
// of the changelog's B-tree — has committed: that is all it writes. The
// relationships table, with its primary key and subject index, holds the
// state as of revision_counter.applied_through, the watermark, and is
// brought up to date from the changelog later, in large batches sorted by
// identity (applyTail): per relationship, fewer B-tree pages dirtied and
// fewer WAL frames than updating the table 1,000 rows at a time.
//
// Every change of the changelog sets or removes one identity, so
// replaying changes the table already holds is harmless; what matters is
// that nothing after the watermark is missed. Who brings the table up to
// date:
//
//   - the applier, a goroutine of the Store, once enough changes wait or
//     shortly after the last deferred write (applyBatch, applyDelay);
//   - a write that reads or changes the table (preconditions, creates,
//     deletes, DeleteByFilter, GC, Import, a document transaction's
//     reads), first, in its own transaction (wtx.catchUp);
//   - a read of the table (ReadRelationships, LoadAll, UsedTypes), when
//     its snapshot would miss a committed revision (fresh): a read sees
//     every write acknowledged before it started. LoadAll returns the
//     watermark as its revision: the table's state is that revision's.
//
// After a crash the unapplied tail is still in the changelog, durable,
// and is applied by the first of them.

// applyBatch and applyDelay decide when the applier runs: as soon as
// applyBatch relationships wait, else applyDelay after the first one
// (a quiet store still gets its table up to date quickly).
const (
	applyBatch = 100_000
	applyDelay = 200 * time.Millisecond
)

const (
	appliedSQL    = `SELECT revision, applied_through FROM revision_counter WHERE singleton = 1`
	setAppliedSQL = `UPDATE revision_counter SET applied_through = ? WHERE singleton = 1`
	tailSQL       = `SELECT revision, op, ` + sqlstore.Columns + `, committed_at, batch, changes FROM changelog
WHERE revision > ? AND revision <= ? AND op IN (1, 2) ORDER BY revision, seq`
	deleteIdentitySQL = `DELETE FROM relationships
WHERE resource_type = ? AND resource_id = ? AND relation = ? AND subject_type = ? AND subject_id = ? AND subject_relation = ?`
)

// deferrable reports whether req is written to the changelog only: it
// neither reads the table (no preconditions, no creates) nor needs the
// stored row (no deletes, whose changelog entry is the row as stored).
func deferrable(req store.WriteRequest) bool {
	if len(req.Preconditions) > 0 {
		return false
	}
	for _, u := range req.Updates {
		if u.Op != store.Touch {
			return false
		}
	}
	return true
}

// catchUp brings the table up to date, in w's transaction, with every
// change logged before it — those of earlier revisions and those w
// itself deferred — before w reads or changes the table. From then on
// w's writes go to the table directly, and once w has succeeded the
// watermark is w's revision (commitOnce). The watermark set here is the
// revision before w's: should w be refused, the next call takes its
// revision number.
func (w *wtx) catchUp(ctx context.Context) error {
	if w.caughtUp {
		return nil
	}
	var head, applied int64
	if err := w.stmts.queryRow(ctx, appliedSQL).Scan(&head, &applied); err != nil {
		return fmt.Errorf("reading the applied revision: %w", err)
	}
	// Nothing to apply when the table holds the revision before w's
	// and w deferred nothing: the common case of a table write.
	if applied < int64(w.rev)-1 || w.deferred > 0 {
		if err := applyTail(ctx, w.stmts, applied, int64(w.rev)); err != nil {
			return err
		}
		if err := w.stmts.run(ctx, setAppliedSQL, int64(w.rev)-1); err != nil {
			return fmt.Errorf("recording the applied revision: %w", err)
		}
	}
	w.caughtUp = true
	return nil
}

// applyTail applies to the table the relationship changes of revisions
// in (after, through]: the last change of each identity, in identity
// order, so that the inserts walk the B-trees once.
func applyTail(ctx context.Context, stmts *stmtCache, after, through int64) error {
	rows, err := stmts.query(ctx, tailSQL, after, through)
	if err != nil {
		return fmt.Errorf("reading the changelog's tail: %w", err)
	}
	var changes []store.Change
	err = func() error {
		defer rows.Close()
		var sc scanner
		var rev, at int64
		var op, n int
		var batch sql.RawBytes
		t := append([]any{&rev, &op}, append(sc.targets(), &at, &batch, &n)...)
		for rows.Next() {
			if err := rows.Scan(t...); err != nil {
				return err
			}
			c := store.Change{Revision: store.Revision(rev), Op: store.ChangeOp(op)}
			var err error
			if changes, err = sqlstore.AppendChangeRow(changes, c, batch, n, sc.relationship); err != nil {
				return err
			}
		}
		return rows.Err()
	}()
	if err != nil {
		return fmt.Errorf("reading the changelog's tail: %w", err)
	}
	// The last change of each identity wins: keep changes[i] when no
	// later one has its identity.
	last := make(map[sqlstore.Key]int, len(changes))
	for i, c := range changes {
		last[sqlstore.KeyOf(c.Relationship)] = i
	}
	keep := make([]*store.Change, 0, len(last)) // pointers: cheaper to sort
	for i := range changes {
		if last[sqlstore.KeyOf(changes[i].Relationship)] == i {
			keep = append(keep, &changes[i])
		}
	}
	slices.SortFunc(keep, func(a, b *store.Change) int {
		return sqlstore.CompareIdentity(a.Relationship, b.Relationship)
	})
	var touched []tuple.Relationship // a run of touches, applied together
	for _, c := range keep {
		if c.Op == store.ChangeTouch {
			touched = append(touched, c.Relationship)
			continue
		}
		if err := stmts.upsertRows(ctx, touched); err != nil {
			return err
		}
		touched = touched[:0]
		k := sqlstore.KeyOf(c.Relationship)
		if err := stmts.run(ctx, deleteIdentitySQL, k[0], k[1], k[2], k[3], k[4], k[5]); err != nil {
			return fmt.Errorf("applying the deletion of %s: %w", store.FormatIdentity(c.Relationship), err)
		}
	}
	return stmts.upsertRows(ctx, touched)
}

// insertChunk is how many rows one insertNew statement carries.
const insertChunk = 128

// insertManySQL inserts insertChunk rows, skipping those whose identity
// exists. OR IGNORE, not an upsert: a statement that writes several rows
// and may abort half-way keeps a journal of every page it changes (see
// upsertRows); one that ignores conflicts cannot abort on them.
var insertManySQL = func() string {
	row := "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
	return `INSERT OR IGNORE INTO relationships (` + sqlstore.Columns + `) VALUES ` + row + strings.Repeat(", "+row, insertChunk-1)
}()

// insertNew inserts the relationships of rs (insertChunk of them) that
// do not exist and returns how many it inserted.
func (c *stmtCache) insertNew(ctx context.Context, rs []tuple.Relationship) (int, error) {
	args := make([]any, 0, 9*len(rs))
	for _, r := range rs {
		a, err := relArgs(r)
		if err != nil {
			return 0, err
		}
		args = append(args, a...)
	}
	res, err := c.exec(ctx, insertManySQL, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// applyAll brings the table up to date with every committed revision, in
// a transaction of its own (it takes no revision).
func (s *Store) applyAll(ctx context.Context) error {
	shared, err := s.prepareWrites(ctx)
	if err != nil {
		return err
	}
	return s.exclusive(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stmts := &stmtCache{shared: shared, tx: tx}
		defer stmts.close()
		var head, applied int64
		if err := stmts.queryRow(ctx, appliedSQL).Scan(&head, &applied); err != nil {
			return fmt.Errorf("reading the applied revision: %w", err)
		}
		if applied >= head {
			return nil
		}
		if err := applyTail(ctx, stmts, applied, head); err != nil {
			return err
		}
		if err := stmts.run(ctx, setAppliedSQL, head); err != nil {
			return fmt.Errorf("recording the applied revision: %w", err)
		}
		return nil
	})
}

// fresh makes sure that the table holds every revision committed before
// the call, so that a read of it that starts afterwards sees them all.
func (s *Store) fresh(ctx context.Context) error {
	var head, applied int64
	if err := s.r.QueryRowContext(ctx, appliedSQL).Scan(&head, &applied); err != nil {
		return convert(fmt.Errorf("reading the applied revision: %w", err))
	}
	if applied >= head {
		return nil
	}
	if err := s.applyAll(ctx); err != nil {
		return fmt.Errorf("bringing the relationships up to date: %w", err)
	}
	return nil
}

// deferred counts relationships written to the changelog only, and wakes
// the applier.
func (s *Store) deferred(n int) {
	if n == 0 {
		return
	}
	s.pending.Add(int64(n))
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// applier runs until stop is closed, applying the tail once applyBatch
// relationships wait or applyDelay after the first. Its errors (another
// process holding the lock too long, a closing store) are not fatal:
// the changes stay in the changelog, and the next run, write or read
// applies them.
func (s *Store) applier(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-stop:
			return
		case <-s.wake:
		}
		timer := time.NewTimer(applyDelay)
	wait:
		for s.pending.Load() < applyBatch {
			select {
			case <-stop:
				timer.Stop()
				return
			case <-timer.C:
				break wait
			case <-s.wake:
			}
		}
		timer.Stop()
		s.pending.Store(0)
		s.applyAll(context.Background())
	}
}

// deferWrite appends req's touches to the changelog only (see deferrable).
func (w *wtx) deferWrite(ctx context.Context, req store.WriteRequest) error {
	l := w.newLog()
	for _, u := range req.Updates {
		if err := l.add(ctx, store.ChangeTouch, u.Relationship); err != nil {
			return err
		}
	}
	if err := l.flush(ctx); err != nil {
		return err
	}
	w.deferred += len(req.Updates)
	return nil
}
