package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/caveat"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/tuple"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// newEngine loads a schema and relationships (one per line) at revision 1.
func newEngine(t testing.TB, schemaText string, rels string, opts ...engine.Option) *engine.Engine {
	t.Helper()
	s, err := schema.Parse(schemaText)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	lines, errs := tuple.ParseLines(rels)
	if len(errs) > 0 {
		t.Fatalf("relationships: %v", errs)
	}
	idx := index.New()
	if _, err := idx.Load(func(add func(tuple.Relationship)) (uint64, error) {
		for _, l := range lines {
			if err := s.CheckRelationship(l.Relationship); err != nil {
				t.Fatalf("line %d: %v", l.Line, err)
			}
			add(l.Relationship)
		}
		return 1, nil
	}); err != nil {
		t.Fatal(err)
	}
	e := engine.New(idx, append([]engine.Option{engine.WithClock(func() time.Time { return now })}, opts...)...)
	e.SetSchema(s)
	return e
}

func check(t *testing.T, e *engine.Engine, q string, ctx map[string]any) engine.CheckResult {
	t.Helper()
	r, err := tuple.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := e.Check(context.Background(), engine.CheckRequest{Resource: r.Resource, Permission: r.Relation, Subject: r.Subject, Context: ctx}, engine.At{})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

const precedenceSchema = `
definition user {}
definition doc {
	relation rel_a: user
	relation rel_b: user
	relation rel_c: user
	permission excl = rel_a - (rel_b + rel_c)
	permission inter = rel_a & (rel_b + rel_c)
	permission mixed = rel_a - rel_b + rel_c
	permission excl_then = (rel_a - rel_b) + rel_c
}`

// TestOperatorsAreNeverConflated guards against the class of mistake where
// a cache keys sub-results by their operands and not their operator: a
// peer's keyed a - (b + c) like a & (b + c) and granted excluded users.
// Every expression below is evaluated in one engine, interleaved, through
// every API, and the answers differ between expressions.
func TestOperatorsAreNeverConflated(t *testing.T) {
	e := newEngine(t, precedenceSchema, `
doc:1#rel_a@user:ab
doc:1#rel_b@user:ab
doc:1#rel_a@user:a
doc:1#rel_c@user:c
doc:1#rel_a@user:ac
doc:1#rel_c@user:ac`)
	want := map[string]map[string]bool{ // permission → user → allowed
		"excl":      {"ab": false, "a": true, "c": false, "ac": false},
		"inter":     {"ab": true, "a": false, "c": false, "ac": true},
		"mixed":     {"ab": false, "a": true, "c": false, "ac": false}, // a - (b + c)
		"excl_then": {"ab": false, "a": true, "c": true, "ac": true},
	}
	ctx := context.Background()
	var reqs []engine.CheckRequest
	for round := range 2 {
		for _, perm := range []string{"excl", "inter", "mixed", "excl_then"} {
			for _, u := range []string{"ab", "a", "c", "ac"} {
				got := check(t, e, "doc:1#"+perm+"@user:"+u, nil).Result == engine.HasPermission
				if got != want[perm][u] {
					t.Errorf("round %d: doc:1#%s@user:%s = %v, want %v", round, perm, u, got, want[perm][u])
				}
				reqs = append(reqs, engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: perm, Subject: tuple.SubjectRef{Type: "user", ID: u}})
			}
		}
	}
	res, errs, _, err := e.CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range reqs {
		if errs[i] != nil || (res[i].Result == engine.HasPermission) != want[r.Permission][r.Subject.ID] {
			t.Errorf("bulk %s@%s = %s (%v)", r.Permission, r.Subject.ID, res[i].Result, errs[i])
		}
	}
	for perm, users := range want {
		subs, _, err := e.LookupSubjects(ctx, engine.LookupSubjectsRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: perm, SubjectType: "user"}, engine.At{})
		if err != nil {
			t.Fatal(err)
		}
		var got, exp []string
		for _, s := range subs {
			got = append(got, s.Subject.ID)
		}
		for u, ok := range users {
			if ok {
				exp = append(exp, u)
			}
		}
		slices.Sort(exp)
		if !slices.Equal(got, exp) {
			t.Errorf("lookup subjects %s: got %v, want %v", perm, got, exp)
		}
	}
}

