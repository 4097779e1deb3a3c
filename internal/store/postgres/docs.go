package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

var _ store.Documents = (*Store)(nil)

// querier is what document reads need: the pool outside a transaction,
// the write transaction inside Transact.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Transact implements store.Documents: fn runs in the write transaction of
// the next revision, after its first statement took the revision counter's
// row lock, so no writer of any process commits in between, and every
// statement of fn (READ COMMITTED) sees every earlier revision.
func (s *Store) Transact(ctx context.Context, fn func(tx store.DocTx) error) (store.Revision, error) {
	rev, err := s.write(ctx, func(ctx context.Context, w *wtx) error {
		if err := fn(&docTx{w: w, ctx: ctx}); err != nil {
			return sqlstore.FnError{Err: err}
		}
		return nil
	})
	if fe, ok := errors.AsType[sqlstore.FnError](err); ok {
		return 0, fe.Err
	}
	return rev, err
}

// GetDoc implements store.Documents.
func (s *Store) GetDoc(ctx context.Context, kind, id string) (store.Doc, error) {
	d, err := getDoc(ctx, s.pool, kind, id)
	return d, convert(err)
}

// DocByAlt implements store.Documents.
func (s *Store) DocByAlt(ctx context.Context, kind, alt string) (store.Doc, error) {
	d, err := docByAlt(ctx, s.pool, kind, alt)
	return d, convert(err)
}

// ListDocs implements store.Documents.
func (s *Store) ListDocs(ctx context.Context, kind, parent, after string, limit int) ([]store.Doc, error) {
	ds, err := listDocs(ctx, s.pool, kind, parent, after, limit)
	return ds, convert(err)
}

// Audit implements store.Documents.
func (s *Store) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	at := func(t time.Time) any { return t }
	if q.Action != "" {
		return sqlstore.AuditByAction(ctx, q, s.nextAuditAction, func(action string) ([]store.AuditEntry, error) {
			// Planned for this action (an unnamed statement, not the
			// cached prepared one): the generic plan of "action = $1"
			// expects a tenth of the log and walks it by seq, 19 ms for
			// a rare action at 1M entries.
			a := sqlstore.Args{Dollar: true}
			query := sqlstore.AuditActionQuery(q, action, auditAction, &a, at)
			return s.audit(ctx, query, append([]any{pgx.QueryExecModeExec}, a.List...))
		})
	}
	a := sqlstore.Args{Dollar: true}
	return s.audit(ctx, sqlstore.AuditQuery(q, &a, at), a.List)
}

// auditAction is the action column as audit_by_action holds it: in byte
// order whatever the database's collation, so that a family of actions
// ("community." and what follows) is one run of the index.
const auditAction = `(action COLLATE "C")`

// nextAuditAction is the smallest action of the log after `after` (or
// equal to it), found with a seek of audit_by_action.
func (s *Store) nextAuditAction(ctx context.Context, after string, inclusive bool) (string, bool, error) {
	op := ">"
	if inclusive {
		op = ">="
	}
	var a string
	err := s.pool.QueryRow(ctx, `SELECT action FROM audit WHERE `+auditAction+` `+op+` $1 ORDER BY `+auditAction+` LIMIT 1`, after).Scan(&a)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, convert(fmt.Errorf("reading the audit log: %w", err))
	}
	return a, true, nil
}

// audit reads the entries query selects.
func (s *Store) audit(ctx context.Context, query string, args []any) ([]store.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, convert(fmt.Errorf("reading the audit log: %w", err))
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, func(r sqlstore.Rows) (store.AuditEntry, error) {
		var e store.AuditEntry
		var rev int64
		if err := r.Scan(&e.Seq, &e.At, &rev, &e.Actor, &e.Action, &e.Resource, &e.Before, &e.After, &e.RequestID); err != nil {
			return e, err
		}
		e.At, e.Revision = e.At.UTC(), store.Revision(rev)
		return e, nil
	})
	if err != nil {
		return nil, convert(fmt.Errorf("reading the audit log: %w", err))
	}
	return out, nil
}

func scanDoc(row pgx.Row) (store.Doc, error) {
	var d store.Doc
	var alt, parent *string
	var rev int64
	if err := row.Scan(&d.Kind, &d.ID, &alt, &parent, &d.Data, &rev, &d.Updated); err != nil {
		return d, err
	}
	if alt != nil {
		d.Alt = *alt
	}
	if parent != nil {
		d.Parent = *parent
	}
	d.Revision, d.Updated = store.Revision(rev), d.Updated.UTC()
	return d, nil
}

