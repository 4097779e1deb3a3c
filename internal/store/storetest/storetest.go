// Package storetest is the conformance suite of store: every backend runs
// it against a real database, so that both behave identically.
//
//	func TestConformance(t *testing.T) {
//		storetest.All(t, func(t *testing.T) store.Store { … fresh, migrated … })
//	}
//
// All covers the store contract; Migrations covers Migrate and
// CheckVersion, which need to open unmigrated databases and forge a future
// version; Shared covers two handles (as two processes would have) on one
// database.
package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// All runs the whole contract suite. open must return a fresh, empty,
// migrated store and arrange for it to be closed (t.Cleanup).
func All(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Empty", testEmpty},
		{"RevisionsGapFree", testRevisionsGapFree},
		{"CreateTouchDelete", testCreateTouchDelete},
		{"Invalid", testInvalid},
		{"Preconditions", testPreconditions},
		{"Atomicity", testAtomicity},
		{"FilterAndPagination", testFilterAndPagination},
		{"AttributesRoundTrip", testAttributesRoundTrip},
		{"Expiration", testExpiration},
		{"UnicodeAndLongIDs", testUnicodeAndLongIDs},
		{"Changelog", testChangelog},
		{"ChangesPaging", testChangesPaging},
		{"GC", testGC},
		{"GCExpired", testGCExpired},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentRefusals", testConcurrentRefusals},
		{"Schema", testSchema},
		{"UsedTypes", testUsedTypes},
		{"DeleteByFilter", testDeleteByFilter},
		{"Import", testImport},
		{"ImportErrors", testImportErrors},
		{"ImportChangelog", testImportChangelog},
		{"LoadAllSnapshot", testLoadAllSnapshot},
		{"Subscribe", testSubscribe},
		{"MigrateIdempotent", testMigrateIdempotent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// ---- helpers ----

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// R parses "type:id#relation@type:id[#relation]" (ids must not contain
// ':', '#' or '@'; build the struct by hand for those).
func R(s string) tuple.Relationship {
	res, sub, ok := strings.Cut(s, "@")
	if !ok {
		panic("storetest.R: no @ in " + s)
	}
	obj, rel, _ := strings.Cut(res, "#")
	rt, rid, _ := strings.Cut(obj, ":")
	sobj, srel, _ := strings.Cut(sub, "#")
	st, sid, _ := strings.Cut(sobj, ":")
	return tuple.Relationship{
		Resource: tuple.ObjectRef{Type: rt, ID: rid},
		Relation: rel,
		Subject:  tuple.SubjectRef{Type: st, ID: sid, Relation: srel},
	}
}

func ptr[T any](v T) *T { return &v }

func withCaveat(r tuple.Relationship, name string, ctx map[string]any) tuple.Relationship {
	r.Caveat = &tuple.Caveat{Name: name, Context: ctx}
	return r
}

func withExpiration(r tuple.Relationship, at time.Time) tuple.Relationship {
	r.Expiration = &at
	return r
}

func touch(rs ...tuple.Relationship) store.WriteRequest {
	var req store.WriteRequest
	for _, r := range rs {
		req.Updates = append(req.Updates, store.Update{Op: store.Touch, Relationship: r})
	}
	return req
}

func mustWrite(t *testing.T, s store.Store, req store.WriteRequest) store.Revision {
	t.Helper()
	rev, err := s.Write(ctxFor(t), req)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return rev
}

func head(t *testing.T, s store.Store) store.Revision {
	t.Helper()
	h, err := s.HeadRevision(ctxFor(t))
	if err != nil {
		t.Fatalf("HeadRevision: %v", err)
	}
	return h
}

// normalized is what the store promises to read back.
func normalized(r tuple.Relationship) tuple.Relationship {
	if r.Expiration != nil {
		e := r.Expiration.UTC().Truncate(time.Microsecond)
		r.Expiration = &e
	}
	return r
}

func key(r tuple.Relationship) string {
	return strings.Join([]string{r.Resource.Type, r.Resource.ID, r.Relation, r.Subject.Type, r.Subject.ID, r.Subject.Relation}, "\x00")
}

// compareIdentity is the store's identity order: byte order, field by field.
func compareIdentity(a, b tuple.Relationship) int {
	return cmp.Or(
		strings.Compare(a.Resource.Type, b.Resource.Type),
		strings.Compare(a.Resource.ID, b.Resource.ID),
		strings.Compare(a.Relation, b.Relation),
		strings.Compare(a.Subject.Type, b.Subject.Type),
		strings.Compare(a.Subject.ID, b.Subject.ID),
		strings.Compare(a.Subject.Relation, b.Subject.Relation),
	)
}

// sameRel compares exactly, including that expirations are in UTC.
func sameRel(a, b tuple.Relationship) bool {
	if key(a) != key(b) {
		return false
	}
	if (a.Caveat == nil) != (b.Caveat == nil) {
		return false
	}
	if a.Caveat != nil && (a.Caveat.Name != b.Caveat.Name || !reflect.DeepEqual(a.Caveat.Context, b.Caveat.Context)) {
		return false
	}
	if (a.Expiration == nil) != (b.Expiration == nil) {
		return false
	}
	if a.Expiration != nil && (!a.Expiration.Equal(*b.Expiration) || a.Expiration.Location() != b.Expiration.Location()) {
		return false
	}
	return true
}

func fmtRel(r tuple.Relationship) string {
	s := store.FormatIdentity(r)
	if r.Caveat != nil {
		s += fmt.Sprintf("[%s:%v]", r.Caveat.Name, r.Caveat.Context)
	}
	if r.Expiration != nil {
		s += "[expiration:" + r.Expiration.Format(time.RFC3339Nano) + " " + r.Expiration.Location().String() + "]"
	}
	return s
}

func fmtRels(rs []tuple.Relationship) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("\n\t" + fmtRel(r))
	}
	return b.String()
}

// sameRels compares two lists in order.
func sameRels(got, want []tuple.Relationship) bool {
	return slices.EqualFunc(got, want, sameRel)
}

// readAll pages through ReadRelationships with the given page size.
func readAll(t *testing.T, s store.Store, f store.Filter, page int) []tuple.Relationship {
	t.Helper()
	var out []tuple.Relationship
	var cur store.Cursor
	for i := 0; ; i++ {
		rs, next, err := s.ReadRelationships(ctxFor(t), f, cur, page)
		if err != nil {
			t.Fatalf("ReadRelationships(%s, page %d): %v", f, i, err)
		}
		if page > 0 && len(rs) > page {
			t.Fatalf("ReadRelationships returned %d > limit %d", len(rs), page)
		}
		out = append(out, rs...)
		if next == "" {
			return out
		}
		if len(rs) == 0 {
			t.Fatalf("ReadRelationships returned an empty page with a cursor")
		}
		cur = next
		if i > 10000 {
			t.Fatalf("pagination does not end")
		}
	}
}

func loadAll(t *testing.T, s store.Store) (store.Revision, []tuple.Relationship) {
	t.Helper()
	var out []tuple.Relationship
	rev, err := s.LoadAll(ctxFor(t), func(r tuple.Relationship) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("LoadAll: %v", err)
	}
	slices.SortFunc(out, compareIdentity)
	return rev, out
}

func allChanges(t *testing.T, s store.Store, after store.Revision) []store.Change {
	t.Helper()
	cs, through, err := s.Changes(ctxFor(t), after, 0)
	if err != nil {
		t.Fatalf("Changes(%d): %v", after, err)
	}
	if h := head(t, s); through != h {
		t.Fatalf("Changes(%d, no limit) through %d, head is %d", after, through, h)
	}
	return cs
}

// ---- tests ----

