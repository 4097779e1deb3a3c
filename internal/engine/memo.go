package engine

import (
	"context"
	"fmt"
)

// state is how far a memo entry is in the current round.
type state uint8

const (
	unvisited  state = iota
	inProgress       // being computed: a request for it now is recursion in the data
	done
)

// memoEntry is one result of the current round, and the one the previous
// round settled on.
type memoEntry[S any] struct {
	state state
	set   S
	prev  S
}

// memo remembers the sets a lookup has computed, one per key (a member, or
// an object and a member), so that each is computed once per round. When
// the evaluation meets a set it is still computing (nested groups, folder
// parents), it reads the previous round's set instead, and rounds repeat
// until no set changes: the least fixed point, whatever the order of
// evaluation. Without recursion one round suffices.
type memo[K comparable, S any] struct {
	entries map[K]*memoEntry[S]
	empty   S                 // the set before the first round
	equal   func(a, b S) bool // whether two rounds agree on a set
	cyclic  bool              // this round read a set still in progress
}

func newMemo[K comparable, S any](empty S, equal func(a, b S) bool) *memo[K, S] {
	return &memo[K, S]{entries: map[K]*memoEntry[S]{}, empty: empty, equal: equal}
}

// set returns the set of k, computing it with compute the first time it is
// asked for in a round.
func (m *memo[K, S]) set(k K, compute func() S) S {
	e := m.entries[k]
	if e == nil {
		e = &memoEntry[S]{set: m.empty, prev: m.empty}
		m.entries[k] = e
	}
	switch e.state {
	case done:
		return e.set
	case inProgress:
		m.cyclic = true
		return e.prev
	}
	e.state = inProgress
	s := compute()
	e.set, e.state = s, done
	return s
}

// maxRounds bounds the fixed-point rounds of a recursive lookup.
const maxRounds = 256

// fixpoint evaluates root in rounds until the sets settle, and returns its
// last result. It stops with c's error once one has decided the answer, and
// between rounds with ctx's error when ctx has ended.
func (m *memo[K, S]) fixpoint(ctx context.Context, c *checker, root func() S) (S, error) {
	var zero S
	for r := 0; ; r++ {
		m.cyclic = false
		out := root()
		if c.err != nil {
			return zero, c.err
		}
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		if !m.cyclic || !m.settle() {
			return out, nil
		}
		if r == maxRounds {
			return zero, fmt.Errorf("%w: lookup did not settle after %d rounds", ErrDepth, maxRounds)
		}
	}
}

// settle makes this round's sets the next round's previous ones, and
// reports whether any changed.
func (m *memo[K, S]) settle() bool {
	changed := false
	for _, e := range m.entries {
		if e.state == done {
			if !m.equal(e.set, e.prev) {
				changed = true
			}
			e.prev = e.set
		}
		e.set, e.state = m.empty, unvisited
	}
	return changed
}
