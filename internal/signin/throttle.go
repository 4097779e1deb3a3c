package signin

import (
	"sync"
	"time"
)

// throttle slows guessing: after failed sign-ins, the next attempt for the
// same (account, address) pair, and for the same address whatever the
// account, must wait a delay that doubles with each failure, capped at
// maxDelay. A success clears the pair's failures.
//
// Why these keys, and not the account alone: an account-wide lock-out lets
// anyone lock a victim out by failing on purpose. Keyed by (account,
// address), the attacker's failures delay the attacker's own address only,
// and the cap bounds any delay to a few minutes. The per-address key
// (with more free attempts) slows one address spraying many accounts.
// Guessing from many addresses is not stopped here but is slowed by the
// password hash's cost and the common-password check.
//
// Counts live in the memory of each node (several nodes each allow their
// own attempts: a few times more guesses, still bounded), and forget a
// key after forgetAfter without failures.
type throttle struct {
	mu   sync.Mutex
	keys map[string]*failures
	// free attempts before delays start, per kind of key.
	freePair, freeAddr int
	base, maxDelay     time.Duration
	forgetAfter        time.Duration
	lastSweep          time.Time
}

type failures struct {
	n    int
	last time.Time
}

func newThrottle() *throttle {
	return &throttle{keys: map[string]*failures{}, freePair: 3, freeAddr: 20, base: time.Second, maxDelay: 5 * time.Minute, forgetAfter: time.Hour}
}

func pairKey(account, addr string) string { return "p\x00" + account + "\x00" + addr }
func addrKey(addr string) string          { return "a\x00" + addr }

// wait returns how long the caller must still wait before an attempt for
// (account, addr) at now; zero when it may proceed.
func (t *throttle) wait(account, addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.waitLocked(pairKey(account, addr), t.freePair, now), t.waitLocked(addrKey(addr), t.freeAddr, now))
}

func (t *throttle) waitLocked(key string, free int, now time.Time) time.Duration {
	f := t.keys[key]
	if f == nil || f.n < free {
		return 0
	}
	d := t.delay(f.n - free)
	if left := f.last.Add(d).Sub(now); left > 0 {
		return left
	}
	return 0
}

// delay is base·2^k, capped.
func (t *throttle) delay(k int) time.Duration {
	if k >= 20 {
		return t.maxDelay
	}
	return min(t.base<<k, t.maxDelay)
}

// fail records a failed attempt.
func (t *throttle) fail(account, addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	for _, k := range []string{pairKey(account, addr), addrKey(addr)} {
		f := t.keys[k]
		if f == nil {
			f = &failures{}
			t.keys[k] = f
		}
		f.n++
		f.last = now
	}
}

// succeed clears the pair's failures (the address's stay: one good
// password does not excuse a spray).
func (t *throttle) succeed(account, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, pairKey(account, addr))
}

// sweep forgets keys quiet for forgetAfter, at most once a minute, so that
// memory stays bounded by the failures of the last hour.
func (t *throttle) sweep(now time.Time) {
	if now.Sub(t.lastSweep) < time.Minute {
		return
	}
	t.lastSweep = now
	for k, f := range t.keys {
		if now.Sub(f.last) > t.forgetAfter {
			delete(t.keys, k)
		}
	}
}
