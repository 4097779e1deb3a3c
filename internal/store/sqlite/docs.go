package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

var _ store.Documents = (*Store)(nil)

// querier is what document reads need: the read pool outside a
// transaction, the write transaction inside Transact.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Transact implements store.Documents on the write connection: fn runs
// inside the BEGIN IMMEDIATE transaction of the next revision, so nothing
// else writes the file until it commits.
func (s *Store) Transact(ctx context.Context, fn func(tx store.DocTx) error) (store.Revision, error) {
	rev, err := s.writeFn(ctx, writeFn{savepoint: true, run: func(ctx context.Context, w *wtx) error {
		if err := fn(&docTx{w: w, ctx: ctx}); err != nil {
			return sqlstore.FnError{Err: err}
		}
		return nil
	}})
	if fe, ok := errors.AsType[sqlstore.FnError](err); ok {
		return 0, fe.Err
	}
	return rev, err
}

// GetDoc implements store.Documents.
func (s *Store) GetDoc(ctx context.Context, kind, id string) (store.Doc, error) {
	d, err := getDoc(ctx, s.r, kind, id)
	return d, convert(err)
}

// DocByAlt implements store.Documents.
func (s *Store) DocByAlt(ctx context.Context, kind, alt string) (store.Doc, error) {
	d, err := docByAlt(ctx, s.r, kind, alt)
	return d, convert(err)
}

// ListDocs implements store.Documents.
func (s *Store) ListDocs(ctx context.Context, kind, parent, after string, limit int) ([]store.Doc, error) {
	ds, err := listDocs(ctx, s.r, kind, parent, after, limit)
	return ds, convert(err)
}

// Audit implements store.Documents.
func (s *Store) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	at := func(t time.Time) any { return micros(t) }
	if q.Action != "" {
		return sqlstore.AuditByAction(ctx, q, s.nextAuditAction, func(action string) ([]store.AuditEntry, error) {
			a := sqlstore.Args{}
			return s.audit(ctx, sqlstore.AuditActionQuery(q, action, "action", &a, at), a.List)
		})
	}
	a := sqlstore.Args{}
	return s.audit(ctx, sqlstore.AuditQuery(q, &a, at), a.List)
}

// nextAuditAction is the smallest action of the log after `after` (or
// equal to it), found with a seek of audit_by_action.
func (s *Store) nextAuditAction(ctx context.Context, after string, inclusive bool) (string, bool, error) {
	op := ">"
	if inclusive {
		op = ">="
	}
	var a string
	err := s.r.QueryRowContext(ctx, `SELECT action FROM audit WHERE action `+op+` ? ORDER BY action LIMIT 1`, after).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, convert(fmt.Errorf("reading the audit log: %w", err))
	}
	return a, true, nil
}

// audit reads the entries query selects.
func (s *Store) audit(ctx context.Context, query string, args []any) ([]store.AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, convert(fmt.Errorf("reading the audit log: %w", err))
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, func(r sqlstore.Rows) (store.AuditEntry, error) {
		var e store.AuditEntry
		var at, rev int64
		var before, after sql.NullString
		if err := r.Scan(&e.Seq, &at, &rev, &e.Actor, &e.Action, &e.Resource, &before, &after, &e.RequestID); err != nil {
			return e, err
		}
		e.At, e.Revision = fromMicros(at), store.Revision(rev)
		if before.Valid {
			e.Before = []byte(before.String)
		}
		if after.Valid {
			e.After = []byte(after.String)
		}
		return e, nil
	})
	if err != nil {
		return nil, convert(fmt.Errorf("reading the audit log: %w", err))
	}
	return out, nil
}

func scanDoc(sc interface{ Scan(...any) error }) (store.Doc, error) {
	var d store.Doc
	var alt, parent sql.NullString
	var data string
	var rev, updated int64
	if err := sc.Scan(&d.Kind, &d.ID, &alt, &parent, &data, &rev, &updated); err != nil {
		return d, err
	}
	d.Alt, d.Parent, d.Data = alt.String, parent.String, []byte(data)
	d.Revision, d.Updated = store.Revision(rev), fromMicros(updated)
	return d, nil
}

func getDoc(ctx context.Context, q querier, kind, id string) (store.Doc, error) {
	d, err := scanDoc(q.QueryRowContext(ctx, `SELECT `+sqlstore.DocColumns+` FROM documents WHERE kind = ? AND id = ?`, kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("%s %q: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("reading %s %q: %w", kind, id, err)
	}
	return d, nil
}

func docByAlt(ctx context.Context, q querier, kind, alt string) (store.Doc, error) {
	if alt == "" {
		return store.Doc{}, fmt.Errorf("%s with an empty alternate key: %w", kind, store.ErrNotFound)
	}
	d, err := scanDoc(q.QueryRowContext(ctx, `SELECT `+sqlstore.DocColumns+` FROM documents WHERE kind = ? AND alt = ?`, kind, alt))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("%s with alternate key %q: %w", kind, alt, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("reading %s with alternate key %q: %w", kind, alt, err)
	}
	return d, nil
}

func listDocs(ctx context.Context, q querier, kind, parent, after string, limit int) ([]store.Doc, error) {
	a := sqlstore.Args{}
	rows, err := q.QueryContext(ctx, sqlstore.ListDocsQuery(kind, parent, after, limit, &a), a.List...)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", kind, err)
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, func(r sqlstore.Rows) (store.Doc, error) { return scanDoc(r) })
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", kind, err)
	}
	return out, nil
}

