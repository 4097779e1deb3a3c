package gateway_test

import (
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// BenchmarkKeyStateOfTenKeys: what a consumer's keys screen asks the
// gateway, ten keys with accesses to the three services of the test
// world (one opened by a grant, one open to everyone, one switched off),
// asked key by key (KeyState):
//
//	go test ./internal/gateway -run XXX -bench KeyStateOfTenKeys -count 3
func BenchmarkKeyStateOfTenKeys(b *testing.B) {
	e, keys := tenKeys(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			if _, err := e.dec.KeyState(e.ctx, k, e.cat.svcs); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// tenKeys is the world of BenchmarkKeyStateOfTenKeys and alice's ten keys.
func tenKeys(b *testing.B) (*env, []*portal.LiveKey) {
	e := newEnv(b)
	e.world(time.Now().Add(time.Hour))
	var keys []*portal.LiveKey
	for range 10 {
		_, secret, err := e.svc.CreateKey(e.ctx, "alice", portal.KeySpec{Name: "k", Type: portal.KeyHash,
			Accesses: []portal.AccessPair{{Grant: "g1", Service: "topo"}, {Grant: "g1", Service: "off"}}})
		if err != nil {
			b.Fatal(err)
		}
		k, err := e.svc.LookupKey(secret, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		keys = append(keys, k)
	}
	return e, keys
}