func testEmpty(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if h := head(t, s); h != 0 {
		t.Errorf("HeadRevision of an empty store = %d, want 0", h)
	}
	if _, _, err := s.ReadSchema(ctx); !errors.Is(err, store.ErrNoSchema) {
		t.Errorf("ReadSchema of an empty store: %v, want ErrNoSchema", err)
	}
	rev, rels := loadAll(t, s)
	if rev != 0 || len(rels) != 0 {
		t.Errorf("LoadAll of an empty store = %d, %d relationships", rev, len(rels))
	}
	cs, through, err := s.Changes(ctx, 0, 10)
	if err != nil || len(cs) != 0 || through != 0 {
		t.Errorf("Changes(0) of an empty store = %v, %d, %v", cs, through, err)
	}
	uses, err := s.UsedTypes(ctx)
	if err != nil || len(uses) != 0 {
		t.Errorf("UsedTypes of an empty store = %v, %v", uses, err)
	}
	rs, cur, err := s.ReadRelationships(ctx, store.Filter{ResourceType: "document"}, "", 10)
	if err != nil || len(rs) != 0 || cur != "" {
		t.Errorf("ReadRelationships of an empty store = %v, %q, %v", rs, cur, err)
	}
	if _, _, err := s.Changes(ctx, 1, 10); !errors.Is(err, store.ErrFutureRevision) {
		t.Errorf("Changes(1) of an empty store: %v, want ErrFutureRevision", err)
	}
}

func testRevisionsGapFree(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	var revs []store.Revision
	for i := range 5 {
		revs = append(revs, mustWrite(t, s, touch(R(fmt.Sprintf("document:d%d#viewer@user:u", i)))))
		if i == 2 {
			rev, err := s.WriteSchema(ctx, "definition user {}")
			if err != nil {
				t.Fatal(err)
			}
			revs = append(revs, rev)
		}
	}
	// A write that changes nothing still is a committed transaction.
	revs = append(revs, mustWrite(t, s, store.WriteRequest{Updates: []store.Update{{Op: store.Delete, Relationship: R("document:missing#viewer@user:u")}}}))
	for i, r := range revs {
		if r != store.Revision(i+1) {
			t.Fatalf("revisions = %v, want 1, 2, 3, …", revs)
		}
	}
	if h := head(t, s); h != revs[len(revs)-1] {
		t.Errorf("HeadRevision = %d, want %d", h, revs[len(revs)-1])
	}
	if rev, _ := loadAll(t, s); rev != revs[len(revs)-1] {
		t.Errorf("LoadAll revision = %d, want %d", rev, revs[len(revs)-1])
	}
}

func testCreateTouchDelete(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	a := R("document:readme#viewer@user:tom")
	b := R("document:readme#viewer@group:eng#member")
	create := func(r tuple.Relationship) store.WriteRequest {
		return store.WriteRequest{Updates: []store.Update{{Op: store.Create, Relationship: r}}}
	}
	del := func(r tuple.Relationship) store.WriteRequest {
		return store.WriteRequest{Updates: []store.Update{{Op: store.Delete, Relationship: r}}}
	}
	f := store.Filter{ResourceType: "document"}

	mustWrite(t, s, create(a))
	before := head(t, s)
	_, err := s.Write(ctx, create(withCaveat(a, "c", nil)))
	var ae *store.AlreadyExistsError
	if !errors.Is(err, store.ErrAlreadyExists) || !errors.As(err, &ae) || key(ae.Relationship) != key(a) {
		t.Fatalf("second Create: %v, want *AlreadyExistsError naming %s", err, fmtRel(a))
	}
	if !strings.Contains(err.Error(), "document:readme#viewer@user:tom") {
		t.Errorf("AlreadyExists message %q does not name the relationship", err)
	}
	if h := head(t, s); h != before {
		t.Errorf("failed Create moved head from %d to %d", before, h)
	}

	// Touch replaces the attributes, and creates what is missing.
	exp := time.Date(2999, 1, 2, 3, 4, 5, 123456000, time.UTC)
	a2 := withExpiration(withCaveat(a, "weekday", map[string]any{"day": "mon"}), exp)
	mustWrite(t, s, touch(a2, b))
	if got := readAll(t, s, f, 0); !sameRels(got, []tuple.Relationship{b, a2}) {
		t.Fatalf("after touch: %s", fmtRels(got))
	}
	// Touch again without attributes removes them.
	mustWrite(t, s, touch(a))
	if got := readAll(t, s, f, 0); !sameRels(got, []tuple.Relationship{b, a}) {
		t.Fatalf("after second touch: %s", fmtRels(got))
	}

	// Delete of a missing relationship is a no-op that commits.
	rev := mustWrite(t, s, del(R("document:readme#viewer@user:nobody")))
	if rev != head(t, s) {
		t.Errorf("delete of a missing relationship: revision %d, head %d", rev, head(t, s))
	}
	// Delete ignores attributes: only the identity matters.
	mustWrite(t, s, del(withCaveat(a, "whatever", nil)))
	if got := readAll(t, s, f, 0); !sameRels(got, []tuple.Relationship{b}) {
		t.Fatalf("after delete: %s", fmtRels(got))
	}
	// Create after delete works.
	mustWrite(t, s, create(a))
	if got := readAll(t, s, f, 0); !sameRels(got, []tuple.Relationship{b, a}) {
		t.Fatalf("after re-create: %s", fmtRels(got))
	}
}

func testInvalid(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	ok := R("document:x#viewer@user:y")
	cases := map[string]tuple.Relationship{
		"empty resource type": R(":x#viewer@user:y"),
		"empty resource id":   R("document:#viewer@user:y"),
		"empty relation":      R("document:x#@user:y"),
		"empty subject id":    R("document:x#viewer@user:"),
		"NUL in id":           R("document:x\x00y#viewer@user:y"),
		"invalid UTF-8":       R("document:x\xff#viewer@user:y"),
		"id too long":         R("document:" + strings.Repeat("x", store.MaxIDBytes+1) + "#viewer@user:y"),
		"type too long":       R(strings.Repeat("t", store.MaxNameBytes+1) + ":x#viewer@user:y"),
		"empty caveat name":   withCaveat(ok, "", nil),
	}
	for name, r := range cases {
		if _, err := s.Write(ctx, touch(r)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: Write: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := s.Write(ctx, touch(ok, withCaveat(ok, "c", nil))); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("two updates of one relationship: %v, want ErrInvalid", err)
	}
	if _, err := s.Write(ctx, touch(withCaveat(ok, "c", map[string]any{"f": func() {}}))); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("caveat context that is not JSON: %v, want ErrInvalid", err)
	}
	if _, _, err := s.ReadRelationships(ctx, store.Filter{ResourceType: "document"}, "garbage", 10); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad cursor: %v, want ErrInvalid", err)
	}
	if _, _, err := s.ReadRelationships(ctx, store.Filter{ResourceID: "a\x00b"}, "", 10); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("filter with NUL: %v, want ErrInvalid", err)
	}
	if h := head(t, s); h != 0 {
		t.Errorf("invalid writes moved head to %d", h)
	}
}

