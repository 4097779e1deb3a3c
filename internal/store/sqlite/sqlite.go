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
//
// Writes are changelog-first (tail.go): a Write of touches commits only its
// changelog row, and the relationships table catches up later, in large
// sorted batches. A read of the table (ReadRelationships, LoadAll,
// UsedTypes) that would miss a committed write first brings the table up to
// date on the write connection, so it may wait for writes in progress and
// for the application of what was written since the applier's last run
// (applyDelay, applyBatch); it must not be called
// from inside a Transact callback (the DocTx's own reads serve there).
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
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
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
	hub  sqlstore.Hub

	group sqlstore.Group[writeFn]
	// prepared holds the write connection's prepared statements (see
	// stmtCache), closed with the pool.
	prepMu   sync.Mutex
	prepared map[string]*sql.Stmt

	// The applier (tail.go): pending counts relationships written to the
	// changelog only since its last run, wake wakes it.
	pending     atomic.Int64
	wake        chan struct{}
	stopApplier chan struct{}
	applierDone chan struct{}
	closeOnce   sync.Once
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
	if err := s.ensureSubjectIndex(ctx); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", abs, err)
	}
	s.r, err = sql.Open("sqlite", dsn(abs, false, opts.BusyTimeout))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", abs, err)
	}
	s.r.SetMaxOpenConns(opts.ReadConns)
	s.r.SetMaxIdleConns(opts.ReadConns)
	if err := s.r.PingContext(ctx); err != nil {
		s.r.Close()
		s.w.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", abs, convert(err))
	}
	s.wake = make(chan struct{}, 1)
	s.stopApplier, s.applierDone = make(chan struct{}), make(chan struct{})
	go s.applier(s.stopApplier, s.applierDone)
	return s, nil
}

// subjectIndex is the relationships' index by subject, as migration 0001
// creates it: subjectIndexSQL must stay the same statement (a test
// compares them), since an import drops the index and creates it again.
const (
	subjectIndex    = `relationships_by_subject`
	subjectIndexSQL = `CREATE INDEX relationships_by_subject
    ON relationships (subject_type, subject_id, subject_relation, resource_type, relation)`
)

// ensureSubjectIndex creates the subject index when the relationships
// table exists without it: after an import that dropped it (see Import),
// or a process that died during one. Building it reads the table once and
// sorts, much cheaper than as many B-tree inserts.
func (s *Store) ensureSubjectIndex(ctx context.Context) error {
	missing := func(ctx context.Context, q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) (bool, error) {
		var tables, indexes int
		if err := q.QueryRowContext(ctx, `SELECT
    (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'relationships'),
    (SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?)`, subjectIndex).Scan(&tables, &indexes); err != nil {
			return false, fmt.Errorf("looking for the subject index: %w", err)
		}
		return tables > 0 && indexes == 0, nil
	}
	// Without the write lock first: opening a store must not wait for
	// another process's writes when there is nothing to do.
	if m, err := missing(ctx, s.w); err != nil || !m {
		return convert(err)
	}
	return s.exclusive(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if m, err := missing(ctx, tx); err != nil || !m {
			return err
		}
		if _, err := tx.ExecContext(ctx, subjectIndexSQL); err != nil {
			return fmt.Errorf("creating the subject index: %w", err)
		}
		return nil
	})
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes subscribers and both pools.
func (s *Store) Close() error {
	s.hub.Close()
	// The applier's work is not lost: the changelog keeps it.
	s.closeOnce.Do(func() { close(s.stopApplier) })
	<-s.applierDone
	s.prepMu.Lock()
	for _, st := range s.prepared {
		st.Close()
	}
	s.prepared = nil
	s.prepMu.Unlock()
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

// wtx is a write in progress: one revision. In a group (sqlstore.Group)
// several share one database transaction.
type wtx struct {
	tx    *sql.Tx
	rev   store.Revision
	now   time.Time
	seq   int64 // next changelog seq within rev
	stmts *stmtCache
	// caughtUp: the table holds every change logged before, and this
	// write's changes go to it directly (see catchUp); deferred counts
	// the relationships it wrote to the changelog only.
	caughtUp bool
	deferred int
}

// writeFn is the body of a write transaction. Unless it runs in a
// savepoint, it must either fail before writing anything, and say so by
// returning a sqlstore.Refusal, or fail only on errors that abort the
// transaction (the group is then retried call by call, see
// sqlstore.CommitGroup).
type writeFn struct {
	run func(ctx context.Context, w *wtx) error
	// savepoint: run fn in a savepoint of its own, for functions (the
	// domain's Transact callbacks) that may fail after writing. A
	// savepoint costs a copy of every page the function changes (SQLite's
	// sub-journal): with multi-row statements' own journals, 39 % of the
	// CPU of BenchWrite's 1,000-row writes; the other writes do without.
	savepoint bool
}

// write runs fn in a write transaction that takes the next revision. It
// joins the group commit (see sqlstore.Group): fn may share the database
// transaction with other writers' functions, each with its own revision,
// and the call returns once that transaction has committed. BUSY is
// retried. The revision is published after commit.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, w *wtx) error) (store.Revision, error) {
	return s.writeFn(ctx, writeFn{run: fn})
}

func (s *Store) writeFn(ctx context.Context, fn writeFn) (store.Revision, error) {
	rev, err := s.group.Do(ctx, fn, s.commitGroup)
	if err != nil {
		return 0, convert(err)
	}
	return rev, nil
}

func (s *Store) commitGroup(calls []*sqlstore.Call[writeFn]) {
	if last := sqlstore.CommitGroup(calls, busyAttempts, isBusy, s.commitOnce); last > 0 {
		s.hub.Publish(last)
	}
}

