package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

// live is sqlstore.Live as constant text, for the statements prepared once
// per Store (liveSQL, …): its one argument is now (µs).
const live = "(expires_at IS NULL OR expires_at > ?)"

// Write implements store.Writer.
func (s *Store) Write(ctx context.Context, req store.WriteRequest) (store.Revision, error) {
	req, err := sqlstore.CheckWrite(req)
	if err != nil {
		return 0, err
	}
	return s.write(ctx, func(ctx context.Context, w *wtx) error {
		return w.apply(ctx, req)
	})
}

// apply checks the preconditions of req (checked by sqlstore.CheckWrite)
// and applies its updates, logging them under w's revision: the body of
// Write, shared with DocTx.Write.
//
// Everything that may refuse the write — preconditions, creates of
// relationships that exist — is checked first, by reads, and refused
// with a sqlstore.Refusal: a refused write has written nothing, so a group
// commit goes on without it and no savepoint is needed (see writeFn).
// Other errors come from the database and abort the transaction.
//
// The identities of req are distinct, so the order in which its updates
// are applied does not matter: deletes run one by one (each returns the
// row it deleted, for the changelog), touches and creates together, in
// identity order. The changelog keeps the request's order, in
// ChangeBatch rows of up to sqlstore.ChangeBatchSize changes: a
// 1,000-touch write appends one changelog row, not 1,000.
func (w *wtx) apply(ctx context.Context, req store.WriteRequest) error {
	if !w.caughtUp && deferrable(req) {
		return w.deferWrite(ctx, req) // changelog-first: see tail.go
	}
	if err := w.catchUp(ctx); err != nil {
		return err
	}
	for _, p := range req.Preconditions {
		if err := w.checkPrecondition(ctx, p); err != nil {
			return sqlstore.Refusal{Err: err}
		}
	}
	var upserts []tuple.Relationship
	for _, u := range req.Updates {
		if u.Op == store.Create {
			if err := w.checkAbsent(ctx, u.Relationship); err != nil {
				return sqlstore.Refusal{Err: err}
			}
		}
		if u.Op != store.Delete {
			upserts = append(upserts, u.Relationship)
		}
	}
	stored := make(map[int]tuple.Relationship) // deleted rows, by update index
	for i, u := range req.Updates {
		if u.Op != store.Delete {
			continue
		}
		d, ok, err := w.deleteOne(ctx, u.Relationship)
		if err != nil {
			return err
		}
		if ok {
			stored[i] = d
		}
	}
	if len(upserts) > 0 {
		slices.SortFunc(upserts, sqlstore.CompareIdentity)
		if err := w.upsertRows(ctx, upserts); err != nil {
			return err
		}
	}
	l := w.newLog()
	for i, u := range req.Updates {
		op, r := store.ChangeTouch, u.Relationship
		if u.Op == store.Delete {
			d, ok := stored[i]
			if !ok {
				continue // deleting a missing relationship records nothing
			}
			op, r = store.ChangeDelete, d
		}
		if err := l.add(ctx, op, r); err != nil {
			return err
		}
	}
	return l.flush(ctx)
}

func (w *wtx) checkPrecondition(ctx context.Context, p store.Precondition) error {
	a := sqlstore.Args{}
	where := sqlstore.FilterWhere(p.Filter, &a)
	a.List = append(a.List, micros(w.now))
	var one int
	err := w.tx.QueryRowContext(ctx, `SELECT 1 FROM relationships WHERE `+where+` AND `+live+` LIMIT 1`, a.List...).Scan(&one)
	found := err == nil
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("checking precondition %s: %w", p.Filter, err)
	}
	if found != (p.Op == store.MustMatch) {
		return &store.PreconditionFailedError{Precondition: p}
	}
	return nil
}

const liveSQL = `SELECT 1 FROM relationships
WHERE resource_type = ? AND resource_id = ? AND relation = ? AND subject_type = ? AND subject_id = ? AND subject_relation = ?
  AND ` + live