// docTx is store.DocTx on a write transaction in progress.
type docTx struct {
	// ctx is the group's, without the callers' cancellation: a statement
	// cancelled mid-transaction would roll back (SQLite) or close
	// (PostgreSQL) the transaction of every write of the group. A call's
	// own context is checked before each statement instead.
	ctx context.Context
	w   *wtx
}

func (d *docTx) Revision() store.Revision { return d.w.rev }

func (d *docTx) GetDoc(ctx context.Context, kind, id string) (store.Doc, error) {
	if err := ctx.Err(); err != nil {
		return store.Doc{}, err
	}
	ctx = d.ctx
	doc, err := getDoc(ctx, d.w.tx, kind, id)
	return doc, convert(err)
}

func (d *docTx) DocByAlt(ctx context.Context, kind, alt string) (store.Doc, error) {
	if err := ctx.Err(); err != nil {
		return store.Doc{}, err
	}
	ctx = d.ctx
	doc, err := docByAlt(ctx, d.w.tx, kind, alt)
	return doc, convert(err)
}

func (d *docTx) ListDocs(ctx context.Context, kind, parent, after string, limit int) ([]store.Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = d.ctx
	ds, err := listDocs(ctx, d.w.tx, kind, parent, after, limit)
	return ds, convert(err)
}

func (d *docTx) PutDoc(ctx context.Context, doc store.Doc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = d.ctx
	if err := sqlstore.CheckDoc(doc); err != nil {
		return err
	}
	// Writers are serialised: what this check finds holds at commit (the
	// unique index stays as the last line of defence).
	if doc.Alt != "" {
		var holder string
		err := d.w.tx.QueryRowContext(ctx, `SELECT id FROM documents WHERE kind = ? AND alt = ? AND id <> ?`, doc.Kind, doc.Alt, doc.ID).Scan(&holder)
		if err == nil {
			return &store.AlreadyExistsError{Doc: &store.Doc{Kind: doc.Kind, ID: holder, Alt: doc.Alt}}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return convert(fmt.Errorf("writing %s %q: %w", doc.Kind, doc.ID, err))
		}
	}
	_, err := d.w.tx.ExecContext(ctx, `INSERT INTO documents (`+sqlstore.DocColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (kind, id) DO UPDATE SET
    alt = excluded.alt,
    parent = excluded.parent,
    data = excluded.data,
    revision = excluded.revision,
    updated = excluded.updated`,
		doc.Kind, doc.ID, sqlstore.NullIfEmpty(doc.Alt), sqlstore.NullIfEmpty(doc.Parent), string(doc.Data), int64(d.w.rev), micros(d.w.now))
	if err != nil {
		return convert(fmt.Errorf("writing %s %q: %w", doc.Kind, doc.ID, err))
	}
	return nil
}

func (d *docTx) DeleteDoc(ctx context.Context, kind, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = d.ctx
	if err := sqlstore.CheckDocKey(kind, id); err != nil {
		return err
	}
	if _, err := d.w.tx.ExecContext(ctx, `DELETE FROM documents WHERE kind = ? AND id = ?`, kind, id); err != nil {
		return convert(fmt.Errorf("deleting %s %q: %w", kind, id, err))
	}
	return nil
}

func (d *docTx) ReadRelationships(ctx context.Context, f store.Filter, limit int) ([]tuple.Relationship, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = d.ctx
	if err := store.ValidateFilter(f); err != nil {
		return nil, err
	}
	if err := d.w.catchUp(ctx); err != nil {
		return nil, convert(err)
	}
	return readRelationships(ctx, d.w.tx, f, nil, limit, micros(d.w.now))
}

// Write runs Write's code (apply) inside a savepoint, so that a failed
// Write leaves nothing behind even if fn handles the error and commits.
func (d *docTx) Write(ctx context.Context, req store.WriteRequest) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = d.ctx
	req, err = sqlstore.CheckWrite(req)
	if err != nil {
		return err
	}
	if _, err := d.w.tx.ExecContext(ctx, `SAVEPOINT octroi_write`); err != nil {
		return convert(fmt.Errorf("writing: %w", err))
	}
	seq, caughtUp, deferred := d.w.seq, d.w.caughtUp, d.w.deferred
	if err := d.w.apply(ctx, req); err != nil {
		if clean, ok := errors.AsType[sqlstore.Refusal](err); ok {
			err = clean.Err
		}
		// The rollback undoes a catch-up too (tail.go).
		d.w.seq, d.w.caughtUp, d.w.deferred = seq, caughtUp, deferred
		if _, rerr := d.w.tx.ExecContext(ctx, `ROLLBACK TO octroi_write; RELEASE octroi_write`); rerr != nil {
			return convert(errors.Join(err, fmt.Errorf("rolling back the write: %w", rerr)))
		}
		return convert(err)
	}
	if _, err := d.w.tx.ExecContext(ctx, `RELEASE octroi_write`); err != nil {
		return convert(fmt.Errorf("writing: %w", err))
	}
	return nil
}

func (d *docTx) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = d.ctx
	if err := sqlstore.CheckAudit(e); err != nil {
		return err
	}
	at := d.w.now
	if !e.At.IsZero() {
		at = sqlstore.NormalizeTime(e.At)
	}
	rev := d.w.rev
	if e.Revision != 0 {
		rev = e.Revision
	}
	if _, err := d.w.tx.ExecContext(ctx, `INSERT INTO audit (at, revision, actor, action, resource, before, after, request_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		micros(at), int64(rev), e.Actor, e.Action, e.Resource, sqlstore.NullJSON(e.Before), sqlstore.NullJSON(e.After), e.RequestID); err != nil {
		return convert(fmt.Errorf("appending to the audit log: %w", err))
	}
	return nil
}
