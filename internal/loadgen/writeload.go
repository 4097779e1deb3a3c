package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/synth"
	"github.com/octroi/octroi/internal/tuple"
)

// Ways of loading the dataset (Config.LoadVia).
const (
	// ViaImport streams the dataset through POST /relationships/import.
	ViaImport = "import"
	// ViaWrite sends it through POST /relationships/write, LoadBatch
	// touches per call from LoadWriters writers, as an integrator's bulk
	// load does.
	ViaWrite = "write"
)

// tenths records when each tenth of a load was done, so that a load that
// slows down as the data grows shows it.
type tenths struct {
	mu    sync.Mutex
	total int64
	start time.Time
	marks []time.Time // end of tenth i
}

func newTenths(total int64) *tenths {
	return &tenths{total: total, start: time.Now()}
}

// progress says that done units (of total) are finished.
func (t *tenths) progress(done int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.marks) < 10 && done*10 >= t.total*int64(len(t.marks)+1) {
		t.marks = append(t.marks, time.Now())
	}
}

// rates returns the relationships per second of each tenth of rels
// relationships (fewer than ten when the load stopped early).
func (t *tenths) rates(rels int) []float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]float64, len(t.marks))
	prev := t.start
	for i, m := range t.marks {
		out[i] = float64(rels) / 10 / m.Sub(prev).Seconds()
		prev = m
	}
	return out
}

// loadByWrites sends rels through the batch write API: batch touches per
// call, writers calls at a time. The bodies are encoded before the clock
// starts, so that the rate measured is the server's. Every call must
// answer 200 with a consistency token; the first failure stops the load.
func (d *driver) loadByWrites(ctx context.Context, rels []tuple.Relationship, batch, writers int, logf func(string, ...any)) (*LoadResult, error) {
	var bodies [][]byte
	var size int64
	for start := 0; start < len(rels); start += batch {
		part := rels[start:min(start+batch, len(rels))]
		req := api.WriteRequest{Updates: make([]api.Update, len(part))}
		for i, r := range part {
			req.Updates[i] = api.Update{Operation: "touch", Relationship: api.FromTuple(r)}
		}
		b, err := json.Marshal(req)
		if err != nil {
			return nil, fmt.Errorf("encoding write %d: %w", len(bodies), err)
		}
		bodies = append(bodies, b)
		size += int64(len(b))
	}
	logf("encoded %d writes of %d relationships (%d MiB of JSON); writing with %d writers", len(bodies), batch, size>>20, writers)
	tens := newTenths(int64(len(rels)))
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var failMu sync.Mutex
	var fail error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	for range writers {
		wg.Go(func() {
			var buf bytes.Buffer
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				err := d.post(ctx, "/api/v1/relationships/write", bodies[i], &buf)
				if err == nil {
					var resp api.WriteResponse
					if jerr := json.Unmarshal(buf.Bytes(), &resp); jerr != nil || resp.ConsistencyToken == "" {
						err = fmt.Errorf("write answered without a consistency token: %.200s", buf.Bytes())
					}
				}
				if err != nil {
					failMu.Lock()
					if fail == nil {
						fail = fmt.Errorf("write %d (relationships %d to %d): %w", i, i*batch+1, min((i+1)*batch, len(rels)), err)
					}
					failMu.Unlock()
					cancel()
					return
				}
				tens.progress(done.Add(int64(min(batch, len(rels)-i*batch))))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if fail != nil {
		return nil, fail
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lr := &LoadResult{Via: ViaWrite, Batch: batch, Writers: writers, Relationships: len(rels), Bytes: size,
		Seconds: elapsed.Seconds(), PerSecond: float64(len(rels)) / elapsed.Seconds(), Tenths: tens.rates(len(rels))}
	logf("wrote %d relationships in %s: %.0f relationships/s", len(rels), elapsed.Round(time.Millisecond), lr.PerSecond)
	return lr, nil
}

// verifyLoad asks every check query's answer in bulk calls and counts
// those that differ from the generator's: a load that lost or garbled
// relationships shows here, whatever the drive phase's mix.
func (d *driver) verifyLoad(ctx context.Context, qs []synth.Query, lr *LoadResult) error {
	var buf bytes.Buffer
	n := d.cfg.BulkSize
	for start := 0; start < len(qs); start += n {
		part := qs[start:min(start+n, len(qs))]
		req := api.CheckBulkRequest{Items: make([]api.CheckItem, len(part))}
		for i, q := range part {
			req.Items[i] = api.CheckItem{Resource: q.Resource.String(), Permission: q.Permission, Subject: q.Subject.String()}
		}
		body, err := json.Marshal(req)
		if err != nil {
			return err
		}
		if err := d.post(ctx, "/api/v1/permissions/check-bulk", body, &buf); err != nil {
			return fmt.Errorf("verifying the load: %w", err)
		}
		var resp api.CheckBulkResponse
		if err := json.Unmarshal(buf.Bytes(), &resp); err != nil {
			return fmt.Errorf("verifying the load: decoding the answer: %w", err)
		}
		if len(resp.Results) != len(part) {
			return fmt.Errorf("verifying the load: %d checks answered %d results", len(part), len(resp.Results))
		}
		for i, r := range resp.Results {
			if r.Error != nil {
				return fmt.Errorf("verifying the load: check %s: %s: %s", part[i], r.Error.Code, r.Error.Message)
			}
			got, err := allowed(r.Result)
			if err != nil {
				return err
			}
			lr.Verified++
			if got != part[i].Want {
				lr.Mismatches++
				d.example("after the load, check %s: got %s, want allowed=%t", part[i], r.Result, part[i].Want)
			}
		}
	}
	return nil
}
