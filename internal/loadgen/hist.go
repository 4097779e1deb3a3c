package loadgen

import (
	"math/bits"
	"time"
)

// Histogram records durations in log-linear buckets, like HdrHistogram:
// exact below 256 ns, then 128 buckets per power of two, so a percentile
// it reports is within 1/128 (0.8 %) of the true value. Its memory is fixed
// (about 42 KiB) whatever the number of samples. The zero value is not
// usable: call NewHistogram. Not safe for concurrent use; give each worker
// its own and Merge them.
type Histogram struct {
	counts   []uint64
	n        uint64
	sum      time.Duration
	min, max time.Duration
}

const (
	subBits    = 7
	subBuckets = 1 << subBits // per power of two
	linearMax  = 2 * subBuckets
	// maxShift covers durations up to 2^(maxShift+8) ns, about 78 hours;
	// longer ones are clamped into the last bucket.
	maxShift   = 40
	numBuckets = linearMax + maxShift*subBuckets
)

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{counts: make([]uint64, numBuckets)} }

func bucketOf(v uint64) int {
	if v < linearMax {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1) // ≥ 1: the top subBits+1 bits stay
	if shift > maxShift {
		return numBuckets - 1
	}
	top := v >> shift // in [subBuckets, 2*subBuckets)
	return linearMax + (shift-1)*subBuckets + int(top-subBuckets)
}

// bucketRange returns the smallest and largest value bucket i holds.
func bucketRange(i int) (lo, hi uint64) {
	if i < linearMax {
		return uint64(i), uint64(i)
	}
	shift := (i-linearMax)/subBuckets + 1
	top := uint64((i-linearMax)%subBuckets + subBuckets)
	return top << shift, (top+1)<<shift - 1
}

// Record adds one sample; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	h.max = max(h.max, d)
	h.n++
	h.sum += d
}

// Merge adds every sample of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of samples.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest sample (exact); 0 without samples.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean is the mean of the samples (exact); 0 without samples.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Percentile returns the smallest recorded value v such that at least p %
// of the samples are ≤ v (the nearest-rank definition), to the bucket's
// precision: the middle of its bucket, clamped to the exact min and max.
// p is clamped to [0, 100]; 0 without samples.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	p = min(max(p, 0), 100)
	// rank = ceil(p/100 × n), at least 1.
	rank := uint64(p / 100 * float64(h.n))
	if float64(rank) < p/100*float64(h.n) {
		rank++
	}
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			lo, hi := bucketRange(i)
			v := time.Duration(lo + (hi-lo)/2)
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}
