package sqlstore

import (
	"context"
	"sync"

	"github.com/octroi/octroi/internal/store"
)

// Hub fans revisions out to subscribers. Each subscriber has a one-slot
// channel holding the latest revision it has not received yet, so a slow
// subscriber never blocks writers and never sees revisions go backwards.
// The zero Hub is ready to use.
type Hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	ch   chan store.Revision
	last store.Revision
}

// Subscribe registers a subscriber until ctx ends or the hub closes, when
// its channel is closed.
func (h *Hub) Subscribe(ctx context.Context) (<-chan store.Revision, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, store.ErrClosed
	}
	s := &subscriber{ch: make(chan store.Revision, 1)}
	if h.subs == nil {
		h.subs = make(map[*subscriber]struct{})
	}
	h.subs[s] = struct{}{}
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[s]; ok {
			delete(h.subs, s)
			close(s.ch)
		}
	}()
	return s.ch, nil
}

// Publish tells every subscriber about rev (ignored by those that were
// already told about a later one).
func (h *Hub) Publish(rev store.Revision) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if rev <= s.last {
			continue
		}
		s.last = rev
		select {
		case <-s.ch: // drop the stale value the subscriber has not taken
		default:
		}
		s.ch <- rev // cannot block: only Publish sends, under h.mu
	}
}

// HasSubscribers reports whether anyone listens (lets a backend skip work).
func (h *Hub) HasSubscribers() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) > 0
}

// Close closes every subscriber's channel and refuses new subscribers.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		close(s.ch)
	}
}
