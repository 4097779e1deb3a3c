// Package postgres is the PostgreSQL backend of store, on pgx/v5 and a
// pgxpool.
//
// Several octroi processes may share one database. Every write transaction
// (READ COMMITTED) starts by locking the single row of revision_counter
// (SELECT … FOR UPDATE): the row lock serialises writers across processes
// until commit, so revisions are gap-free (the counter is written before
// commit, and a rollback undoes it), commits happen in revision order, and
// every later statement of the transaction — the precondition and
// existence checks — sees all earlier revisions. Concurrent writes of one
// process share a transaction (group commit, see sqlstore.Group), each with
// its own revision and savepoint. The transaction ends with pg_notify on
// the channel "octroi_revision" (payload: the last revision), which
// PostgreSQL delivers at commit to every listener: Subscribe keeps one
// LISTEN connection per Store.
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
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
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
	pool  *pgxpool.Pool
	now   func() time.Time
	hub   sqlstore.Hub
	group sqlstore.Group[writeFn]

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

// wtx is a write in progress: one revision. In a group (sqlstore.Group)
// several share one database transaction.
type wtx struct {
	tx  pgx.Tx
	rev store.Revision
	now time.Time
	seq int32 // next changelog seq within rev
}

// writeFn is the body of a write transaction.
type writeFn = func(ctx context.Context, w *wtx) error

// write runs fn in a write transaction that takes the next revision. It
// joins the group commit (see sqlstore.Group): fn may share the database
// transaction with other writers' functions of this process, each with
// its own revision and savepoint, and the call returns once that
// transaction has committed. Conflicts are retried; the revisions are
// announced by NOTIFY at commit.
func (s *Store) write(ctx context.Context, fn writeFn) (store.Revision, error) {
	rev, err := s.group.Do(ctx, fn, s.commitGroup)
	if err != nil {
		return 0, convert(err)
	}
	return rev, nil
}

func (s *Store) commitGroup(calls []*sqlstore.Call[writeFn]) {
	// Wake this process's subscribers at once, without waiting for the
	// notification's round trip (the hub ignores the duplicate).
	if last := sqlstore.CommitGroup(calls, retryAttempts, retryable, s.commitOnce); last > 0 {
		s.hub.Publish(last)
	}
}

// commitOnce is one attempt at committing calls in one transaction (see
// sqlstore.CommitGroup and RunGroup). Its first statement locks the
// revision counter's row, the writers' lock of every process (see the
// package documentation); each successful call takes the next revision,
// and the counter is written once, with the revisions' rows and the
// notification of the last one, in the round trip before the commit.
// Every call of a group runs in a savepoint: Write pipelines its
// statements, so a refused write has already run its updates.
func (s *Store) commitOnce(calls []*sqlstore.Call[writeFn]) (err error) {
	bg := context.Background()
	tx, err := s.pool.BeginTx(bg, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("beginning write: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.Background())
		}
	}()
	var start int64
	if err := tx.QueryRow(bg, `SELECT revision FROM revision_counter WHERE singleton FOR UPDATE`).Scan(&start); err != nil {
		return fmt.Errorf("taking the revision counter: %w", err)
	}
	var revs []int64
	var times []time.Time
	exec := func(q string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := tx.Exec(ctx, q)
			return err
		}
	}
	head, err := sqlstore.RunGroup(calls, store.Revision(start), sqlstore.GroupSteps[writeFn]{
		Savepoint:  exec(`SAVEPOINT octroi_group`),
		RollbackTo: exec(`ROLLBACK TO SAVEPOINT octroi_group`),
		Release:    exec(`RELEASE SAVEPOINT octroi_group`),
		Run: func(ctx context.Context, fn writeFn, rev store.Revision) error {
			w := &wtx{tx: tx, rev: rev, now: sqlstore.NormalizeTime(s.now())}
			if err := fn(ctx, w); err != nil {
				return err
			}
			revs, times = append(revs, int64(rev)), append(times, w.now)
			return nil
		},
		NeedsSavepoint: func(writeFn) bool { return true },
		Fatal:          retryable,
	})
	if err != nil {
		return err
	}
	if head == store.Revision(start) {
		return tx.Rollback(bg) // nothing written
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO revisions (revision, committed_at) SELECT * FROM unnest($1::bigint[], $2::timestamptz[])`, revs, times)
	b.Queue(`UPDATE revision_counter SET revision = $1 WHERE singleton`, int64(head))
	b.Queue(`SELECT pg_notify('`+NotifyChannel+`', $1)`, strconv.FormatUint(uint64(head), 10))
	if err := tx.SendBatch(bg, b).Close(); err != nil {
		return fmt.Errorf("recording revisions: %w", err)
	}
	if err := tx.Commit(bg); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
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
	err := sqlstore.Retry(ctx, retryAttempts, retryable, func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(ctx, tx) })
	})
	return convert(err)
}
