package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// usageKey is what the sums add up by.
type usageKey struct{ day, key, service, grant string }

type usageTotals struct{ allowed, refused, bytes int64 }

// wantSums adds up events as the usage log must.
func wantSums(evs []gateway.UsageEvent) map[usageKey]usageTotals {
	out := map[usageKey]usageTotals{}
	for _, e := range evs {
		for i, s := range e.Services {
			k := usageKey{e.At.UTC().Format(time.DateOnly), e.Key, s, e.Grants[i]}
			t := out[k]
			switch {
			case e.Bytes > 0:
				t.bytes += e.Bytes
			case e.Status >= 200 && e.Status < 300:
				t.allowed++
			default:
				t.refused++
			}
			out[k] = t
		}
	}
	return out
}

// storedSums reads the sums of every document of kind (either form).
func storedSums(t *testing.T, st store.Documents, kind string) map[usageKey]usageTotals {
	t.Helper()
	ds, err := st.ListDocs(context.Background(), kind, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[usageKey]usageTotals{}
	for _, d := range ds {
		ss, err := portal.DecodeUsageSums(d.Data)
		if err != nil {
			t.Fatalf("%s %s: %v", kind, d.ID, err)
		}
		for _, s := range ss {
			k := usageKey{s.Day, s.Key, s.Service, s.Grant}
			if kind == portal.KindUsageKeys && d.Parent != portal.UsageKeyShardParent(s.Key) ||
				kind == portal.KindUsageServices && d.Parent != s.Service {
				t.Errorf("%s %s (parent %s) holds %+v", kind, d.ID, d.Parent, s)
			}
			tt := out[k]
			tt.allowed, tt.refused, tt.bytes = tt.allowed+s.Allowed, tt.refused+s.Refused, tt.bytes+s.Bytes
			out[k] = tt
		}
	}
	return out
}

// storedEvents reads every event of the log, in a stable order.
func storedEvents(t *testing.T, st store.Documents) []string {
	t.Helper()
	var out []string
	if err := gateway.ReadUsageEvents(context.Background(), st, "", "", func(evs []gateway.UsageEvent) error {
		for _, e := range evs {
			out = append(out, eventString(e))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func eventString(e gateway.UsageEvent) string {
	return fmt.Sprintf("%s|%s|%s|%q|%q|%q|%s|%d|%s|%d", e.At.UTC().Format(time.RFC3339Nano), e.Key, e.Account,
		e.Services, e.Grants, e.Layers, e.Operation, e.Status, e.Reason, e.Bytes)
}

func eventStrings(evs []gateway.UsageEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, eventString(e))
	}
	slices.Sort(out)
	return out
}

// usageStream is n decisions (and answers' bytes) over a few keys,
// services and grants, across midnight, recorded through u.
func usageStream(u *gateway.UsageLog, n int, seed uint64, onEach func(i int)) []gateway.UsageEvent {
	r := rand.New(rand.NewPCG(seed, 7))
	t0 := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
	var out []gateway.UsageEvent
	for i := range n {
		k := r.IntN(40)
		d := gateway.Decision{Status: 200, Key: fmt.Sprint("key-", k), Account: fmt.Sprint("acct-", k/2),
			Services: []string{fmt.Sprint("svc-", k%3)}, Grants: []string{fmt.Sprint("g-", k%5)},
			Layers: []string{"a", "b\"é<"}[:1+k%2], Request: gateway.Request{Operation: []string{"GetMap", "GetTile"}[k%2]}}
		if k%4 == 0 {
			d.Services, d.Grants = append(d.Services, "svc-x"), append(d.Grants, "")
		}
		if k%7 == 0 {
			d = gateway.Decision{Status: 401, Reason: gateway.ReasonNoKey, Services: []string{"svc-0"}, Grants: []string{""}}
		}
		at := t0.Add(time.Duration(i) * 120 * time.Second / time.Duration(n)).Add(time.Duration(r.IntN(1000)) - 500) // out of order by a little
		e := gateway.UsageEvent{At: at, Key: d.Key, Account: d.Account, Services: d.Services, Grants: d.Grants, Layers: d.Layers, Operation: d.Request.Operation, Status: d.Status, Reason: d.Reason}
		if i%10 == 9 && d.Status == 200 {
			u.AddBytes(at, d, int64(1+k))
			e = gateway.UsageEvent{At: at, Key: d.Key, Account: d.Account, Services: d.Services, Grants: d.Grants, Bytes: int64(1 + k)}
		} else {
			u.Record(at, d)
		}
		out = append(out, e)
		if onEach != nil {
			onEach(i)
		}
	}
	return out
}

func checkUsage(t *testing.T, st store.Documents, evs []gateway.UsageEvent) {
	t.Helper()
	if got, want := storedEvents(t, st), eventStrings(evs); !slices.Equal(got, want) {
		t.Errorf("%d events stored, %d recorded (or they differ)", len(got), len(want))
	}
	want := wantSums(evs)
	for _, kind := range []string{portal.KindUsageKeys, portal.KindUsageServices} {
		got := storedSums(t, st, kind)
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s %+v = %+v, want %+v", kind, k, got[k], w)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("%s %+v: no such event", kind, k)
			}
		}
	}
}

// Every event recorded is stored once and summed once, on both
// backends: flushed in several batches across midnight; summed by its
// writer; summed by the next writer when its own stopped after writing
// events and before their sums; and the stopped writer's later sums (a
// writer another one took for stopped) count nothing twice.
func TestUsageLogStoresAndSumsEachEventOnce(t *testing.T) {
	for _, backend := range usageBackends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := usageStore(t, backend)
			u1 := gateway.NewUsageLog(gateway.UsageConfig{Docs: st, Buffer: 4096})
			var err error
			evs := usageStream(u1, 9300, 1, func(i int) {
				switch {
				case err != nil:
				case i%3000 == 2999:
					err = u1.Flush(ctx)
				case i%700 == 699:
					err = u1.FlushEvents(ctx)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			// Events of the last 300 written, their sums not: u1 "stops".
			if err := u1.FlushEvents(ctx); err != nil {
				t.Fatal(err)
			}
			if u1.Dropped() != 0 {
				t.Fatalf("%d dropped", u1.Dropped())
			}
			u2 := gateway.NewUsageLog(gateway.UsageConfig{Docs: st})
			if err := u2.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			checkUsage(t, st, evs)
			// Caught up twice, or u1 writing its sums after all: the same.
			if err := u2.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if err := u1.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			more := usageStream(u1, 500, 2, nil)
			if err := u1.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			if err := u2.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			checkUsage(t, st, append(evs, more...))
			// u2 wrote nothing of its own: no writer record either.
			if _, err := st.GetDoc(ctx, gateway.KindUsageWriters, u2.Writer()); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("writer record of a log that wrote nothing: %v", err)
			}
		})
	}
}

