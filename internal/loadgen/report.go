package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Report is what a run measured. Latencies are in milliseconds.
type Report struct {
	Endpoint string `json:"endpoint"`
	// Relationships is the synthetic dataset's size; 0 when the run used
	// none (gateway requests only, without a load).
	Relationships int       `json:"relationships"`
	Seed          int64     `json:"seed"`
	Now           time.Time `json:"now"`
	Workers       int       `json:"workers"`
	Mix           string    `json:"mix"`
	BulkSize      int       `json:"bulk_size"`

	Load    *LoadResult `json:"load,omitempty"`
	Seconds float64     `json:"seconds"` // drive phase, until the last request ended
	Ops     []OpResult  `json:"operations"`
	Total   OpResult    `json:"total"`
	RSS     *RSS        `json:"rss,omitempty"`
	// Examples are the first few errors and mismatches.
	Examples []string `json:"examples,omitempty"`
}

// LoadResult is the load phase.
type LoadResult struct {
	Via           string  `json:"via"`               // ViaImport or ViaWrite
	Batch         int     `json:"batch,omitempty"`   // ViaWrite: relationships per write
	Writers       int     `json:"writers,omitempty"` // ViaWrite: writes at a time
	Relationships int     `json:"relationships"`
	Bytes         int64   `json:"bytes"` // of text (import) or JSON (writes)
	Seconds       float64 `json:"seconds"`
	PerSecond     float64 `json:"relationships_per_second"`
	// Tenths are, for ViaWrite, the relationships per second of each
	// tenth of the dataset, in order: flat when the load does not slow as
	// the data grows. (An import is one request: the bytes it has sent
	// say little of the server's progress, which buffers hide.)
	Tenths []float64 `json:"tenths_per_second,omitempty"`
	// Verified checks were asked after the load; Mismatches of them
	// answered otherwise than the generator's known answer.
	Verified int64 `json:"verified_checks"`
	// ServerCPUMicros is the server's CPU time per relationship loaded
	// (with Config.PID; its store included for SQLite, not PostgreSQL's
	// own processes).
	ServerCPUMicros float64 `json:"server_cpu_us_per_relationship,omitempty"`
	Mismatches      int64   `json:"mismatches"`
}

// OpResult is one operation's figures (or the total's).
type OpResult struct {
	Op           string  `json:"op"`
	Count        uint64  `json:"count"`
	Errors       int64   `json:"errors"`
	Mismatches   int64   `json:"mismatches"`
	OpsPerSecond float64 `json:"ops_per_second"`
	P50          float64 `json:"p50_ms"`
	P95          float64 `json:"p95_ms"`
	P99          float64 `json:"p99_ms"`
	Max          float64 `json:"max_ms"`
	Mean         float64 `json:"mean_ms"`
	// Items are checks answered (bulk) or results received (lookup).
	Items          int64   `json:"items,omitempty"`
	ItemsPerSecond float64 `json:"items_per_second,omitempty"` // bulk: checks per second
	MeanResults    float64 `json:"mean_results,omitempty"`     // lookup: results per call
}

// RSS is the server's resident memory around the drive phase, in KiB.
type RSS struct {
	BeforeKiB int64 `json:"before_kib"`
	MaxKiB    int64 `json:"max_kib"` // largest sample during the drive
	AfterKiB  int64 `json:"after_kib"`
	PeakKiB   int64 `json:"peak_kib"` // VmHWM: the process's peak since it started
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *OpResult) fill(h *Histogram, elapsed time.Duration) {
	r.Count = h.Count()
	r.OpsPerSecond = float64(r.Count) / elapsed.Seconds()
	r.P50, r.P95, r.P99 = ms(h.Percentile(50)), ms(h.Percentile(95)), ms(h.Percentile(99))
	r.Max, r.Mean = ms(h.Max()), ms(h.Mean())
}

// Failed reports whether any answer was wrong or any request failed.
func (r *Report) Failed() bool {
	return r.Total.Mismatches > 0 || r.Total.Errors > 0 || (r.Load != nil && r.Load.Mismatches > 0)
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes r as a human-readable table.
func (r *Report) WriteTable(w io.Writer) error {
	if r.Relationships == 0 {
		fmt.Fprintf(w, "octroi bench: %s, %d workers, mix %s\n", r.Endpoint, r.Workers, r.Mix)
	} else {
		fmt.Fprintf(w, "octroi bench: %s, %d relationships (seed %d), %d workers, mix %s\n",
			r.Endpoint, r.Relationships, r.Seed, r.Workers, r.Mix)
	}
	if l := r.Load; l != nil {
		how := "import"
		if l.Via == ViaWrite {
			how = fmt.Sprintf("write (%d per call, %d writers)", l.Batch, l.Writers)
		}
		fmt.Fprintf(w, "load by %s: %d relationships in %.2f s: %.0f relationships/s\n",
			how, l.Relationships, l.Seconds, l.PerSecond)
		if len(l.Tenths) > 0 {
			fmt.Fprintf(w, "  per tenth of the dataset:")
			for _, t := range l.Tenths {
				fmt.Fprintf(w, " %.0f", t)
			}
			fmt.Fprintf(w, " relationships/s (last/first %.2f)\n", l.Tenths[len(l.Tenths)-1]/l.Tenths[0])
		}
		if l.ServerCPUMicros > 0 {
			fmt.Fprintf(w, "  server CPU: %.1f µs per relationship\n", l.ServerCPUMicros)
		}
		fmt.Fprintf(w, "  verified after the load: %d checks, %d wrong\n", l.Verified, l.Mismatches)
	}
	fmt.Fprintf(w, "drive: %.1f s\n\n", r.Seconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tcount\terrors\tmismatches\tops/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\tnote\t")
	for _, o := range append(r.Ops, r.Total) {
		note := ""
		switch {
		case o.ItemsPerSecond > 0:
			note = fmt.Sprintf("%.0f checks/s (%d per call)", o.ItemsPerSecond, r.BulkSize)
		case o.MeanResults > 0:
			note = fmt.Sprintf("%.0f results/call", o.MeanResults)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%.1f\t%s\t\n",
			o.Op, o.Count, o.Errors, o.Mismatches, o.OpsPerSecond, o.P50, o.P95, o.P99, o.Max, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.RSS != nil {
		fmt.Fprintf(w, "\nserver RSS: %.1f MiB before, %.1f MiB max during, %.1f MiB after (peak since start %.1f MiB)\n",
			mib(r.RSS.BeforeKiB), mib(r.RSS.MaxKiB), mib(r.RSS.AfterKiB), mib(r.RSS.PeakKiB))
	}
	if r.Failed() {
		wrong := r.Total.Mismatches
		if r.Load != nil {
			wrong += r.Load.Mismatches
		}
		fmt.Fprintf(w, "\nFAILED: %d wrong answers, %d failed requests\n", wrong, r.Total.Errors)
		for _, e := range r.Examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	return nil
}

func mib(kib int64) float64 { return float64(kib) / 1024 }
