package portal_test

import (
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// TestLookupKeyAllocs: the gateway looks a key up at every request; once
// its use is noted, a hit allocates nothing, nor does an unknown secret.
func TestLookupKeyAllocs(t *testing.T) {
	e := newEnv(t, backends[0].open(t)) // the lookup reads memory only: one backend suffices
	newWorld(t, e)
	grantWorld(t, e, time.Now().Add(30*24*time.Hour))
	_, secret, err := e.svc.CreateKey(e.ctx, "part", portal.KeySpec{Name: "QGIS", Type: portal.KeyHash,
		Accesses: []portal.AccessPair{{Grant: "g1", Service: "wms1"}}})
	ok(t, err)
	now := e.clock.Now()
	if _, err := e.svc.LookupKey(secret, now); err != nil { // notes the use
		t.Fatal(err)
	}
	for name, s := range map[string]string{"known": secret, "unknown": portal.KeySecretPrefix + "x"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = e.svc.LookupKey(s, now) }); n != 0 {
			t.Errorf("LookupKey of a %s secret allocates %v times, want 0", name, n)
		}
	}
}
