package gateway_test

import (
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// TestKeyStateSaysWhatDecideWould: for each service of a key, KeyState
// tells whether the key opens it and why not in Decide's own reason, as
// the key's grant, service and status change.
func TestKeyStateSaysWhatDecideWould(t *testing.T) {
	e := newEnv(t)
	e.world(time.Now().Add(time.Hour))
	svc, ctx := e.svc, e.ctx
	k, secret, err := svc.CreateKey(ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash,
		Accesses: []portal.AccessPair{{Grant: "g1", Service: "topo"}, {Grant: "g1", Service: "off"}}})
	if err != nil {
		t.Fatal(err)
	}
	svcs := e.cat.svcs // topo, ortho (open), off (unavailable)
	layer := map[string]string{"topo": "topo_routes", "ortho": "ortho", "off": "off_layer"}
	check := func(name string, want map[string]string) {
		t.Helper()
		live, err := svc.LookupKey(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		states, err := e.dec.KeyState(ctx, live, svcs)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range states {
			if s.Service != svcs[i].ID {
				t.Fatalf("%s: state %d is of %s", name, i, s.Service)
			}
			if s.Reason != want[s.Service] || s.Why.IsZero() {
				t.Errorf("%s: %s: reason %q (%s), want %q", name, s.Service, s.Reason, s.Why.In(messages.English), want[s.Service])
			}
			// Decide says the same of a GetMap on the service's layer (it
			// gives no reason when it allows with a key: KeyState says
			// "open" for a service open to everyone).
			d := e.dec.Decide(ctx, in("/wms", getMap(layer[s.Service])+"&apikey="+secret))
			if (d.Status == 200) != s.Opens || (!s.Opens && d.Reason != s.Reason) {
				t.Errorf("%s: %s: KeyState %v %q, Decide %d %q", name, s.Service, s.Opens, s.Reason, d.Status, d.Reason)
			}
		}
	}
	check("fresh", map[string]string{"topo": "", "ortho": gateway.ReasonOpen, "off": gateway.ReasonServiceUnavailable})
	if states, _ := e.dec.KeyState(ctx, mustLive(t, e, secret), svcs[:1]); states[0].Grant != "g1" {
		t.Errorf("topo opens through %q, want g1", states[0].Grant)
	}

	off := portal.KeyDisabled
	if _, err := svc.UpdateKey(ctx, "alice", k.ID, portal.KeyChange{Status: &off}); err != nil {
		t.Fatal(err)
	}
	check("disabled", map[string]string{"topo": gateway.ReasonKeyDisabled, "ortho": gateway.ReasonKeyDisabled, "off": gateway.ReasonKeyDisabled})
	on := portal.KeyActive
	if _, err := svc.UpdateKey(ctx, "alice", k.ID, portal.KeyChange{Status: &on}); err != nil {
		t.Fatal(err)
	}

	past := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	e.write(store.Touch, "grant:g1#beneficiary_community@community:club[expiration:"+past.Format(time.RFC3339)+"]")
	e.dec.Grants = grants{"g1": &past}
	check("grant expired", map[string]string{"topo": gateway.ReasonGrantExpired, "ortho": gateway.ReasonOpen, "off": gateway.ReasonServiceUnavailable})
	live := mustLive(t, e, secret)
	states, _ := e.dec.KeyState(ctx, live, svcs[:1])
	if got := states[0].Why.In(messages.French); !strings.Contains(got, past.Format(time.RFC3339)) {
		t.Errorf("the expiry is not dated: %s", got)
	}
}

func mustLive(t *testing.T, e *env, secret string) *portal.LiveKey {
	t.Helper()
	k, err := e.svc.LookupKey(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return k
}
