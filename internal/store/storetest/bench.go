package storetest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/synth"
	"github.com/octroi/octroi/internal/tuple"
)

// Generate yields n synthetic relationships, numbered from first, shaped
// like real data: documents in folders, users and group members, a tenth
// caveated with a small context, a twentieth expiring far in the future.
func Generate(first, n int) iter.Seq2[tuple.Relationship, error] {
	exp := time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)
	return func(yield func(tuple.Relationship, error) bool) {
		for i := first; i < first+n; i++ {
			r := tuple.Relationship{
				Resource: tuple.ObjectRef{Type: "document", ID: fmt.Sprintf("doc-%09d", i)},
				Relation: "viewer",
				Subject:  tuple.SubjectRef{Type: "user", ID: fmt.Sprintf("user-%07d", i%1_000_003)},
			}
			switch {
			case i%7 == 3:
				r.Subject = tuple.SubjectRef{Type: "group", ID: fmt.Sprintf("group-%05d", i%10_007), Relation: "member"}
			case i%10 == 1:
				r.Caveat = &tuple.Caveat{Name: "ip_allowed", Context: map[string]any{"cidr": "10.0.0.0/8"}}
			case i%20 == 2:
				r.Expiration = &exp
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// BenchLoadAll fills s with n relationships (untimed), then times LoadAll,
// reporting relationships per second.
func BenchLoadAll(b *testing.B, s store.Store, n int) {
	ctx := context.Background()
	start := time.Now()
	if _, got, err := s.Import(ctx, Generate(0, n), 50_000); err != nil || got != n {
		b.Fatalf("Import: %d, %v", got, err)
	}
	b.Logf("filled %d relationships in %v", n, time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	for b.Loop() {
		count := 0
		if _, err := s.LoadAll(ctx, func(tuple.Relationship) error { count++; return nil }); err != nil {
			b.Fatal(err)
		}
		if count != n {
			b.Fatalf("LoadAll gave %d relationships, want %d", count, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rels/s")
}

// BenchImport times Import of perOp new relationships per iteration into
// one growing store, in batches of batch, reporting relationships per
// second (durably committed) and the process's CPU time per relationship
// (user + system, every thread: on a loaded machine wall-clock time says
// more about the neighbours than about the code). The relationships are
// generated while importing, as a real import parses them; their
// generation is part of the CPU figure.
func BenchImport(b *testing.B, s store.Store, perOp, batch int) {
	benchImport(b, s, perOp, batch, func(i int) iter.Seq2[tuple.Relationship, error] {
		return Generate(i*perOp, perOp)
	})
}

// benchImport imports source(i) (perOp relationships) at iteration i.
func benchImport(b *testing.B, s store.Store, perOp, batch int, source func(i int) iter.Seq2[tuple.Relationship, error]) {
	ctx := context.Background()
	i := 0
	cpu := processCPU()
	for b.Loop() {
		if _, got, err := s.Import(ctx, source(i), batch); err != nil || got != perOp {
			b.Fatalf("Import: %d, %v", got, err)
		}
		i++
	}
	reportRate(b, perOp*b.N, cpu)
}

// reportRate reports n relationships over the benchmark's time, and the
// CPU time used since cpu (processCPU's) per relationship.
func reportRate(b *testing.B, n int, cpu time.Duration) {
	cpu = processCPU() - cpu
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rels/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/rel")
}

// Portal returns the first n relationships of synth's portal-shaped dataset
// (seed 1), in the order synth emits them: memberships grouped by user
// (their organisations spread over the primary key), then datasets with
// their levels and offerings (their subjects spread over the subject
// index). Unlike Generate's sequential ids, most inserts land in the middle
// of a B-tree, as they do in production. The dataset is generated once per
// size and shared by the benchmarks of one process.
func Portal(n int) []tuple.Relationship {
	portalMu.Lock()
	defer portalMu.Unlock()
	if rs, ok := portalCache[n]; ok {
		return rs
	}
	rs := make([]tuple.Relationship, 0, n)
	errEnough := errors.New("enough")
	_, err := synth.Generate(synth.Config{Relationships: n + n/10, Seed: 1}, func(r tuple.Relationship) error {
		if len(rs) == n {
			return errEnough
		}
		rs = append(rs, r)
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		panic(err)
	}
	if len(rs) < n {
		panic(fmt.Sprintf("synth generated %d relationships, want %d", len(rs), n))
	}
	portalCache[n] = rs
	return rs
}

var (
	portalMu    sync.Mutex
	portalCache = map[int][]tuple.Relationship{}
)

// BenchWrite times Write of perOp new portal-shaped relationships per
// iteration (touches, batch per call, writers calling at once) into one
// growing store, as the batch write API does, reporting relationships per
// second (each Write returns after its commit: durable) and the process's
// CPU time per relationship. It also reports the rate of the last tenth of
// the whole run as a share of the first tenth's ("flat": near 1), which
// says whether writes slow down as the data grows. The store holds at most
// len(Portal(total)) relationships: iterations beyond fail.
func BenchWrite(b *testing.B, s store.Store, total, perOp, batch, writers int) {
	ctx := context.Background()
	rels := Portal(total)
	i := 0
	cpu := processCPU()
	var tenths []float64 // relationships/s of each tenth of everything written
	tenth := total / 10
	written, mark := 0, time.Now()
	var mu sync.Mutex
	for b.Loop() {
		if (i+1)*perOp > len(rels) {
			b.Fatalf("iteration %d needs more than the %d relationships of Portal(%d): raise total or use -benchtime Nx", i, len(rels), total)
		}
		work := make(chan []tuple.Relationship)
		var wg sync.WaitGroup
		var failed atomic.Value
		for range writers {
			wg.Go(func() {
				for chunk := range work {
					req := store.WriteRequest{Updates: make([]store.Update, len(chunk))}
					for j, r := range chunk {
						req.Updates[j] = store.Update{Op: store.Touch, Relationship: r}
					}
					if _, err := s.Write(ctx, req); err != nil {
						failed.CompareAndSwap(nil, err)
						continue
					}
					mu.Lock()
					written += len(chunk)
					if tenth > 0 && written/tenth > len(tenths) {
						now := time.Now()
						tenths = append(tenths, float64(tenth)/now.Sub(mark).Seconds())
						mark = now
					}
					mu.Unlock()
				}
			})
		}
		part := rels[i*perOp : (i+1)*perOp]
		for len(part) > 0 {
			n := min(batch, len(part))
			work <- part[:n]
			part = part[n:]
		}
		close(work)
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			b.Fatalf("Write: %v", err)
		}
		// A read after the writes, timed: a backend that defers
		// updating its tables (SQLite's changelog-first writes) pays
		// for that work here at the latest, inside the figures.
		if _, _, err := s.ReadRelationships(ctx, store.Filter{ResourceType: rels[i*perOp].Resource.Type}, "", 1); err != nil {
			b.Fatalf("ReadRelationships: %v", err)
		}
		i++
	}
	reportRate(b, perOp*b.N, cpu)
	if len(tenths) >= 2 {
		b.ReportMetric(tenths[len(tenths)-1]/tenths[0], "last/first")
	}
}

// BenchImportPortal is BenchImport on Portal's relationships: perOp per
// iteration, into one growing store.
func BenchImportPortal(b *testing.B, s store.Store, total, perOp, batch int) {
	rels := Portal(total)
	benchImport(b, s, perOp, batch, func(i int) iter.Seq2[tuple.Relationship, error] {
		if (i+1)*perOp > len(rels) {
			b.Fatalf("iteration %d needs more than the %d relationships of Portal(%d): raise total or use -benchtime Nx", i, len(rels), total)
		}
		return func(yield func(tuple.Relationship, error) bool) {
			for _, r := range rels[i*perOp : (i+1)*perOp] {
				if !yield(r, nil) {
					return
				}
			}
		}
	})
}

// BenchLoads runs the load benchmarks of issue 7 on portal-shaped data,
// as sub-benchmarks, on fresh stores from open; importBatch is the
// backend's default import batch. Run with -benchtime 10x:
//
//   - Write: 1M relationships in Writes of 1,000 touches from 4
//     goroutines, 100k per iteration (BenchWrite);
//   - ImportPortal: 1M imported 100k per iteration into one growing
//     store;
//   - FirstLoad: 1M in one import into an empty store, a fresh one per
//     iteration (-benchtime 1x is enough).
func BenchLoads(b *testing.B, open func(testing.TB) store.Store, importBatch int) {
	const total, perOp = 1_000_000, 100_000
	b.Run("Write", func(b *testing.B) { BenchWrite(b, open(b), total, perOp, 1_000, 4) })
	b.Run("ImportPortal", func(b *testing.B) { BenchImportPortal(b, open(b), total, perOp, importBatch) })
	b.Run("FirstLoad", func(b *testing.B) {
		rels := Portal(total)
		ctx := context.Background()
		cpu := processCPU()
		for b.Loop() {
			b.StopTimer()
			s := open(b)
			b.StartTimer()
			seq := func(yield func(tuple.Relationship, error) bool) {
				for _, r := range rels {
					if !yield(r, nil) {
						return
					}
				}
			}
			if _, got, err := s.Import(ctx, seq, importBatch); err != nil || got != total {
				b.Fatalf("Import: %d, %v", got, err)
			}
		}
		reportRate(b, total*b.N, cpu)
	})
}
