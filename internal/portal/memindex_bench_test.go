package portal

import (
	"fmt"
	"testing"

	"github.com/octroi/octroi/internal/store"
)

// BenchmarkServicesAt measures the gateway's lookup of the services at a
// path, from memory, with n services, four per path (the copy is up to
// date, as it is between changes):
//
//	go test ./internal/portal -run XXX -bench ServicesAt -count 3
func BenchmarkServicesAt(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			mk := &memKind{docs: map[string]store.Doc{}, alt: map[string]string{}, groups: map[string]memGroup{}}
			r := &records{revision: func() store.Revision { return 0 }, loaded: true, kinds: map[string]*memKind{kindService: mk}}
			for i := range n {
				m := MapService{ID: fmt.Sprintf("s%07d", i), Dataset: fmt.Sprintf("D%d", i/10), Organisation: "org", Title: "WMS", Type: ServiceWMS,
					Path: fmt.Sprintf("/wms/p%d", i/4), Upstream: "http://127.0.0.1:8081/wms", Layers: []string{fmt.Sprintf("l%d", i)}, Available: true}
				data, err := encodeRecord(m)
				if err != nil {
					b.Fatal(err)
				}
				mk.put(store.Doc{Kind: kindService, ID: m.ID, Parent: m.Dataset, Data: data})
				mk.ids = append(mk.ids, m.ID)
			}
			s := &Service{mem: r}
			paths := n / 4
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if got := s.ServicesAt(fmt.Sprintf("/wms/p%d", i%paths)); len(got) != 4 {
					b.Fatalf("%d services", len(got))
				}
			}
		})
	}
}
