package gateway_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// usageStore opens a real, empty, migrated store of the backend ("sqlite"
// or "postgres"), closed when tb ends.
func usageStore(tb testing.TB, backend string) store.Documents {
	tb.Helper()
	ctx := context.Background()
	var st interface {
		store.Documents
		Migrate(context.Context) error
		Close() error
	}
	var err error
	switch backend {
	case "sqlite":
		st, err = sqlite.Open(ctx, filepath.Join(tb.TempDir(), "u.db"), sqlite.Options{})
	case "postgres":
		st, err = postgres.Open(ctx, pgtest.URL(tb), postgres.Options{})
	default:
		tb.Fatalf("no backend %q", backend)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return st
}

var usageBackends = []string{"sqlite", "postgres"}

// usageMix is a realistic stream of decisions: 100,000 keys used with a
// Zipf skew (a few applications make most requests), each key on one or
// two of a few services through its grant, a few layers, operations and
// statuses, refusals without a key among them; 30,000 decisions a second.
// It holds the decisions compactly and makes each when recorded, its
// strings and slices shared as the gateway's come from its memory: the
// garbage collector then measures the usage log's memory, not a fixture
// of millions of decisions.
type usageMix struct {
	evs      []mixEvent
	keys     []string
	accts    []string
	services [][]string // per key
	grants   [][]string // per key
	anon     [][]string // per service: that service alone
	refused  [][]string // [""], ["", ""]
	layers   [][]string // one layer, or two
	ops      []string
	t0       time.Time
}

type mixEvent struct {
	key            int32
	layers, op, as uint8 // as: 0 allowed, 1 without a key (401), 2 refused (403)
}

func newUsageMix(n int) *usageMix {
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, 100_000-1)
	services := []string{"svc-wms-topo", "svc-wmts-ortho", "svc-wfs-cadastre", "svc-wms-ppri", "svc-tms-plan"}
	layers := []string{"topo_routes", "topo_bati", "ortho", "parcelles", "ppri_zonage", "plan"}
	m := &usageMix{ops: []string{"GetMap", "GetTile", "GetFeature", "GetCapabilities", "GetFeatureInfo"},
		refused: [][]string{{""}, {"", ""}}, t0: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	for _, s := range services {
		m.anon = append(m.anon, []string{s})
	}
	for i := range layers {
		m.layers = append(m.layers, []string{layers[i]})
	}
	for i := range layers {
		m.layers = append(m.layers, []string{layers[i], layers[(i+1)%len(layers)]})
	}
	const nkeys = 100_000
	m.keys, m.accts = make([]string, nkeys), make([]string, nkeys)
	m.services, m.grants = make([][]string, nkeys), make([][]string, nkeys)
	for k := range nkeys {
		m.keys[k], m.accts[k] = fmt.Sprintf("key-%06d", k), fmt.Sprintf("acct-%05d", k/3)
		s := k % len(services)
		m.services[k], m.grants[k] = []string{services[s]}, []string{fmt.Sprintf("grant-%05d-%d", k/2, s)}
		if k%5 == 0 { // a service reached by two at one path
			s2 := (s + 1) % len(services)
			m.services[k] = append(m.services[k], services[s2])
			m.grants[k] = append(m.grants[k], fmt.Sprintf("grant-%05d-%d", k/2, s2))
		}
	}
	for i := range n {
		k := int(z.Uint64())
		e := mixEvent{key: int32(k), layers: uint8((k + i) % len(layers)), op: uint8((k/7 + i) % len(m.ops))}
		if k%5 == 0 {
			e.layers += uint8(len(layers))
		}
		switch x := r.IntN(100); {
		case x < 3:
			e.as = 1
		case x < 6:
			e.as = 2
		}
		m.evs = append(m.evs, e)
	}
	return m
}

// decision returns the i-th decision of the stream and its time.
func (m *usageMix) decision(i int) (time.Time, gateway.Decision) {
	e := m.evs[i%len(m.evs)]
	at := m.t0.Add(time.Duration(i%len(m.evs))*time.Second/30_000 + time.Duration(i/len(m.evs))*time.Minute)
	k := e.key
	d := gateway.Decision{Status: 200, Key: m.keys[k], Account: m.accts[k], Services: m.services[k], Grants: m.grants[k],
		Layers: m.layers[e.layers], Request: gateway.Request{Operation: m.ops[e.op]}}
	switch e.as {
	case 1:
		d = gateway.Decision{Status: 401, Reason: gateway.ReasonNoKey, Services: m.anon[int(k)%len(m.anon)], Grants: m.refused[0], Request: d.Request}
	case 2:
		d.Status, d.Reason, d.Grants = 403, gateway.ReasonLayerNotGranted, m.refused[len(d.Services)-1]
	}
	return at, d
}

// BenchmarkUsageLog records decisions through Record and flushes them into
// a real store every 60,000 (one flush of 2 s at 30,000 decisions/s), and
// writes the sums every 30 flushes (1 min), as octroi serve does under
// such a load: the usage log's whole cost per event, on the decision's
// side and the writer's. cpu-ns/event is the process's CPU
// time (every thread: the writer, the store's driver, the garbage
// collector) over the events; stored-B/event the size of the events'
// documents.
//
//	go test ./internal/gateway/ -run '^$' -bench BenchmarkUsageLog -benchtime 1800000x -benchmem
func BenchmarkUsageLog(b *testing.B) {
	const perFlush = 60_000
	mix := newUsageMix(perFlush * 5)
	for _, backend := range usageBackends {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			st := usageStore(b, backend)
			u := gateway.NewUsageLog(gateway.UsageConfig{Docs: st, Buffer: 1 << 17})
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			n := 0
			for b.Loop() {
				u.Record(mix.decision(n))
				if n++; n%(30*perFlush) == 0 {
					if err := u.Flush(ctx); err != nil {
						b.Fatal(err)
					}
				} else if n%perFlush == 0 {
					if err := u.FlushEvents(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := u.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			cpu := cpuTime() - cpu0
			b.StopTimer()
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/event")
			if u.Dropped() != 0 {
				b.Fatalf("%d dropped", u.Dropped())
			}
			var size int
			ds, err := st.ListDocs(ctx, gateway.KindUsageEvents, "", "", 0)
			if err != nil {
				b.Fatal(err)
			}
			for _, d := range ds {
				size += len(d.Data)
			}
			b.ReportMetric(float64(size)/float64(n), "stored-B/event")
		})
	}
}
