package loadgen

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mix
	}{
		{"check=80,lookup=5,write=5,bulk=10", DefaultMix},
		{" check = 1 , bulk=0 ", Mix{OpCheck: 1}},
		{"lookup=3", Mix{OpLookup: 3}},
	} {
		got, err := ParseMix(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMix(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if got := DefaultMix.String(); got != "check=80,lookup=5,write=5,bulk=10" {
		t.Errorf("DefaultMix.String() = %q", got)
	}
}

func TestParseMixErrors(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"", "mix is empty"},
		{"check", "is not name=weight"},
		{"check=80,read=5", `unknown operation "read": want check, bulk, lookup, write or gateway`},
		{"check=1,check=2", "check is given twice"},
		{"check=-1", "want a whole number ≥ 0"},
		{"check=x", "want a whole number ≥ 0"},
		{"check=0,bulk=0", "every weight is 0"},
		{"check=2000000", "too large"},
	} {
		_, err := ParseMix(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseMix(%q) error = %v, want one saying %q", tc.in, err, tc.msg)
		}
	}
}

func TestMixPickFollowsWeights(t *testing.T) {
	m := Mix{OpCheck: 80, OpBulk: 10, OpLookup: 5, OpWrite: 5}
	r := rand.New(rand.NewPCG(1, 1))
	var got [numOps]int
	const n = 100_000
	for range n {
		got[m.pick(r)]++
	}
	for op, w := range m {
		want := n * w / 100
		if d := got[op] - want; d < -want/10 || d > want/10 {
			t.Errorf("%s picked %d times in %d, want about %d", Op(op), got[op], n, want)
		}
	}
	only := Mix{OpWrite: 1}
	for range 100 {
		if op := only.pick(r); op != OpWrite {
			t.Fatalf("mix write=1 picked %s", op)
		}
	}
}