// commitOnce is one attempt at committing calls in one BEGIN IMMEDIATE
// transaction (see sqlstore.CommitGroup and RunGroup). The transaction
// holds SQLite's write lock from its start, so the revision counter is
// read once, each successful call takes the next revision, and the
// counter is written once at the end.
func (s *Store) commitOnce(calls []*sqlstore.Call[writeFn]) (err error) {
	shared, err := s.prepareWrites(context.Background())
	if err != nil {
		return err
	}
	tx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("beginning write: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	stmts := &stmtCache{shared: shared, tx: tx}
	defer stmts.close()
	bg := context.Background()
	var start int64
	deferred := 0
	if err := stmts.queryRow(bg, revisionHeadSQL).Scan(&start); err != nil {
		return fmt.Errorf("reading the revision: %w", err)
	}
	head, err := sqlstore.RunGroup(calls, store.Revision(start), sqlstore.GroupSteps[writeFn]{
		Savepoint:  func(ctx context.Context) error { return stmts.run(ctx, savepointSQL) },
		RollbackTo: func(ctx context.Context) error { return stmts.run(ctx, rollbackToSavepointSQL) },
		Release:    func(ctx context.Context) error { return stmts.run(ctx, releaseSavepointSQL) },
		Run: func(ctx context.Context, fn writeFn, rev store.Revision) error {
			w := &wtx{tx: tx, rev: rev, now: sqlstore.NormalizeTime(s.now()), stmts: stmts}
			if err := fn.run(ctx, w); err != nil {
				return err
			}
			if w.caughtUp {
				if err := stmts.run(ctx, setAppliedSQL, int64(rev)); err != nil {
					return fmt.Errorf("recording the applied revision: %w", err)
				}
			}
			deferred += w.deferred
			return stmts.run(ctx, revisionRecordSQL, int64(rev), micros(w.now))
		},
		NeedsSavepoint: func(fn writeFn) bool { return fn.savepoint },
		Fatal:          isBusy,
	})
	if err != nil {
		return err
	}
	if head == store.Revision(start) {
		return tx.Rollback() // nothing written
	}
	if err := stmts.run(bg, revisionSetSQL, int64(head)); err != nil {
		return fmt.Errorf("recording the revision: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	s.deferred(deferred)
	return nil
}

const (
	revisionHeadSQL        = `SELECT revision FROM revision_counter WHERE singleton = 1`
	revisionSetSQL         = `UPDATE revision_counter SET revision = ? WHERE singleton = 1`
	revisionRecordSQL      = `INSERT INTO revisions (revision, committed_at) VALUES (?, ?)`
	savepointSQL           = `SAVEPOINT octroi_group`
	rollbackToSavepointSQL = `ROLLBACK TO octroi_group`
	releaseSavepointSQL    = `RELEASE octroi_group`
)

// stmtCache runs a write transaction's statements prepared. Re-parsing
// every statement cost 44 % of the CPU of a 1,000-update Write. The
// statements of writeStatements are prepared once per Store on the write
// connection (see prepareWrites) and bound to each transaction; any other
// text is prepared once per transaction.
type stmtCache struct {
	shared map[string]*sql.Stmt // the Store's, read-only
	tx     *sql.Tx
	bound  map[string]*sql.Stmt
}

// writeStatements are the texts every write runs, prepared once per Store.
var writeStatements = []string{
	revisionHeadSQL, revisionSetSQL, revisionRecordSQL,
	savepointSQL, rollbackToSavepointSQL, releaseSavepointSQL,
	liveSQL, upsertSQL, deleteSQL, changelogRowSQL, changelogBatchSQL,
	appliedSQL, setAppliedSQL, tailSQL, deleteIdentitySQL, insertManySQL,
}

// prepareWrites prepares writeStatements on the write connection, once.
// It runs outside any transaction: database/sql prepares a DB-level
// statement on a free connection, and the write pool's only connection
// is busy during a transaction. It is called before the first write
// rather than at Open, where the tables may not exist yet (the store is
// migrated after Open).
func (s *Store) prepareWrites(ctx context.Context) (map[string]*sql.Stmt, error) {
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	if s.prepared != nil {
		return s.prepared, nil
	}
	m := make(map[string]*sql.Stmt, len(writeStatements))
	for _, q := range writeStatements {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range m {
				st.Close()
			}
			return nil, fmt.Errorf("preparing %.40q…: %w", q, err)
		}
		m[q] = st
	}
	s.prepared = m
	return m, nil
}

// stmt returns q prepared and bound to the transaction.
func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.bound[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if shared, ok := c.shared[q]; ok {
		// Bound to the connection that prepared it: no parsing, unless
		// the pool replaced the connection (then it prepares again).
		st = c.tx.StmtContext(ctx, shared)
	} else {
		var err error
		if st, err = c.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
	}
	if c.bound == nil {
		c.bound = make(map[string]*sql.Stmt)
	}
	c.bound[q] = st
	return st, nil
}

func (c *stmtCache) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// run is exec without the result.
func (c *stmtCache) run(ctx context.Context, q string, args ...any) error {
	_, err := c.exec(ctx, q, args...)
	return err
}

func (c *stmtCache) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is QueryRowContext through the cache; a preparation error
// comes out of Scan, as database/sql's own does.
func (c *stmtCache) queryRow(ctx context.Context, q string, args ...any) rowScanner {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *stmtCache) close() {
	for _, st := range c.bound {
		st.Close()
	}
}

type rowScanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// exclusive runs fn in a write transaction that takes no revision (GC's
// changelog trim), retrying on BUSY.
func (s *Store) exclusive(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	err := sqlstore.Retry(ctx, busyAttempts, isBusy, func() (err error) {
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
