package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// How the usage log writes, and why so.
//
// Every FlushEvery the events waiting are written, in one transaction,
// as version-2 batches (usage_batch.go): a flush is a few documents
// whatever its events. Their sums are not read and rewritten there: at
// 30,000 decisions a second over many keys nearly every event of a flush
// touches a sum of its own, and reading and rewriting a document per sum
// at every flush cost a hundred times more than the events themselves.
// Instead each running log (a writer, named at its start) adds its events
// up in memory and writes, every SumEvery (with every flush when few
// changed), the shards of sums that changed (portal/usagesums.go: per shard of keys, per service and shard
// of keys), as documents of its own: totals of this writer's events of
// the day, so written without being read first. The portal adds up the
// documents of a day's writers (one per start of octroi, more with
// several gateways on one PostgreSQL).
//
// Nothing is lost when a writer stops before writing its sums: its
// record (kind usage_writers, id the writer) says through which of its
// event documents (Parent: the writer, ids in writing order) its sums go,
// and is written in the transaction of the sums. The events after it are
// summed by the next log to start (Run) or prune: inside one transaction
// it reads the record, the writer's shards its events touch and the
// events after the record, and writes the shards and the record, so that
// each event is summed exactly once whoever does it. A writer still
// running may be summed so too (a gateway that another one thinks
// stopped): its next sums rewrite the same totals, which include those
// events, so nothing is counted twice.
const KindUsageWriters = "usage_writers"

// maxEventsPerDoc bounds the events of one document (a flush of more
// writes several).
const maxEventsPerDoc = 16384

// usageWriter is what one running log knows of what it wrote; guarded by
// UsageLog.flushMu.
type usageWriter struct {
	id  string
	seq int64
	// day: the day of the last document's id; ids keep to it when the
	// clock goes back, so that this writer's ids stay in writing order.
	day string
	enc usageBatchEncoder
	// totals: the sums of this writer's events written, by key (then
	// day, service and grant), in shards as stored; dirty the shards not
	// written since they changed.
	totals map[string]*keyInfo // by key
	kis    []*keyInfo          // of the events being written
	// bufs: the documents' data, reused from one flush to the next (the
	// stores copy what PutDoc is given).
	bufs   [][]byte
	shards map[shardRef]*sumShard
	dirty  []*sumShard
	// late: sums of days forgotten (see forget), added to the stored
	// ones at the next write.
	late map[sumKey]*UsageSum
	// summed: the id of the last event document in totals; marked: the
	// one the stored writer record says.
	summed, marked string
	// recorded: the writer record exists (checked at the first flush,
	// and after each prune).
	recorded bool
	// sumsAt: when the sums were last written.
	sumsAt time.Time
	// lastDay: the day of the last event summed.
	lastDay string
	// forgotten: the days before it were dropped from totals.
	forgotten string
}

type sumKey struct{ day, key, service, grant string }

// sumEntry is a sum and the two shards that hold it.
type sumEntry struct {
	UsageSum
	in [2]*sumShard
}

// shardRef names a stored shard of sums: its kind and id.
type shardRef struct{ kind, id string }

type sumShard struct {
	ref    shardRef
	parent string
	day    string
	sums   []*UsageSum
	dirty  bool
}

// writerRec is a stored writer record.
type writerRec struct {
	V       int    `json:"v"`
	Through string `json:"through"`
}

func (w *usageWriter) init() {
	var r [6]byte
	_, _ = rand.Read(r[:])
	w.id = time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(r[:])
	w.totals = map[string]*keyInfo{}
	w.sumsAt = time.Now()
	w.shards = map[shardRef]*sumShard{}
	w.late = map[sumKey]*UsageSum{}
}

// Writer names this log in the store (the Parent of its event documents).
func (u *UsageLog) Writer() string { return u.w.id }

// Flush writes the events waiting and the sums that changed, now. On
// failure the events are kept for the next flush (within maxHeld: newer
// ones then wait in the channel, dropped and counted when it is full),
// and the sums stay to write.
func (u *UsageLog) Flush(ctx context.Context) error {
	if err := u.flushEvents(ctx); err != nil {
		return err
	}
	if len(u.events) > 0 { // left in the channel while four buffers were held: one more
		if err := u.flushEvents(ctx); err != nil {
			return err
		}
	}
	return u.writeSums(ctx)
}

