package bearer

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestFresh: ids and secrets have their documented shape and differ from
// one call to the next.
func TestFresh(t *testing.T) {
	for _, c := range []struct {
		name string
		make func() string
		want *regexp.Regexp
	}{
		{"NewID", NewID, regexp.MustCompile(`^[0-9a-f]{16}$`)},
		{"NewSecret", func() string { return NewSecret("oct_") }, regexp.MustCompile(`^oct_[A-Za-z0-9_-]{43}$`)},
	} {
		seen := map[string]bool{}
		for range 100 {
			got := c.make()
			if !c.want.MatchString(got) {
				t.Errorf("%s() = %q, want it to match %s", c.name, got, c.want)
			}
			if seen[got] {
				t.Errorf("%s() gave %q twice", c.name, got)
			}
			seen[got] = true
		}
	}
}

func TestHash(t *testing.T) {
	got := Hash("oct_x")
	if len(got) != 64 || strings.ToLower(got) != got || Hash("oct_y") == got {
		t.Errorf("Hash(oct_x) = %q, want 64 lowercase hex digits of its own", got)
	}
}

func TestLastUseDue(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	for _, c := range []struct {
		last *time.Time
		want bool
	}{
		{nil, true}, {at(0), false}, {at(LastUseEvery - time.Second), false}, {at(LastUseEvery), true},
	} {
		if got := LastUseDue(c.last, now); got != c.want {
			t.Errorf("LastUseDue(%v) = %v, want %v", c.last, got, c.want)
		}
	}
}
