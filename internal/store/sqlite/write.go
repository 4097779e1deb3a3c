package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlutil"
	"github.com/octroi/octroi/internal/tuple"
)

// live is the condition "not expired at now" (µs).
const live = "(expires_at IS NULL OR expires_at > ?)"

// Write implements store.Writer.
func (s *Store) Write(ctx context.Context, req store.WriteRequest) (store.Revision, error) {
	req, err := sqlutil.CheckWrite(req)
	if err != nil {
		return 0, err
	}
	return s.write(ctx, func(ctx context.Context, w *wtx) error {
		return w.apply(ctx, req)
	})
}

// apply checks the preconditions of req (checked by sqlutil.CheckWrite)
// and applies its updates, logging them under w's revision: the body of
// Write, shared with DocTx.Write. On error the caller must roll back what
// it did (the transaction or a savepoint).
func (w *wtx) apply(ctx context.Context, req store.WriteRequest) error {
	for _, p := range req.Preconditions {
		if err := w.checkPrecondition(ctx, p); err != nil {
			return err
		}
	}
	for _, u := range req.Updates {
		var err error
		switch u.Op {
		case store.Create:
			err = w.upsert(ctx, u.Relationship, true)
		case store.Touch:
			err = w.upsert(ctx, u.Relationship, false)
		case store.Delete:
			err = w.deleteOne(ctx, u.Relationship)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *wtx) checkPrecondition(ctx context.Context, p store.Precondition) error {
	a := sqlutil.Args{}
	where := sqlutil.FilterWhere(p.Filter, &a)
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

// upsertSQL inserts a relationship or replaces its attributes. For Create,
// the update only happens over an expired row (an expired relationship
// does not exist for Create); a live row leaves zero rows affected.
const upsertSQL = `INSERT INTO relationships (` + sqlutil.Columns + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (` + sqlutil.IdentityColumns + `) DO UPDATE SET
    caveat_name = excluded.caveat_name,
    caveat_context = excluded.caveat_context,
    expires_at = excluded.expires_at`

func (w *wtx) upsert(ctx context.Context, r tuple.Relationship, create bool) error {
	args, err := relArgs(r)
	if err != nil {
		return err
	}
	q := upsertSQL
	if create {
		q += ` WHERE relationships.expires_at IS NOT NULL AND relationships.expires_at <= ?`
		args = append(args, micros(w.now))
	}
	res, err := w.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("writing %s: %w", store.FormatIdentity(r), err)
	}
	if create {
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("writing %s: %w", store.FormatIdentity(r), err)
		}
		if n == 0 {
			return &store.AlreadyExistsError{Relationship: r}
		}
	}
	return w.logChange(ctx, store.ChangeTouch, r)
}

func (w *wtx) deleteOne(ctx context.Context, r tuple.Relationship) error {
	k := sqlutil.KeyOf(r)
	rows, err := w.tx.QueryContext(ctx, `DELETE FROM relationships
WHERE resource_type = ? AND resource_id = ? AND relation = ? AND subject_type = ? AND subject_id = ? AND subject_relation = ?
RETURNING `+sqlutil.Columns, k[0], k[1], k[2], k[3], k[4], k[5])
	if err != nil {
		return fmt.Errorf("deleting %s: %w", store.FormatIdentity(r), err)
	}
	deleted, err := scanAll(rows)
	if err != nil {
		return fmt.Errorf("deleting %s: %w", store.FormatIdentity(r), err)
	}
	for _, d := range deleted {
		if err := w.logChange(ctx, store.ChangeDelete, d); err != nil {
			return err
		}
	}
	return nil
}

// DeleteByFilter implements store.Writer.
func (s *Store) DeleteByFilter(ctx context.Context, f store.Filter, limit int) (store.Revision, int, error) {
	if err := store.ValidateFilter(f); err != nil {
		return 0, 0, err
	}
	var n int
	rev, err := s.write(ctx, func(ctx context.Context, w *wtx) error {
		a := sqlutil.Args{}
		where := sqlutil.FilterWhere(f, &a)
		q := `DELETE FROM relationships WHERE ` + where + ` RETURNING ` + sqlutil.Columns
		if limit > 0 {
			q = `DELETE FROM relationships WHERE (` + sqlutil.IdentityColumns + `) IN (
    SELECT ` + sqlutil.IdentityColumns + ` FROM relationships WHERE ` + where + `
    ORDER BY ` + sqlutil.IdentityColumns + ` LIMIT ` + fmt.Sprint(limit) + `)
RETURNING ` + sqlutil.Columns
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
	name, cctx, err := sqlutil.EncodeCaveat(r.Caveat)
	if err != nil {
		return nil, err
	}
	var exp any
	if r.Expiration != nil {
		exp = micros(*r.Expiration)
	}
	return []any{r.Resource.Type, r.Resource.ID, r.Relation, r.Subject.Type, r.Subject.ID, r.Subject.Relation, name, cctx, exp}, nil
}

const changelogColumns = `revision, seq, op, ` + sqlutil.Columns + `, committed_at`

// logChange appends one changelog entry.
func (w *wtx) logChange(ctx context.Context, op store.ChangeOp, r tuple.Relationship) error {
	args, err := relArgs(r)
	if err != nil {
		return err
	}
	args = append([]any{int64(w.rev), w.seq, int(op)}, append(args, micros(w.now))...)
	w.seq++
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO changelog (`+changelogColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
		return fmt.Errorf("appending to the changelog: %w", err)
	}
	return nil
}

// logBatch appends the changes of b, all of op, as one changelog row (see
// migration 0003).
func (w *wtx) logBatch(ctx context.Context, op store.ChangeOp, b *sqlutil.ChangeBatch) error {
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO changelog (revision, seq, op, resource_type, resource_id, relation, subject_type, subject_id, subject_relation, committed_at, changes, batch)
VALUES (?, ?, ?, '', '', '', '', '', '', ?, ?, ?)`, int64(w.rev), w.seq, int(op), micros(w.now), b.Len(), b.Bytes()); err != nil {
		return fmt.Errorf("appending to the changelog: %w", err)
	}
	w.seq += int64(b.Len())
	return nil
}

// changelogChunk rows per multi-row changelog INSERT: 13 columns each stays
// far below SQLite's 32766 bound variables.
const changelogChunk = 500

// logChanges appends many entries with multi-row INSERTs.
func (w *wtx) logChanges(ctx context.Context, op store.ChangeOp, rs []tuple.Relationship) error {
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	for len(rs) > 0 {
		n := min(len(rs), changelogChunk)
		args := make([]any, 0, n*13)
		for _, r := range rs[:n] {
			ra, err := relArgs(r)
			if err != nil {
				return err
			}
			args = append(args, int64(w.rev), w.seq, int(op))
			args = append(args, ra...)
			args = append(args, micros(w.now))
			w.seq++
		}
		q := `INSERT INTO changelog (` + changelogColumns + `) VALUES ` + placeholders(n, 13)
		var err error
		if n == changelogChunk {
			if stmt == nil {
				if stmt, err = w.tx.PrepareContext(ctx, q); err != nil {
					return fmt.Errorf("appending to the changelog: %w", err)
				}
			}
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = w.tx.ExecContext(ctx, q, args...)
		}
		if err != nil {
			return fmt.Errorf("appending to the changelog: %w", err)
		}
		rs = rs[n:]
	}
	return nil
}

// placeholders returns "(?, …), (?, …)…": rows groups of cols.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}