// flushEvents writes the events waiting, then adds them to the totals.
func (u *UsageLog) flushEvents(ctx context.Context) error {
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	u.takeInbox()
	if len(u.pending) == 0 {
		return nil
	}
	evs, w := u.pending, &u.w
	var docs []store.Doc
	day := w.day
	w.kis = slices.Grow(w.kis[:0], len(evs))[:len(evs)]
	for start := 0; start < len(evs); start += maxEventsPerDoc {
		chunk := evs[start:min(start+maxEventsPerDoc, len(evs))]
		day = max(day, chunk[0].At.Format(time.DateOnly))
		id := fmt.Sprintf("%s/%s-%010d", day, w.id, w.seq+int64(len(docs)))
		if len(docs) == len(w.bufs) {
			w.bufs = append(w.bufs, nil)
		}
		w.bufs[len(docs)] = w.enc.encode(w.bufs[len(docs)][:0], w.id, chunk, w.totals, w.kis[start:])
		docs = append(docs, store.Doc{Kind: KindUsageEvents, ID: id, Parent: w.id, Data: w.bufs[len(docs)]})
	}
	_, err := u.cfg.Docs.Transact(ctx, func(tx store.DocTx) error {
		if !w.recorded {
			switch _, err := tx.GetDoc(ctx, KindUsageWriters, w.id); {
			case errors.Is(err, store.ErrNotFound):
				if err := putWriterRec(ctx, tx, w.id, w.summed); err != nil {
					return err
				}
			case err != nil:
				return err
			}
		}
		for _, d := range docs {
			if err := tx.PutDoc(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		u.cfg.Log.Warn("writing the gateway usage log; kept for the next try", "events", len(evs), "error", err)
		return err
	}
	w.recorded, w.day, w.seq = true, day, w.seq+int64(len(docs))
	w.add(evs, w.kis)
	clear(w.kis)
	w.summed = docs[len(docs)-1].ID
	u.written.Add(float64(len(evs)))
	clear(u.pending) // let the strings go
	u.pending = u.pending[:0]
	u.held.Store(0)
	return nil
}

// add adds evs to the totals; kis[i] is the keyInfo of evs[i].Key.
func (w *usageWriter) add(evs []UsageEvent, kis []*keyInfo) {
	var day string
	var dayOf time.Time
	for i := range evs {
		e := &evs[i]
		if d := e.At.Truncate(24 * time.Hour); day == "" || !d.Equal(dayOf) {
			if day, dayOf = d.Format(time.DateOnly), d; day == w.lastDay {
				day = w.lastDay // the same string, so that comparing it is comparing a pointer
			}
			w.lastDay = day
		}
		for j, svc := range e.Services {
			g := ""
			if j < len(e.Grants) {
				g = e.Grants[j]
			}
			var t *sumEntry
			ki := kis[i]
			for _, c := range ki.sums { // a few: the key's services and grants of a day or two
				if c.Service == svc && c.Grant == g && c.Day == day {
					t = c
					break
				}
			}
			var s *UsageSum
			switch {
			case t != nil:
				s = &t.UsageSum
				for _, sh := range t.in {
					if !sh.dirty {
						sh.dirty = true
						w.dirty = append(w.dirty, sh)
					}
				}
			case day < w.forgotten:
				k := sumKey{day, e.Key, svc, g}
				if s = w.late[k]; s == nil {
					s = &UsageSum{Day: day, Key: e.Key, Account: e.Account, Service: svc, Grant: g}
					w.late[k] = s
				}
			default:
				t = &sumEntry{UsageSum: UsageSum{Day: day, Key: e.Key, Account: e.Account, Service: svc, Grant: g}}
				ki.sums = append(ki.sums, t)
				s = &t.UsageSum
				t.in[0] = w.shard(portal.KindUsageKeys, portal.UsageKeysID(day, e.Key, w.id), portal.UsageKeyShardParent(e.Key), day)
				t.in[1] = w.shard(portal.KindUsageServices, portal.UsageServicesID(day, svc, e.Key, w.id), svc, day)
				for _, sh := range t.in {
					sh.sums = append(sh.sums, s)
					if !sh.dirty {
						sh.dirty = true
						w.dirty = append(w.dirty, sh)
					}
				}
			}
			count(s, e)
		}
	}
}

// shard returns the shard (kind, id), made when new.
func (w *usageWriter) shard(kind, id, parent, day string) *sumShard {
	ref := shardRef{kind, id}
	sh := w.shards[ref]
	if sh == nil {
		sh = &sumShard{ref: ref, parent: parent, day: day}
		w.shards[ref] = sh
	}
	return sh
}

// fewSums bounds the sums of the changed shards that are written with
// every flush of events: below it (a few hundred decisions a second),
// owners see their usage within FlushEvery; above it, every SumEvery.
const fewSums = 4096

// sumsDue says whether Run writes the sums after a flush of events at now.
func (u *UsageLog) sumsDue(now time.Time) bool {
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	w := &u.w
	if now.Sub(w.sumsAt) >= u.cfg.SumEvery {
		return true
	}
	n := len(w.late)
	for _, sh := range w.dirty {
		if n += len(sh.sums); n > fewSums {
			return false
		}
	}
	return true
}

// writeSums writes the shards that changed, the late sums and the writer
// record.
func (u *UsageLog) writeSums(ctx context.Context) error {
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	w := &u.w
	if len(w.dirty) == 0 && len(w.late) == 0 && w.marked == w.summed {
		return nil
	}
	_, err := u.cfg.Docs.Transact(ctx, func(tx store.DocTx) error {
		for _, sh := range w.dirty {
			data, err := encodeUsageSums(sh.sums)
			if err != nil {
				return err
			}
			if err := tx.PutDoc(ctx, store.Doc{Kind: sh.ref.kind, ID: sh.ref.id, Parent: sh.parent, Data: data}); err != nil {
				return err
			}
		}
		late := make([]UsageSum, 0, len(w.late))
		for _, s := range w.late {
			late = append(late, *s)
		}
		if err := addToShards(ctx, tx, w.id, late); err != nil {
			return err
		}
		rec, err := getWriterRec(ctx, tx, w.id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return putWriterRec(ctx, tx, w.id, max(rec.Through, w.summed))
	})
	if err != nil {
		u.cfg.Log.Warn("writing the gateway usage sums; kept for the next try", "shards", len(w.dirty), "error", err)
		return err
	}
	for _, sh := range w.dirty {
		sh.dirty = false
	}
	clear(w.dirty)
	w.dirty, w.marked, w.sumsAt = w.dirty[:0], w.summed, time.Now()
	clear(w.late)
	w.forget()
	return nil
}

// forget drops from the totals the days before yesterday (of the last
// document), all written: memory holds what is still being added to.
func (w *usageWriter) forget() {
	last, err := time.Parse(time.DateOnly, w.day)
	if err != nil {
		return
	}
	keep := last.AddDate(0, 0, -1).Format(time.DateOnly)
	if keep <= w.forgotten {
		return
	}
	for k, ki := range w.totals {
		if ki.sums = slices.DeleteFunc(ki.sums, func(e *sumEntry) bool { return e.Day < keep }); len(ki.sums) == 0 {
			delete(w.totals, k)
		}
	}
	for r, sh := range w.shards {
		if sh.day < keep {
			delete(w.shards, r)
		}
	}
	w.forgotten = keep
}

// addToShards adds sums to writer's stored shards, in tx.
func addToShards(ctx context.Context, tx store.DocTx, writer string, sums []UsageSum) error {
	type at struct {
		ref    shardRef
		parent string
	}
	var order []at
	by := map[shardRef][]UsageSum{}
	for _, s := range sums {
		for _, a := range [2]at{
			{shardRef{portal.KindUsageKeys, portal.UsageKeysID(s.Day, s.Key, writer)}, portal.UsageKeyShardParent(s.Key)},
			{shardRef{portal.KindUsageServices, portal.UsageServicesID(s.Day, s.Service, s.Key, writer)}, s.Service},
		} {
			if _, ok := by[a.ref]; !ok {
				order = append(order, a)
			}
			by[a.ref] = append(by[a.ref], s)
		}
	}
	for _, a := range order {
		var cur []UsageSum
		switch d, err := tx.GetDoc(ctx, a.ref.kind, a.ref.id); {
		case err == nil:
			if cur, err = portal.DecodeUsageSums(d.Data); err != nil {
				return fmt.Errorf("%s %s: %w", a.ref.kind, a.ref.id, err)
			}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		idx := map[sumKey]int{}
		for i, c := range cur {
			idx[sumKey{c.Day, c.Key, c.Service, c.Grant}] = i
		}
		for _, s := range by[a.ref] {
			if i, ok := idx[sumKey{s.Day, s.Key, s.Service, s.Grant}]; ok {
				cur[i].Allowed += s.Allowed
				cur[i].Refused += s.Refused
				cur[i].Bytes += s.Bytes
				continue
			}
			idx[sumKey{s.Day, s.Key, s.Service, s.Grant}] = len(cur)
			cur = append(cur, s)
		}
		ps := make([]*UsageSum, len(cur))
		for i := range cur {
			ps[i] = &cur[i]
		}
		data, err := encodeUsageSums(ps)
		if err != nil {
			return err
		}
		if err := tx.PutDoc(ctx, store.Doc{Kind: a.ref.kind, ID: a.ref.id, Parent: a.parent, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

func getWriterRec(ctx context.Context, tx store.DocTx, writer string) (writerRec, error) {
	d, err := tx.GetDoc(ctx, KindUsageWriters, writer)
	if err != nil {
		return writerRec{}, err
	}
	var r writerRec
	if err := json.Unmarshal(d.Data, &r); err != nil {
		return r, fmt.Errorf("%s %s: %w", KindUsageWriters, writer, err)
	}
	if r.V != 1 {
		return r, fmt.Errorf("%s %s: version %d, this octroi reads version 1", KindUsageWriters, writer, r.V)
	}
	return r, nil
}

func putWriterRec(ctx context.Context, tx store.DocTx, writer, through string) error {
	data, err := json.Marshal(writerRec{V: 1, Through: through})
	if err != nil {
		return err
	}
	return tx.PutDoc(ctx, store.Doc{Kind: KindUsageWriters, ID: writer, Data: data})
}

// encodeUsageSums is the portal.UsageSums record of sums.
func encodeUsageSums(sums []*UsageSum) ([]byte, error) {
	rec := portal.UsageSums{V: 1, Sums: make([]UsageSum, len(sums))}
	for i, s := range sums {
		rec.Sums[i] = *s
	}
	return json.Marshal(rec)
}

// catchUp sums the events of the other writers that their records do not
// cover yet (writers that stopped before writing their sums), a few
// documents per transaction.
func (u *UsageLog) catchUp(ctx context.Context) error {
	recs, err := u.cfg.Docs.ListDocs(ctx, KindUsageWriters, "", "", 0)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.ID == u.w.id {
			continue
		}
		// Most writers are summed through: look before taking the write
		// transaction (which would take a revision for nothing).
		var rec writerRec
		if err := json.Unmarshal(r.Data, &rec); err != nil {
			return fmt.Errorf("%s %s: %w", KindUsageWriters, r.ID, err)
		}
		if ds, err := u.cfg.Docs.ListDocs(ctx, KindUsageEvents, r.ID, rec.Through, 1); err != nil || len(ds) == 0 {
			if err != nil {
				return err
			}
			continue
		}
		for {
			n, err := u.catchUpOne(ctx, r.ID)
			if err != nil {
				return fmt.Errorf("summing the usage events of writer %s: %w", r.ID, err)
			}
			if n == 0 {
				break
			}
		}
	}
	return nil
}

// catchUpOne sums, in one transaction, up to 16 event documents of writer
// after its record, and says how many.
func (u *UsageLog) catchUpOne(ctx context.Context, writer string) (int, error) {
	var n int
	_, err := u.cfg.Docs.Transact(ctx, func(tx store.DocTx) error {
		n = 0
		rec, err := getWriterRec(ctx, tx, writer)
		if errors.Is(err, store.ErrNotFound) { // pruned meanwhile
			return nil
		}
		if err != nil {
			return err
		}
		ds, err := tx.ListDocs(ctx, KindUsageEvents, writer, rec.Through, 16)
		if err != nil || len(ds) == 0 {
			return err
		}
		var evs []UsageEvent
		for _, d := range ds {
			e, err := DecodeUsageEvents(d.Data)
			if err != nil {
				return fmt.Errorf("%s %s: %w", KindUsageEvents, d.ID, err)
			}
			evs = append(evs, e...)
		}
		if err := addToShards(ctx, tx, writer, sumEvents(evs)); err != nil {
			return err
		}
		n = len(ds)
		return putWriterRec(ctx, tx, writer, ds[len(ds)-1].ID)
	})
	return n, err
}
