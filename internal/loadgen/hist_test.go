package loadgen

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueOnce(t *testing.T) {
	prevHi := uint64(0)
	for i := range numBuckets {
		lo, hi := bucketRange(i)
		if i > 0 && lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, want %d (just after bucket %d)", i, lo, prevHi+1, i-1)
		}
		if lo > hi {
			t.Fatalf("bucket %d: lo %d > hi %d", i, lo, hi)
		}
		if bucketOf(lo) != i || bucketOf(hi) != i {
			t.Fatalf("bucket %d = [%d, %d]: bucketOf gives %d and %d", i, lo, hi, bucketOf(lo), bucketOf(hi))
		}
		if rel := float64(hi-lo) / float64(lo+1); lo >= linearMax && rel > 1.0/subBuckets {
			t.Fatalf("bucket %d = [%d, %d] is %.4f wide relative to its value, want ≤ 1/%d", i, lo, hi, rel, subBuckets)
		}
		prevHi = hi
	}
	if got := bucketOf(1 << 62); got != numBuckets-1 {
		t.Errorf("bucketOf(2^62) = %d, want the last bucket %d", got, numBuckets-1)
	}
}

func TestPercentileSmall(t *testing.T) {
	h := NewHistogram()
	for i := 1; i <= 100; i++ {
		h.Record(time.Duration(i)) // exact region: 1..100 ns
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0, 1}, {1, 1}, {50, 50}, {50.5, 51}, {95, 95}, {99, 99}, {99.9, 100}, {100, 100}, {150, 100}} {
		if got := h.Percentile(tc.p); got != tc.want {
			t.Errorf("p%v of 1..100 = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got, want := h.Mean(), 50*time.Nanosecond; got != want { // 5050/100 truncated
		t.Errorf("mean = %v, want %v", got, want)
	}
	if h.Count() != 100 || h.Max() != 100 {
		t.Errorf("count %d max %v, want 100 and 100ns", h.Count(), h.Max())
	}
}

func TestPercentileEmpty(t *testing.T) {
	h := NewHistogram()
	if h.Percentile(99) != 0 || h.Mean() != 0 || h.Max() != 0 {
		t.Errorf("empty histogram: p99 %v mean %v max %v, want zeros", h.Percentile(99), h.Mean(), h.Max())
	}
}

// TestPercentileAgainstSort compares with the exact nearest-rank
// percentile of sorted samples, spread over µs to seconds.
func TestPercentileAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var samples []time.Duration
	a, b := NewHistogram(), NewHistogram()
	for i := range 100_000 {
		d := time.Duration(r.ExpFloat64() * float64(2*time.Millisecond))
		if i%100 == 0 {
			d = time.Duration(r.Int64N(int64(3 * time.Second)))
		}
		samples = append(samples, d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(b)
	slices.Sort(samples)
	for _, p := range []float64{1, 10, 50, 90, 95, 99, 99.9, 100} {
		rank := int(p / 100 * float64(len(samples)))
		if float64(rank) < p/100*float64(len(samples)) {
			rank++
		}
		want := samples[max(rank, 1)-1]
		got := a.Percentile(p)
		if diff := float64(got-want) / float64(want); diff > 1.0/subBuckets || diff < -1.0/subBuckets {
			t.Errorf("p%v = %v, want %v within 1/%d (off by %.3f%%)", p, got, want, subBuckets, diff*100)
		}
	}
	if a.Count() != uint64(len(samples)) || a.Max() != samples[len(samples)-1] {
		t.Errorf("merged count %d max %v, want %d and %v", a.Count(), a.Max(), len(samples), samples[len(samples)-1])
	}
}