func testPreconditions(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	mustWrite(t, s, touch(
		R("document:a#owner@user:tom"),
		withExpiration(R("document:b#owner@user:old"), time.Now().Add(-time.Hour)),
	))
	x := R("document:x#viewer@user:tom")
	cases := []struct {
		p      store.Precondition
		passes bool
	}{
		{store.Precondition{Op: store.MustMatch, Filter: store.Filter{ResourceType: "document", ResourceID: "a"}}, true},
		{store.Precondition{Op: store.MustMatch, Filter: store.Filter{ResourceType: "document", ResourceID: "zzz"}}, false},
		{store.Precondition{Op: store.MustNotMatch, Filter: store.Filter{ResourceType: "document", ResourceID: "a"}}, false},
		{store.Precondition{Op: store.MustNotMatch, Filter: store.Filter{ResourceType: "document", ResourceID: "zzz"}}, true},
		{store.Precondition{Op: store.MustMatch, Filter: store.Filter{SubjectType: "user", SubjectID: "tom", SubjectRelation: ptr("")}}, true},
		{store.Precondition{Op: store.MustMatch, Filter: store.Filter{SubjectType: "user", SubjectID: "tom", SubjectRelation: ptr("member")}}, false},
		// An expired relationship does not match.
		{store.Precondition{Op: store.MustMatch, Filter: store.Filter{ResourceType: "document", ResourceID: "b"}}, false},
		{store.Precondition{Op: store.MustNotMatch, Filter: store.Filter{ResourceType: "document", ResourceID: "b"}}, true},
	}
	for i, c := range cases {
		before := head(t, s)
		// The guarded update deletes-then-recreates nothing harmful:
		// a touch of x, undone below when it passes.
		req := touch(x)
		req.Preconditions = []store.Precondition{
			{Op: store.MustNotMatch, Filter: store.Filter{ResourceType: "nothing"}},
			c.p,
		}
		_, err := s.Write(ctx, req)
		if c.passes {
			if err != nil {
				t.Errorf("case %d (%s %s): %v, want success", i, c.p.Op, c.p.Filter, err)
			}
			mustWrite(t, s, store.WriteRequest{Updates: []store.Update{{Op: store.Delete, Relationship: x}}})
			continue
		}
		var pe *store.PreconditionFailedError
		if !errors.Is(err, store.ErrPreconditionFailed) || !errors.As(err, &pe) || !reflect.DeepEqual(pe.Precondition, c.p) {
			t.Errorf("case %d (%s %s): %v, want *PreconditionFailedError naming it", i, c.p.Op, c.p.Filter, err)
			continue
		}
		if !strings.Contains(err.Error(), c.p.Filter.String()) {
			t.Errorf("case %d: message %q does not name the filter %s", i, err, c.p.Filter)
		}
		if h := head(t, s); h != before {
			t.Errorf("case %d: failed precondition moved head %d → %d", i, before, h)
		}
		if got := readAll(t, s, store.Filter{ResourceType: "document", ResourceID: "x"}, 0); len(got) != 0 {
			t.Errorf("case %d: failed precondition wrote %s", i, fmtRels(got))
		}
	}
}

func testAtomicity(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	mustWrite(t, s, touch(R("document:a#viewer@user:tom"), R("document:new1#viewer@user:tom"), R("document:new2#viewer@user:tom")))
	mid := head(t, s)
	midState := readAll(t, s, store.Filter{}, 0)
	midChanges := allChanges(t, s, 0)

	// Updates before and after the failing one must all be undone.
	_, err := s.Write(ctx, store.WriteRequest{Updates: []store.Update{
		{Op: store.Touch, Relationship: R("document:new3#viewer@user:tom")},
		{Op: store.Delete, Relationship: R("document:new2#viewer@user:tom")},
		{Op: store.Touch, Relationship: withCaveat(R("document:a#viewer@user:tom"), "c", nil)},
		{Op: store.Create, Relationship: R("document:new1#viewer@user:tom")}, // exists
		{Op: store.Touch, Relationship: R("document:new4#viewer@user:tom")},
	}})
	if !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("failing batch: %v, want ErrAlreadyExists", err)
	}
	if h := head(t, s); h != mid {
		t.Errorf("failed batch moved head %d → %d", mid, h)
	}
	if got := readAll(t, s, store.Filter{}, 0); !sameRels(got, midState) {
		t.Errorf("failed batch changed the relationships:%s\nwant:%s", fmtRels(got), fmtRels(midState))
	}
	if got := allChanges(t, s, 0); len(got) != len(midChanges) {
		t.Errorf("failed batch left %d changelog entries", len(got)-len(midChanges))
	}
	// The same with a failing precondition after valid updates' checks.
	req := touch(R("document:new5#viewer@user:tom"))
	req.Preconditions = []store.Precondition{{Op: store.MustMatch, Filter: store.Filter{ResourceType: "nothing"}}}
	if _, err := s.Write(ctx, req); !errors.Is(err, store.ErrPreconditionFailed) {
		t.Fatalf("failing precondition: %v", err)
	}
	// The next write gets the next revision: the failures left no gap.
	if rev := mustWrite(t, s, touch(R("document:z#viewer@user:tom"))); rev != mid+1 {
		t.Errorf("revision after failed writes = %d, want %d", rev, mid+1)
	}
}

func testFilterAndPagination(t *testing.T, s store.Store) {
	ids := []string{"a", "B", "b", "é", "z", "文档", "🙂", "Z", "a-1", "a/b", "10", "9"}
	var all []tuple.Relationship
	for _, rt := range []string{"document", "folder"} {
		for i, id := range ids {
			all = append(all,
				R(fmt.Sprintf("%s:%s#viewer@user:u%d", rt, id, i%3)),
				R(fmt.Sprintf("%s:%s#viewer@group:g%d#member", rt, id, i%2)),
				R(fmt.Sprintf("%s:%s#owner@user:u%d", rt, id, i%4)),
			)
		}
	}
	all = append(all, R("document:a#viewer@user:*"), R("document:a#parent@folder:a"))
	// Several writes, to spread the data across revisions.
	for chunk := range slices.Chunk(all, 17) {
		mustWrite(t, s, touch(chunk...))
	}
	// An expired relationship that every read must hide.
	mustWrite(t, s, touch(withExpiration(R("document:a#viewer@user:expired"), time.Now().Add(-time.Minute))))
	slices.SortFunc(all, compareIdentity)

	filters := []store.Filter{
		{},
		{ResourceType: "document"},
		{ResourceType: "document", ResourceID: "a"},
		{ResourceType: "document", Relation: "viewer"},
		{ResourceType: "document", ResourceID: "文档", Relation: "viewer"},
		{ResourceType: "folder", SubjectType: "group"},
		{ResourceType: "document", SubjectType: "group", SubjectID: "g1", SubjectRelation: ptr("member")},
		{SubjectType: "user", SubjectID: "u1"},
		{SubjectType: "user", SubjectRelation: ptr("")},
		{ResourceType: "document", SubjectRelation: ptr("member")},
		{SubjectType: "user", SubjectID: "*"},
		{ResourceType: "nothing"},
		{ResourceType: "document", ResourceID: "a", Relation: "viewer", SubjectType: "user", SubjectID: "u0", SubjectRelation: ptr("")},
	}
	for _, f := range filters {
		var want []tuple.Relationship
		for _, r := range all {
			if f.Matches(r) {
				want = append(want, r)
			}
		}
		for _, page := range []int{0, 1, 7, len(want), len(want) + 1} {
			got := readAll(t, s, f, page)
			if !sameRels(got, want) {
				t.Errorf("filter %s, page size %d:%s\nwant:%s", f, page, fmtRels(got), fmtRels(want))
			}
		}
	}
	// A full page exactly at the end says there is no more.
	want := len(readAll(t, s, store.Filter{ResourceType: "folder"}, 0))
	rs, cur, err := s.ReadRelationships(ctxFor(t), store.Filter{ResourceType: "folder"}, "", want)
	if err != nil || len(rs) != want || cur != "" {
		t.Errorf("exact last page: %d relationships, cursor %q, %v", len(rs), cur, err)
	}
}

