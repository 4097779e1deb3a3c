package gateway

import (
	"context"
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
//   - the events themselves, as documents of kind usage_events (a few per
//     flush, by "day/writer-sequence", in the compact form of
//     usage_batch.go; the form written before is still read), the log of
//     every decision;
//
// and with it when few changed, else every SumEvery (usage_sums.go
// says why not at every flush):
//
//   - their sums per day, key, service and grant, in shards of keys
//     (portal/usagesums.go): documents of kind usage_day_keys (Parent: a
//     shard of keys, so an owner reads their key's) and
//     usage_day_services (Parent: the service, so its producer reads
//     theirs), one per writer, which the portal adds up; those of kinds
//     usage_day and usage_day_service, a document per sum, were written
//     before and are still read and pruned.
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
	// Buffer: room for the events recorded between two collections
	// (default 65,536); beyond it they are dropped and counted. Up to four
	// times as many more are held waiting for a write (see maxHeld).
	Buffer int
	// FlushEvery: how often events are written; default 2 s.
	FlushEvery time.Duration
	// SumEvery: how often the sums are written when many changed;
	// default 1 min (the events are summed in memory meanwhile: see
	// usage_sums.go). When few changed they are written with the events.
	SumEvery time.Duration
	// PruneEvery: how often old documents are deleted (and the events
	// of writers that stopped before summing them are summed); default
	// 1 h.
	PruneEvery time.Duration
	Log        *slog.Logger
	// Registerer gets the log's counters (nil: none).
	Registerer prometheus.Registerer
}

// UsageLog records usage; see the section above. Its methods are safe for
// concurrent use.
type UsageLog struct {
	cfg    UsageConfig
	events chan UsageEvent
	// kick wakes the collector when events fill half the channel: at tens
	// of thousands of decisions a second, it would otherwise fill between
	// two of its ticks. due wakes the writer when the collector holds
	// half a buffer's worth: a write need not wait for FlushEvery then.
	kick, due chan struct{}
	dropped   prometheus.Counter
	// ndropped: dropped, readable without the registry.
	ndropped atomic.Int64
	written  prometheus.Counter
	// inMu guards inbox: the events the collector took off the channel
	// for the next write. held is how many the writer holds (pending),
	// so that inbox and pending together stay within maxHeld.
	inMu    sync.Mutex
	inbox   []UsageEvent
	held    atomic.Int64
	flushMu sync.Mutex // one flush at a time (Run's and Flush's)
	// What flushMu guards:
	pending []UsageEvent
	w       usageWriter
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
	if cfg.SumEvery <= 0 {
		cfg.SumEvery = time.Minute
	}
	if cfg.PruneEvery <= 0 {
		cfg.PruneEvery = time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	u := &UsageLog{cfg: cfg, events: make(chan UsageEvent, cfg.Buffer), kick: make(chan struct{}, 1), due: make(chan struct{}, 1),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "octroi_gateway_usage_dropped_total",
			Help: "Gateway usage events dropped because the usage log's buffer was full (the decisions themselves were made)."}),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "octroi_gateway_usage_written_total",
			Help: "Gateway usage events written to the store."}),
	}
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(u.dropped, u.written)
	}
	u.w.init()
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
		if len(u.events) >= cap(u.events)/2 {
			select {
			case u.kick <- struct{}{}:
			default:
			}
		}
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

// maxHeld bounds the events held in memory beyond the channel (taken
// off it, or kept by a write that failed): four buffers. Beyond it the
// channel fills and new events are dropped and counted.
func (u *UsageLog) maxHeld() int { return 4 * u.cfg.Buffer }

// collect moves the events of the channel to the inbox, within maxHeld,
// and wakes the writer when the inbox holds half a buffer. It is quick:
// Run's collector calls it while a write, which can take a while on a
// busy machine, is in progress, so that the channel keeps room.
func (u *UsageLog) collect() {
	u.inMu.Lock()
	room := u.maxHeld() - int(u.held.Load()) - len(u.inbox)
	for ; room > 0; room-- {
		select {
		case e := <-u.events:
			u.inbox = append(u.inbox, e)
			continue
		default:
		}
		break
	}
	// (not while the writer holds events of a failed write: they are
	// retried every FlushEvery, not at every collection)
	full := len(u.inbox) >= u.cfg.Buffer/2 && u.held.Load() == 0
	u.inMu.Unlock()
	if full {
		select {
		case u.due <- struct{}{}:
		default:
		}
	}
}

