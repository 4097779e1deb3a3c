package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// The usage log: every decision (and, in proxy mode, the bytes each
// answer carried) recorded without slowing decisions. Record only puts a
// small event on a bounded channel, and drops it (counted in
// octroi_gateway_usage_dropped_total) when the channel is full rather
// than wait; a writer drains the channel and, every FlushEvery, writes in
// one store transaction:
//
//   - the events themselves, as documents of kind usage_events (one per
//     flush, by "day/time-id", up to maxEventsPerDoc events each), the
//     log of every decision;
//   - their sums per day, key, service and grant, as documents of kind
//     usage_day (Parent: the key, so an owner reads their key's) and
//     usage_day_service (Parent: the service, so its producer reads
//     theirs), added to what earlier flushes wrote.
//
// Documents older than the retention are deleted every PruneEvery. A
// document kind rather than a table of its own: the store offers
// documents on both backends with the transaction, the listing by parent
// and the ordered ids this needs, and no migration.
const (
	KindUsageEvents     = "usage_events"
	KindUsageDay        = portal.KindUsageDay
	KindUsageDayService = portal.KindUsageDayService
)

const maxEventsPerDoc = 5000

// UsageEvent is one decision, or the bytes of one answer (Bytes > 0,
// Status 0), as the log keeps it.
type UsageEvent struct {
	At        time.Time `json:"at"`
	Key       string    `json:"key,omitempty"`
	Account   string    `json:"account,omitempty"`
	Services  []string  `json:"services,omitempty"`
	Grants    []string  `json:"grants,omitempty"` // parallel to Services; "" when open
	Layers    []string  `json:"layers,omitempty"`
	Operation string    `json:"operation,omitempty"`
	Status    int       `json:"status,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Bytes     int64     `json:"bytes,omitempty"`
}

// UsageSum is portal.UsageSum: the portal reads what the log writes.
type UsageSum = portal.UsageSum

// UsageConfig configures a UsageLog.
type UsageConfig struct {
	Docs store.Documents
	// Retention: how long events and sums are kept; default 90 days.
	Retention time.Duration
	// Buffer bounds the events waiting to be written; default 65,536.
	Buffer int
	// FlushEvery: how often events are written; default 2 s.
	FlushEvery time.Duration
	// PruneEvery: how often old documents are deleted; default 1 h.
	PruneEvery time.Duration
	Log        *slog.Logger
	// Registerer gets the log's counters (nil: none).
	Registerer prometheus.Registerer
}

// UsageLog records usage; see the section above. Its methods are safe for
// concurrent use.
type UsageLog struct {
	cfg     UsageConfig
	events  chan UsageEvent
	dropped prometheus.Counter
	// ndropped: dropped, readable without the registry.
	ndropped atomic.Int64
	written  prometheus.Counter
	flushMu  sync.Mutex // one flush at a time (Run's and Flush's)
	pending  []UsageEvent
}

// NewUsageLog returns a usage log; call Run to write it.
func NewUsageLog(cfg UsageConfig) *UsageLog {
	if cfg.Retention <= 0 {
		cfg.Retention = 90 * 24 * time.Hour
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = 1 << 16
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 2 * time.Second
	}
	if cfg.PruneEvery <= 0 {
		cfg.PruneEvery = time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	u := &UsageLog{cfg: cfg, events: make(chan UsageEvent, cfg.Buffer),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "octroi_gateway_usage_dropped_total",
			Help: "Gateway usage events dropped because the usage log's buffer was full (the decisions themselves were made)."}),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "octroi_gateway_usage_written_total",
			Help: "Gateway usage events written to the store."}),
	}
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(u.dropped, u.written)
	}
	return u
}

// Record notes a decision made at now; it never blocks.
func (u *UsageLog) Record(now time.Time, d Decision) {
	e := UsageEvent{At: now.UTC(), Key: d.Key, Account: d.Account, Services: d.Services, Grants: d.Grants,
		Layers: d.Layers, Operation: d.Request.Operation, Status: d.Status, Reason: d.Reason}
	u.put(e)
}

// AddBytes notes that an answer allowed by d carried n bytes (proxy
// mode); it never blocks.
func (u *UsageLog) AddBytes(now time.Time, d Decision, n int64) {
	if n <= 0 {
		return
	}
	u.put(UsageEvent{At: now.UTC(), Key: d.Key, Account: d.Account, Services: d.Services, Grants: d.Grants, Bytes: n})
}

func (u *UsageLog) put(e UsageEvent) {
	select {
	case u.events <- e:
	default:
		u.drop(1)
	}
}

// Dropped returns how many events were dropped so far.
func (u *UsageLog) Dropped() int64 { return u.ndropped.Load() }

func (u *UsageLog) drop(n int) {
	u.dropped.Add(float64(n))
	u.ndropped.Add(int64(n))
}

// Run writes the log every FlushEvery and prunes it every PruneEvery
// until ctx ends, then writes what is left (within a short grace).
func (u *UsageLog) Run(ctx context.Context) {
	flush := time.NewTicker(u.cfg.FlushEvery)
	defer flush.Stop()
	prune := time.NewTicker(u.cfg.PruneEvery)
	defer prune.Stop()
	_ = u.Prune(ctx, time.Now())
	for {
		select {
		case <-ctx.Done():
			c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = u.Flush(c)
			cancel()
			return
		case <-flush.C:
			_ = u.Flush(ctx)
		case <-prune.C:
			_ = u.Prune(ctx, time.Now())
		}
	}
}

// Flush writes the events waiting, now. On failure they are kept for the
// next flush, within the buffer's bound (the oldest beyond it dropped
// and counted).
func (u *UsageLog) Flush(ctx context.Context) error {
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	for len(u.pending) < 4*u.cfg.Buffer {
		select {
		case e := <-u.events:
			u.pending = append(u.pending, e)
			continue
		default:
		}
		break
	}
	if len(u.pending) == 0 {
		return nil
	}
	if over := len(u.pending) - u.cfg.Buffer; over > 0 {
		u.drop(over)
		u.pending = u.pending[over:]
	}
	evs := u.pending
	sums := sumEvents(evs)
	_, err := u.cfg.Docs.Transact(ctx, func(tx store.DocTx) error {
		for start := 0; start < len(evs); start += maxEventsPerDoc {
			chunk := evs[start:min(start+maxEventsPerDoc, len(evs))]
			data := appendEvents(make([]byte, 0, 160*len(chunk)), chunk)
			id := fmt.Sprintf("%s/%020d-%d", chunk[0].At.Format(time.DateOnly), time.Now().UnixNano(), start)
			if err := tx.PutDoc(ctx, store.Doc{Kind: KindUsageEvents, ID: id, Data: data}); err != nil {
				return err
			}
		}
		for _, s := range sums {
			if err := addSum(ctx, tx, KindUsageDay, s.Key, s); err != nil {
				return err
			}
			if err := addSum(ctx, tx, KindUsageDayService, s.Service, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		u.cfg.Log.Warn("writing the gateway usage log; kept for the next try", "events", len(evs), "error", err)
		return err
	}
	u.written.Add(float64(len(evs)))
	u.pending = nil
	return nil
}

// sumID names a day's sum: by day first, so that pruning reads in order.
func sumID(s UsageSum) string {
	return s.Day + "/" + s.Key + "/" + s.Service + "/" + s.Grant
}

func addSum(ctx context.Context, tx store.DocTx, kind, parent string, s UsageSum) error {
	id := sumID(s)
	cur := UsageSum{Day: s.Day, Key: s.Key, Account: s.Account, Service: s.Service, Grant: s.Grant}
	switch d, err := tx.GetDoc(ctx, kind, id); {
	case err == nil:
		if err := json.Unmarshal(d.Data, &cur); err != nil {
			return fmt.Errorf("%s %s: %w", kind, id, err)
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	cur.Allowed += s.Allowed
	cur.Refused += s.Refused
	cur.Bytes += s.Bytes
	data, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	return tx.PutDoc(ctx, store.Doc{Kind: kind, ID: id, Parent: parent, Data: data})
}

// sumEvents adds events up per day, key, service and grant.
func sumEvents(evs []UsageEvent) []UsageSum {
	type k struct{ day, key, service, grant string }
	idx := map[k]int{}
	var out []UsageSum
	for _, e := range evs {
		day := e.At.UTC().Format(time.DateOnly)
		for i, svc := range e.Services {
			g := ""
			if i < len(e.Grants) {
				g = e.Grants[i]
			}
			kk := k{day, e.Key, svc, g}
			j, ok := idx[kk]
			if !ok {
				j = len(out)
				idx[kk] = j
				out = append(out, UsageSum{Day: day, Key: e.Key, Account: e.Account, Service: svc, Grant: g})
			}
			switch {
			case e.Bytes > 0:
				out[j].Bytes += e.Bytes
			case e.Status >= 200 && e.Status < 300:
				out[j].Allowed++
			default:
				out[j].Refused++
			}
		}
	}
	return out
}

// Prune deletes events and sums of days before now minus the retention.
func (u *UsageLog) Prune(ctx context.Context, now time.Time) error {
	cutoff := now.Add(-u.cfg.Retention).UTC().Format(time.DateOnly)
	for _, kind := range []string{KindUsageEvents, KindUsageDay, KindUsageDayService} {
		for {
			docs, err := u.cfg.Docs.ListDocs(ctx, kind, "", "", 500)
			if err != nil {
				return err
			}
			var old []string
			for _, d := range docs {
				if d.ID < cutoff { // ids start with their day
					old = append(old, d.ID)
				}
			}
			if len(old) == 0 {
				break
			}
			if _, err := u.cfg.Docs.Transact(ctx, func(tx store.DocTx) error {
				for _, id := range old {
					if err := tx.DeleteDoc(ctx, kind, id); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
			if len(old) < len(docs) {
				break
			}
		}
	}
	return nil
}
