package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/client"
	"github.com/octroi/octroi/internal/store"
)

// testSchema is the schema of the durability tests: a batch b of size k
// writes document:b_0 … document:b_{k-1} #viewer @user:b, so the subject
// names the batch a stored relationship belongs to.
const testSchema = `definition user {}

definition document {
	relation viewer: user
	relation editor: user
	permission view = viewer + editor
}
`

// batch is one write request: 2 or 3 relationships that must be stored all
// together or not at all.
type batch struct {
	id   string
	size int
}

func (b batch) resource(k int) string { return fmt.Sprintf("document:%s_%d", b.id, k) }
func (b batch) subject() string       { return "user:" + b.id }

func (b batch) request() api.WriteRequest {
	req := api.WriteRequest{}
	for k := range b.size {
		req.Updates = append(req.Updates, api.Update{
			Operation:    "touch",
			Relationship: api.Relationship{Resource: b.resource(k), Relation: "viewer", Subject: b.subject()},
		})
	}
	return req
}

// ledger records what the client side knows of every write: acknowledged
// (HTTP 200 with a token), failed (sent, no acknowledgement: it may or may
// not have been committed), and, once verified, whether each failed write
// turned out present or absent. Safe for concurrent use.
type ledger struct {
	mu      sync.Mutex
	acked   map[string]batch
	failed  map[string]batch // unresolved: verify sorts them out
	present map[string]batch // failed writes found stored
	absent  map[string]batch // failed writes found missing
	maxRev  store.Revision
	maxTok  api.Token
	errs    []string // first failure messages, for the log
}

func newLedger() *ledger {
	return &ledger{acked: map[string]batch{}, failed: map[string]batch{}, present: map[string]batch{}, absent: map[string]batch{}}
}

func (l *ledger) ack(t *testing.T, b batch, tok api.Token) {
	rev, err := api.DecodeToken(tok)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		t.Errorf("write %s acknowledged with a bad token %q: %v", b.id, tok, err)
	}
	l.acked[b.id] = b
	if rev > l.maxRev {
		l.maxRev, l.maxTok = rev, tok
	}
}

func (l *ledger) fail(b batch, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failed[b.id] = b
	if len(l.errs) < 5 {
		l.errs = append(l.errs, fmt.Sprintf("%s: %v", b.id, err))
	}
}

func (l *ledger) counts() (acked, failed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked), len(l.failed)
}

// streamResult is what a stream of writes did.
type streamResult struct {
	acked, failed int
	// failedBefore counts failures of requests started before the event
	// the caller marked (kill or signal); nonzero means the server failed
	// writes while healthy.
	failedBefore   int
	firstErrBefore string
	// Requests started before the event and answered after it: acknowledged
	// (in flight and completed) or failed (and why, for the first).
	ackedAcross, failedAcross int
	firstErrAcross            string
}