const groupsSchema = `
definition user {}
definition group {
	relation member: user | group#member
}
definition doc {
	relation viewer: group#member
	permission view = viewer
}`

// TestCyclesEndWithTheRightAnswer: groups inside each other in a ring; a
// member of any group is in all, and an outsider is in none — where SpiceDB
// gives up with a depth error on the negative answer.
func TestCyclesEndWithTheRightAnswer(t *testing.T) {
	e := newEngine(t, groupsSchema, `
group:a#member@group:b#member
group:b#member@group:c#member
group:c#member@group:a#member
group:c#member@user:carl
doc:1#viewer@group:a#member`)
	if r := check(t, e, "doc:1#view@user:carl", nil); r.Result != engine.HasPermission {
		t.Errorf("carl: got %s, want has_permission", r.Result)
	}
	if r := check(t, e, "doc:1#view@user:olga", nil); r.Result != engine.NoPermission {
		t.Errorf("olga: got %s, want no_permission", r.Result)
	}
	if r := check(t, e, "group:b#member@group:a#member", nil); r.Result != engine.HasPermission {
		t.Errorf("a ⊂ b through the ring: got %s", r.Result)
	}
	ctx := context.Background()
	res, _, _, err := e.LookupResources(ctx, engine.LookupResourcesRequest{ResourceType: "group", Permission: "member", Subject: tuple.SubjectRef{Type: "user", ID: "carl"}}, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Errorf("carl is in %d groups, want 3", len(res))
	}
}

// TestDepthLimitIsAnErrorNotAnAnswer: a chain deeper than the limit fails
// clearly; a shallow path is still found.
func TestDepthLimitIsAnErrorNotAnAnswer(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "group:g%d#member@group:g%d#member\n", i, i+1)
	}
	b.WriteString("group:g30#member@user:deep\ngroup:g0#member@user:shallow\ndoc:1#viewer@group:g0#member\n")
	e := newEngine(t, groupsSchema, b.String(), engine.WithMaxDepth(10))
	if r := check(t, e, "doc:1#view@user:shallow", nil); r.Result != engine.HasPermission {
		t.Errorf("shallow: got %s", r.Result)
	}
	_, _, err := e.Check(context.Background(), engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view", Subject: tuple.SubjectRef{Type: "user", ID: "deep"}}, engine.At{})
	if !errors.Is(err, engine.ErrDepth) {
		t.Errorf("deep: got %v, want ErrDepth", err)
	}
}

const caveatSchema = `
definition user {}
caveat on_network(ip ipaddress, net string) { ip.in_cidr(net) }
definition doc {
	relation viewer: user | user with on_network
	permission view = viewer
}`

func TestConditionalResultsNameMissingParameters(t *testing.T) {
	e := newEngine(t, caveatSchema, `
doc:1#viewer@user:ann[on_network:{"net":"10.0.0.0/8"}]
doc:2#viewer@user:ann
doc:3#viewer@user:ann[on_network:{"net":"10.0.0.0/8","ip":"192.168.1.1"}]`)
	r := check(t, e, "doc:1#view@user:ann", nil)
	if r.Result != engine.Conditional || !slices.Equal(r.Missing, []string{"ip"}) {
		t.Errorf("without ip: got %s missing %v, want conditional missing [ip]", r.Result, r.Missing)
	}
	if r := check(t, e, "doc:1#view@user:ann", map[string]any{"ip": "10.1.2.3"}); r.Result != engine.HasPermission {
		t.Errorf("inside the network: got %s", r.Result)
	}
	// The relationship's own context wins over the request's.
	if r := check(t, e, "doc:3#view@user:ann", map[string]any{"ip": "10.1.2.3"}); r.Result != engine.NoPermission {
		t.Errorf("relationship context must win: got %s", r.Result)
	}
	res, _, _, err := e.LookupResources(context.Background(), engine.LookupResourcesRequest{ResourceType: "doc", Permission: "view", Subject: tuple.SubjectRef{Type: "user", ID: "ann"}}, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]engine.Result{}
	for _, x := range res {
		got[x.ID] = x.Result
	}
	if got["1"] != engine.Conditional || got["2"] != engine.HasPermission || len(got) != 2 {
		t.Errorf("lookup resources: got %v", got)
	}
}

