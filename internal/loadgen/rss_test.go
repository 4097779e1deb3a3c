package loadgen

import (
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	line := "4242 (octroi serve) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 12 0 100 0 0"
	got, err := parseStat(line)
	if want := 3250 * time.Millisecond; err != nil || got != want {
		t.Errorf("parseStat = %v, %v; want %v", got, err, want)
	}
	if _, err := parseStat("garbage"); err == nil {
		t.Error("parseStat of garbage: no error")
	}
}