// checkAbsent refuses, for Create, a live relationship with r's identity
// (an expired one does not exist: the upsert replaces it).
func (w *wtx) checkAbsent(ctx context.Context, r tuple.Relationship) error {
	k := sqlstore.KeyOf(r)
	var one int
	err := w.stmts.queryRow(ctx, liveSQL, k[0], k[1], k[2], k[3], k[4], k[5], micros(w.now)).Scan(&one)
	switch {
	case err == nil:
		return &store.AlreadyExistsError{Relationship: r}
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return fmt.Errorf("writing %s: %w", store.FormatIdentity(r), err)
}

const deleteSQL = `DELETE FROM relationships
WHERE resource_type = ? AND resource_id = ? AND relation = ? AND subject_type = ? AND subject_id = ? AND subject_relation = ?
RETURNING ` + sqlstore.Columns

// deleteOne deletes r and returns the row as it was stored; ok is false
// when there was none.
func (w *wtx) deleteOne(ctx context.Context, r tuple.Relationship) (stored tuple.Relationship, ok bool, err error) {
	k := sqlstore.KeyOf(r)
	rows, err := w.stmts.query(ctx, deleteSQL, k[0], k[1], k[2], k[3], k[4], k[5])
	if err != nil {
		return stored, false, fmt.Errorf("deleting %s: %w", store.FormatIdentity(r), err)
	}
	deleted, err := scanAll(rows)
	if err != nil || len(deleted) == 0 {
		if err != nil {
			err = fmt.Errorf("deleting %s: %w", store.FormatIdentity(r), err)
		}
		return stored, false, err
	}
	return deleted[0], true, nil
}

// DeleteByFilter implements store.Writer.
func (s *Store) DeleteByFilter(ctx context.Context, f store.Filter, limit int) (store.Revision, int, error) {
	if err := store.ValidateFilter(f); err != nil {
		return 0, 0, err
	}
	var n int
	rev, err := s.write(ctx, func(ctx context.Context, w *wtx) error {
		if err := w.catchUp(ctx); err != nil {
			return err
		}
		a := sqlstore.Args{}
		where := sqlstore.FilterWhere(f, &a)
		q := `DELETE FROM relationships WHERE ` + where + ` RETURNING ` + sqlstore.Columns
		if limit > 0 {
			q = `DELETE FROM relationships WHERE (` + sqlstore.IdentityColumns + `) IN (
    SELECT ` + sqlstore.IdentityColumns + ` FROM relationships WHERE ` + where + `
    ORDER BY ` + sqlstore.IdentityColumns + ` LIMIT ` + fmt.Sprint(limit) + `)
RETURNING ` + sqlstore.Columns
		}
		rows, err := w.tx.QueryContext(ctx, q, a.List...)
		if err != nil {
			return fmt.Errorf("deleting %s: %w", f, err)
		}
		deleted, err := scanAll(rows)
		if err != nil {
			return fmt.Errorf("deleting %s: %w", f, err)
		}
		n = len(deleted)
		return w.logChanges(ctx, store.ChangeDelete, deleted)
	})
	if err != nil {
		return 0, 0, err
	}
	return rev, n, nil
}

// relArgs returns the Columns values of r.
func relArgs(r tuple.Relationship) ([]any, error) {
	return sqlstore.RowValues(r, func(t time.Time) any { return micros(t) })
}

const changelogColumns = `revision, seq, op, ` + sqlstore.Columns + `, committed_at`

const (
	changelogRowSQL   = `INSERT INTO changelog (` + changelogColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	changelogBatchSQL = `INSERT INTO changelog (revision, seq, op, resource_type, resource_id, relation, subject_type, subject_id, subject_relation, committed_at, changes, batch)
VALUES (?, ?, ?, '', '', '', '', '', '', ?, ?, ?)`
)

// logChange appends one changelog entry in its columns (a schema change).
func (w *wtx) logChange(ctx context.Context, op store.ChangeOp, r tuple.Relationship) error {
	args, err := relArgs(r)
	if err != nil {
		return err
	}
	args = append([]any{int64(w.rev), w.seq, int(op)}, append(args, micros(w.now))...)
	w.seq++
	if _, err := w.stmts.exec(ctx, changelogRowSQL, args...); err != nil {
		return fmt.Errorf("appending to the changelog: %w", err)
	}
	return nil
}

// changeLog appends a revision's relationship changes as changelog batch
// rows (see migration 0003): one row per run of up to
// sqlstore.ChangeBatchSize changes of one op.
type changeLog struct {
	w  *wtx
	op store.ChangeOp
	b  sqlstore.ChangeBatch
}

func (w *wtx) newLog() *changeLog { return &changeLog{w: w} }

// add appends r (normalised) as a change of op.
func (l *changeLog) add(ctx context.Context, op store.ChangeOp, r tuple.Relationship) error {
	if l.b.Len() > 0 && (op != l.op || l.b.Len() == sqlstore.ChangeBatchSize) {
		if err := l.flush(ctx); err != nil {
			return err
		}
	}
	var cctx any
	if r.Caveat != nil {
		var err error
		if _, cctx, err = sqlstore.EncodeCaveat(r.Caveat); err != nil {
			return err
		}
	}
	l.op = op
	l.b.Add(r, cctx)
	return nil
}

// flush writes what was added since the last flush.
func (l *changeLog) flush(ctx context.Context) error {
	if l.b.Len() == 0 {
		return nil
	}
	w := l.w
	if _, err := w.stmts.exec(ctx, changelogBatchSQL, int64(w.rev), w.seq, int(l.op), micros(w.now), l.b.Len(), l.b.Bytes()); err != nil {
		return fmt.Errorf("appending to the changelog: %w", err)
	}
	w.seq += int64(l.b.Len())
	l.b.Reset()
	return nil
}

// logChanges appends rs, all of op.
func (w *wtx) logChanges(ctx context.Context, op store.ChangeOp, rs []tuple.Relationship) error {
	l := w.newLog()
	for _, r := range rs {
		if err := l.add(ctx, op, r); err != nil {
			return err
		}
	}
	return l.flush(ctx)
}

// upsertSQL touches one relationship.
const upsertSQL = `INSERT INTO relationships (` + sqlstore.Columns + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (` + sqlstore.IdentityColumns + `) DO UPDATE SET
    caveat_name = excluded.caveat_name,
    caveat_context = excluded.caveat_context,
    expires_at = excluded.expires_at`

// upsertRows touches rs, in identity order: the primary key's inserts
// then walk its B-tree once instead of landing all over it.
func (w *wtx) upsertRows(ctx context.Context, rs []tuple.Relationship) error {
	return w.stmts.upsertRows(ctx, rs)
}

// upsertRows touches rs (in identity order; the last of duplicates
// wins), insertChunk rows per statement: most touches create
// relationships, and one statement per row cost more in statement
// overhead (database/sql, binding, VDBE start) than in B-tree work. A
// chunk whose rows do not all get inserted (some existed) is touched
// again row by row, with one prepared single-row upsert each.
//
// Not multi-row upserts: a statement that changes several rows and may
// abort half-way keeps a statement journal, a copy of every page it
// changes (16 KiB each) so that it can undo itself, which on
// portal-shaped data (subjects spread over the whole subject index) cost
// more than the per-statement overhead that multi-row upserts save. An
// INSERT OR IGNORE cannot abort on a conflict, so it keeps none.
func (c *stmtCache) upsertRows(ctx context.Context, rs []tuple.Relationship) error {
	for len(rs) > 0 {
		n := min(len(rs), insertChunk)
		chunk := rs[:n]
		rs = rs[n:]
		if n == insertChunk {
			inserted, err := c.insertNew(ctx, chunk)
			if err != nil {
				return fmt.Errorf("writing %d relationships from %s: %w", n, store.FormatIdentity(chunk[0]), err)
			}
			if inserted == n {
				continue
			}
		}
		for _, r := range chunk {
			args, err := relArgs(r)
			if err != nil {
				return err
			}
			if _, err := c.exec(ctx, upsertSQL, args...); err != nil {
				return fmt.Errorf("writing %s: %w", store.FormatIdentity(r), err)
			}
		}
	}
	return nil
}