// TestCostlyCaveatIsACaveatError: a caveat past its cost limit fails the
// check with ErrCaveat (answered as a caveat error), not a silent "no".
func TestCostlyCaveatIsACaveatError(t *testing.T) {
	e := newEngine(t, `
definition user {}
caveat same(a list<string>, b list<string>) { `+strings.Repeat("a == b || ", 199)+`a == b }
definition doc {
	relation viewer: user with same
	permission view = viewer
}`, `doc:1#viewer@user:ann[same]`)
	long := make([]any, 10_000)
	for i := range long {
		long[i] = "v"
	}
	other := append(append([]any(nil), long[:len(long)-1]...), "w")
	_, _, err := e.Check(context.Background(), engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view",
		Subject: tuple.SubjectRef{Type: "user", ID: "ann"}, Context: map[string]any{"a": long, "b": other}}, engine.At{})
	if !errors.Is(err, engine.ErrCaveat) || !errors.Is(err, caveat.ErrCostLimitExceeded) {
		t.Errorf("got %v, want ErrCaveat wrapping caveat.ErrCostLimitExceeded", err)
	}
}

func TestExpiredRelationshipsAreInvisible(t *testing.T) {
	s := `use expiration
definition user {}
definition doc { relation viewer: user with expiration
 permission view = viewer }`
	e := newEngine(t, s, `
doc:1#viewer@user:old[expiration:2026-05-01T00:00:00Z]
doc:1#viewer@user:new[expiration:2026-07-01T00:00:00Z]`)
	if r := check(t, e, "doc:1#view@user:old", nil); r.Result != engine.NoPermission {
		t.Errorf("expired: got %s", r.Result)
	}
	if r := check(t, e, "doc:1#view@user:new", nil); r.Result != engine.HasPermission {
		t.Errorf("not yet expired: got %s", r.Result)
	}
	later := engine.At{Now: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)}
	res, _, err := e.Check(context.Background(), engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view", Subject: tuple.SubjectRef{Type: "user", ID: "new"}}, later)
	if err != nil || res.Result != engine.NoPermission {
		t.Errorf("after its expiration: got %s (%v)", res.Result, err)
	}
}

func TestErrorsNameTheProblem(t *testing.T) {
	e := newEngine(t, groupsSchema, "")
	ctx := context.Background()
	for _, tc := range []struct {
		req  engine.CheckRequest
		want error
	}{
		{engine.CheckRequest{Resource: tuple.ObjectRef{Type: "folder", ID: "1"}, Permission: "view", Subject: tuple.SubjectRef{Type: "user", ID: "x"}}, engine.ErrUnknownType},
		{engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "edit", Subject: tuple.SubjectRef{Type: "user", ID: "x"}}, engine.ErrUnknownMember},
		{engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view", Subject: tuple.SubjectRef{Type: "robot", ID: "x"}}, engine.ErrUnknownType},
		{engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view", Subject: tuple.SubjectRef{Type: "group", ID: "x", Relation: "owner"}}, engine.ErrUnknownMember},
	} {
		if _, _, err := e.Check(ctx, tc.req, engine.At{}); !errors.Is(err, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.req, err, tc.want)
		}
	}
	if _, _, err := engine.New(index.New()).Check(ctx, engine.CheckRequest{}, engine.At{}); !errors.Is(err, engine.ErrNoSchema) {
		t.Errorf("no schema: got %v", err)
	}
}