func testAttributesRoundTrip(t *testing.T, s store.Store) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	ctxVal := map[string]any{
		"s":      "héllo \"wörld\" 🙂",
		"n":      42.5,
		"big":    1e21,
		"neg":    -0.000123,
		"b":      true,
		"null":   nil,
		"list":   []any{1.0, "two", false, nil, []any{}, map[string]any{}},
		"nested": map[string]any{"deep": map[string]any{"deeper": []any{"x"}}},
		"":       "empty key",
	}
	rels := []tuple.Relationship{
		withCaveat(R("document:a#viewer@user:1"), "full", ctxVal),
		withCaveat(R("document:a#viewer@user:2"), "empty", map[string]any{}),
		withCaveat(R("document:a#viewer@user:3"), "nocontext", nil),
		withExpiration(R("document:a#viewer@user:4"), time.Date(2099, 12, 31, 23, 59, 59, 999999999, paris)),
		withExpiration(withCaveat(R("document:a#viewer@user:5"), "both", map[string]any{"k": "v"}), time.Date(2100, 1, 1, 0, 0, 0, 1000, time.UTC)),
		withExpiration(R("document:a#viewer@user:6"), time.Date(3000, 6, 15, 12, 0, 0, 0, time.FixedZone("odd", -(3*3600+1800)))),
		R("document:a#viewer@user:7"),
	}
	rev := mustWrite(t, s, touch(rels...))
	var want []tuple.Relationship
	for _, r := range rels {
		want = append(want, normalized(r))
	}
	if got := readAll(t, s, store.Filter{ResourceType: "document"}, 3); !sameRels(got, want) {
		t.Errorf("ReadRelationships:%s\nwant:%s", fmtRels(got), fmtRels(want))
	}
	if _, got := loadAll(t, s); !sameRels(got, want) {
		t.Errorf("LoadAll:%s\nwant:%s", fmtRels(got), fmtRels(want))
	}
	var got []tuple.Relationship
	for _, c := range allChanges(t, s, 0) {
		if c.Revision != rev || c.Op != store.ChangeTouch {
			t.Errorf("change %+v, want touch at %d", c, rev)
		}
		got = append(got, c.Relationship)
	}
	if !sameRels(got, want) {
		t.Errorf("Changes:%s\nwant:%s", fmtRels(got), fmtRels(want))
	}
}

func testExpiration(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	past := time.Now().Add(-time.Minute)
	gone := withExpiration(R("document:a#viewer@user:gone"), past)
	mustWrite(t, s, touch(gone, R("document:a#viewer@user:here")))
	want := []tuple.Relationship{R("document:a#viewer@user:here")}
	if got := readAll(t, s, store.Filter{}, 0); !sameRels(got, want) {
		t.Errorf("ReadRelationships shows an expired relationship:%s", fmtRels(got))
	}
	if _, got := loadAll(t, s); !sameRels(got, want) {
		t.Errorf("LoadAll shows an expired relationship:%s", fmtRels(got))
	}
	// An expired relationship does not exist for Create.
	if _, err := s.Write(ctx, store.WriteRequest{Updates: []store.Update{{Op: store.Create, Relationship: R("document:a#viewer@user:gone")}}}); err != nil {
		t.Fatalf("Create over an expired relationship: %v", err)
	}
	want = []tuple.Relationship{R("document:a#viewer@user:gone"), R("document:a#viewer@user:here")}
	if got := readAll(t, s, store.Filter{}, 0); !sameRels(got, want) {
		t.Errorf("after Create over expired:%s", fmtRels(got))
	}
	// Touch can set an expiration in the past: the relationship vanishes.
	mustWrite(t, s, touch(gone))
	if got := readAll(t, s, store.Filter{}, 0); len(got) != 1 {
		t.Errorf("after touching an expiration in the past:%s", fmtRels(got))
	}
}

func testUnicodeAndLongIDs(t *testing.T, s store.Store) {
	long := strings.Repeat("x", store.MaxIDBytes)
	longMulti := strings.Repeat("🙂", store.MaxIDBytes/4) // 1024 bytes, 256 characters
	rels := []tuple.Relationship{
		{Resource: tuple.ObjectRef{Type: "document", ID: "ünïcødé/文档/🙂"}, Relation: "viewer", Subject: tuple.SubjectRef{Type: "user", ID: "Zoë@example.org"}},
		{Resource: tuple.ObjectRef{Type: "document", ID: "a:b#c@d"}, Relation: "viewer", Subject: tuple.SubjectRef{Type: "group", ID: "x:y", Relation: "mémbre"}},
		{Resource: tuple.ObjectRef{Type: "document", ID: long}, Relation: "viewer", Subject: tuple.SubjectRef{Type: "user", ID: long}},
		{Resource: tuple.ObjectRef{Type: "document", ID: longMulti}, Relation: "viewer", Subject: tuple.SubjectRef{Type: "user", ID: longMulti, Relation: strings.Repeat("r", store.MaxNameBytes)}},
		{Resource: tuple.ObjectRef{Type: strings.Repeat("t", store.MaxNameBytes), ID: "1"}, Relation: strings.Repeat("v", store.MaxNameBytes), Subject: tuple.SubjectRef{Type: strings.Repeat("u", store.MaxNameBytes), ID: long}},
	}
	mustWrite(t, s, touch(rels...))
	want := slices.SortedFunc(slices.Values(rels), compareIdentity)
	if got := readAll(t, s, store.Filter{}, 2); !sameRels(got, want) {
		t.Errorf("ReadRelationships:%s\nwant:%s", fmtRels(got), fmtRels(want))
	}
	if _, got := loadAll(t, s); !sameRels(got, want) {
		t.Errorf("LoadAll differs:%s", fmtRels(got))
	}
	for _, r := range rels {
		f := store.Filter{ResourceType: r.Resource.Type, ResourceID: r.Resource.ID, SubjectID: r.Subject.ID}
		if got := readAll(t, s, f, 0); !sameRels(got, []tuple.Relationship{r}) {
			t.Errorf("filter %s:%s", f, fmtRels(got))
		}
	}
}

func testChangelog(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	a, b, c := R("document:a#viewer@user:1"), R("document:b#viewer@user:2"), R("document:c#viewer@user:3")
	ac := withCaveat(a, "cav", map[string]any{"x": 1.0})
	t0 := time.Now().Add(-time.Second)
	r1 := mustWrite(t, s, touch(a, b))
	r2 := mustWrite(t, s, store.WriteRequest{Updates: []store.Update{
		{Op: store.Delete, Relationship: b},
		{Op: store.Delete, Relationship: R("document:missing#viewer@user:1")}, // records nothing
		{Op: store.Create, Relationship: c},
		{Op: store.Touch, Relationship: ac},
	}})
	r3, err := s.WriteSchema(ctx, "definition user {}")
	if err != nil {
		t.Fatal(err)
	}
	r4 := mustWrite(t, s, store.WriteRequest{Updates: []store.Update{{Op: store.Delete, Relationship: R("document:missing#viewer@user:1")}}})
	r5 := mustWrite(t, s, store.WriteRequest{Updates: []store.Update{{Op: store.Delete, Relationship: a}}})
	t1 := time.Now().Add(time.Second)

	type entry struct {
		rev store.Revision
		op  store.ChangeOp
		rel tuple.Relationship
	}
	want := []entry{
		{r1, store.ChangeTouch, a}, {r1, store.ChangeTouch, b},
		{r2, store.ChangeDelete, b}, {r2, store.ChangeTouch, c}, {r2, store.ChangeTouch, ac},
		{r3, store.ChangeSchema, tuple.Relationship{}},
		{r5, store.ChangeDelete, ac}, // the relationship as it was stored
	}
	got := allChanges(t, s, 0)
	if len(got) != len(want) {
		t.Fatalf("Changes(0) = %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Revision != w.rev || g.Op != w.op || !sameRel(g.Relationship, w.rel) {
			t.Errorf("change %d = %d %s %s, want %d %s %s", i, g.Revision, g.Op, fmtRel(g.Relationship), w.rev, w.op, fmtRel(w.rel))
		}
		if g.Time.Before(t0) || g.Time.After(t1) || g.Time.Location() != time.UTC {
			t.Errorf("change %d time %v, want UTC between %v and %v", i, g.Time, t0, t1)
		}
		if i > 0 && g.Time.Before(got[i-1].Time) {
			t.Errorf("change %d time goes backwards", i)
		}
	}
	// Resuming from each revision gives the suffix.
	for _, after := range []store.Revision{r1, r2, r3, r4} {
		var suffix []entry
		for _, w := range want {
			if w.rev > after {
				suffix = append(suffix, w)
			}
		}
		if got := allChanges(t, s, after); len(got) != len(suffix) {
			t.Errorf("Changes(%d) = %d entries, want %d", after, len(got), len(suffix))
		}
	}
	if cs := allChanges(t, s, r5); len(cs) != 0 {
		t.Errorf("Changes(head) = %+v, want none", cs)
	}
	if _, _, err := s.Changes(ctx, r5+1, 10); !errors.Is(err, store.ErrFutureRevision) {
		t.Errorf("Changes(head+1): %v, want ErrFutureRevision", err)
	}
}