// failingDocs fails every transaction while fail is set.
type failingDocs struct {
	store.Documents
	fail atomic.Bool
}

func (f *failingDocs) Transact(ctx context.Context, fn func(tx store.DocTx) error) (store.Revision, error) {
	if f.fail.Load() {
		return 0, errors.New("the database is away")
	}
	return f.Documents.Transact(ctx, fn)
}

// A flush that fails keeps its events (and sums) for the next, which
// writes them once; the buffer's bound still holds, the excess counted.
func TestUsageLogKeepsWhatAFailedFlushHeld(t *testing.T) {
	for _, backend := range usageBackends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := &failingDocs{Documents: usageStore(t, backend)}
			u := gateway.NewUsageLog(gateway.UsageConfig{Docs: st, Buffer: 1000})
			evs := usageStream(u, 600, 3, nil)
			st.fail.Store(true)
			if err := u.Flush(ctx); err == nil {
				t.Fatal("a flush into a failing store succeeded")
			}
			evs = append(evs, usageStream(u, 300, 4, nil)...)
			st.fail.Store(false)
			if err := u.FlushEvents(ctx); err != nil { // events written, sums not yet
				t.Fatal(err)
			}
			st.fail.Store(true)
			if err := u.Flush(ctx); err == nil {
				t.Fatal("writing sums into a failing store succeeded")
			}
			st.fail.Store(false)
			if err := u.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			checkUsage(t, st, evs)
			if u.Dropped() != 0 {
				t.Errorf("%d dropped", u.Dropped())
			}
			// Beyond what the log holds (four buffers taken off the
			// channel, and the channel) while the store is away: what
			// comes then, the newest, is dropped and counted; what was
			// held is written once the store is back.
			st.fail.Store(true)
			var held []gateway.UsageEvent
			for round := range 6 {
				held = append(held, usageStream(u, 900, uint64(5+round), nil)...)
				_ = u.Flush(ctx)
			}
			st.fail.Store(false)
			if err := u.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			lost := int(u.Dropped())
			if lost == 0 || lost > len(held)-4000 {
				t.Errorf("dropped %d of %d, want some but no more than those beyond 4,000", lost, len(held))
			}
			checkUsage(t, st, append(evs, held[:len(held)-lost]...))
		})
	}
}

// Events of a day the log no longer holds in memory (a clock set back)
// are added to that day's stored sums.
func TestUsageLogAddsLateEventsToStoredSums(t *testing.T) {
	for _, backend := range usageBackends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := usageStore(t, backend)
			u := gateway.NewUsageLog(gateway.UsageConfig{Docs: st})
			d := gateway.Decision{Status: 200, Key: "k", Account: "a", Services: []string{"s"}, Grants: []string{"g"}}
			day1 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			var evs []gateway.UsageEvent
			rec := func(at time.Time) {
				u.Record(at, d)
				evs = append(evs, gateway.UsageEvent{At: at, Key: "k", Account: "a", Services: d.Services, Grants: d.Grants, Status: 200})
				if err := u.Flush(ctx); err != nil {
					t.Fatal(err)
				}
			}
			rec(day1)
			rec(day1.Add(72 * time.Hour)) // day1 forgotten
			rec(day1.Add(time.Hour))      // late
			rec(day1.Add(2 * time.Hour))  // late again
			rec(day1.Add(73 * time.Hour))
			checkUsage(t, st, evs)
		})
	}
}

