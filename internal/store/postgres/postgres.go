// Package postgres is the PostgreSQL backend of store, on pgx/v5 and a
// pgxpool.
//
// Several octroi processes may share one database. Every write transaction
// (READ COMMITTED) starts by bumping the single row of revision_counter:
// the row lock it takes serialises writers across processes until commit,
// so revisions are gap-free (a rollback undoes the bump), commits happen in
// revision order, and every later statement of the transaction — the
// precondition and existence checks — sees all earlier revisions. The
// transaction ends with pg_notify on the channel "octroi_revision" (payload:
// the revision), which PostgreSQL delivers at commit to every listener:
// Subscribe keeps one LISTEN connection per Store.
//
// Reads that must be consistent across statements (LoadAll, Changes) run
// in REPEATABLE READ read-only transactions: one snapshot, which, because
// commits are in revision order, holds exactly the revisions up to the head
// it reads.
//
// Driver errors are converted at this boundary: serialisation failures and
// deadlocks are retried a bounded number of times, a unique violation on
// the relationships key becomes store.ErrAlreadyExists.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlutil"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// NotifyChannel is the LISTEN/NOTIFY channel of committed revisions.
const NotifyChannel = "octroi_revision"

// Options tunes a Store; the zero value is the production default.
type Options struct {
	// Now is the clock used for commit times, expiration and GC.
	// Default time.Now.
	Now func() time.Time
	// MaxConns bounds the pool; 0 keeps pgxpool's default (or the URL's
	// pool_max_conns).
	MaxConns int32
}

// Store is a store.Store on one PostgreSQL database. Its methods are safe
// for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
	hub  sqlutil.Hub

	// The listener goroutine: started by the first Subscribe, stopped by
	// Close.
	mu        sync.Mutex
	listening bool
	life      context.Context
	stopLife  context.CancelFunc
	wg        sync.WaitGroup
}

var _ store.Store = (*Store)(nil)

// retryAttempts bounds retries of a transaction that failed with a
// serialisation failure or deadlock.
const retryAttempts = 5

// Open connects a pool to the database at url (a postgres:// URL or a
// key=value DSN). It does not migrate: call Migrate, or CheckVersion to
// refuse a database this binary cannot use.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parsing URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connecting: %w", err)
	}
	s := &Store{pool: pool, now: opts.Now}
	s.life, s.stopLife = context.WithCancel(context.Background())
	return s, nil
}

// Pool exposes the pool, for the domain tables that will share the
// database (and for tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close stops the listener, closes subscribers and the pool.
func (s *Store) Close() error {
	s.stopLife()
	s.wg.Wait()
	s.hub.Close()
	s.pool.Close()
	return nil
}

// retryable: conflicts that a new attempt of the whole transaction solves.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" // serialization_failure, deadlock_detected
	}
	return pgconn.SafeToRetry(err)
}

// convert turns driver errors the caller may act on into store errors.
func convert(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505" && pe.ConstraintName == "relationships_pkey":
			return fmt.Errorf("%w: %w", store.ErrAlreadyExists, err)
		case pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "55P03":
			return fmt.Errorf("%w: %w", store.ErrBusy, err)
		}
	}
	return err
}

// wtx is a write transaction in progress.
type wtx struct {
	tx  pgx.Tx
	rev store.Revision
	now time.Time
	seq int32 // next changelog seq within rev
}

// write runs fn in a write transaction that takes the next revision,
// retrying conflicts; the revision is announced by NOTIFY at commit.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, w *wtx) error) (store.Revision, error) {
	var rev store.Revision
	err := sqlutil.Retry(ctx, retryAttempts, retryable, func() error {
		var err error
		rev, err = s.writeOnce(ctx, fn)
		return err
	})
	if err != nil {
		return 0, convert(err)
	}
	// Wake this process's subscribers at once, without waiting for the
	// notification's round trip (the hub ignores the duplicate).
	s.hub.Publish(rev)
	return rev, nil
}

func (s *Store) writeOnce(ctx context.Context, fn func(ctx context.Context, w *wtx) error) (_ store.Revision, err error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return 0, fmt.Errorf("beginning write: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.Background())
		}
	}()
	w := &wtx{tx: tx, now: sqlutil.NormalizeTime(s.now())}
	var r int64
	// First statement: from here on this transaction holds the writers'
	// lock, see the package documentation.
	if err := tx.QueryRow(ctx, `UPDATE revision_counter SET revision = revision + 1 WHERE singleton RETURNING revision`).Scan(&r); err != nil {
		return 0, fmt.Errorf("taking a revision: %w", err)
	}
	w.rev = store.Revision(r)
	if err := fn(ctx, w); err != nil {
		return 0, err
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO revisions (revision, committed_at) VALUES ($1, $2)`, r, w.now)
	b.Queue(`SELECT pg_notify('`+NotifyChannel+`', $1)`, strconv.FormatInt(r, 10))
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("recording revision: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("committing: %w", err)
	}
	return w.rev, nil
}

// read runs fn in a REPEATABLE READ, read-only transaction: one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return convert(fmt.Errorf("beginning read: %w", err))
	}
	defer tx.Rollback(context.Background()) // read-only: nothing to commit
	return convert(fn(tx))
}

// exclusive runs fn in a transaction that takes no revision (GC's trim,
// migrations), retrying conflicts.
func (s *Store) exclusive(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	err := sqlutil.Retry(ctx, retryAttempts, retryable, func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(ctx, tx) })
	})
	return convert(err)
}