func getDoc(ctx context.Context, q querier, kind, id string) (store.Doc, error) {
	d, err := scanDoc(q.QueryRow(ctx, `SELECT `+sqlstore.DocColumns+` FROM documents WHERE kind = $1 AND id = $2`, kind, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
	d, err := scanDoc(q.QueryRow(ctx, `SELECT `+sqlstore.DocColumns+` FROM documents WHERE kind = $1 AND alt = $2`, kind, alt))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("%s with alternate key %q: %w", kind, alt, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("reading %s with alternate key %q: %w", kind, alt, err)
	}
	return d, nil
}

func listDocs(ctx context.Context, q querier, kind, parent, after string, limit int) ([]store.Doc, error) {
	a := sqlstore.Args{Dollar: true}
	rows, err := q.Query(ctx, sqlstore.ListDocsQuery(kind, parent, after, limit, &a), a.List...)
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

// savepoint runs fn so that, when it fails, what it did is undone and the
// transaction is usable again (PostgreSQL aborts a transaction at its
// first error).
func (w *wtx) savepoint(ctx context.Context, fn func() error) error {
	if _, err := w.tx.Exec(ctx, `SAVEPOINT octroi_step`); err != nil {
		return fmt.Errorf("taking a savepoint: %w", err)
	}
	seq := w.seq
	if err := fn(); err != nil {
		w.seq = seq
		if _, rerr := w.tx.Exec(ctx, `ROLLBACK TO SAVEPOINT octroi_step`); rerr != nil {
			return errors.Join(err, fmt.Errorf("rolling back to the savepoint: %w", rerr))
		}
		return err
	}
	if _, err := w.tx.Exec(ctx, `RELEASE SAVEPOINT octroi_step`); err != nil {
		return fmt.Errorf("releasing the savepoint: %w", err)
	}
	return nil
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

// PutDoc lets the unique index find a taken alternate key, inside a
// savepoint so that the transaction survives the violation.
func (d *docTx) PutDoc(ctx context.Context, doc store.Doc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = d.ctx
	if err := sqlstore.CheckDoc(doc); err != nil {
		return err
	}
	err := d.w.savepoint(ctx, func() error {
		_, err := d.w.tx.Exec(ctx, `INSERT INTO documents (`+sqlstore.DocColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (kind, id) DO UPDATE SET
    alt = EXCLUDED.alt,
    parent = EXCLUDED.parent,
    data = EXCLUDED.data,
    revision = EXCLUDED.revision,
    updated = EXCLUDED.updated`,
			doc.Kind, doc.ID, sqlstore.NullIfEmpty(doc.Alt), sqlstore.NullIfEmpty(doc.Parent), string(doc.Data), int64(d.w.rev), d.w.now)
		return err
	})
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "23505" && pe.ConstraintName == "documents_by_alt" {
		var holder string
		if err := d.w.tx.QueryRow(ctx, `SELECT id FROM documents WHERE kind = $1 AND alt = $2`, doc.Kind, doc.Alt).Scan(&holder); err != nil {
			return convert(fmt.Errorf("writing %s %q: finding the holder of alternate key %q: %w", doc.Kind, doc.ID, doc.Alt, err))
		}
		return &store.AlreadyExistsError{Doc: &store.Doc{Kind: doc.Kind, ID: holder, Alt: doc.Alt}}
	}
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
	if _, err := d.w.tx.Exec(ctx, `DELETE FROM documents WHERE kind = $1 AND id = $2`, kind, id); err != nil {
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
	return readRelationships(ctx, d.w.tx, f, nil, limit, d.w.now)
}

// Write runs Write's code (apply) inside a savepoint, so that a failed
// Write leaves nothing behind even if fn handles the error and commits.
func (d *docTx) Write(ctx context.Context, req store.WriteRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = d.ctx
	p, err := prepareWrite(req)
	if err != nil {
		return err
	}
	return convert(d.w.savepoint(ctx, func() error { return d.w.apply(ctx, p) }))
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
	if _, err := d.w.tx.Exec(ctx, `INSERT INTO audit (at, revision, actor, action, resource, before, after, request_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		at, int64(rev), e.Actor, e.Action, e.Resource, sqlstore.NullJSON(e.Before), sqlstore.NullJSON(e.After), e.RequestID); err != nil {
		return convert(fmt.Errorf("appending to the audit log: %w", err))
	}
	return nil
}
