package index

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func rel(res, relation, subj string) tuple.Relationship {
	r, err := tuple.Parse(res + "#" + relation + "@" + subj)
	if err != nil {
		panic(err)
	}
	return r
}

func touch(rs ...tuple.Relationship) []Change {
	out := make([]Change, len(rs))
	for i, r := range rs {
		out[i] = Change{Op: Touch, Rel: r}
	}
	return out
}

// facts lists what a snapshot at rev sees, formatted and sorted.
func facts(t *testing.T, x *Index, rev uint64, at time.Time) []string {
	t.Helper()
	s, err := x.Read(rev, at)
	if err != nil {
		t.Fatalf("Read(%d): %v", rev, err)
	}
	defer s.Close()
	var out []string
	s.Each(func(e Edge) bool {
		out = append(out, tuple.Format(s.Relationship(e)))
		return true
	})
	slices.Sort(out)
	return out
}

func TestApplyAndSnapshots(t *testing.T) {
	x := New()
	a, b := rel("doc:1", "viewer", "user:ann"), rel("doc:1", "viewer", "user:bob")
	if err := x.Apply(1, touch(a, b)); err != nil {
		t.Fatal(err)
	}
	if err := x.Apply(2, []Change{{Op: Delete, Rel: a}}); err != nil {
		t.Fatal(err)
	}
	if err := x.Apply(2, nil); !errors.Is(err, ErrStaleRevision) {
		t.Errorf("Apply at the same revision: got %v, want ErrStaleRevision", err)
	}
	if got, want := facts(t, x, 1, now), []string{"doc:1#viewer@user:ann", "doc:1#viewer@user:bob"}; !slices.Equal(got, want) {
		t.Errorf("at revision 1: got %v, want %v", got, want)
	}
	if got, want := facts(t, x, 0, now), []string{"doc:1#viewer@user:bob"}; !slices.Equal(got, want) {
		t.Errorf("latest: got %v, want %v", got, want)
	}
	if x.Len() != 1 || x.Revision() != 2 {
		t.Errorf("Len, Revision = %d, %d, want 1, 2", x.Len(), x.Revision())
	}
	if _, err := x.Read(3, now); !errors.Is(err, ErrRevisionUnavailable) {
		t.Errorf("Read of a future revision: got %v, want ErrRevisionUnavailable", err)
	}
	// Deleting what does not exist changes nothing.
	if err := x.Apply(3, []Change{{Op: Delete, Rel: rel("doc:9", "viewer", "user:zed")}, {Op: Delete, Rel: a}}); err != nil {
		t.Fatal(err)
	}
	if x.Len() != 1 {
		t.Errorf("Len after deleting missing facts = %d, want 1", x.Len())
	}
}

// shape is what an index holds, down to what a reader cannot see (interned
// names, record slots): a refused batch must leave all of it as it was.
type shape struct {
	rev                                 uint64
	types, members, nodes, extras, live int
	recs                                uint32
	free, dead, young, revTimes         int
	latest                              string
}

func shapeOf(t *testing.T, x *Index) shape {
	t.Helper()
	return shape{
		rev: x.Revision(), types: len(x.types), members: len(x.members), nodes: len(x.nodes),
		extras: len(x.extras), live: x.live, recs: x.nrecs, free: len(x.free), dead: len(x.dead),
		young: len(x.young), revTimes: len(x.revTime),
		latest: strings.Join(facts(t, x, 0, now), " "),
	}
}

