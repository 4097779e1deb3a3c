package engine

import (
	"slices"
)

// tri is a three-valued (Kleene) truth: caveats whose parameters are missing
// make a result unknown rather than false.
type tri uint8

const (
	no tri = iota
	yes
	unknown
)

// truth is a Kleene value; unknown carries the caveat parameters whose
// absence made it so (sorted, deduplicated).
type truth struct {
	v    tri
	miss []string
}

var (
	tNo  = truth{v: no}
	tYes = truth{v: yes}
)

func or(a, b truth) truth  { return kleene(a, b, yes) }
func and(a, b truth) truth { return kleene(a, b, no) }

// kleene is or when decisive is yes, and when it is no: decisive on either
// side settles the outcome whatever the other; otherwise an unknown side
// makes it unknown, needing the parameters both unknown sides miss.
func kleene(a, b truth, decisive tri) truth {
	switch {
	case a.v == decisive || b.v == decisive:
		return truth{v: decisive}
	case a.v == unknown && b.v == unknown:
		return truth{unknown, mergeNames(a.miss, b.miss)}
	case a.v == unknown:
		return a
	case b.v == unknown:
		return b
	}
	return truth{v: a.v} // both sides hold the value that decides nothing
}

func not(a truth) truth {
	switch a.v {
	case yes:
		return tNo
	case no:
		return tYes
	}
	return a
}

func mergeNames(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]string, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

func (t truth) equal(u truth) bool {
	return t.v == u.v && slices.Equal(t.miss, u.miss)
}