func testChangesPaging(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	// Revisions with 1, 5, 0, 2, 0 changes.
	var revs []store.Revision
	sizes := []int{1, 5, 0, 2, 0}
	for i, n := range sizes {
		req := store.WriteRequest{Updates: []store.Update{{Op: store.Delete, Relationship: R("document:none#viewer@user:x")}}}
		for j := range n {
			req.Updates = append(req.Updates, store.Update{Op: store.Touch, Relationship: R(fmt.Sprintf("document:r%d#viewer@user:%d", i, j))})
		}
		revs = append(revs, mustWrite(t, s, req))
	}
	// Walk with every limit: pages hold whole revisions, never lose or
	// repeat a change, and end at head.
	for limit := 1; limit <= 9; limit++ {
		var after store.Revision
		var total, pages int
		for after != revs[len(revs)-1] {
			cs, through, err := s.Changes(ctx, after, limit)
			if err != nil {
				t.Fatalf("limit %d: Changes(%d): %v", limit, after, err)
			}
			if through <= after {
				t.Fatalf("limit %d: Changes(%d) made no progress (through %d)", limit, after, through)
			}
			for _, c := range cs {
				if c.Revision <= after || c.Revision > through {
					t.Fatalf("limit %d: change at %d outside (%d, %d]", limit, c.Revision, after, through)
				}
			}
			// whole revisions: the count of the last revision is complete.
			if len(cs) > 0 {
				last := cs[len(cs)-1].Revision
				n := 0
				for _, c := range cs {
					if c.Revision == last {
						n++
					}
				}
				if want := sizes[slices.Index(revs, last)]; n != want {
					t.Errorf("limit %d: revision %d split: %d of %d changes", limit, last, n, want)
				}
				// A page holds more than limit changes only to
				// finish the revision of its limit-th change.
				if len(cs) > limit && cs[limit-1].Revision != last {
					t.Errorf("limit %d: page of %d went past the revision of its limit-th change", limit, len(cs))
				}
			}
			total += len(cs)
			after = through
			pages++
			if pages > 20 {
				t.Fatalf("limit %d: paging does not end", limit)
			}
		}
		if total != 8 {
			t.Errorf("limit %d: %d changes in all, want 8", limit, total)
		}
	}
}