// TestApplyIsAllOrNothing: Apply used to check each change's operation only
// on reaching it, so the changes before a bad one were already applied.
func TestApplyIsAllOrNothing(t *testing.T) {
	ann, bob := rel("doc:1", "viewer", "user:ann"), rel("doc:1", "viewer", "user:bob")
	good := []Change{
		{Op: Touch, Rel: rel("doc:2", "editor", "user:cat")},
		{Op: Delete, Rel: ann},
		{Op: Touch, Rel: rel("folder:9", "viewer", "group:x#member")},
	}
	for _, tc := range []struct {
		name string
		at   int // where the bad change goes in good
		op   Op
	}{
		{"first", 0, 0},
		{"middle", 2, 0},
		{"last", 3, Op(99)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := New()
			if err := x.Apply(1, touch(ann, bob)); err != nil {
				t.Fatal(err)
			}
			before := shapeOf(t, x)
			batch := slices.Insert(slices.Clone(good), tc.at, Change{Op: tc.op, Rel: rel("doc:3", "viewer", "user:dan")})
			err := x.Apply(2, batch)
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("change %d (doc:3#viewer@user:dan): unknown operation %d", tc.at, tc.op)) {
				t.Errorf("got %v, want an error naming change %d and its operation", err, tc.at)
			}
			if got := shapeOf(t, x); got != before {
				t.Errorf("after the refused batch: got %+v, want %+v", got, before)
			}
			// The revision was not used up.
			if err := x.Apply(2, good); err != nil {
				t.Fatalf("the same revision without the bad change: %v", err)
			}
			if got, want := facts(t, x, 0, now), []string{"doc:1#viewer@user:bob", "doc:2#editor@user:cat", "folder:9#viewer@group:x#member"}; !slices.Equal(got, want) {
				t.Errorf("after the good batch: got %v, want %v", got, want)
			}
		})
	}
}

// TestApplyRefusesWhatItCannotNumber: types and members have 16-bit ids; a
// batch that would need more is refused whole, where interning used to wrap
// around and give a new type the id of an old one.
func TestApplyRefusesWhatItCannotNumber(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fill    func(x *Index, i int) // interns the i-th filler
		full    func(x *Index) int
		tooMany []Change // two new ones, one of which fits
		fits    []Change
		err     string
	}{
		{"types", func(x *Index, i int) { x.Type(fmt.Sprintf("t%d", i)) }, func(x *Index) int { return len(x.types) },
			touch(rel("doc:1", "viewer", "user:bob"), rel("new_a:1", "viewer", "new_b:1")),
			touch(rel("doc:1", "viewer", "user:bob"), rel("doc:1", "viewer", "new_a:1")), "object types"},
		{"members", func(x *Index, i int) { x.Member("doc", fmt.Sprintf("r%d", i)) }, func(x *Index) int { return len(x.members) },
			touch(rel("doc:1", "viewer", "user:bob"), rel("doc:1", "new_a", "group:1#new_b")),
			touch(rel("doc:1", "viewer", "user:bob"), rel("doc:1", "new_a", "user:1")), "relations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := New()
			if err := x.Apply(1, touch(rel("doc:1", "viewer", "user:ann"))); err != nil {
				t.Fatal(err)
			}
			for i := 0; tc.full(x) < maxIDs-1; i++ {
				tc.fill(x, i) // until there is room for one more
			}
			before := shapeOf(t, x)
			if err := x.Apply(2, tc.tooMany); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("got %v, want an error about the number of %s", err, tc.err)
			}
			if got := shapeOf(t, x); got != before {
				t.Errorf("after the refused batch: got %+v, want %+v", got, before)
			}
			if err := x.Apply(2, tc.fits); err != nil {
				t.Errorf("a batch that fits: %v", err)
			}
		})
	}
}

func TestTouchReplacesAttributes(t *testing.T) {
	x := New()
	r := rel("doc:1", "viewer", "user:ann")
	if err := x.Apply(1, touch(r)); err != nil {
		t.Fatal(err)
	}
	exp := now.Add(time.Hour)
	r2 := r
	r2.Caveat = &tuple.Caveat{Name: "on_weekdays", Context: map[string]any{"tz": "Europe/Paris"}}
	r2.Expiration = &exp
	if err := x.Apply(2, touch(r2)); err != nil {
		t.Fatal(err)
	}
	// Touching again with the same attributes is not a change.
	if err := x.Apply(3, touch(r2)); err != nil {
		t.Fatal(err)
	}
	if got := facts(t, x, 1, now); !slices.Equal(got, []string{"doc:1#viewer@user:ann"}) {
		t.Errorf("revision 1 sees %v", got)
	}
	want := `doc:1#viewer@user:ann[on_weekdays:{"tz":"Europe/Paris"}][expiration:2026-06-01T13:00:00Z]`
	if got := facts(t, x, 3, now); !slices.Equal(got, []string{want}) {
		t.Errorf("revision 3 sees %v, want %v", got, want)
	}
	if got := facts(t, x, 3, exp); len(got) != 0 {
		t.Errorf("at its expiration instant the relationship is still seen: %v", got)
	}
	if x.Len() != 1 {
		t.Errorf("Len = %d, want 1", x.Len())
	}
}