func TestLookupResourcesPages(t *testing.T) {
	var b strings.Builder
	for i := range 250 {
		if i%7 != 0 {
			fmt.Fprintf(&b, "doc:d%03d#viewer@group:eng#member\n", i)
		}
	}
	b.WriteString("group:eng#member@user:ann\n")
	s := groupsSchema
	e := newEngine(t, s, b.String())
	ctx := context.Background()
	req := engine.LookupResourcesRequest{ResourceType: "doc", Permission: "view", Subject: tuple.SubjectRef{Type: "user", ID: "ann"}}
	all, _, _, err := e.LookupResources(ctx, req, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range all {
		want = append(want, r.ID)
	}
	slices.Sort(want)
	req.Limit = 40
	var got []string
	pages := 0
	for {
		page, next, _, err := e.LookupResources(ctx, req, engine.At{})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page {
			got = append(got, r.ID)
		}
		if pages == 1 {
			// A write between pages does not change what the cursor reads:
			// it is pinned to the first page's revision.
			if err := e.Index().Apply(2, []index.Change{{Op: index.Delete, Rel: mustRel("doc:d249#viewer@group:eng#member")}}); err != nil {
				t.Fatal(err)
			}
		}
		if next == "" {
			break
		}
		req.Cursor = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages gave %d ids (%d pages), want %d in order", len(got), pages, len(want))
	}
	// After starts a first page after an id of the caller's: the ids that
	// follow it, in order, across the boundary of a page of 40.
	afterReq := engine.LookupResourcesRequest{ResourceType: req.ResourceType, Permission: req.Permission, Subject: req.Subject, Limit: 40, After: want[20]}
	page, _, _, err := e.LookupResources(ctx, afterReq, engine.At{Revision: 1})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range page {
		ids = append(ids, r.ID)
	}
	if w := want[21:min(len(want), 61)]; !slices.Equal(ids, w) {
		t.Errorf("after %s: %q, want %q", want[20], ids, w)
	}
	req.Cursor = "not-a-cursor"
	if _, _, _, err := e.LookupResources(ctx, req, engine.At{}); !errors.Is(err, engine.ErrCursor) {
		t.Errorf("bad cursor: got %v, want ErrCursor", err)
	}
}

func mustRel(s string) tuple.Relationship {
	r, err := tuple.Parse(s)
	if err != nil {
		panic(err)
	}
	return r
}

func TestExplainShowsThePath(t *testing.T) {
	e := newEngine(t, groupsSchema, `
group:eng#member@user:ann
doc:1#viewer@group:eng#member`)
	x, err := e.Explain(context.Background(), engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view", Subject: tuple.SubjectRef{Type: "user", ID: "ann"}}, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	text := x.Text(true)
	for _, want := range []string{"✓ doc:1#view = viewer", "via doc:1#viewer@group:eng#member", "relationship group:eng#member@user:ann"} {
		if !strings.Contains(text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, text)
		}
	}
	x, err = e.Explain(context.Background(), engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view", Subject: tuple.SubjectRef{Type: "user", ID: "bob"}}, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	if x.Result != engine.NoPermission || !strings.Contains(x.Text(false), "✗ group:eng#member") {
		t.Errorf("denial should show the failed branch:\n%s", x.Text(false))
	}
}

func TestExpandDepth(t *testing.T) {
	e := newEngine(t, groupsSchema, `
group:eng#member@user:ann
doc:1#viewer@group:eng#member`)
	one, _, err := e.Expand(context.Background(), engine.ExpandRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "viewer", Depth: 1}, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Subjects) != 1 || one.Subjects[0].Expanded != nil {
		t.Errorf("depth 1 must not follow subject sets: %+v", one)
	}
	all, _, err := e.Expand(context.Background(), engine.ExpandRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "viewer"}, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	if x := all.Subjects[0].Expanded; x == nil || len(x.Subjects) != 1 || x.Subjects[0].Subject.ID != "ann" {
		t.Errorf("full expansion must reach ann: %+v", all)
	}
}
