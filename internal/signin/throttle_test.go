package signin

import (
	"errors"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

func keyOf(err error) string {
	var perr *portal.Error
	if errors.As(err, &perr) {
		return string(perr.Msg.Key)
	}
	return err.Error()
}

func TestThrottle(t *testing.T) {
	th := newThrottle()
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	const victim, attacker = "198.51.100.7", "203.0.113.9"
	now := t0
	// Free attempts first, then delays that double.
	var waits []time.Duration
	for range 15 {
		if d := th.wait("ada@example.org", attacker, now); d > 0 {
			waits = append(waits, d)
			now = now.Add(d)
		}
		th.fail("ada@example.org", attacker, now)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, 64 * time.Second, 128 * time.Second, 256 * time.Second, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("wait %d: got %v, want %v", i, waits[i], want[i])
		}
	}
	// The victim, from its own address, is not locked out by the
	// attacker's failures on its account.
	if d := th.wait("ada@example.org", victim, now); d != 0 {
		t.Errorf("the victim must wait %v", d)
	}
	// Nor for longer than the cap, even from the attacker's address.
	if d := th.wait("ada@example.org", attacker, now.Add(5*time.Minute)); d != 0 {
		t.Errorf("after the cap: still %v to wait", d)
	}
	// One address spraying many accounts is slowed too.
	now = now.Add(time.Hour * 2)
	th2 := newThrottle()
	var slowed bool
	for i := range 30 {
		acc := string(rune('a'+i)) + "@example.org"
		if th2.wait(acc, attacker, now) > 0 {
			slowed = true
			break
		}
		th2.fail(acc, attacker, now)
	}
	if !slowed {
		t.Error("30 failures on 30 accounts from one address were not slowed")
	}
	// A success clears the pair.
	th3 := newThrottle()
	for range 5 {
		th3.fail("x", victim, now)
	}
	th3.succeed("x", victim)
	if d := th3.wait("x", victim, now); d != 0 {
		t.Errorf("after a success: %v to wait", d)
	}
	// Keys quiet for an hour are forgotten.
	th3.fail("y", victim, now)
	th3.fail("z", victim, now.Add(2*time.Hour))
	th3.mu.Lock()
	_, kept := th3.keys[pairKey("y", victim)]
	th3.mu.Unlock()
	if kept {
		t.Error("a key quiet for two hours is still held")
	}
}
