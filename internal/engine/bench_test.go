package engine_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/synth"
	"github.com/octroi/octroi/internal/tuple"
)

// world is a synthetic portal loaded into an engine.
type world struct {
	e     *engine.Engine
	stats synth.Stats
	cfg   synth.Config
}

// worlds caches loaded worlds across benchmarks of one run: loading 1M
// relationships takes seconds, and every benchmark reads them only.
var worlds = struct {
	sync.Mutex
	m map[int]*world
}{m: map[int]*world{}}

func loadWorld(tb testing.TB, n int) *world {
	tb.Helper()
	worlds.Lock()
	defer worlds.Unlock()
	if w, ok := worlds.m[n]; ok {
		return w
	}
	w, _, err := buildWorld(n)
	if err != nil {
		tb.Fatal(err)
	}
	worlds.m[n] = w
	return w
}

// buildWorld generates and loads n relationships, and reports the load time.
func buildWorld(n int) (*world, time.Duration, error) {
	s, err := schema.Parse(synth.Schema)
	if err != nil {
		return nil, 0, err
	}
	cfg := synth.Config{Relationships: n, Seed: 1}
	// Generate first, so that the load rate measures the index alone.
	rels := make([]tuple.Relationship, 0, n+n/20)
	stats, err := synth.Generate(cfg, func(r tuple.Relationship) error {
		rels = append(rels, r)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	idx := index.New()
	start := time.Now()
	if _, err := idx.Load(func(add func(tuple.Relationship)) (uint64, error) {
		for _, r := range rels {
			add(r)
		}
		return 1, nil
	}); err != nil {
		return nil, 0, err
	}
	took := time.Since(start)
	e := engine.New(idx, engine.WithClock(func() time.Time { return synth.Epoch() }))
	e.SetSchema(s)
	return &world{e: e, stats: stats, cfg: cfg}, took, nil
}

func sizes() []int {
	out := []int{100_000, 1_000_000}
	if os.Getenv("OCTROI_BENCH_10M") != "" {
		out = append(out, 10_000_000)
	}
	return out
}

func sizeName(n int) string {
	if n >= 1_000_000 {
		return fmt.Sprintf("%dM", n/1_000_000)
	}
	return fmt.Sprintf("%dk", n/1000)
}

func checkRequest(q synth.Query) engine.CheckRequest {
	return engine.CheckRequest{Resource: q.Resource, Permission: q.Permission, Subject: q.Subject}
}

// TestSynthAnswers compares the engine with the generator's own account of
// who may do what: an independent oracle, written without the engine.
func TestSynthAnswers(t *testing.T) {
	w := loadWorld(t, 100_000)
	ctx := context.Background()
	for _, q := range w.stats.Checks(2000, 7) {
		got, _, err := w.e.Check(ctx, checkRequest(q), engine.At{})
		if err != nil {
			t.Fatal(err)
		}
		if (got.Result == engine.HasPermission) != q.Want {
			t.Errorf("%s: got %s, want allowed=%v", q, got.Result, q.Want)
		}
	}
	for _, u := range w.stats.SampleUsers(5, 3) {
		res, _, _, err := w.e.LookupResources(ctx, engine.LookupResourcesRequest{
			ResourceType: "dataset", Permission: "search", Subject: tuple.SubjectRef{Type: "user", ID: u},
		}, engine.At{})
		if err != nil {
			t.Fatal(err)
		}
		if want := w.stats.SearchableDatasets(u); len(res) != want {
			t.Errorf("user %s may search %d datasets, want %d", u, len(res), want)
		}
	}
}

// BenchmarkCheck measures in-process checks on a mix of allowed and denied
// queries. Besides ns/op it reports the median and p99 of single checks
// and checks/s; run with -cpu 1 for the one-core figure.
func BenchmarkCheck(b *testing.B) {
	for _, n := range sizes() {
		b.Run(sizeName(n), func(b *testing.B) {
			w := loadWorld(b, n)
			qs := w.stats.Checks(10_000, 11)
			reqs := make([]engine.CheckRequest, len(qs))
			for i, q := range qs {
				reqs[i] = checkRequest(q)
			}
			ctx := context.Background()
			lat := make([]time.Duration, 0, min(b.N, 1_000_000))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, _, err := w.e.Check(ctx, reqs[i%len(reqs)], engine.At{}); err != nil {
					b.Fatal(err)
				}
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(t0))
				}
			}
			el := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(b.N)/el.Seconds(), "checks/s")
		})
	}
}

// BenchmarkLookupResources lists every dataset a typical person may search.
func BenchmarkLookupResources(b *testing.B) {
	for _, n := range sizes() {
		b.Run(sizeName(n), func(b *testing.B) {
			w := loadWorld(b, n)
			users := w.stats.SampleUsers(16, 5)
			ctx := context.Background()
			total := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, _, _, err := w.e.LookupResources(ctx, engine.LookupResourcesRequest{
					ResourceType: "dataset", Permission: "search",
					Subject: tuple.SubjectRef{Type: "user", ID: users[i%len(users)]},
				}, engine.At{})
				if err != nil {
					b.Fatal(err)
				}
				total += len(res)
			}
			b.ReportMetric(float64(total)/float64(b.N), "results/op")
		})
	}
}

// BenchmarkLoad measures the bulk load rate and the heap the index keeps
// per relationship.
func BenchmarkLoad(b *testing.B) {
	for _, n := range sizes() {
		b.Run(sizeName(n), func(b *testing.B) {
			var rate, perRel float64
			for i := 0; i < b.N; i++ {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				w, took, err := buildWorld(n)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				rate = float64(w.stats.Total) / took.Seconds()
				// The generated slice is garbage by now; what stays is the index.
				perRel = float64(after.HeapAlloc-before.HeapAlloc) / float64(w.stats.Total)
				runtime.KeepAlive(w)
			}
			b.ReportMetric(rate, "rels/s")
			b.ReportMetric(perRel, "heap-B/rel")
		})
	}
}