// takeInbox appends the inbox to pending (flushMu held).
func (u *UsageLog) takeInbox() {
	u.collect()
	u.inMu.Lock()
	if len(u.pending) == 0 {
		u.pending, u.inbox = u.inbox, u.pending[:0]
	} else {
		u.pending = append(u.pending, u.inbox...)
		clear(u.inbox)
		u.inbox = u.inbox[:0]
	}
	u.held.Store(int64(len(u.pending)))
	u.inMu.Unlock()
}

// Run writes the log every FlushEvery (sooner when half a buffer waits)
// and prunes it every PruneEvery until ctx ends, then writes what is
// left (within a short grace). A collector of its own takes the events
// off the channel every FlushEvery/8 and whenever half the channel is
// full, while writes are in progress too.
func (u *UsageLog) Run(ctx context.Context) {
	flush := time.NewTicker(u.cfg.FlushEvery)
	defer flush.Stop()
	prune := time.NewTicker(u.cfg.PruneEvery)
	defer prune.Stop()
	cctx, stopCollector := context.WithCancel(ctx)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		tick := time.NewTicker(max(u.cfg.FlushEvery/8, time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-cctx.Done():
				return
			case <-tick.C:
			case <-u.kick:
			}
			u.collect()
		}
	}()
	defer func() { stopCollector(); <-collected }()
	_ = u.Prune(ctx, time.Now())
	for {
		select {
		case <-ctx.Done():
			c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = u.Flush(c)
			cancel()
			return
		case <-flush.C:
			if u.flushEvents(ctx) == nil && u.sumsDue(time.Now()) {
				_ = u.writeSums(ctx)
			}
		case <-u.due:
			_ = u.flushEvents(ctx)
		case <-prune.C:
			_ = u.Prune(ctx, time.Now())
		}
	}
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
			count(&out[j], &e)
		}
	}
	return out
}

// count adds event e to sum s: its bytes (proxy mode's second event of
// an answer), else one decision allowed or refused.
func count(s *UsageSum, e *UsageEvent) {
	switch {
	case e.Bytes > 0:
		s.Bytes += e.Bytes
	case e.Status >= 200 && e.Status < 300:
		s.Allowed++
	default:
		s.Refused++
	}
}

// Prune deletes events and sums of days before now minus the retention.
func (u *UsageLog) Prune(ctx context.Context, now time.Time) error {
	if err := u.catchUp(ctx); err != nil {
		u.cfg.Log.Warn("summing the usage events of stopped writers", "error", err)
	}
	if err := u.pruneWriters(ctx, now); err != nil {
		return err
	}
	cutoff := now.Add(-u.cfg.Retention).UTC().Format(time.DateOnly)
	for _, kind := range []string{KindUsageEvents, KindUsageDay, KindUsageDayService, portal.KindUsageKeys, portal.KindUsageServices} {
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

// pruneWriters deletes the records of the other writers not written for
// the retention (their events and sums are pruned by then), and has this
// one's checked again at the next flush.
func (u *UsageLog) pruneWriters(ctx context.Context, now time.Time) error {
	recs, err := u.cfg.Docs.ListDocs(ctx, KindUsageWriters, "", "", 0)
	if err != nil {
		return err
	}
	var old []string
	for _, r := range recs {
		if r.ID != u.w.id && r.Updated.Before(now.Add(-u.cfg.Retention)) {
			old = append(old, r.ID)
		}
	}
	if len(old) > 0 {
		if _, err := u.cfg.Docs.Transact(ctx, func(tx store.DocTx) error {
			for _, id := range old {
				if err := tx.DeleteDoc(ctx, KindUsageWriters, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	u.flushMu.Lock()
	u.w.recorded = false
	u.flushMu.Unlock()
	return nil
}
