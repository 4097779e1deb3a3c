package gateway

import "slices"

// valueMap is a map of names to values (the header map of a head, the
// query of a URI: http.Header and url.Values are both of its type) that
// a reader fills again for every message it reads, without allocating
// once it has read a few.
//
// Contract: set(n, name, value) makes m the values of a message's n
// fields (name(i), value(i) for i < n), in order; m and its slices are
// the reader's, valid until the next set. A name that comes once has a
// one-value slice of the shared array vals, clipped, so that appending
// to one never writes into another; a name that comes again gets a
// slice of its own. A message with the same names in the same order as
// the last, none twice (a client's usual next one), only has its values
// written into vals: the map is neither cleared nor refilled.
type valueMap struct {
	m    map[string][]string
	vals []string // backing of the map's one-value slices
	// names are the last message's names, in order; single: none came
	// twice, so that m holds exactly names[i] -> vals[i:i+1:i+1].
	names  []string
	single bool
}

// set makes m the n fields of a message; name and value read field i
// (strings that stay valid as long as the message's: substrings of it).
func (v *valueMap) set(n int, name, value func(i int) string) {
	if v.m != nil && v.same(n, name) {
		for i := range n {
			v.vals[i] = value(i)
		}
		return
	}
	if v.m == nil {
		v.m = make(map[string][]string, 16)
	}
	clear(v.m)
	// Room for every value first: the map's slices must all share one
	// backing array, the one same's messages write their values into.
	v.vals = slices.Grow(v.vals[:0], n)
	v.names = v.names[:0]
	for i := range n {
		k, val := name(i), value(i)
		v.names = append(v.names, k)
		if vs, seen := v.m[k]; seen {
			v.m[k] = append(vs, val) // a copy: vs is clipped
			continue
		}
		v.vals = append(v.vals, val)
		j := len(v.vals)
		v.m[k] = v.vals[j-1 : j : j]
	}
	v.single = len(v.m) == n
}

// same reports whether the n names are the last message's, in order,
// with none twice.
func (v *valueMap) same(n int, name func(i int) string) bool {
	if !v.single || n != len(v.names) {
		return false
	}
	for i := range n {
		if name(i) != v.names[i] {
			return false
		}
	}
	return true
}
