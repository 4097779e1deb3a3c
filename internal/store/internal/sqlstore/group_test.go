package sqlstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store"
)

// TestGroupCollectsQueuedWrites holds the first group's commit until every
// other writer has queued, then checks that they all went in the next
// group, each with its own revision, in queue order.
func TestGroupCollectsQueuedWrites(t *testing.T) {
	const n = 10
	var g Group[int]
	var head store.Revision
	var sizes []int
	release := make(chan struct{})
	commit := func(calls []*Call[int]) {
		if len(sizes) == 0 {
			<-release
		}
		sizes = append(sizes, len(calls))
		for _, c := range calls {
			head++
			c.Rev = head
		}
	}
	revs := make([]store.Revision, n)
	var wg sync.WaitGroup
	wg.Go(func() { revs[0], _ = g.Do(context.Background(), 0, commit) })
	waitQueue(t, &g, 0) // the first call leads and took itself off the queue
	for i := 1; i < n; i++ {
		wg.Go(func() { revs[i], _ = g.Do(context.Background(), i, commit) })
	}
	waitQueue(t, &g, n-1)
	close(release)
	wg.Wait()
	if len(sizes) != 2 || sizes[0] != 1 || sizes[1] != n-1 {
		t.Fatalf("group sizes %v, want [1 %d]", sizes, n-1)
	}
	seen := map[store.Revision]bool{}
	for i, r := range revs {
		if r < 1 || r > n || seen[r] {
			t.Fatalf("call %d got revision %d (all: %v)", i, r, revs)
		}
		seen[r] = true
	}
	if g.running || len(g.queue) != 0 {
		t.Errorf("group still running (%t) or queued (%d) after every call returned", g.running, len(g.queue))
	}
}

func waitQueue(t *testing.T, g *Group[int], n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		g.mu.Lock()
		got, running := len(g.queue), g.running
		g.mu.Unlock()
		if got == n && running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue holds %d calls, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCommitGroupFallsBackToSingles: a transaction-level failure of a
// group is retried call by call, so that only the guilty call fails.
func TestCommitGroupFallsBackToSingles(t *testing.T) {
	errBad := errors.New("statement aborted the transaction")
	var head store.Revision
	txn := func(calls []*Call[int]) error {
		for _, c := range calls {
			if c.Fn == 2 {
				return errBad // aborts the whole transaction
			}
		}
		for _, c := range calls {
			head++
			c.Rev = head
		}
		return nil
	}
	calls := []*Call[int]{{Ctx: context.Background(), Fn: 1}, {Ctx: context.Background(), Fn: 2}, {Ctx: context.Background(), Fn: 3}}
	last := CommitGroup(calls, 1, func(error) bool { return false }, txn)
	if calls[0].Err != nil || calls[2].Err != nil || !errors.Is(calls[1].Err, errBad) {
		t.Fatalf("errors %v, %v, %v; want nil, errBad, nil", calls[0].Err, calls[1].Err, calls[2].Err)
	}
	if calls[0].Rev != 1 || calls[1].Rev != 0 || calls[2].Rev != 2 || last != 2 {
		t.Errorf("revisions %d, %d, %d, last %d; want 1, 0, 2, 2", calls[0].Rev, calls[1].Rev, calls[2].Rev, last)
	}
}

// TestGroupSurvivesAPanic: a commit that panics fails its group's calls
// and passes the panic on, and the group takes the next writes as usual
// instead of leaving them waiting.
func TestGroupSurvivesAPanic(t *testing.T) {
	var g Group[int]
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic of the commit did not reach the leader")
			}
		}()
		g.Do(context.Background(), 0, func([]*Call[int]) { panic("boom") })
	}()
	done := make(chan store.Revision)
	go func() {
		rev, _ := g.Do(context.Background(), 1, func(calls []*Call[int]) { calls[0].Rev = 7 })
		done <- rev
	}()
	select {
	case rev := <-done:
		if rev != 7 {
			t.Errorf("the next write got revision %d, want 7", rev)
		}
	case <-time.After(time.Minute):
		t.Fatal("the next write waited for a group that panicked")
	}
}