func testGC(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	for i := range 5 {
		mustWrite(t, s, touch(R(fmt.Sprintf("document:d%d#viewer@user:u", i))))
	}
	h := head(t, s)
	// A long retention trims nothing.
	res, err := s.GC(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res.ChangesDeleted != 0 || res.TrimmedThrough != 0 || res.Revision != 0 {
		t.Errorf("GC(1h) = %+v, want nothing done", res)
	}
	if len(allChanges(t, s, 0)) != 5 {
		t.Errorf("GC(1h) lost changes")
	}
	time.Sleep(5 * time.Millisecond)
	res, err = s.GC(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.TrimmedThrough != h || res.ChangesDeleted != 5 || res.Revision != 0 {
		t.Errorf("GC(0) = %+v, want trimmed through %d, 5 changes deleted, no revision", res, h)
	}
	if head(t, s) != h {
		t.Errorf("trimming the changelog took a revision")
	}
	for _, after := range []store.Revision{0, 1, h - 1} {
		_, _, err := s.Changes(ctx, after, 10)
		if !errors.Is(err, store.ErrRevisionTooOld) {
			t.Errorf("Changes(%d) after GC: %v, want ErrRevisionTooOld", after, err)
		}
	}
	if cs, through, err := s.Changes(ctx, h, 10); err != nil || len(cs) != 0 || through != h {
		t.Errorf("Changes(head) after GC = %v, %d, %v", cs, through, err)
	}
	r := mustWrite(t, s, touch(R("document:new#viewer@user:u")))
	if cs := allChanges(t, s, h); len(cs) != 1 || cs[0].Revision != r {
		t.Errorf("Changes after GC and a write = %+v", cs)
	}
	// The relationships themselves are untouched.
	if _, rels := loadAll(t, s); len(rels) != 6 {
		t.Errorf("after GC LoadAll has %d relationships, want 6", len(rels))
	}
	// A second GC(0) does not move backwards.
	time.Sleep(5 * time.Millisecond)
	if res, err := s.GC(ctx, 0); err != nil || res.TrimmedThrough != r {
		t.Errorf("second GC(0) = %+v, %v, want trimmed through %d", res, err, r)
	}
}

func testGCExpired(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	now := time.Now()
	old := withExpiration(R("document:a#viewer@user:old"), now.Add(-2*time.Hour))
	recent := withExpiration(R("document:a#viewer@user:recent"), now.Add(-time.Minute))
	future := withExpiration(R("document:a#viewer@user:future"), now.Add(time.Hour))
	mustWrite(t, s, touch(old, recent, future, R("document:a#viewer@user:forever")))
	h := head(t, s)
	res, err := s.GC(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExpiredDeleted != 1 || res.Revision != h+1 {
		t.Fatalf("GC(1h) = %+v, want 1 expired relationship deleted at revision %d", res, h+1)
	}
	cs := allChanges(t, s, h)
	if len(cs) != 1 || cs[0].Op != store.ChangeDelete || !sameRel(cs[0].Relationship, normalized(old)) {
		t.Errorf("GC's changes = %+v, want the delete of %s", cs, fmtRel(old))
	}
	// Nothing left to expire: no revision burnt.
	res, err = s.GC(ctx, time.Hour)
	if err != nil || res.ExpiredDeleted != 0 || res.Revision != 0 || head(t, s) != h+1 {
		t.Errorf("second GC(1h) = %+v, %v; head %d", res, err, head(t, s))
	}
	// recent is still stored: Touch without expiration brings it back.
	mustWrite(t, s, touch(R("document:a#viewer@user:recent")))
	if got := readAll(t, s, store.Filter{}, 0); len(got) != 3 {
		t.Errorf("after GC:%s", fmtRels(got))
	}
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	const writers, each = 8, 15
	type result struct {
		rev store.Revision
		rel tuple.Relationship
		err error
	}
	results := make(chan result, writers*each)
	ctx := ctxFor(t)
	for w := range writers {
		go func() {
			for i := range each {
				r := R(fmt.Sprintf("document:w%d-%d#viewer@user:u", w, i))
				// Every write also touches one shared, contended row.
				shared := withCaveat(R("document:shared#viewer@user:u"), "last", map[string]any{"w": float64(w), "i": float64(i)})
				rev, err := s.Write(ctx, store.WriteRequest{Updates: []store.Update{
					{Op: store.Create, Relationship: r},
					{Op: store.Touch, Relationship: shared},
				}})
				results <- result{rev, shared, err}
			}
		}()
	}
	revs := map[store.Revision]tuple.Relationship{}
	for range writers * each {
		res := <-results
		if res.err != nil {
			t.Fatalf("concurrent Write: %v", res.err)
		}
		if _, dup := revs[res.rev]; dup {
			t.Fatalf("revision %d given twice", res.rev)
		}
		revs[res.rev] = res.rel
	}
	for r := store.Revision(1); r <= writers*each; r++ {
		if _, ok := revs[r]; !ok {
			t.Fatalf("revision %d missing: revisions are not gap-free", r)
		}
	}
	if h := head(t, s); h != writers*each {
		t.Errorf("head = %d, want %d", h, writers*each)
	}
	_, rels := loadAll(t, s)
	if len(rels) != writers*each+1 {
		t.Errorf("%d relationships, want %d", len(rels), writers*each+1)
	}
	// The shared row holds what the last revision wrote.
	got := readAll(t, s, store.Filter{ResourceType: "document", ResourceID: "shared"}, 0)
	if len(got) != 1 || !sameRel(got[0], revs[writers*each]) {
		t.Errorf("shared row = %s, want the last revision's %s", fmtRels(got), fmtRel(revs[writers*each]))
	}
	// The changelog is in revision order, two entries per revision.
	cs := allChanges(t, s, 0)
	if len(cs) != 2*writers*each {
		t.Fatalf("%d changes, want %d", len(cs), 2*writers*each)
	}
	for i, c := range cs {
		if c.Revision != store.Revision(i/2+1) {
			t.Fatalf("change %d at revision %d, want %d", i, c.Revision, i/2+1)
		}
		if i%2 == 1 && !sameRel(c.Relationship, revs[c.Revision]) {
			t.Errorf("revision %d's change is %s, want %s", c.Revision, fmtRel(c.Relationship), fmtRel(revs[c.Revision]))
		}
	}
}

// testConcurrentRefusals: writes refused while other writers' writes
// commit (backends may commit concurrent writes together) leave nothing
// behind and consume no revision; the others keep their own revisions
// and changes.
func testConcurrentRefusals(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	taken := R("document:taken#viewer@user:u")
	mustWrite(t, s, store.WriteRequest{Updates: []store.Update{{Op: store.Create, Relationship: taken}}})
	const writers, each = 8, 12
	type result struct {
		rev     store.Revision
		changes []store.Change // what the write must have logged (Revision unset)
		err     error
		refusal error // the error the write must get, or nil
	}
	results := make(chan result, writers*each)
	for w := range writers {
		go func() {
			for i := range each {
				own := R(fmt.Sprintf("document:w%d-%d#viewer@user:u", w, i))
				var res result
				var req store.WriteRequest
				switch i % 3 {
				case 1: // creates what exists
					req.Updates = []store.Update{{Op: store.Touch, Relationship: own}, {Op: store.Create, Relationship: taken}}
					res.refusal = store.ErrAlreadyExists
				case 2: // needs what does not exist
					req.Updates = []store.Update{{Op: store.Touch, Relationship: own}}
					req.Preconditions = []store.Precondition{{Op: store.MustMatch, Filter: store.Filter{ResourceType: "document", ResourceID: "missing"}}}
					res.refusal = store.ErrPreconditionFailed
				default: // creates its own, deletes its previous one (stored with an expiration)
					exp := time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)
					own.Expiration = &exp
					req.Updates = []store.Update{{Op: store.Create, Relationship: own}}
					res.changes = []store.Change{{Op: store.ChangeTouch, Relationship: own}}
					if i >= 3 {
						prev := R(fmt.Sprintf("document:w%d-%d#viewer@user:u", w, i-3))
						req.Updates = append(req.Updates, store.Update{Op: store.Delete, Relationship: prev})
						prev.Expiration = &exp
						res.changes = append(res.changes, store.Change{Op: store.ChangeDelete, Relationship: prev})
					}
				}
				res.rev, res.err = s.Write(ctx, req)
				results <- res
			}
		}()
	}
	byRev := map[store.Revision][]store.Change{}
	for range writers * each {
		res := <-results
		switch {
		case res.refusal != nil:
			if !errors.Is(res.err, res.refusal) || res.rev != 0 {
				t.Fatalf("refused Write = %d, %v; want 0, %v", res.rev, res.err, res.refusal)
			}
		case res.err != nil:
			t.Fatalf("concurrent Write: %v", res.err)
		default:
			if _, dup := byRev[res.rev]; dup {
				t.Fatalf("revision %d given twice", res.rev)
			}
			byRev[res.rev] = res.changes
		}
	}
	succeeded := store.Revision(len(byRev))
	if h := head(t, s); h != 1+succeeded {
		t.Fatalf("head = %d, want %d: refused writes consumed revisions", h, 1+succeeded)
	}
	cs := allChanges(t, s, 1)
	i := 0
	for rev := store.Revision(2); rev <= 1+succeeded; rev++ {
		want, ok := byRev[rev]
		if !ok {
			t.Fatalf("revision %d missing: revisions are not gap-free", rev)
		}
		for _, w := range want {
			if i >= len(cs) {
				t.Fatalf("changelog ends before revision %d's changes", rev)
			}
			if c := cs[i]; c.Revision != rev || c.Op != w.Op || !sameRel(c.Relationship, w.Relationship) {
				t.Fatalf("change %d = %d %s %s, want %d %s %s", i, c.Revision, c.Op, fmtRel(c.Relationship), rev, w.Op, fmtRel(w.Relationship))
			}
			i++
		}
	}
	if i != len(cs) {
		t.Errorf("%d changes after the last expected one, e.g. %s", len(cs)-i, fmtRel(cs[i].Relationship))
	}
	// Left: taken, and each writer's last own relationship.
	if _, rels := loadAll(t, s); len(rels) != 1+writers {
		t.Errorf("%d relationships stored, want %d: %s", len(rels), 1+writers, fmtRels(rels))
	}
}

func testSchema(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	v1 := "definition user {}\n"
	v2 := "definition user {}\ndefinition document {\n\trelation viewer: user\n}\n// ünïcødé\n"
	r1, err := s.WriteSchema(ctx, v1)
	if err != nil {
		t.Fatal(err)
	}
	text, rev, err := s.ReadSchema(ctx)
	if err != nil || text != v1 || rev != r1 {
		t.Errorf("ReadSchema = %q, %d, %v; want %q, %d", text, rev, err, v1, r1)
	}
	mustWrite(t, s, touch(R("document:a#viewer@user:1")))
	r2, err := s.WriteSchema(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	if r2 != r1+2 {
		t.Errorf("schema revisions %d then %d: schema and relationship writes must share the sequence", r1, r2)
	}
	text, rev, err = s.ReadSchema(ctx)
	if err != nil || text != v2 || rev != r2 {
		t.Errorf("ReadSchema = %q, %d, %v; want %q, %d", text, rev, err, v2, r2)
	}
	var schemaRevs []store.Revision
	for _, c := range allChanges(t, s, 0) {
		if c.Op == store.ChangeSchema {
			schemaRevs = append(schemaRevs, c.Revision)
		}
	}
	if !slices.Equal(schemaRevs, []store.Revision{r1, r2}) {
		t.Errorf("schema changes at %v, want %v", schemaRevs, []store.Revision{r1, r2})
	}
	// An empty schema is a valid version, distinct from none.
	if _, err := s.WriteSchema(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if text, _, err := s.ReadSchema(ctx); err != nil || text != "" {
		t.Errorf("ReadSchema after writing \"\" = %q, %v", text, err)
	}
}

func testUsedTypes(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	later := time.Now().Add(time.Hour)
	mustWrite(t, s, touch(
		R("document:a#viewer@user:1"),
		R("document:b#viewer@user:2"),
		R("document:a#viewer@user:*"),
		R("document:a#viewer@group:eng#member"),
		R("document:b#viewer@group:ops#member"),
		withCaveat(R("document:a#viewer@user:3"), "weekday", nil),
		withExpiration(R("document:a#viewer@user:4"), later),
		withExpiration(R("document:a#viewer@user:5"), time.Now().Add(-time.Hour)), // expired: not counted
		R("folder:f#parent@folder:g"),
	))
	got, err := s.UsedTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.TypeUse{
		{ResourceType: "document", Relation: "viewer", SubjectType: "group", SubjectRelation: "member", Count: 2},
		{ResourceType: "document", Relation: "viewer", SubjectType: "user", Count: 2},
		{ResourceType: "document", Relation: "viewer", SubjectType: "user", Expiring: true, Count: 1},
		{ResourceType: "document", Relation: "viewer", SubjectType: "user", Caveat: "weekday", Count: 1},
		{ResourceType: "document", Relation: "viewer", SubjectType: "user", Wildcard: true, Count: 1},
		{ResourceType: "folder", Relation: "parent", SubjectType: "folder", Count: 1},
	}
	sortUses := func(us []store.TypeUse) {
		slices.SortFunc(us, func(a, b store.TypeUse) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	}
	sortUses(got)
	sortUses(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UsedTypes =\n%+v\nwant\n%+v", got, want)
	}
}

func testDeleteByFilter(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	var rels []tuple.Relationship
	for i := range 10 {
		rels = append(rels, R(fmt.Sprintf("document:d%d#viewer@user:u%d", i, i%2)))
	}
	rels = append(rels, R("folder:f#viewer@user:u0"), withExpiration(R("document:x#viewer@user:u0"), time.Now().Add(-time.Minute)))
	mustWrite(t, s, touch(rels...))
	h := head(t, s)

	f := store.Filter{ResourceType: "document", SubjectType: "user", SubjectID: "u0"}
	rev, n, err := s.DeleteByFilter(ctx, f, 2)
	if err != nil || n != 2 || rev != h+1 {
		t.Fatalf("DeleteByFilter(limit 2) = %d, %d, %v; want %d, 2", rev, n, err, h+1)
	}
	// In identity order: d0, d2 go first.
	got := readAll(t, s, f, 0)
	if want := []tuple.Relationship{R("document:d4#viewer@user:u0"), R("document:d6#viewer@user:u0"), R("document:d8#viewer@user:u0")}; !sameRels(got, want) {
		t.Errorf("after DeleteByFilter(limit 2):%s", fmtRels(got))
	}
	cs := allChanges(t, s, h)
	if len(cs) != 2 || cs[0].Op != store.ChangeDelete || key(cs[0].Relationship) != key(R("document:d0#viewer@user:u0")) {
		t.Errorf("changes of DeleteByFilter = %+v", cs)
	}
	// No limit: the rest, including the expired row (3 live + 1 expired).
	_, n, err = s.DeleteByFilter(ctx, f, 0)
	if err != nil || n != 4 {
		t.Errorf("DeleteByFilter(no limit) = %d, %v; want 4", n, err)
	}
	rev, n, err = s.DeleteByFilter(ctx, f, 0)
	if err != nil || n != 0 || rev != head(t, s) {
		t.Errorf("DeleteByFilter of nothing = %d, %d, %v", rev, n, err)
	}
	if got := readAll(t, s, store.Filter{}, 0); len(got) != 6 {
		t.Errorf("left:%s", fmtRels(got))
	}
}

func seq(rels []tuple.Relationship, failAt int, failErr error) iter.Seq2[tuple.Relationship, error] {
	return func(yield func(tuple.Relationship, error) bool) {
		for i, r := range rels {
			if i == failAt {
				yield(tuple.Relationship{}, failErr)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

func testImport(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	const n = 2500
	exp := time.Date(2999, 1, 1, 0, 0, 0, 123456789, time.UTC)
	var rels []tuple.Relationship
	for i := range n {
		r := R(fmt.Sprintf("document:doc%05d#viewer@user:u%d", i, i%7))
		switch i % 5 {
		case 1:
			r = withCaveat(r, "c", map[string]any{"i": float64(i)})
		case 2:
			r = withExpiration(r, exp)
		}
		rels = append(rels, r)
	}
	mustWrite(t, s, touch(R("document:doc00000#viewer@user:u0"), R("document:pre#viewer@user:x")))
	h := head(t, s)
	rev, count, err := s.Import(ctx, seq(rels, -1, nil), 1000)
	if err != nil || count != n || rev != h+3 {
		t.Fatalf("Import = %d, %d, %v; want %d, %d", rev, count, err, h+3, n)
	}
	want := []tuple.Relationship{R("document:pre#viewer@user:x")}
	for _, r := range rels {
		want = append(want, normalized(r))
	}
	slices.SortFunc(want, compareIdentity)
	if _, got := loadAll(t, s); !sameRels(got, want) {
		t.Errorf("LoadAll after import: %d relationships, want %d", len(got), len(want))
	}
	cs := allChanges(t, s, h)
	if len(cs) != n {
		t.Fatalf("import logged %d changes, want %d", len(cs), n)
	}
	for i, c := range cs {
		if c.Op != store.ChangeTouch || c.Revision != h+1+store.Revision(i/1000) || !sameRel(c.Relationship, normalized(rels[i])) {
			t.Fatalf("change %d = %d %s %s", i, c.Revision, c.Op, fmtRel(c.Relationship))
		}
	}
	// Re-importing is harmless; duplicates: the last wins.
	a := R("document:doc00001#viewer@user:u1")
	_, count, err = s.Import(ctx, seq([]tuple.Relationship{a, withCaveat(a, "x", nil), withCaveat(a, "y", map[string]any{})}, -1, nil), 0)
	if err != nil || count != 3 {
		t.Fatalf("re-import = %d, %v", count, err)
	}
	got := readAll(t, s, store.Filter{ResourceType: "document", ResourceID: "doc00001"}, 0)
	if len(got) != 1 || !sameRel(got[0], withCaveat(a, "y", map[string]any{})) {
		t.Errorf("after importing duplicates:%s", fmtRels(got))
	}
	// An empty import commits nothing.
	before := head(t, s)
	if rev, count, err := s.Import(ctx, seq(nil, -1, nil), 10); err != nil || count != 0 || rev != 0 || head(t, s) != before {
		t.Errorf("empty import = %d, %d, %v", rev, count, err)
	}
}

// testImportChangelog: a large import revision (which backends may log in
// compact batches) pages, resumes and is trimmed change by change, like
// any other revision.
func testImportChangelog(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	exp := time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)
	var rels []tuple.Relationship
	for i := range 2600 {
		r := R(fmt.Sprintf("document:d%05d#viewer@user:u%d", i, i%13))
		switch i % 4 {
		case 1:
			r = withCaveat(r, "c", map[string]any{"i": float64(i)})
		case 2:
			r = withExpiration(r, exp)
		case 3:
			r = withCaveat(r, "empty", map[string]any{})
		}
		rels = append(rels, r)
	}
	r1 := mustWrite(t, s, touch(R("document:before#viewer@user:x")))
	// Revisions of 2500 and 100 changes.
	r3, n, err := s.Import(ctx, seq(rels, -1, nil), 2500)
	if err != nil || n != len(rels) || r3 != r1+2 {
		t.Fatalf("Import = %d, %d, %v", r3, n, err)
	}
	r4 := mustWrite(t, s, store.WriteRequest{Updates: []store.Update{{Op: store.Delete, Relationship: rels[0]}}})
	want := []store.Change{{Revision: r1, Op: store.ChangeTouch, Relationship: R("document:before#viewer@user:x")}}
	for i, r := range rels {
		want = append(want, store.Change{Revision: r1 + 1 + store.Revision(i/2500), Op: store.ChangeTouch, Relationship: normalized(r)})
	}
	want = append(want, store.Change{Revision: r4, Op: store.ChangeDelete, Relationship: rels[0]})
	same := func(what string, got, want []store.Change) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d changes, want %d", what, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Revision != w.Revision || g.Op != w.Op || !sameRel(g.Relationship, w.Relationship) {
				t.Fatalf("%s: change %d = %d %s %s, want %d %s %s", what, i, g.Revision, g.Op, fmtRel(g.Relationship), w.Revision, w.Op, fmtRel(w.Relationship))
			}
		}
	}
	same("Changes(0)", allChanges(t, s, 0), want)
	for _, tc := range []struct {
		limit int
		pages []store.Revision // through of each page
	}{
		{1, []store.Revision{r1, r1 + 1, r3, r4}},
		{2, []store.Revision{r1 + 1, r3, r4}},
		{2501, []store.Revision{r1 + 1, r4}},
		{2502, []store.Revision{r3, r4}},
		{2602, []store.Revision{r4}},
		{10_000, []store.Revision{r4}},
	} {
		var got []store.Change
		var after store.Revision
		for i, wantThrough := range tc.pages {
			cs, through, err := s.Changes(ctx, after, tc.limit)
			if err != nil || through != wantThrough {
				t.Fatalf("limit %d, page %d: Changes(%d) through %d, %v; want through %d", tc.limit, i, after, through, err, wantThrough)
			}
			got, after = append(got, cs...), through
		}
		same(fmt.Sprintf("limit %d", tc.limit), got, want)
	}
	// Resuming after the first import revision gives the second whole.
	cs, through, err := s.Changes(ctx, r1+1, 1)
	if err != nil || through != r3 {
		t.Fatalf("Changes(%d, 1) through %d, %v; want %d", r1+1, through, err, r3)
	}
	same("Changes after the first import revision", cs, want[2501:2601])
	time.Sleep(5 * time.Millisecond)
	res, err := s.GC(ctx, 0)
	if err != nil || res.ChangesDeleted != int64(len(want)) || res.TrimmedThrough != r4 {
		t.Errorf("GC(0) = %+v, %v; want %d changes deleted through %d", res, err, len(want), r4)
	}
}

func testImportErrors(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	var rels []tuple.Relationship
	for i := range 25 {
		rels = append(rels, R(fmt.Sprintf("document:d%02d#viewer@user:u", i)))
	}
	boom := errors.New("boom")
	rev, n, err := s.Import(ctx, seq(rels, 23, boom), 10)
	if !errors.Is(err, boom) || n != 20 || rev != 2 {
		t.Fatalf("Import failing at 23 = %d, %d, %v; want 2, 20, boom", rev, n, err)
	}
	if got := readAll(t, s, store.Filter{}, 0); len(got) != 20 {
		t.Errorf("after a failed import, %d relationships, want the 20 committed", len(got))
	}
	bad := slices.Clone(rels)
	bad[15] = R("document:#viewer@user:u")
	rev, n, err = s.Import(ctx, seq(bad, -1, nil), 10)
	if !errors.Is(err, store.ErrInvalid) || n != 10 || rev != 3 {
		t.Errorf("Import with an invalid relationship = %d, %d, %v; want 3, 10, ErrInvalid", rev, n, err)
	}
	if h := head(t, s); h != 3 {
		t.Errorf("head = %d, want 3", h)
	}
}

func testLoadAllSnapshot(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	// Preload some volume so that a load takes a while.
	var base []tuple.Relationship
	for i := range 3000 {
		base = append(base, R(fmt.Sprintf("document:base%04d#viewer@user:u", i)))
	}
	if _, _, err := s.Import(ctx, seq(base, -1, nil), 0); err != nil {
		t.Fatal(err)
	}
	// The writer records what each revision did; the state at any
	// revision can then be replayed and compared with a load.
	type write struct {
		rev     store.Revision
		updates []store.Update
	}
	writes := make(chan write, 1000)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		defer close(writes)
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			ups := []store.Update{
				{Op: store.Create, Relationship: R(fmt.Sprintf("document:p%d#viewer@user:a", i))},
				{Op: store.Create, Relationship: R(fmt.Sprintf("document:p%d#viewer@user:b", i))},
				{Op: store.Delete, Relationship: R(fmt.Sprintf("document:base%04d#viewer@user:u", i%3000))},
			}
			if i > 0 && i%3 == 0 {
				ups = append(ups, store.Update{Op: store.Delete, Relationship: R(fmt.Sprintf("document:p%d#viewer@user:a", i-1))})
			}
			rev, err := s.Write(ctx, store.WriteRequest{Updates: ups})
			if err != nil {
				done <- err
				return
			}
			writes <- write{rev, ups}
			if i >= 900 {
				done <- nil
				return
			}
		}
	}()
	type load struct {
		rev  store.Revision
		keys map[string]bool
	}
	var loads []load
	for range 4 {
		keys := map[string]bool{}
		n := 0
		rev, err := s.LoadAll(ctx, func(r tuple.Relationship) error {
			if keys[key(r)] {
				return fmt.Errorf("relationship %s loaded twice", fmtRel(r))
			}
			keys[key(r)] = true
			if n++; n%500 == 0 {
				time.Sleep(time.Millisecond) // let writers commit during the load
			}
			return nil
		})
		if err != nil {
			t.Fatalf("LoadAll: %v", err)
		}
		loads = append(loads, load{rev, keys})
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	baseRev := store.Revision(1)
	state := map[string]bool{}
	for _, r := range base {
		state[key(r)] = true
	}
	states := map[store.Revision]map[string]bool{baseRev: maps.Clone(state)}
	for w := range writes {
		for _, u := range w.updates {
			if u.Op == store.Delete {
				delete(state, key(u.Relationship))
			} else {
				state[key(u.Relationship)] = true
			}
		}
		states[w.rev] = maps.Clone(state)
	}
	concurrent := 0
	for _, l := range loads {
		want, ok := states[l.rev]
		if !ok {
			t.Fatalf("LoadAll at revision %d, which no write produced", l.rev)
		}
		if !maps.Equal(l.keys, want) {
			t.Errorf("LoadAll at revision %d: %d relationships, the state at that revision has %d", l.rev, len(l.keys), len(want))
		}
		if l.rev > baseRev {
			concurrent++
		}
	}
	t.Logf("%d loads, %d of them after concurrent writes began; %d writes", len(loads), concurrent, len(states)-1)
}

func testSubscribe(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(ctxFor(t))
	ch, err := s.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The PostgreSQL listener may connect asynchronously: keep writing
	// until woken.
	deadline := time.After(20 * time.Second)
	var last store.Revision
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case rev, ok := <-ch:
			if !ok {
				t.Fatal("subscription closed early")
			}
			if rev == 0 || rev > head(t, s) {
				t.Fatalf("woken with revision %d, head %d", rev, head(t, s))
			}
			break wait
		case <-tick.C:
			last = mustWrite(t, s, touch(R(fmt.Sprintf("document:s%d#viewer@user:u", last))))
		case <-deadline:
			t.Fatal("no wake-up within 20s of writes")
		}
	}
	// Many writes while nobody reads: the channel coalesces to the latest.
	for i := range 5 {
		last = mustWrite(t, s, touch(R(fmt.Sprintf("document:t%d#viewer@user:u", i))))
	}
	timeout := time.After(20 * time.Second)
	for got := store.Revision(0); got < last; {
		select {
		case got = <-ch:
		case <-timeout:
			t.Fatalf("never woken with revision %d (last %d)", last, got)
		}
	}
	cancel()
	timeout = time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("channel not closed after the context ended")
		}
	}
}

func testMigrateIdempotent(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	mustWrite(t, s, touch(R("document:a#viewer@user:1")))
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate on a migrated store: %v", err)
		}
	}
	if err := s.CheckVersion(ctx); err != nil {
		t.Fatalf("CheckVersion: %v", err)
	}
	if _, rels := loadAll(t, s); len(rels) != 1 {
		t.Errorf("Migrate lost data")
	}
}
