package store

import (
	"context"
	"testing"
	"time"
)

// TestFollow: a step at once, one per wake-up, one per poll, none after
// ctx ends; a closed wake channel leaves the poll.
func TestFollow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	wake := make(chan Revision)
	steps := make(chan int, 100)
	n := 0
	done := make(chan struct{})
	go func() {
		Follow(ctx, wake, time.Hour, func() { n++; steps <- n })
		close(done)
	}()
	<-steps // at once
	wake <- 1
	if got := <-steps; got != 2 {
		t.Errorf("after a wake-up: got step %d, want 2", got)
	}
	close(wake)
	cancel()
	<-done
	if got := len(steps); got > 1 {
		t.Errorf("after ctx ended: got %d more steps, want at most the one of the closed channel", got)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	polled := make(chan struct{}, 10)
	go Follow(ctx, nil, time.Millisecond, func() { polled <- struct{}{} })
	for range 3 {
		select {
		case <-polled:
		case <-time.After(10 * time.Second):
			t.Fatal("no step by polling")
		}
	}
}
