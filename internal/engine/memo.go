package engine

import "fmt"

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
// evaluation. Without recursion one round suffices. A memo serves one
// query.
type memo[K comparable, S any] struct {
	slot    map[K]int      // where each key's entry is in entries
	entries []memoEntry[S] // values, not pointers: one allocation per growth, not per set
	empty   S              // the set before the first round
	cyclic  bool           // this round read a set still in progress
}

// newMemo returns an empty memo with room for about size keys.
func newMemo[K comparable, S any](size int, empty S) memo[K, S] {
	return memo[K, S]{slot: make(map[K]int, size), entries: make([]memoEntry[S], 0, size), empty: empty}
}

// set returns the set of k, computing it with compute the first time it is
// asked for in a round.
func (m *memo[K, S]) set(k K, compute func() S) S {
	i, ok := m.slot[k]
	if !ok {
		i = len(m.entries)
		m.slot[k] = i
		m.entries = append(m.entries, memoEntry[S]{set: m.empty, prev: m.empty})
	}
	switch e := &m.entries[i]; e.state {
	case done:
		return e.set
	case inProgress:
		m.cyclic = true
		return e.prev
	}
	m.entries[i].state = inProgress
	s := compute() // may add entries, moving them: index again below
	m.entries[i].set, m.entries[i].state = s, done
	return s
}

// maxRounds bounds the fixed-point rounds of a recursive lookup.
const maxRounds = 256

// fixpoint evaluates root in rounds until the sets settle (equal says
// whether two rounds agree on a set), and returns root's last result. It
// stops with c's error once one has decided the answer, and between rounds
// with the error of c's context when that has ended.
func (m *memo[K, S]) fixpoint(c *checker, root func() S, equal func(a, b S) bool) (S, error) {
	var zero S
	for r := 0; ; r++ {
		m.cyclic = false
		out := root()
		if c.err != nil {
			return zero, c.err
		}
		if err := c.ctx.Err(); err != nil {
			return zero, err
		}
		if !m.cyclic || !m.settle(equal) {
			return out, nil
		}
		if r == maxRounds {
			return zero, fmt.Errorf("%w: lookup did not settle after %d rounds", ErrDepth, maxRounds)
		}
	}
}

// settle makes this round's sets the next round's previous ones, and
// reports whether any changed.
func (m *memo[K, S]) settle(equal func(a, b S) bool) bool {
	changed := false
	for i := range m.entries {
		e := &m.entries[i]
		if e.state == done {
			if !equal(e.set, e.prev) {
				changed = true
			}
			e.prev = e.set
		}
		e.set, e.state = m.empty, unvisited
	}
	return changed
}