// stream runs writers goroutines, each sending batches one after the other
// to cl and recording them in l, until stop is closed or a write fails
// (after a kill or shutdown the server is gone: one failure per writer is
// expected). Every writer sends at most maxPerWriter batches. event, when
// closed, marks the moment after which failures are expected.
func stream(t *testing.T, cl *client.Client, l *ledger, prefix string, writers, maxPerWriter int, stop, event <-chan struct{}, ackCount *atomic.Int64) streamResult {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		res streamResult
	)
	for w := range writers {
		wg.Go(func() {
			for n := range maxPerWriter {
				select {
				case <-stop:
					return
				default:
				}
				b := batch{id: fmt.Sprintf("%sw%dn%d", prefix, w, n), size: 2 + n%2}
				before := !closed(event)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				resp, err := cl.Write(ctx, b.request())
				cancel()
				if err != nil {
					l.fail(b, err)
					mu.Lock()
					res.failed++
					switch {
					case before && !closed(event):
						res.failedBefore++
						if res.firstErrBefore == "" {
							res.firstErrBefore = fmt.Sprintf("%s: %v", b.id, err)
						}
					case before:
						res.failedAcross++
						if res.firstErrAcross == "" {
							res.firstErrAcross = fmt.Sprintf("%s: %v", b.id, err)
						}
					}
					mu.Unlock()
					return
				}
				l.ack(t, b, resp.ConsistencyToken)
				ackCount.Add(1)
				mu.Lock()
				res.acked++
				if before && closed(event) {
					res.ackedAcross++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return res
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// waitCount waits until c reaches n, for at most d; it reports whether it did.
func waitCount(c *atomic.Int64, n int64, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for c.Load() < n {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// readAll returns every stored document relationship as resource → subject,
// read through the API (which reads the store), and the token of the head.
func readAll(t *testing.T, cl *client.Client) (map[string]string, api.Token) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := map[string]string{}
	var tok api.Token
	cursor := ""
	for page := 0; ; page++ {
		if page > 10_000 {
			t.Fatal("reading relationships: more than 10000 pages, the cursor does not advance")
		}
		resp, err := cl.Read(ctx, api.ReadRequest{Filter: api.Filter{ResourceType: "document"}, Limit: 1000, Cursor: cursor})
		if err != nil {
			t.Fatalf("reading relationships: %v", err)
		}
		if page == 0 {
			tok = resp.ConsistencyToken
		}
		for _, r := range resp.Relationships {
			if prev, dup := got[r.Resource]; dup {
				t.Errorf("%s read twice (subjects %s and %s)", r.Resource, prev, r.Subject)
			}
			got[r.Resource] = r.Subject
		}
		if resp.Cursor == "" {
			return got, tok
		}
		cursor = resp.Cursor
	}
}

// verify checks, on a freshly restarted server, that the store holds exactly
// what the ledger allows: every acknowledged batch whole; every failed batch
// whole or not at all (and then resolved as present or absent for later
// cycles); nothing else. It checks that the server's revision is not behind
// any token it handed out, and that checks agree. It returns how many
// failed writes turned out present and absent.
func verify(t *testing.T, cl *client.Client, l *ledger) (present, absent int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	stored, headTok := readAll(t, cl)

	// Group the stored relationships by batch (the subject's id).
	byBatch := map[string][]string{}
	for res, subj := range stored {
		id, ok := strings.CutPrefix(subj, "user:")
		if !ok {
			t.Errorf("unexpected relationship %s#viewer@%s", res, subj)
			continue
		}
		byBatch[id] = append(byBatch[id], res)
	}
	has := func(b batch) int {
		n := 0
		for k := range b.size {
			if stored[b.resource(k)] == b.subject() {
				n++
			}
		}
		return n
	}
	lost := 0
	for _, id := range slices.Sorted(maps.Keys(l.acked)) {
		b := l.acked[id]
		if n := has(b); n != b.size {
			lost++
			if lost <= 10 {
				t.Errorf("acknowledged write %s lost: %d of its %d relationships stored", id, n, b.size)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged writes lost", lost, len(l.acked))
	}
	for _, b := range l.present {
		if n := has(b); n != b.size {
			t.Errorf("write %s, found whole after an earlier restart, now has %d of %d relationships", b.id, n, b.size)
		}
	}
	for _, b := range l.absent {
		if n := has(b); n != 0 {
			t.Errorf("write %s, found absent after an earlier restart, now has %d of %d relationships", b.id, n, b.size)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(l.failed)) {
		b := l.failed[id]
		switch n := has(b); n {
		case b.size:
			l.present[id] = b
			present++
		case 0:
			l.absent[id] = b
			absent++
		default:
			t.Errorf("torn write %s: %d of its %d relationships stored (a write must be all or nothing)", id, n, b.size)
		}
		delete(l.failed, id)
	}
	for id, res := range byBatch {
		_, a := l.acked[id]
		_, p := l.present[id]
		if !a && !p {
			t.Errorf("write %s stored (%v) but never acknowledged nor in flight", id, res)
		}
	}

	// (c) The revision did not go back: the head is at least the newest
	// token handed out, and a read demanding that token is served.
	if l.maxTok != "" {
		head, err := api.DecodeToken(headTok)
		if err != nil {
			t.Fatalf("read answered a bad token %q: %v", headTok, err)
		}
		if head < l.maxRev {
			t.Errorf("revision after restart %d, behind the newest acknowledged write's %d", head, l.maxRev)
		}
	}

	// Checks at least as fresh as the newest acknowledged write: every
	// stored relationship grants view, every absent one does not, and a
	// never-written one does not.
	var items []api.CheckItem
	var want []string
	add := func(b batch, result string) {
		for k := range b.size {
			items = append(items, api.CheckItem{Resource: b.resource(k), Permission: "view", Subject: b.subject()})
			want = append(want, result)
		}
	}
	for _, b := range l.acked {
		add(b, "has_permission")
	}
	for _, b := range l.present {
		add(b, "has_permission")
	}
	for _, b := range l.absent {
		add(b, "no_permission")
	}
	add(batch{id: "neverwritten", size: 2}, "no_permission")
	cons := &api.Consistency{AtLeastAsFresh: l.maxTok}
	if l.maxTok == "" {
		cons = &api.Consistency{FullyConsistent: true}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wrong := 0
	for start := 0; start < len(items); start += 1000 {
		end := min(start+1000, len(items))
		resp, err := cl.CheckBulk(ctx, api.CheckBulkRequest{Items: items[start:end], Consistency: cons})
		if err != nil {
			t.Fatalf("bulk check at least as fresh as the newest acknowledged write: %v", err)
		}
		if len(resp.Results) != end-start {
			t.Fatalf("bulk check answered %d results for %d items", len(resp.Results), end-start)
		}
		for i, r := range resp.Results {
			if r.Error != nil || r.Result != want[start+i] {
				wrong++
				if wrong <= 10 {
					it := items[start+i]
					t.Errorf("check %s view %s: got %q (error %v), want %q", it.Resource, it.Subject, r.Result, r.Error, want[start+i])
				}
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d checks wrong", wrong, len(items))
	}
	return present, absent
}
