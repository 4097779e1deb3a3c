package gateway_test

import (
	"testing"

	"github.com/octroi/octroi/internal/gateway"
)

// BenchmarkKeyStatesOfTenKeys is BenchmarkKeyStateOfTenKeys asked in one
// batch (KeyStates), as the keys screen does.
func BenchmarkKeyStatesOfTenKeys(b *testing.B) {
	e, keys := tenKeys(b)
	batch := make([]gateway.KeyServices, len(keys))
	for i, k := range keys {
		batch[i] = gateway.KeyServices{Key: k, Services: e.cat.svcs}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.dec.KeyStates(e.ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
