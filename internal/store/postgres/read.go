package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

// scanner holds the Columns of one row while it is converted.
type scanner struct {
	rt, rid, rel, st, sid, sr string
	cn                        *string
	cc                        []byte
	exp                       *time.Time
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
	if sc.cn != nil {
		c, err := sqlstore.DecodeCaveat(sc.cn, sc.cc)
		if err != nil {
			return r, err
		}
		r.Caveat = c
	}
	if sc.exp != nil {
		t := sc.exp.UTC()
		r.Expiration = &t
	}
	return r, nil
}

// each scans rows (Columns), calling fn for each relationship.
func each(rows pgx.Rows, fn func(tuple.Relationship) error) error {
	defer rows.Close()
	var sc scanner
	t := sc.targets()
	for rows.Next() {
		// pgx leaves a destination untouched for NULL only for some
		// types: reset the nullable ones.
		sc.cn, sc.cc, sc.exp = nil, nil, nil
		if err := rows.Scan(t...); err != nil {
			return err
		}
		r, err := sc.relationship()
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanAll reads every row of rows (Columns) and closes it.
func scanAll(rows pgx.Rows) ([]tuple.Relationship, error) {
	var rels []tuple.Relationship
	err := each(rows, func(r tuple.Relationship) error {
		rels = append(rels, r)
		return nil
	})
	return rels, err
}

// ReadRelationships implements store.Reader. limit ≤ 0 means no limit.
func (s *Store) ReadRelationships(ctx context.Context, f store.Filter, after store.Cursor, limit int) ([]tuple.Relationship, store.Cursor, error) {
	return sqlstore.ReadPage(f, after, limit, func(from *sqlstore.Key, n int) ([]tuple.Relationship, error) {
		return readRelationships(ctx, s.pool, f, from, n, sqlstore.NormalizeTime(s.now()))
	})
}

// readRelationships runs sqlstore.ReadQuery on q: the relationships live
// at now matching f after the identity from (nil: from the first), in
// identity order, at most limit (≤ 0: all).
func readRelationships(ctx context.Context, q querier, f store.Filter, from *sqlstore.Key, limit int, now time.Time) ([]tuple.Relationship, error) {
	a := sqlstore.Args{Dollar: true}
	rows, err := q.Query(ctx, sqlstore.ReadQuery(f, from, limit, now, &a), a.List...)
	if err != nil {
		return nil, convert(fmt.Errorf("reading %s: %w", f, err))
	}
	rels, err := scanAll(rows)
	if err != nil {
		return nil, convert(fmt.Errorf("reading %s: %w", f, err))
	}
	return rels, nil
}

// LoadAll implements store.Loader.
func (s *Store) LoadAll(ctx context.Context, fn func(tuple.Relationship) error) (store.Revision, error) {
	var rev int64
	err := s.read(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT revision FROM revision_counter WHERE singleton`).Scan(&rev); err != nil {
			return fmt.Errorf("reading head revision: %w", err)
		}
		a := sqlstore.Args{Dollar: true}
		rows, err := tx.Query(ctx, `SELECT `+sqlstore.Columns+` FROM relationships WHERE `+sqlstore.Live(&a, sqlstore.NormalizeTime(s.now())), a.List...)
		if err != nil {
			return fmt.Errorf("loading relationships: %w", err)
		}
		var fnErr error
		err = each(rows, func(r tuple.Relationship) error {
			fnErr = fn(r)
			return fnErr
		})
		if fnErr != nil {
			return fnErr
		}
		if err != nil {
			return fmt.Errorf("loading relationships: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return store.Revision(rev), nil
}

// UsedTypes implements store.Inspector.
func (s *Store) UsedTypes(ctx context.Context) ([]store.TypeUse, error) {
	a := sqlstore.Args{Dollar: true}
	rows, err := s.pool.Query(ctx, sqlstore.UsedTypesQuery(sqlstore.Live(&a, sqlstore.NormalizeTime(s.now()))), a.List...)
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
	if err := s.pool.QueryRow(ctx, `SELECT revision FROM revision_counter WHERE singleton`).Scan(&r); err != nil {
		return 0, convert(fmt.Errorf("reading head revision: %w", err))
	}
	return store.Revision(r), nil
}

// Changes implements store.Changelog.
func (s *Store) Changes(ctx context.Context, after store.Revision, limit int) ([]store.Change, store.Revision, error) {
	var out []store.Change
	var through store.Revision
	err := s.read(ctx, func(tx pgx.Tx) error {
		var head, trimmed int64
		if err := tx.QueryRow(ctx, `SELECT c.revision, h.trimmed_through FROM revision_counter c, changelog_horizon h`).Scan(&head, &trimmed); err != nil {
			return fmt.Errorf("reading changelog bounds: %w", err)
		}
		if err := sqlstore.CheckChangesAfter(after, trimmed, head); err != nil {
			return err
		}
		upper := head
		if limit > 0 {
			// The revision of the limit-th change (rows may hold
			// several): pages end on a whole revision. The running
			// sum stops at the first row that reaches limit.
			err := tx.QueryRow(ctx, `SELECT revision FROM (
    SELECT revision, seq, sum(changes) OVER (ORDER BY revision, seq ROWS UNBOUNDED PRECEDING) AS upto
    FROM changelog WHERE revision > $1
) c WHERE upto >= $2 ORDER BY revision, seq LIMIT 1`, int64(after), limit).Scan(&upper)
			if errors.Is(err, pgx.ErrNoRows) {
				upper = head
			} else if err != nil {
				return fmt.Errorf("reading changes: %w", err)
			}
		}
		through = store.Revision(upper)
		rows, err := tx.Query(ctx, `SELECT revision, op, `+sqlstore.Columns+`, committed_at, changes, batch FROM changelog
WHERE revision > $1 AND revision <= $2 ORDER BY revision, seq`, int64(after), upper)
		if err != nil {
			return fmt.Errorf("reading changes: %w", err)
		}
		defer rows.Close()
		var sc scanner
		var rev int64
		var op int16
		var at time.Time
		var n int32
		var batch []byte
		t := append([]any{&rev, &op}, append(sc.targets(), &at, &n, &batch)...)
		for rows.Next() {
			sc.cn, sc.cc, sc.exp, batch = nil, nil, nil, nil
			if err := rows.Scan(t...); err != nil {
				return fmt.Errorf("reading changes: %w", err)
			}
			c := store.Change{Revision: store.Revision(rev), Op: store.ChangeOp(op), Time: at.UTC()}
			var err error
			if out, err = sqlstore.AppendChangeRow(out, c, batch, int(n), sc.relationship); err != nil {
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
