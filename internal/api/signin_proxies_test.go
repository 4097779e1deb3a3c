package api_test

import (
	"context"
	"testing"

	"github.com/octroi/octroi/internal/server"
)

// failUntilThrottled signs in as email with a wrong password, each time
// with the X-Forwarded-For that xff gives, until the answer is 429; it
// fails the test when twelve failures are never slowed.
func failUntilThrottled(t *testing.T, w *world, email string, xff func(i int) string) {
	t.Helper()
	for i := range 12 {
		r := browser{w: w}.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": email, "password": "wrong password"}, "X-Forwarded-For", xff(i))
		if r.status == 429 {
			return
		}
		r.problem(t, 401, "unauthenticated")
	}
	t.Fatalf("%s: twelve failures in a row were never slowed", email)
}

// TestSignInLimitIgnoresSpoofedForwardedFor: without a trusted proxy (the
// default), X-Forwarded-For is ignored by the sign-in limits: a guesser
// who changes it at every attempt is slowed all the same, and cannot get
// out of the delay by naming another address.
func TestSignInLimitIgnoresSpoofedForwardedFor(t *testing.T) {
	w := newWorld(t, newEnv)
	if err := w.srv.SignIn().SetPassword(context.Background(), w.id["member"], "member@test.example", goodPassword); err != nil {
		t.Fatal(err)
	}
	failUntilThrottled(t, w, "member@test.example", func(i int) string { return "198.51.100." + string(rune('1'+i%9)) })
	r := browser{w: w}.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "member@test.example", "password": goodPassword}, "X-Forwarded-For", "192.0.2.77")
	r.problem(t, 429, "too_many_requests")
}

// TestSignInLimitBehindTrustedProxy: with --signin-trusted-proxies naming
// the proxy (here the test's own address), the limits count per client
// address as the proxy reports it, the right-most one it appended: a
// guesser who puts a victim's address first in X-Forwarded-For is
// counted under their own, and the victim, coming through the same
// proxy, signs in.
func TestSignInLimitBehindTrustedProxy(t *testing.T) {
	w := newWorld(t, func(t *testing.T, mutate ...func(*server.Config)) *env {
		return newEnv(t, append(mutate, func(c *server.Config) { c.SignIn.TrustedProxies = "127.0.0.1/32, ::1" })...)
	})
	if err := w.srv.SignIn().SetPassword(context.Background(), w.id["member"], "member@test.example", goodPassword); err != nil {
		t.Fatal(err)
	}
	const victim, guesser = "198.51.100.7", "203.0.113.9"
	// The proxy appends the address it sees to what the client sent.
	failUntilThrottled(t, w, "member@test.example", func(int) string { return victim + ", " + guesser })
	r := browser{w: w}.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "member@test.example", "password": goodPassword}, "X-Forwarded-For", guesser)
	r.problem(t, 429, "too_many_requests")
	r = browser{w: w}.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "member@test.example", "password": goodPassword}, "X-Forwarded-For", victim)
	if r.status != 200 {
		t.Fatalf("the victim's address was locked out by another's failures: %d %s", r.status, r.body)
	}
	// Each address is its own: another client of the proxy is not slowed.
	r = browser{w: w}.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "member@test.example", "password": goodPassword}, "X-Forwarded-For", "192.0.2.10")
	if r.status != 200 {
		t.Fatalf("another client of the proxy: %d %s", r.status, r.body)
	}
}