func TestGCForgetsOldRevisionsAndMarksPlain(t *testing.T) {
	x := New()
	a, b := rel("doc:1", "viewer", "user:ann"), rel("doc:1", "viewer", "user:bob")
	if err := x.Apply(1, touch(a, b)); err != nil {
		t.Fatal(err)
	}
	if err := x.Apply(2, []Change{{Op: Delete, Rel: a}}); err != nil {
		t.Fatal(err)
	}
	doc := x.objects[x.typeIDs["doc"]]["1"]
	if n := len(x.nodes[doc].fwd); n != 2 {
		t.Fatalf("before GC the deleted version is kept: %d edges, want 2", n)
	}
	if fwd := x.nodes[doc].fwd; fwd[0].plain() || fwd[1].plain() {
		t.Errorf("records written after the load are not plain until GC passes them")
	}
	if n := x.GC(2); n != 1 {
		t.Errorf("GC collected %d records, want 1", n)
	}
	if n := len(x.nodes[doc].fwd); n != 1 {
		t.Errorf("after GC: %d edges, want 1", n)
	}
	if !x.nodes[doc].fwd[0].plain() {
		t.Errorf("after GC the remaining uncaveated record should be plain")
	}
	if _, err := x.Read(1, now); !errors.Is(err, ErrRevisionUnavailable) {
		t.Errorf("Read below the GC horizon: got %v, want ErrRevisionUnavailable", err)
	}
	// A plain record that gets deleted must stop being plain at once.
	if err := x.Apply(3, []Change{{Op: Delete, Rel: b}}); err != nil {
		t.Fatal(err)
	}
	if got := facts(t, x, 3, now); len(got) != 0 {
		t.Errorf("revision 3 sees %v, want nothing", got)
	}
	if got := facts(t, x, 2, now); !slices.Equal(got, []string{"doc:1#viewer@user:bob"}) {
		t.Errorf("revision 2 sees %v", got)
	}
	// Slots are reused after GC.
	x.GC(3)
	if err := x.Apply(4, touch(rel("doc:2", "viewer", "user:cat"))); err != nil {
		t.Fatal(err)
	}
	if x.nrecs != 2 {
		t.Errorf("records allocated = %d, want 2 (freed slots reused)", x.nrecs)
	}
}

