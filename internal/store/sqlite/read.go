package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

// scanner holds the Columns of one row while it is converted.
type scanner struct {
	rt, rid, rel, st, sid, sr string
	cn, cc                    sql.NullString
	exp                       sql.NullInt64
}

func (sc *scanner) targets() []any {
	return []any{&sc.rt, &sc.rid, &sc.rel, &sc.st, &sc.sid, &sc.sr, &sc.cn, &sc.cc, &sc.exp}
}

func (sc *scanner) relationship() (tuple.Relationship, error) {
	r := tuple.Relationship{
		Resource: tuple.ObjectRef{Type: sc.rt, ID: sc.rid},
		Relation: sc.rel,
		Subject:  tuple.SubjectRef{Type: sc.st, ID: sc.sid, Relation: sc.sr},
	}
	if sc.cn.Valid {
		var ctx []byte
		if sc.cc.Valid {
			ctx = []byte(sc.cc.String)
		}
		c, err := sqlstore.DecodeCaveat(&sc.cn.String, ctx)
		if err != nil {
			return r, err
		}
		r.Caveat = c
	}
	if sc.exp.Valid {
		t := fromMicros(sc.exp.Int64)
		r.Expiration = &t
	}
	return r, nil
}

// scanAll reads every row of rows (Columns) and closes it.
func scanAll(rows *sql.Rows) ([]tuple.Relationship, error) {
	defer rows.Close()
	var sc scanner
	t := sc.targets()
	return sqlstore.Collect(rows, func(r sqlstore.Rows) (tuple.Relationship, error) {
		if err := r.Scan(t...); err != nil {
			return tuple.Relationship{}, err
		}
		return sc.relationship()
	})
}

// ReadRelationships implements store.Reader. limit ≤ 0 means no limit.
func (s *Store) ReadRelationships(ctx context.Context, f store.Filter, after store.Cursor, limit int) ([]tuple.Relationship, store.Cursor, error) {
	if err := s.fresh(ctx); err != nil {
		return nil, "", err
	}
	return sqlstore.ReadPage(f, after, limit, func(from *sqlstore.Key, n int) ([]tuple.Relationship, error) {
		return readRelationships(ctx, s.r, f, from, n, micros(s.now()))
	})
}

// readRelationships runs sqlstore.ReadQuery on q: the relationships live
// at now (µs) matching f after the identity from (nil: from the first), in
// identity order, at most limit (≤ 0: all).
func readRelationships(ctx context.Context, q querier, f store.Filter, from *sqlstore.Key, limit int, now int64) ([]tuple.Relationship, error) {
	a := sqlstore.Args{}
	rows, err := q.QueryContext(ctx, sqlstore.ReadQuery(f, from, limit, now, &a), a.List...)
	if err != nil {
		return nil, convert(fmt.Errorf("reading %s: %w", f, err))
	}
	rels, err := scanAll(rows)
	if err != nil {
		return nil, convert(fmt.Errorf("reading %s: %w", f, err))
	}
	return rels, nil
}

