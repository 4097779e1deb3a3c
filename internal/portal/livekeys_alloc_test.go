package portal_test

import (
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// TestLookupKeyAllocs: the gateway looks a key up at every request; once
// its use is noted, a hit allocates nothing, nor does an unknown secret,
// nor GrantInfo, asked for every access that opens.
func TestLookupKeyAllocs(t *testing.T) {
	e := newEnv(t, backends[0].open(t)) // the lookup reads memory only: one backend suffices
	w := newWorld(t, e)
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
	// And the grant of every access that opens (Decider.Grants).
	servicesWorld(t, e, w)
	g := must[portal.Grant](t)(e.svc.CreateGrant(e.ctx, "ed", portal.Grant{Name: "Licence", Services: []string{"topo-wms"}, Users: []string{"stranger"}}))
	if _, _, found := e.svc.GrantInfo(g.ID); !found {
		t.Fatalf("grant %s unknown", g.ID)
	}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = e.svc.GrantInfo(g.ID) }); n != 0 {
		t.Errorf("GrantInfo allocates %v times, want 0", n)
	}
}
