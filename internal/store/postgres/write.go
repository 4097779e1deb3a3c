package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

const changelogColumns = `revision, seq, op, ` + sqlstore.Columns + `, committed_at`

// Each relationship update is one statement that also appends its
// changelog entry (a data-modifying CTE), so that a whole Write is one
// pipelined round trip. Arguments: $1–$9 the Columns, $10 revision, $11 seq,
// $12 commit time.
const upsertSQL = `WITH u AS (
    INSERT INTO relationships (` + sqlstore.Columns + `)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (` + sqlstore.IdentityColumns + `) DO UPDATE SET
        caveat_name = EXCLUDED.caveat_name,
        caveat_context = EXCLUDED.caveat_context,
        expires_at = EXCLUDED.expires_at
    %s
    RETURNING 1
)
INSERT INTO changelog (` + changelogColumns + `)
SELECT $10::bigint, $11::integer, 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $12::timestamptz FROM u`

// touchSQL replaces whatever is there; createSQL only replaces an expired
// row (an expired relationship does not exist for Create), so a live one
// leaves zero rows affected.
var (
	touchSQL  = fmt.Sprintf(upsertSQL, "")
	createSQL = fmt.Sprintf(upsertSQL, "WHERE relationships.expires_at IS NOT NULL AND relationships.expires_at <= $12::timestamptz")
)

// deleteSQL: $1–$6 identity, $7 revision, $8 seq, $9 commit time.
const deleteSQL = `WITH d AS (
    DELETE FROM relationships
    WHERE resource_type = $1 AND resource_id = $2 AND relation = $3
      AND subject_type = $4 AND subject_id = $5 AND subject_relation = $6
    RETURNING ` + sqlstore.Columns + `
)
INSERT INTO changelog (` + changelogColumns + `)
SELECT $7::bigint, $8::integer, 2, ` + sqlstore.Columns + `, $9::timestamptz FROM d`

// Write implements store.Writer: preconditions and updates go in one
// pipelined batch; statements run in order, so the preconditions see the
// state before the updates.
func (s *Store) Write(ctx context.Context, req store.WriteRequest) (store.Revision, error) {
	p, err := prepareWrite(req)
	if err != nil {
		return 0, err
	}
	return s.write(ctx, func(ctx context.Context, w *wtx) error {
		return w.apply(ctx, p)
	})
}

// preparedWrite is a checked, normalised WriteRequest with the column
// values of its updates, ready before the writers' lock is taken.
type preparedWrite struct {
	req  store.WriteRequest
	args [][]any
}

func prepareWrite(req store.WriteRequest) (preparedWrite, error) {
	req, err := sqlstore.CheckWrite(req)
	if err != nil {
		return preparedWrite{}, err
	}
	args := make([][]any, len(req.Updates))
	for i, u := range req.Updates {
		if args[i], err = relArgs(u.Relationship); err != nil {
			return preparedWrite{}, err
		}
	}
	return preparedWrite{req: req, args: args}, nil
}

// apply checks p's preconditions and applies its updates, logging them
// under w's revision: the body of Write, shared with DocTx.Write. The
// whole batch reaches the server before a result is read, so on error the
// caller must roll back (the transaction or a savepoint): later updates
// may have run.
func (w *wtx) apply(ctx context.Context, p preparedWrite) (err error) {
	req := p.req
	if len(req.Updates) >= copyMin && allTouches(req.Updates) {
		return w.applyTouches(ctx, p)
	}
	b := &pgx.Batch{}
	w.queuePreconditions(b, req.Preconditions)
	for i, u := range req.Updates {
		seq := w.seq
		w.seq++
		// Full slice expressions: appending must not write into p.args,
		// which a retried transaction uses again.
		switch u.Op {
		case store.Touch:
			b.Queue(touchSQL, append(p.args[i][:9:9], int64(w.rev), seq, w.now)...)
		case store.Create:
			b.Queue(createSQL, append(p.args[i][:9:9], int64(w.rev), seq, w.now)...)
		case store.Delete:
			b.Queue(deleteSQL, append(p.args[i][:6:6], int64(w.rev), seq, w.now)...)
		}
	}
	br := w.tx.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing: %w", cerr)
		}
	}()
	if err := checkPreconditions(br, req.Preconditions); err != nil {
		return err
	}
	for _, u := range req.Updates {
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("writing %s: %w", store.FormatIdentity(u.Relationship), err)
		}
		if u.Op == store.Create && tag.RowsAffected() == 0 {
			return &store.AlreadyExistsError{Relationship: u.Relationship}
		}
	}
	return nil
}