// LoadAll implements store.Loader: one read transaction, so the rows and
// the revision are the same WAL snapshot.
//
// The revision is the table's, the watermark (tail.go): after fresh, at
// least every revision committed before the call; later ones come to the
// follower through Changes.
func (s *Store) LoadAll(ctx context.Context, fn func(tuple.Relationship) error) (store.Revision, error) {
	if err := s.fresh(ctx); err != nil {
		return 0, err
	}
	var rev store.Revision
	err := s.read(ctx, func(tx *sql.Tx) error {
		var head, applied int64
		if err := tx.QueryRowContext(ctx, appliedSQL).Scan(&head, &applied); err != nil {
			return fmt.Errorf("reading head revision: %w", err)
		}
		rev = store.Revision(applied)
		rows, err := tx.QueryContext(ctx, `SELECT `+sqlstore.Columns+` FROM relationships WHERE `+live, micros(s.now()))
		if err != nil {
			return fmt.Errorf("loading relationships: %w", err)
		}
		defer rows.Close()
		var sc scanner
		t := sc.targets()
		for rows.Next() {
			if err := rows.Scan(t...); err != nil {
				return fmt.Errorf("loading relationships: %w", err)
			}
			r, err := sc.relationship()
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("loading relationships: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return rev, nil
}

// UsedTypes implements store.Inspector.
func (s *Store) UsedTypes(ctx context.Context) ([]store.TypeUse, error) {
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, sqlstore.UsedTypesQuery(live), micros(s.now()))
	if err != nil {
		return nil, convert(fmt.Errorf("counting used types: %w", err))
	}
	defer rows.Close()
	out, err := sqlstore.Collect(rows, sqlstore.ScanTypeUse)
	if err != nil {
		return nil, convert(fmt.Errorf("counting used types: %w", err))
	}
	return out, nil
}

// HeadRevision implements store.Changelog.
func (s *Store) HeadRevision(ctx context.Context) (store.Revision, error) {
	var r int64
	if err := s.r.QueryRowContext(ctx, `SELECT revision FROM revision_counter WHERE singleton = 1`).Scan(&r); err != nil {
		return 0, convert(fmt.Errorf("reading head revision: %w", err))
	}
	return store.Revision(r), nil
}

// Changes implements store.Changelog.
func (s *Store) Changes(ctx context.Context, after store.Revision, limit int) ([]store.Change, store.Revision, error) {
	var out []store.Change
	var through store.Revision
	err := s.read(ctx, func(tx *sql.Tx) error {
		var head, trimmed int64
		if err := tx.QueryRowContext(ctx, `SELECT c.revision, h.trimmed_through FROM revision_counter c, changelog_horizon h`).Scan(&head, &trimmed); err != nil {
			return fmt.Errorf("reading changelog bounds: %w", err)
		}
		if err := sqlstore.CheckChangesAfter(after, trimmed, head); err != nil {
			return err
		}
		upper := head
		if limit > 0 {
			var err error
			if upper, err = limitRevision(ctx, tx, after, limit, head); err != nil {
				return fmt.Errorf("reading changes: %w", err)
			}
		}
		through = store.Revision(upper)
		rows, err := tx.QueryContext(ctx, `SELECT revision, op, `+sqlstore.Columns+`, committed_at, batch, changes FROM changelog
WHERE revision > ? AND revision <= ? ORDER BY revision, seq`, int64(after), upper)
		if err != nil {
			return fmt.Errorf("reading changes: %w", err)
		}
		defer rows.Close()
		var sc scanner
		var rev, at int64
		var op, n int
		var batch sql.RawBytes
		t := append([]any{&rev, &op}, append(sc.targets(), &at, &batch, &n)...)
		for rows.Next() {
			if err := rows.Scan(t...); err != nil {
				return fmt.Errorf("reading changes: %w", err)
			}
			c := store.Change{Revision: store.Revision(rev), Op: store.ChangeOp(op), Time: fromMicros(at)}
			var err error
			if out, err = sqlstore.AppendChangeRow(out, c, batch, n, sc.relationship); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return out, through, nil
}

// limitRevision returns the revision of the limit-th change after `after`
// (head when there are fewer), where a page of changes must end. It adds
// the rows' change counts, reading only as far as needed.
func limitRevision(ctx context.Context, tx *sql.Tx, after store.Revision, limit int, head int64) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT revision, changes FROM changelog WHERE revision > ? ORDER BY revision, seq`, int64(after))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var rev int64
		var n int
		if err := rows.Scan(&rev, &n); err != nil {
			return 0, err
		}
		if total += n; total >= limit {
			return rev, nil
		}
	}
	return head, rows.Err()
}

// Subscribe implements store.Changelog with an in-process broadcast: only
// this Store's writes wake subscribers.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Revision, error) {
	return s.hub.Subscribe(ctx)
}
