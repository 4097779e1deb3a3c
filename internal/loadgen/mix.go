package loadgen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Op is one kind of request the workers send.
type Op int

// The operations, in the order reports list them.
const (
	OpCheck   Op = iota // one permission check
	OpBulk              // a bulk check of Config.BulkSize items
	OpLookup            // lookup-resources of datasets a typical user may search, streamed
	OpWrite             // a touch of Config.WriteBatch new relationships
	OpGateway           // a forward-auth decision (GET /gateway/auth) of Config.GatewayRequests
	numOps
)

var opNames = [numOps]string{"check", "bulk", "lookup", "write", "gateway"}

func (o Op) String() string {
	if o < 0 || o >= numOps {
		return "op(" + strconv.Itoa(int(o)) + ")"
	}
	return opNames[o]
}

// Mix is the relative weight of each operation: a worker picks its next
// request with probability weight ÷ sum of weights.
type Mix [numOps]int

// DefaultMix is check=80,lookup=5,write=5,bulk=10.
var DefaultMix = Mix{OpCheck: 80, OpBulk: 10, OpLookup: 5, OpWrite: 5}

// ParseMix parses "check=80,lookup=5,write=5,bulk=10": comma-separated
// name=weight pairs, weights whole numbers ≥ 0; an operation left out
// weighs 0; at least one weight must be positive. Errors say what to
// write instead.
func ParseMix(s string) (Mix, error) {
	var m Mix
	var seen [numOps]bool
	if strings.TrimSpace(s) == "" {
		return m, fmt.Errorf("mix is empty: want name=weight pairs such as %s", DefaultMix)
	}
	for part := range strings.SplitSeq(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return m, fmt.Errorf("mix %q: %q is not name=weight (e.g. check=80)", s, part)
		}
		op := Op(-1)
		for i, n := range opNames {
			if strings.TrimSpace(name) == n {
				op = Op(i)
			}
		}
		if op < 0 {
			return m, fmt.Errorf("mix %q: unknown operation %q: want check, bulk, lookup, write or gateway", s, name)
		}
		if seen[op] {
			return m, fmt.Errorf("mix %q: %s is given twice", s, op)
		}
		seen[op] = true
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 0 {
			return m, fmt.Errorf("mix %q: weight %q of %s: want a whole number ≥ 0", s, w, op)
		}
		if n > 1_000_000 {
			return m, fmt.Errorf("mix %q: weight %d of %s is too large: keep weights ≤ 1000000", s, n, op)
		}
		m[op] = n
	}
	if m.total() == 0 {
		return m, fmt.Errorf("mix %q: every weight is 0: give at least one operation a positive weight", s)
	}
	return m, nil
}

func (m Mix) total() int {
	t := 0
	for _, w := range m {
		t += w
	}
	return t
}

// String formats m as ParseMix reads it, operations of weight 0 left out.
func (m Mix) String() string {
	var parts []string
	for _, op := range []Op{OpCheck, OpLookup, OpWrite, OpBulk, OpGateway} {
		if m[op] > 0 {
			parts = append(parts, op.String()+"="+strconv.Itoa(m[op]))
		}
	}
	return strings.Join(parts, ",")
}

// pick draws an operation; m must have a positive total.
func (m Mix) pick(r *rand.Rand) Op {
	x := r.IntN(m.total())
	for op, w := range m {
		if x < w {
			return Op(op)
		}
		x -= w
	}
	return OpCheck // unreachable with a positive total
}
