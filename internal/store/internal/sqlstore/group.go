package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/octroi/octroi/internal/store"
)

// Group commits concurrent write transactions together: while one group
// commits, the writes that arrive queue up, and the next group takes them
// all into one database transaction — one commit, hence one fsync (SQLite's
// WAL, PostgreSQL's WAL flush) for many writes. Each write still gets its
// own revision, in queue order, inside a savepoint of its own (a failed
// write leaves nothing and consumes no revision), and each caller gets its
// answer only after the group's commit returned: an acknowledged write is
// durable.
//
// There is no timer: a write that finds no group running starts one at
// once, so a lone writer waits for nothing; grouping comes only from
// writers that would otherwise have queued for the write lock anyway.
//
// The zero Group is ready to use; F is the backend's write function.
type Group[F any] struct {
	mu      sync.Mutex
	queue   []*Call[F]
	running bool
}

// Call is one write of a group. The backend's commit function reads Ctx
// and Fn and sets Rev and Err.
type Call[F any] struct {
	// Ctx is the caller's context. A call whose context has ended before
	// the group reaches it must be skipped (Err = Ctx.Err()); once
	// started it runs to the end, because interrupting a statement can
	// abort the whole group's transaction.
	Ctx context.Context
	Fn  F
	Rev store.Revision
	Err error

	wake chan bool // true: the call is done; false: it leads the next group
}

// MaxGroup bounds the writes of one group, so that one commit's latency
// stays bounded when many writers queue.
const MaxGroup = 64

// Do queues fn and returns its revision and error once its group has
// committed (or failed). commit runs one group: it must set Rev or Err of
// every call it is given. Do is safe for concurrent use; commit runs in
// one goroutine at a time.
func (g *Group[F]) Do(ctx context.Context, fn F, commit func(calls []*Call[F])) (store.Revision, error) {
	c := &Call[F]{Ctx: ctx, Fn: fn, wake: make(chan bool, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if !lead && !<-c.wake {
		lead = true
	}
	if lead {
		g.lead(commit)
	}
	return c.Rev, c.Err
}

// lead commits the queue's head as one group, answers its calls, and
// hands the lead to the first call still queued (so that the caller that
// led does not serve others' writes after its own is done).
func (g *Group[F]) lead(commit func(calls []*Call[F])) {
	g.mu.Lock()
	n := min(len(g.queue), MaxGroup)
	calls := make([]*Call[F], n)
	copy(calls, g.queue)
	g.queue = append(g.queue[:0], g.queue[n:]...)
	g.mu.Unlock()

	// The hand-off and the answers are deferred: a commit that panics
	// (a domain transaction's function, say) must not leave the group
	// running with its writers waiting forever. Its calls fail, as their
	// outcome is unknown, and the panic goes on in the leader.
	defer func() {
		p := recover()
		if p != nil {
			for _, c := range calls {
				c.Rev, c.Err = 0, fmt.Errorf("write abandoned: a write of its group panicked: %v", p)
			}
		}
		g.mu.Lock()
		if len(g.queue) > 0 {
			g.queue[0].wake <- false
		} else {
			g.running = false
		}
		g.mu.Unlock()
		for _, c := range calls {
			c.wake <- true
		}
		if p != nil {
			panic(p)
		}
	}()
	commit(calls)
}

// CommitGroup runs a group through txn, the backend's one attempt at
// committing calls in one transaction: txn skips the calls whose context
// has ended, runs each other call in a savepoint of its own (none when
// it is alone), sets its Rev or Err, commits, and returns an error only
// when the transaction as a whole failed (nothing of it is committed).
// CommitGroup retries such a failure as Retry does and, when a group of
// several still fails, runs its calls one by one, so that one call's
// trouble (a statement that aborts the transaction) fails that call
// alone. It returns the highest revision committed (0: none), for the
// backend to publish.
func CommitGroup[F any](calls []*Call[F], attempts int, retryable func(error) bool, txn func(calls []*Call[F]) error) store.Revision {
	try := func(calls []*Call[F]) error {
		return Retry(context.Background(), attempts, retryable, func() error {
			for _, c := range calls {
				c.Rev, c.Err = 0, nil
			}
			return txn(calls)
		})
	}
	if err := try(calls); err != nil {
		if len(calls) == 1 {
			calls[0].Rev, calls[0].Err = 0, err
		} else {
			for _, c := range calls {
				if err := try([]*Call[F]{c}); err != nil {
					c.Rev, c.Err = 0, err
				}
			}
		}
	}
	var last store.Revision
	for _, c := range calls {
		if c.Err == nil {
			last = max(last, c.Rev)
		}
	}
	return last
}

// Refusal marks an error that a write function returned before writing
// anything (a precondition that does not hold, a relationship that
// exists): a group goes on without that call, which consumes no revision
// and needs no savepoint.
type Refusal struct{ Err error }

func (e Refusal) Error() string { return e.Err.Error() }
func (e Refusal) Unwrap() error { return e.Err }

// GroupSteps are what RunGroup needs from a backend's open transaction.
type GroupSteps[F any] struct {
	// Savepoint, RollbackTo and Release manage the one savepoint name a
	// call uses.
	Savepoint, RollbackTo, Release func(ctx context.Context) error
	// Run runs fn as revision rev and records the revision.
	Run func(ctx context.Context, fn F, rev store.Revision) error
	// NeedsSavepoint says whether fn may fail after writing without
	// failing the whole transaction (its error not a Refusal).
	NeedsSavepoint func(fn F) bool
	// Fatal says whether an error of fn must fail the whole transaction
	// even in a savepoint (a lock conflict to retry, say).
	Fatal func(err error) bool
}

// RunGroup runs calls, in order, in the backend's open transaction whose
// latest committed revision is head, and returns the new head (head + the
// number of calls that succeeded; the backend records it and commits).
// Each call is skipped when its context has ended, else runs in a
// savepoint when it is not alone and NeedsSavepoint says so, and gets the
// next revision or its error. A non-nil error means the transaction as a
// whole must be rolled back (see CommitGroup). Statements run without the
// callers' cancellation, which on SQLite rolls back a whole transaction
// and on PostgreSQL closes the connection.
func RunGroup[F any](calls []*Call[F], head store.Revision, st GroupSteps[F]) (store.Revision, error) {
	alone := len(calls) == 1
	for _, c := range calls {
		if err := c.Ctx.Err(); err != nil {
			c.Err = err
			continue
		}
		ctx := context.WithoutCancel(c.Ctx)
		savepoint := !alone && st.NeedsSavepoint(c.Fn)
		if savepoint {
			if err := st.Savepoint(ctx); err != nil {
				return head, err
			}
		}
		err := st.Run(ctx, c.Fn, head+1)
		var refusal Refusal
		switch {
		case err == nil:
			head++
			c.Rev = head
		case errors.As(err, &refusal):
			c.Err = refusal.Err
		case savepoint && !st.Fatal(err):
			c.Err = err
			if rerr := st.RollbackTo(ctx); rerr != nil {
				return head, errors.Join(err, rerr)
			}
		default:
			return head, err
		}
		if savepoint {
			if err := st.Release(ctx); err != nil {
				return head, err
			}
		}
	}
	return head, nil
}