// The events written by earlier versions (a JSON array of objects) stay
// readable beside those written now; a version this octroi does not know
// is refused, not misread.
func TestUsageEventsOfEveryVersionRead(t *testing.T) {
	for _, backend := range usageBackends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := usageStore(t, backend)
			// As octroi wrote them before version 2, byte for byte.
			v1 := `[{"at":"2026-03-01T10:00:00.123456789Z","key":"k1","account":"alice","services":["s1","s2"],"grants":["g1",""],"layers":["l1"],"operation":"GetMap","status":200},` +
				`{"at":"2026-03-01T10:00:01Z","status":401,"reason":"no_key","services":["s1"]},` +
				`{"at":"2026-03-01T10:00:02Z","key":"k1","account":"alice","services":["s1"],"grants":["g1"],"bytes":4096}]`
			if _, err := st.Transact(ctx, func(tx store.DocTx) error {
				return tx.PutDoc(ctx, store.Doc{Kind: gateway.KindUsageEvents, ID: "2026-03-01/00000000000000000001-0", Data: []byte(v1)})
			}); err != nil {
				t.Fatal(err)
			}
			u := gateway.NewUsageLog(gateway.UsageConfig{Docs: st})
			at := time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)
			u.Record(at, gateway.Decision{Status: 403, Reason: gateway.ReasonLayerNotGranted, Key: "k2", Account: "bob", Services: []string{"s1"}, Grants: []string{""}, Layers: []string{"secret"}})
			if err := u.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			want := []gateway.UsageEvent{
				{At: time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC), Key: "k1", Account: "alice", Services: []string{"s1", "s2"}, Grants: []string{"g1", ""}, Layers: []string{"l1"}, Operation: "GetMap", Status: 200},
				{At: time.Date(2026, 3, 1, 10, 0, 1, 0, time.UTC), Status: 401, Reason: "no_key", Services: []string{"s1"}},
				{At: time.Date(2026, 3, 1, 10, 0, 2, 0, time.UTC), Key: "k1", Account: "alice", Services: []string{"s1"}, Grants: []string{"g1"}, Bytes: 4096},
				{At: at, Key: "k2", Account: "bob", Services: []string{"s1"}, Grants: []string{""}, Layers: []string{"secret"}, Status: 403, Reason: gateway.ReasonLayerNotGranted},
			}
			var got []gateway.UsageEvent
			if err := gateway.ReadUsageEvents(ctx, st, "2026-03-01", "2026-03-01", func(evs []gateway.UsageEvent) error {
				got = append(got, evs...)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if g, w := eventStrings(got), eventStrings(want); !slices.Equal(g, w) {
				t.Errorf("read\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
			}
			// Days outside the range are left out.
			n := 0
			if err := gateway.ReadUsageEvents(ctx, st, "2026-03-02", "", func(evs []gateway.UsageEvent) error { n += len(evs); return nil }); err != nil || n != 0 {
				t.Errorf("after the day: %d events, %v", n, err)
			}
			if _, err := st.Transact(ctx, func(tx store.DocTx) error {
				return tx.PutDoc(ctx, store.Doc{Kind: gateway.KindUsageEvents, ID: "2026-03-01/z", Data: []byte(`{"v":3,"e":[]}`)})
			}); err != nil {
				t.Fatal(err)
			}
			if err := gateway.ReadUsageEvents(ctx, st, "", "", func([]gateway.UsageEvent) error { return nil }); err == nil || !strings.Contains(err.Error(), "version 3") {
				t.Errorf("a version-3 document: %v", err)
			}
		})
	}
}

// Events that fill half the buffer are written at once, not at the next
// tick: at the decision rates of the gateway, the buffer would otherwise
// fill between two ticks and events be dropped.
func TestUsageLogWritesEarlyWhenHalfFull(t *testing.T) {
	st := usageStore(t, "sqlite")
	u := gateway.NewUsageLog(gateway.UsageConfig{Docs: st, Buffer: 1000, FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); u.Run(ctx) }()
	defer func() { cancel(); <-done }()
	var evs []gateway.UsageEvent
	for wave := range 6 { // 3,600 events through a buffer of 1,000
		evs = append(evs, usageStream(u, 600, uint64(10+wave), nil)...)
		deadline := time.Now().Add(10 * time.Second)
		for len(storedEvents(t, st)) < len(evs)-500 { // fewer than half wait for the tick
			if time.Now().After(deadline) {
				t.Fatalf("wave %d: %d of %d events written with the buffer half full", wave, len(storedEvents(t, st)), len(evs))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if u.Dropped() != 0 {
		t.Errorf("%d dropped", u.Dropped())
	}
}
