package storetest

import (
	"context"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store"
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
	ctx := context.Background()
	i := 0
	cpu := processCPU()
	for b.Loop() {
		if _, got, err := s.Import(ctx, Generate(i*perOp, perOp), batch); err != nil || got != perOp {
			b.Fatalf("Import: %d, %v", got, err)
		}
		i++
	}
	cpu = processCPU() - cpu
	total := float64(perOp) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rels/s")
	b.ReportMetric(float64(cpu.Microseconds())/total, "cpu-µs/rel")
}
