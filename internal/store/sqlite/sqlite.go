// Package sqlite is the embedded, default backend of store, on SQLite
// through modernc.org/sqlite (pure Go, no cgo).
//
// One file holds one octroi database. A Store keeps two connection pools on
// it: a single write connection — every write transaction in this process
// queues for it and starts with BEGIN IMMEDIATE, so SQLite's one writer is
// taken up front and a transaction never fails half-way for a lock upgrade —
// and a few read-only connections that, thanks to WAL, read consistent
// snapshots while a write is in progress. Several processes may open the
// same file: they serialise on SQLite's write lock (busy_timeout, then a
// bounded retry, then store.ErrBusy), but only writes of this process wake
// this process's subscribers; followers in other processes see the others'
// writes by polling.
//
// Times are stored as INTEGER microseconds since the Unix epoch, matching the
// store's precision policy.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"modernc.org/sqlite"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlutil"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tunes a Store; the zero value is the production default.
type Options struct {
	// Now is the clock used for commit times, expiration and GC.
	// Default time.Now.
	Now func() time.Time
	// BusyTimeout is how long a statement waits for another process's
	// lock before failing with BUSY (then retried a few times).
	// Default 5s.
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool. Default 4.
	ReadConns int
}

// Store is a store.Store on one SQLite file. Its methods are safe for
// concurrent use.
type Store struct {
	path string
	w    *sql.DB // exactly one connection: all writes
	r    *sql.DB // read-only connections
	now  func() time.Time
	hub  sqlutil.Hub
}

var _ store.Store = (*Store)(nil)

// busyAttempts bounds how often a write transaction that met another
// process's lock (after waiting busy_timeout) is retried.
const busyAttempts = 3

// dsn is the one place where connection settings live.
//
// Durability: journal_mode=WAL with synchronous=FULL. In WAL mode FULL
// fsyncs the WAL at every commit, so a write that was acknowledged survives
// a power cut. NORMAL would only fsync at checkpoints: the database would
// stay consistent after a crash but could lose the last acknowledged
// writes, which an authorization server must not (a revoked permission
// coming back is a security bug). The cost is one fsync per transaction,
// which is why Import commits large batches.
//
// page_size is 16 KiB for new databases (the size is fixed when the file
// is created; older files keep theirs): an Import batch dirties B-tree
// pages spread over the subject index, and every dirty page is a WAL frame
// written with two system calls, then copied back at the checkpoint. With
// 16 KiB pages the same batch touches a quarter as many. Measured on
// BenchImport: 4.9 → 4.1 µs of CPU per relationship (32 KiB: 4.0). Point
// reads and small writes pay a larger page; both stay far from their cost
// in fsyncs and Go.
//
// wal_autocheckpoint on the writer (the connection that commits, hence
// checkpoints) is 4096 pages (64 MiB; 16 MiB on older 4 KiB-page files)
// instead of 1000: an Import batch writes several MiB of WAL, so the
// default checkpointed (copying pages to the database file and fsyncing
// it) after nearly every batch, rewriting
// the same B-tree pages again and again. Measured on BenchImport: about a
// fifth fewer bytes written. Durability does not depend on it (the WAL is
// fsynced at every commit); journal_size_limit truncates a WAL that one
// huge transaction grew past 64 MiB back to that size once checkpointed.
//
// busy_timeout makes a connection wait for another process's lock instead
// of failing at once; foreign_keys is on for the domain tables that will
// use them; _txlock=immediate makes every database/sql transaction on the
// write pool start with BEGIN IMMEDIATE. Readers are query_only as a guard.
func dsn(path string, write bool, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	if write {
		q.Add("_pragma", "page_size(16384)")
	}
	// Shorthand keys: the driver applies them after the _pragma list
	// (which it sorts), so page_size comes first on a new file.
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-32768)") // 32 MiB page cache per connection
	if write {
		q.Add("_pragma", "wal_autocheckpoint(4096)") // pages of 16 KiB
		q.Add("_pragma", "journal_size_limit(67108864)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database file at path. It does not
// migrate: call Migrate, or CheckVersion to refuse a database this binary
// cannot use.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	s := &Store{path: abs, now: opts.Now}
	s.w, err = sql.Open("sqlite", dsn(abs, true, opts.BusyTimeout))
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", abs, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	// The writer connects first: it creates the file and switches it to
	// WAL before any query_only reader could try to.
	if err := s.w.PingContext(ctx); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", abs, convert(err))
	}
	s.r, err = sql.Open("sqlite", dsn(abs, false, opts.BusyTimeout))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", abs, err)
	}
	s.r.SetMaxOpenConns(opts.ReadConns)
	s.r.SetMaxIdleConns(opts.ReadConns)
	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", abs, convert(err))
	}
	return s, nil
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes subscribers and both pools.
func (s *Store) Close() error {
	s.hub.Close()
	return errors.Join(s.r.Close(), s.w.Close())
}

// isBusy reports SQLITE_BUSY / SQLITE_LOCKED, any extended variant.
func isBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
		return true
	}
	return false
}

// convert turns driver errors the caller may act on into store errors.
func convert(err error) error {
	switch {
	case err == nil:
		return nil
	case isBusy(err):
		return fmt.Errorf("%w: %w", store.ErrBusy, err)
	}
	return err
}

// micros and fromMicros encode times as stored.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// wtx is a write transaction in progress.
type wtx struct {
	tx  *sql.Tx
	rev store.Revision
	now time.Time
	seq int64 // next changelog seq within rev
}

// write runs fn in a write transaction that takes the next revision,
// retrying on BUSY. The revision is published after commit.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, w *wtx) error) (store.Revision, error) {
	var rev store.Revision
	err := sqlutil.Retry(ctx, busyAttempts, isBusy, func() error {
		var err error
		rev, err = s.writeOnce(ctx, fn)
		return err
	})
	if err != nil {
		return 0, convert(err)
	}
	s.hub.Publish(rev)
	return rev, nil
}

func (s *Store) writeOnce(ctx context.Context, fn func(ctx context.Context, w *wtx) error) (_ store.Revision, err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("beginning write: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	w := &wtx{tx: tx, now: sqlutil.NormalizeTime(s.now())}
	var r int64
	if err := tx.QueryRowContext(ctx, `UPDATE revision_counter SET revision = revision + 1 WHERE singleton = 1 RETURNING revision`).Scan(&r); err != nil {
		return 0, fmt.Errorf("taking a revision: %w", err)
	}
	w.rev = store.Revision(r)
	if err := fn(ctx, w); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (revision, committed_at) VALUES (?, ?)`, r, micros(w.now)); err != nil {
		return 0, fmt.Errorf("recording revision: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("committing: %w", err)
	}
	return w.rev, nil
}

// exclusive runs fn in a write transaction that takes no revision (GC's
// changelog trim), retrying on BUSY.
func (s *Store) exclusive(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	err := sqlutil.Retry(ctx, busyAttempts, isBusy, func() (err error) {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("beginning write: %w", err)
		}
		defer func() {
			if err != nil {
				tx.Rollback()
			}
		}()
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	})
	return convert(err)
}

// read runs fn in a read-only transaction: one consistent WAL snapshot
// (taken at the first statement).
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return convert(fmt.Errorf("beginning read: %w", err))
	}
	defer tx.Rollback() // read-only: nothing to commit
	return convert(fn(tx))
}
