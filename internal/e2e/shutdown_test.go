package e2e

import (
	"sync/atomic"
	"testing"
	"time"
)

const signalAfter = 150 // acknowledged writes before SIGTERM

// TestGracefulShutdown sends SIGTERM to a server under a stream of writes:
// it must exit with status 0, every acknowledged write must be durable, and
// no write may be committed without having been acknowledged — a graceful
// shutdown lets every request it has started finish and answer.
//
// It does not require that every request sent before the signal succeeds:
// a request written to a kept-alive connection that the server has not yet
// started to read is indistinguishable, for net/http's Shutdown, from an
// idle connection, which it closes; the client then sees the connection
// closed and the write was not applied. Such requests are counted in the
// log.
func TestGracefulShutdown(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { gracefulShutdown(t, b.open(t)) })
	}
}

func gracefulShutdown(t *testing.T, ds datastore) {
	token := newToken()
	srv := startNode(t, ds.name+"-run0", ds, token)
	writeSchema(t, srv, testSchema)
	l := newLedger()
	var acks atomic.Int64
	stop, signaled := make(chan struct{}), make(chan struct{})
	defer close(stop)
	done := make(chan streamResult, 1)
	go func() { done <- stream(t, srv.Client, l, "g", crashWriters, maxWritesPerTurn, stop, signaled, &acks) }()
	if !waitCount(&acks, signalAfter, 30*time.Second) {
		t.Errorf("only %d writes acknowledged in 30s, want %d before SIGTERM", acks.Load(), signalAfter)
	}
	close(signaled)
	start := time.Now()
	if err := srv.stop(); err != nil {
		t.Errorf("octroi serve after SIGTERM: %v, want exit status 0", err)
	}
	stopTime := time.Since(start)
	var res streamResult
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("writers still running 30s after the server stopped")
	}
	if res.failedBefore > 0 {
		t.Errorf("%d writes failed before SIGTERM, e.g. %s", res.failedBefore, res.firstErrBefore)
	}

	srv = startNode(t, ds.name+"-run1", ds, token)
	present, absent := verify(t, srv.Client, l)
	if present > 0 {
		t.Errorf("%d writes committed but never acknowledged across a graceful shutdown", present)
	}
	t.Logf("%s: SIGTERM after %d acknowledged writes, exit in %s; %d requests in flight at the signal completed with 200, %d failed; of all unacknowledged writes %d absent, %d present%s",
		ds.name, res.acked-res.ackedAcross, stopTime.Round(time.Millisecond), res.ackedAcross, res.failedAcross, absent, present, firstErr(res.firstErrAcross))
}

func firstErr(s string) string {
	if s == "" {
		return ""
	}
	return "; first failure: " + s
}
