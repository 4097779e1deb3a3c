package gateway_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
)

// TestKeyStatesAnswersAsKeyStateKeyByKey: the batch of many keys says,
// key by key and service by service, what KeyState says of each key
// alone: open through a grant, open to everyone, closed and why, a
// disabled key, another owner's grant.
func TestKeyStatesAnswersAsKeyStateKeyByKey(t *testing.T) {
	e := newEnv(t)
	e.world(time.Now().Add(time.Hour))
	svc, ctx := e.svc, e.ctx
	svcs := e.cat.svcs // topo, ortho (open), off (unavailable)
	var batch []gateway.KeyServices
	for _, k := range []struct {
		owner    string
		accesses []portal.AccessPair
		disable  bool
	}{
		{"alice", []portal.AccessPair{{Grant: "g1", Service: "topo"}, {Grant: "g1", Service: "off"}}, false},
		{"alice", []portal.AccessPair{{Grant: "g1", Service: "topo"}}, true},
		{"bob", []portal.AccessPair{{Grant: "g2", Service: "topo"}}, false},
		{"alice", nil, false},
	} {
		key, secret, err := svc.CreateKey(ctx, k.owner, portal.KeySpec{Name: "k", Type: portal.KeyHash, Accesses: k.accesses})
		if err != nil {
			t.Fatal(err)
		}
		if k.disable {
			off := portal.KeyDisabled
			if _, err := svc.UpdateKey(ctx, k.owner, key.ID, portal.KeyChange{Status: &off}); err != nil {
				t.Fatal(err)
			}
		}
		batch = append(batch, gateway.KeyServices{Key: mustLive(t, e, secret), Services: svcs})
	}
	got, err := e.dec.KeyStates(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(batch) {
		t.Fatalf("%d answers for %d keys", len(got), len(batch))
	}
	reasons := map[string]bool{}
	for i, k := range batch {
		want, err := e.dec.KeyState(ctx, k.Key, k.Services)
		if err != nil {
			t.Fatal(err)
		}
		// KeyState of one key is the batch of one: compare with a batch
		// of all, where other keys' checks share the engine's call.
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("key %d: batch %+v, alone %+v", i, got[i], want)
		}
		for _, s := range got[i] {
			reasons[s.Reason] = true
		}
	}
	for _, r := range []string{"", gateway.ReasonOpen, gateway.ReasonServiceUnavailable, gateway.ReasonKeyDisabled, gateway.ReasonLayerNotGranted} {
		if !reasons[r] {
			t.Errorf("no service said %q: %v", r, reasons)
		}
	}
	if got[0][0].Grant != "g1" || !got[0][0].Opens || got[2][0].Grant != "g2" {
		t.Errorf("topo opens through %q and %q, want g1 and g2", got[0][0].Grant, got[2][0].Grant)
	}
	if out, err := e.dec.KeyStates(ctx, nil); err != nil || len(out) != 0 {
		t.Errorf("no key: %v, %v", out, err)
	}
}