func TestLoad(t *testing.T) {
	x := New()
	exp := now.Add(-time.Hour)
	expired := rel("doc:1", "viewer", "user:old")
	expired.Expiration = &exp
	n, err := x.Load(func(add func(tuple.Relationship)) (uint64, error) {
		add(rel("doc:1", "viewer", "user:ann"))
		add(rel("doc:1", "viewer", "group:eng#member"))
		add(expired)
		dup := rel("doc:1", "viewer", "user:ann")
		dup.Caveat = &tuple.Caveat{Name: "c"}
		add(dup) // the same fact again: the last one wins
		return 7, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || x.Revision() != 7 {
		t.Errorf("Load = %d at revision %d, want 3 at 7", n, x.Revision())
	}
	want := []string{"doc:1#viewer@group:eng#member", "doc:1#viewer@user:ann[c]"}
	if got := facts(t, x, 0, now); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := x.Load(func(func(tuple.Relationship)) (uint64, error) { return 8, nil }); err == nil {
		t.Error("a second Load must be refused")
	}
	y := New()
	boom := errors.New("store went away")
	if _, err := y.Load(func(add func(tuple.Relationship)) (uint64, error) {
		add(rel("doc:1", "viewer", "user:ann"))
		return 0, boom
	}); !errors.Is(err, boom) {
		t.Errorf("Load error: got %v, want %v", err, boom)
	}
	if y.Len() != 0 || y.Revision() != 0 {
		t.Errorf("a failed Load must leave the index empty")
	}
}

func TestWaitFor(t *testing.T) {
	x := New()
	done := make(chan error, 1)
	go func() { done <- x.WaitFor(context.Background(), 2) }()
	_ = x.Apply(1, nil)
	_ = x.Apply(2, nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := x.WaitFor(ctx, 5); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor an unreached revision: got %v, want a deadline error", err)
	}
}

// TestConcurrentSnapshots moves a token between two documents in every
// batch: a reader that ever sees zero or two tokens saw a torn write.
func TestConcurrentSnapshots(t *testing.T) {
	x := New()
	at := func(i int) tuple.Relationship { return rel([]string{"doc:a", "doc:b"}[i%2], "holder", "user:token") }
	if err := x.Apply(1, touch(at(0))); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s, err := x.Read(0, now)
				if err != nil {
					errs <- err.Error()
					return
				}
				seen := 0
				s.Each(func(Edge) bool { seen++; return true })
				s.Close()
				if seen != 1 {
					errs <- "a snapshot saw a torn write"
					return
				}
			}
		}()
	}
	for i := 1; i <= 2000; i++ {
		ch := []Change{{Op: Delete, Rel: at(i - 1)}, {Op: Touch, Rel: at(i)}}
		if err := x.Apply(uint64(i+1), ch); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			x.GC(uint64(i))
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestSpan compares span with a linear filter on random sorted lists.
func TestSpan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := r.IntN(100)
		if trial%10 == 0 {
			n = r.IntN(5000)
		}
		list := make([]Edge, n)
		for i := range list {
			list[i] = Edge{Rel: uint16(r.IntN(4)), Srel: uint16(r.IntN(2)), Node: uint32(r.IntN(50)), id: uint32(i)}
		}
		slices.SortFunc(list, cmpFwd)
		rel := uint16(r.IntN(5))
		got := span(list, func(e Edge) int { return cmpU16(e.Rel, rel) })
		var want []Edge
		for _, e := range list {
			if e.Rel == rel {
				want = append(want, e)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d (n=%d, rel=%d): span has %d edges, want %d", trial, n, rel, len(got), len(want))
		}
	}
}

// TestInterningNeverReusesAnID: past the 16-bit ids, Type and Member panic
// rather than give a new name the id of an old one.
func TestInterningNeverReusesAnID(t *testing.T) {
	x := New()
	for i := len(x.types); i < maxIDs; i++ {
		x.Type(fmt.Sprintf("t%d", i))
	}
	for i := len(x.members); i < maxIDs; i++ {
		x.Member("t1", fmt.Sprintf("r%d", i))
	}
	for name, intern := range map[string]func(){
		"Type":   func() { x.Type("one_too_many") },
		"Member": func() { x.Member("t1", "one_too_many") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s past %d ids did not panic", name, maxIDs)
				}
			}()
			intern()
		}()
	}
}

// TestReadInto: ReadInto opens the snapshot Read would, in the caller's
// variable and without allocating; a revision it cannot read leaves the
// variable as it was, with no lock to release.
func TestReadInto(t *testing.T) {
	x := New()
	if err := x.Apply(1, touch(rel("doc:1", "viewer", "user:ann"))); err != nil {
		t.Fatal(err)
	}
	var s Snapshot
	if err := x.ReadInto(&s, 2, now); !errors.Is(err, ErrRevisionUnavailable) || s != (Snapshot{}) {
		t.Errorf("ReadInto of a future revision: got %v and %+v, want ErrRevisionUnavailable and no snapshot", err, s)
	}
	if err := x.ReadInto(&s, 0, now); err != nil {
		t.Fatal(err)
	}
	if s.Revision() != 1 || !s.Now().Equal(now.Truncate(time.Microsecond)) {
		t.Errorf("snapshot at revision %d, instant %v; want 1, %v", s.Revision(), s.Now(), now)
	}
	s.Close()
	if n := testing.AllocsPerRun(100, func() {
		var s Snapshot
		if err := x.ReadInto(&s, 0, now); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}); n != 0 {
		t.Errorf("ReadInto allocates %v times, want 0", n)
	}
}