// copyMin is the size from which a write of touches only goes through
// COPY and one set-based upsert, as an import batch does, rather than one
// statement per update: per relationship, COPY's binary rows cost the
// server a fraction of an INSERT … ON CONFLICT statement's execution, and
// the changelog takes one row per sqlstore.ChangeBatchSize changes.
const copyMin = 64

func allTouches(us []store.Update) bool {
	for _, u := range us {
		if u.Op != store.Touch {
			return false
		}
	}
	return true
}

// applyTouches is apply for a large write of touches: the preconditions
// in one round trip, then the import's staging path (importBatch), the
// changelog in the request's order.
func (w *wtx) applyTouches(ctx context.Context, p preparedWrite) error {
	if len(p.req.Preconditions) > 0 {
		b := &pgx.Batch{}
		w.queuePreconditions(b, p.req.Preconditions)
		br := w.tx.SendBatch(ctx, b)
		err := checkPreconditions(br, p.req.Preconditions)
		if cerr := br.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("checking preconditions: %w", cerr)
		}
		if err != nil {
			return err
		}
	}
	rows := make([][]any, len(p.args))
	rs := make([]tuple.Relationship, len(p.args))
	for i, a := range p.args {
		rows[i] = append([]any{int32(i)}, a...)
		rs[i] = p.req.Updates[i].Relationship
	}
	return w.importBatch(ctx, rows, rs)
}

// queuePreconditions queues the checks of ps, in order.
func (w *wtx) queuePreconditions(b *pgx.Batch, ps []store.Precondition) {
	for _, p := range ps {
		a := sqlstore.Args{Dollar: true}
		where := sqlstore.FilterWhere(p.Filter, &a)
		b.Queue(`SELECT EXISTS (SELECT 1 FROM relationships WHERE `+where+` AND `+sqlstore.Live(&a, w.now)+`)`, a.List...)
	}
}

// checkPreconditions reads the answers of the checks queuePreconditions
// queued first in br.
func checkPreconditions(br pgx.BatchResults, ps []store.Precondition) error {
	for _, p := range ps {
		var found bool
		if err := br.QueryRow().Scan(&found); err != nil {
			return fmt.Errorf("checking precondition %s: %w", p.Filter, err)
		}
		if found != (p.Op == store.MustMatch) {
			return &store.PreconditionFailedError{Precondition: p}
		}
	}
	return nil
}

// relArgs returns the Columns values of r.
func relArgs(r tuple.Relationship) ([]any, error) {
	return sqlstore.RowValues(r, func(t time.Time) any { return t })
}

// deleteWhere deletes the rows matching where (up to limit, in identity
// order, when limit > 0) and logs them, in identity order; a.List holds
// where's arguments. It returns how many it deleted.
func (w *wtx) deleteWhere(ctx context.Context, where string, a *sqlstore.Args, limit int) (int, error) {
	if limit > 0 {
		where = `(` + sqlstore.IdentityColumns + `) IN (SELECT ` + sqlstore.IdentityColumns + ` FROM relationships WHERE ` + where +
			` ORDER BY ` + sqlstore.IdentityColumns + ` LIMIT ` + strconv.Itoa(limit) + `)`
	}
	q := `WITH d AS (
    DELETE FROM relationships WHERE ` + where + ` RETURNING ` + sqlstore.Columns + `
), c AS (
    INSERT INTO changelog (` + changelogColumns + `)
    SELECT ` + a.Add(int64(w.rev)) + `::bigint,
        ` + a.Add(w.seq) + `::integer - 1 + row_number() OVER (ORDER BY ` + sqlstore.IdentityColumns + `),
        2, ` + sqlstore.Columns + `, ` + a.Add(w.now) + `::timestamptz
    FROM d
    RETURNING 1
)
SELECT count(*) FROM c`
	var n int
	if err := w.tx.QueryRow(ctx, q, a.List...).Scan(&n); err != nil {
		return 0, err
	}
	w.seq += int32(n)
	return n, nil
}

// DeleteByFilter implements store.Writer.
func (s *Store) DeleteByFilter(ctx context.Context, f store.Filter, limit int) (store.Revision, int, error) {
	if err := store.ValidateFilter(f); err != nil {
		return 0, 0, err
	}
	var n int
	rev, err := s.write(ctx, func(ctx context.Context, w *wtx) error {
		a := sqlstore.Args{Dollar: true}
		var err error
		n, err = w.deleteWhere(ctx, sqlstore.FilterWhere(f, &a), &a, limit)
		if err != nil {
			return fmt.Errorf("deleting %s: %w", f, err)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return rev, n, nil
}
