package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
)

// Crash test sizes: per cycle the kill comes after a random number of
// acknowledged writes in [killAfterMin, killAfterMin+killAfterSpread).
const (
	crashCycles      = 5
	crashWriters     = 4
	killAfterMin     = 200
	killAfterSpread  = 200
	maxWritesPerTurn = 2000 // per writer and cycle: bounds a cycle whose kill never comes
)

func TestCrash(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { crashCycle(t, b.open(t)) })
	}
}

// writeSchema writes testSchema through n and returns the token.
func writeSchema(t *testing.T, n *node, text string) api.Token {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := n.Client.WriteSchema(ctx, api.WriteSchemaRequest{Schema: text})
	if err != nil {
		t.Fatalf("%s: writing the schema: %v", n.name, err)
	}
	return resp.ConsistencyToken
}

// crashCycle streams writes into a server on ds, kills it with SIGKILL at a
// random moment, restarts it and verifies the ledger, crashCycles times.
func crashCycle(t *testing.T, ds datastore) {
	token := newToken()
	srv := startNode(t, ds.name+"-run0", ds, token)
	writeSchema(t, srv, testSchema)
	l := newLedger()
	started := time.Now()
	for cycle := range crashCycles {
		var acks atomic.Int64
		killAt := int64(killAfterMin + rand.IntN(killAfterSpread))
		stop, killed := make(chan struct{}), make(chan struct{})
		done := make(chan streamResult, 1)
		cycleStart := time.Now()
		go func() {
			done <- stream(t, srv.Client, l, fmt.Sprintf("c%d", cycle), crashWriters, maxWritesPerTurn, stop, killed, &acks)
		}()
		reached := waitCount(&acks, killAt, 30*time.Second)
		close(killed)
		srv.kill()
		close(stop)
		var res streamResult
		select {
		case res = <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("cycle %d: writers still running 30s after the kill", cycle)
		}
		if !reached {
			t.Fatalf("cycle %d: only %d writes acknowledged in 30s, want %d before the kill", cycle, acks.Load(), killAt)
		}
		if res.failedBefore > 0 {
			t.Errorf("cycle %d: %d writes failed before the kill, e.g. %s", cycle, res.failedBefore, res.firstErrBefore)
		}
		writeTime := time.Since(cycleStart)

		srv = startNode(t, fmt.Sprintf("%s-run%d", ds.name, cycle+1), ds, token)
		present, absent := verify(t, srv.Client, l)
		acked, _ := l.counts()
		t.Logf("%s cycle %d: killed after %d acknowledged writes (%.0f writes/s); %d in flight at the kill: %d applied whole, %d absent; %d acknowledged writes in total",
			ds.name, cycle, res.acked, float64(res.acked)/writeTime.Seconds(), res.failed, present, absent, acked)
		if t.Failed() {
			return
		}
	}
	t.Logf("%s: %d kill/restart cycles in %s", ds.name, crashCycles, time.Since(started).Round(time.Millisecond))
}
