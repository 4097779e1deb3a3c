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

// TestAppendHash: AppendHash is Hash, appended, for short and long
// secrets alike, and allocates nothing with room in dst.
func TestAppendHash(t *testing.T) {
	for _, secret := range []string{"", "oct_x", NewSecret("oct_"), strings.Repeat("s", shortSecret), strings.Repeat("l", shortSecret+1)} {
		got := AppendHash([]byte("prefix:"), secret)
		if want := "prefix:" + Hash(secret); string(got) != want {
			t.Errorf("AppendHash(prefix:, %d bytes) = %q, want %q", len(secret), got, want)
		}
	}
	// The hash of a secret stored by the first release (hex SHA-256), so
	// that a change of the hash cannot pass unnoticed.
	if got, want := Hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("Hash(abc) = %s, want %s", got, want)
	}
	secret := NewSecret("oct_")
	var buf [HashLen]byte
	if n := testing.AllocsPerRun(100, func() { _ = AppendHash(buf[:0], secret) }); n != 0 {
		t.Errorf("AppendHash allocates %v times, want 0", n)
	}
}

func BenchmarkHash(b *testing.B) {
	secret := NewSecret("oct_")
	b.Run("Hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Hash(secret)
		}
	})
	b.Run("AppendHash", func(b *testing.B) {
		b.ReportAllocs()
		var buf [HashLen]byte
		for b.Loop() {
			_ = AppendHash(buf[:0], secret)
		}
	})
}
