package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Documents checks the store.Documents contract: documents, their keys and
// listings, the audit log, and Transact's atomicity, revision and
// serialisation, also between two handles on one database (as two
// processes would have). Every backend's tests call it with their Harness.
func Documents(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness, s store.Store)
	}{
		{"PutGetDelete", testDocsPutGetDelete},
		{"List", testDocsList},
		{"AltUnique", testDocsAltUnique},
		{"Invalid", testDocsInvalid},
		{"JSONRoundTrip", testDocsJSONRoundTrip},
		{"TransactAtomic", testTransactAtomic},
		{"TransactRevision", testTransactRevision},
		{"TransactFailedWrite", testTransactFailedWrite},
		{"TransactReadsOwnWrites", testTransactReadsOwnWrites},
		{"TransactSerialised", testTransactSerialised},
		{"Audit", testAudit},
		{"AuditFilters", testAuditFilters},
		{"DocsSince", testDocsSince},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, h, h.Open(t))
		})
	}
}

// transact runs fn and fails the test on error.
func transact(t *testing.T, d store.Documents, fn func(ctx context.Context, tx store.DocTx) error) store.Revision {
	t.Helper()
	ctx := ctxFor(t)
	rev, err := d.Transact(ctx, func(tx store.DocTx) error { return fn(ctx, tx) })
	if err != nil {
		t.Fatalf("Transact: %v", err)
	}
	return rev
}

func putDocs(docs ...store.Doc) func(ctx context.Context, tx store.DocTx) error {
	return func(ctx context.Context, tx store.DocTx) error {
		for _, d := range docs {
			if err := tx.PutDoc(ctx, d); err != nil {
				return err
			}
		}
		return nil
	}
}

func doc(kind, id, alt, parent, data string) store.Doc {
	return store.Doc{Kind: kind, ID: id, Alt: alt, Parent: parent, Data: []byte(data)}
}

// sameDoc compares the keys and the decoded data.
func sameDoc(t *testing.T, got, want store.Doc) bool {
	t.Helper()
	if got.Kind != want.Kind || got.ID != want.ID || got.Alt != want.Alt || got.Parent != want.Parent {
		return false
	}
	var g, w any
	if err := json.Unmarshal(got.Data, &g); err != nil {
		t.Errorf("%s %q: stored data %q is not JSON: %v", got.Kind, got.ID, got.Data, err)
		return false
	}
	if err := json.Unmarshal(want.Data, &w); err != nil {
		t.Fatalf("test data %q: %v", want.Data, err)
	}
	return reflect.DeepEqual(g, w)
}

func ids(ds []store.Doc) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func testDocsPutGetDelete(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	a := doc("account", "a1", "tom@example.org", "org:ign", `{"name":"Tom","admin":false}`)
	b := doc("account", "a2", "", "", `{"name":"Ann"}`)
	before := time.Now().Add(-time.Second)
	rev := transact(t, d, putDocs(a, b))
	for _, want := range []store.Doc{a, b} {
		got, err := d.GetDoc(ctx, want.Kind, want.ID)
		if err != nil || !sameDoc(t, got, want) {
			t.Errorf("GetDoc(%s, %s) = %+v, %v; want %+v", want.Kind, want.ID, got, err, want)
		}
		if got.Revision != rev || got.Updated.Before(before) || got.Updated.Location() != time.UTC {
			t.Errorf("GetDoc(%s, %s): revision %d at %v, want %d, now, UTC", want.Kind, want.ID, got.Revision, got.Updated, rev)
		}
	}
	if got, err := d.DocByAlt(ctx, "account", "tom@example.org"); err != nil || !sameDoc(t, got, a) {
		t.Errorf("DocByAlt = %+v, %v; want %+v", got, err, a)
	}
	for name, err := range map[string]error{
		"GetDoc of a missing id":           second(d.GetDoc(ctx, "account", "nobody")),
		"GetDoc of another kind":           second(d.GetDoc(ctx, "organisation", "a1")),
		"DocByAlt of a missing alt":        second(d.DocByAlt(ctx, "account", "ann@example.org")),
		"DocByAlt of another kind":         second(d.DocByAlt(ctx, "organisation", "tom@example.org")),
		"DocByAlt of the empty alt (of b)": second(d.DocByAlt(ctx, "account", "")),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}

	// Replacing moves the alternate key and the parent.
	a2 := doc("account", "a1", "thomas@example.org", "", `{"name":"Thomas"}`)
	rev2 := transact(t, d, putDocs(a2))
	if got, err := d.GetDoc(ctx, "account", "a1"); err != nil || !sameDoc(t, got, a2) || got.Revision != rev2 {
		t.Errorf("after replace: %+v, %v; want %+v at %d", got, err, a2, rev2)
	}
	if _, err := d.DocByAlt(ctx, "account", "tom@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old alt after replace: %v, want ErrNotFound", err)
	}
	if ds, err := d.ListDocs(ctx, "account", "org:ign", "", 0); err != nil || len(ds) != 0 {
		t.Errorf("old parent after replace lists %v, %v", ids(ds), err)
	}

	// Delete, and delete of a missing document (a no-op).
	transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		return errors.Join(tx.DeleteDoc(ctx, "account", "a1"), tx.DeleteDoc(ctx, "account", "never"))
	})
	if _, err := d.GetDoc(ctx, "account", "a1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetDoc after delete: %v, want ErrNotFound", err)
	}
	if _, err := d.DocByAlt(ctx, "account", "thomas@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DocByAlt after delete: %v, want ErrNotFound", err)
	}
	if _, err := d.GetDoc(ctx, "account", "a2"); err != nil {
		t.Errorf("delete of a1 touched a2: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func testDocsList(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	idList := []string{"a", "B", "b", "é", "z", "文档", "🙂", "Z", "a-1", "a/b", "10", "9"}
	var all []store.Doc
	for i, id := range idList {
		all = append(all, doc("dataset", id, "", "org"+strconv.Itoa(i%3), `{"i":`+strconv.Itoa(i)+`}`))
	}
	all = append(all, doc("dataset", "orphan", "", "", `{}`))
	// Other kinds with the same ids and parents must never show.
	transact(t, d, putDocs(doc("organisation", "a", "", "org0", `{}`), doc("datasets", "b", "", "org0", `{}`)))
	for chunk := range slices.Chunk(all, 5) {
		transact(t, d, putDocs(chunk...))
	}
	byID := func(a, b store.Doc) int {
		switch {
		case a.ID < b.ID: // Go compares strings bytewise: the store's order
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	}
	slices.SortFunc(all, byID)
	for _, parent := range []string{"", "org0", "org1", "org2", "nothing"} {
		var want []store.Doc
		for _, x := range all {
			if parent == "" || x.Parent == parent {
				want = append(want, x)
			}
		}
		for _, page := range []int{0, 1, 2, 5, len(want), len(want) + 1} {
			var got []store.Doc
			after := ""
			for range len(all) + 2 {
				ds, err := d.ListDocs(ctx, "dataset", parent, after, page)
				if err != nil {
					t.Fatalf("ListDocs(parent %q, after %q, %d): %v", parent, after, page, err)
				}
				if page > 0 && len(ds) > page {
					t.Fatalf("ListDocs(parent %q, %d) returned %d documents", parent, page, len(ds))
				}
				got = append(got, ds...)
				if page <= 0 || len(ds) < page {
					break
				}
				after = ds[len(ds)-1].ID
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("ListDocs(parent %q) by pages of %d: %q, want %q", parent, page, ids(got), ids(want))
				continue
			}
			for i := range got {
				if !sameDoc(t, got[i], want[i]) {
					t.Errorf("ListDocs(parent %q): %+v, want %+v", parent, got[i], want[i])
				}
			}
		}
	}
	if ds, err := d.ListDocs(ctx, "nothing", "", "", 0); err != nil || len(ds) != 0 {
		t.Errorf("ListDocs of an unknown kind: %v, %v", ids(ds), err)
	}
}

func testDocsAltUnique(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	transact(t, d, putDocs(doc("account", "a1", "tom@example.org", "", `{}`)))
	h := head(t, s)
	_, err := d.Transact(ctx, func(tx store.DocTx) error {
		return putDocs(doc("account", "a0", "", "", `{}`), doc("account", "a2", "tom@example.org", "", `{}`))(ctx, tx)
	})
	var ae *store.AlreadyExistsError
	if !errors.Is(err, store.ErrAlreadyExists) || !errors.As(err, &ae) || ae.Doc == nil || ae.Doc.ID != "a1" || ae.Doc.Alt != "tom@example.org" {
		t.Fatalf("second document with one alt: %v, want an *AlreadyExistsError naming a1", err)
	}
	if got := head(t, s); got != h {
		t.Errorf("failed Transact moved head %d → %d", h, got)
	}
	for _, id := range []string{"a0", "a2"} {
		if _, err := d.GetDoc(ctx, "account", id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("failed Transact wrote %s: %v", id, err)
		}
	}
	// The same alt in another kind, and rewriting the holder, are fine;
	// a refused PutDoc wrote nothing and fn may go on.
	transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		if err := tx.PutDoc(ctx, doc("token", "t1", "tom@example.org", "", `{}`)); err != nil {
			return err
		}
		if err := tx.PutDoc(ctx, doc("account", "a1", "tom@example.org", "", `{"v":2}`)); err != nil {
			return err
		}
		if err := tx.PutDoc(ctx, doc("account", "a3", "tom@example.org", "", `{}`)); !errors.Is(err, store.ErrAlreadyExists) {
			return fmt.Errorf("PutDoc of a taken alt inside Transact: %v, want ErrAlreadyExists", err)
		}
		return tx.PutDoc(ctx, doc("account", "a3", "ann@example.org", "", `{}`))
	})
	for alt, id := range map[string]string{"tom@example.org": "a1", "ann@example.org": "a3"} {
		if got, err := d.DocByAlt(ctx, "account", alt); err != nil || got.ID != id {
			t.Errorf("DocByAlt(%s) = %q, %v; want %s", alt, got.ID, err, id)
		}
	}
	// Freeing an alt and taking it in the same transaction.
	transact(t, d, putDocs(doc("account", "a1", "", "", `{}`), doc("account", "a4", "tom@example.org", "", `{}`)))
	if got, err := d.DocByAlt(ctx, "account", "tom@example.org"); err != nil || got.ID != "a4" {
		t.Errorf("DocByAlt after moving the alt = %q, %v; want a4", got.ID, err)
	}
}

func testDocsInvalid(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	h := head(t, s)
	for _, x := range []store.Doc{
		doc("", "a", "", "", `{}`),
		doc("account", "", "", "", `{}`),
		doc("account", "a", "", "", `{"unterminated"`),
		doc("account", "a", "", "", ``),
		doc("account", "a\x00b", "", "", `{}`),
		doc("account", string(make([]byte, store.MaxIDBytes+1)), "", "", `{}`),
	} {
		if _, err := d.Transact(ctx, func(tx store.DocTx) error { return putDocs(x)(ctx, tx) }); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutDoc(%q, %q, %q): %v, want ErrInvalid", x.Kind, x.ID, x.Data, err)
		}
	}
	if _, err := d.Transact(ctx, func(tx store.DocTx) error {
		return tx.AppendAudit(ctx, store.AuditEntry{Actor: "system", Action: "x", Resource: "r", After: []byte("{")})
	}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("AppendAudit with bad JSON: %v, want ErrInvalid", err)
	}
	if got := head(t, s); got != h {
		t.Errorf("invalid requests moved head %d → %d", h, got)
	}
}

func testDocsJSONRoundTrip(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	values := []string{
		`{"name":"Île-de-France 🗺","nested":{"list":[1,2.5,-3e10,true,false,null,"x"],"empty":{}},"quote":"a\"b\\c\n\t<>&"}`,
		`[1,"two",{"three":[]}]`,
		`"just a string"`,
		`12345678901234`,
		`null`,
		`{"b":1,"a":2,"a long key with spaces":"\u00e9\u6587"}`,
	}
	var want []store.Doc
	for i, v := range values {
		want = append(want, doc("blob", strconv.Itoa(i), "", "", v))
	}
	transact(t, d, putDocs(want...))
	for _, w := range want {
		got, err := d.GetDoc(ctx, w.Kind, w.ID)
		if err != nil || !sameDoc(t, got, w) {
			t.Errorf("round trip of %s: %s, %v", w.Data, got.Data, err)
		}
	}
}

// snapshot is everything Transact may write.
type snapshot struct {
	head    store.Revision
	rels    []tuple.Relationship
	changes int
	audit   int
	docs    []string
}

func snap(t *testing.T, s store.Store, kinds ...string) snapshot {
	t.Helper()
	ctx, d := ctxFor(t), store.Documents(s)
	sn := snapshot{head: head(t, s), rels: readAll(t, s, store.Filter{}, 0), changes: len(allChanges(t, s, 0))}
	es, err := d.Audit(ctx, store.AuditQuery{Limit: 1_000_000})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	sn.audit = len(es)
	for _, k := range kinds {
		ds, err := d.ListDocs(ctx, k, "", "", 0)
		if err != nil {
			t.Fatalf("ListDocs: %v", err)
		}
		sn.docs = append(sn.docs, ids(ds)...)
	}
	return sn
}

func testTransactAtomic(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	mustWrite(t, s, touch(R("organisation:ign#member@user:ann")))
	transact(t, d, putDocs(doc("organisation", "ign", "", "", `{"members":1}`)))
	before := snap(t, s, "organisation", "account")

	boom := errors.New("boom")
	_, err := d.Transact(ctx, func(tx store.DocTx) error {
		if err := tx.PutDoc(ctx, doc("account", "tom", "tom@example.org", "ign", `{}`)); err != nil {
			return err
		}
		if err := tx.PutDoc(ctx, doc("organisation", "ign", "", "", `{"members":2}`)); err != nil {
			return err
		}
		if err := tx.DeleteDoc(ctx, "organisation", "ign"); err != nil {
			return err
		}
		if err := tx.Write(ctx, store.WriteRequest{Updates: []store.Update{
			{Op: store.Create, Relationship: R("organisation:ign#member@user:tom")},
			{Op: store.Delete, Relationship: R("organisation:ign#member@user:ann")},
		}}); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, store.AuditEntry{Actor: "tom", Action: "organisation.join", Resource: "organisation:ign"}); err != nil {
			return err
		}
		return fmt.Errorf("after everything: %w", boom)
	})
	if !errors.Is(err, boom) || err.Error() != "after everything: boom" {
		t.Fatalf("Transact = %v, want fn's error as is", err)
	}
	after := snap(t, s, "organisation", "account")
	if after.head != before.head {
		t.Errorf("failed Transact moved head %d → %d", before.head, after.head)
	}
	if !sameRels(after.rels, before.rels) {
		t.Errorf("failed Transact changed relationships:%s\nwant:%s", fmtRels(after.rels), fmtRels(before.rels))
	}
	if after.changes != before.changes || after.audit != before.audit || !slices.Equal(after.docs, before.docs) {
		t.Errorf("failed Transact left changes %d→%d, audit %d→%d, docs %q→%q",
			before.changes, after.changes, before.audit, after.audit, before.docs, after.docs)
	}
	if got, err := d.GetDoc(ctx, "organisation", "ign"); err != nil || string(got.Data) == "" || !sameDoc(t, got, doc("organisation", "ign", "", "", `{"members":1}`)) {
		t.Errorf("failed Transact changed organisation ign: %s, %v", got.Data, err)
	}
	// No revision was consumed.
	if rev := transact(t, d, putDocs(doc("account", "ann", "", "", `{}`))); rev != before.head+1 {
		t.Errorf("next Transact at %d, want %d", rev, before.head+1)
	}
}

func testTransactRevision(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	h := head(t, s)
	// Even a Transact that changes nothing is a revision.
	var inside store.Revision
	rev := transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		inside = tx.Revision()
		return nil
	})
	if rev != h+1 || inside != rev || head(t, s) != rev {
		t.Errorf("empty Transact: revision %d, tx.Revision %d, head %d; want %d", rev, inside, head(t, s), h+1)
	}
	// Documents only: a revision without changelog entries, which
	// followers pass over.
	rev = transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		inside = tx.Revision()
		return tx.PutDoc(ctx, doc("account", "a", "", "", `{}`))
	})
	if rev != h+2 || inside != rev {
		t.Errorf("documents-only Transact: revision %d, tx.Revision %d; want %d", rev, inside, h+2)
	}
	cs, through, err := s.Changes(ctx, h, 0)
	if err != nil || len(cs) != 0 || through != rev {
		t.Errorf("Changes after documents only = %d changes through %d, %v; want none through %d", len(cs), through, err, rev)
	}
	// Relationships, documents and audit together: one revision, the
	// relationship changes in the changelog under it.
	mustWrite(t, s, touch(R("dataset:d1#viewer@user:old")))
	at := time.Date(2026, 5, 4, 3, 2, 1, 123456789, time.FixedZone("CEST", 2*3600))
	rev = transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		inside = tx.Revision()
		return errors.Join(
			tx.PutDoc(ctx, doc("dataset", "d1", "", "", `{}`)),
			tx.Write(ctx, store.WriteRequest{Updates: []store.Update{
				{Op: store.Touch, Relationship: R("dataset:d1#viewer@user:tom")},
				{Op: store.Create, Relationship: R("dataset:d1#owner@user:ann")},
			}}),
			tx.Write(ctx, store.WriteRequest{Updates: []store.Update{
				{Op: store.Delete, Relationship: R("dataset:d1#viewer@user:old")},
			}}),
			tx.AppendAudit(ctx, store.AuditEntry{Actor: "ann", Action: "dataset.create", Resource: "dataset:d1"}),
			tx.AppendAudit(ctx, store.AuditEntry{Actor: "ann", Action: "dataset.backdated", Resource: "dataset:d1", At: at, Revision: 7}),
		)
	})
	if inside != rev || head(t, s) != rev {
		t.Errorf("Transact: revision %d, tx.Revision %d, head %d", rev, inside, head(t, s))
	}
	cs, _, err = s.Changes(ctx, rev-1, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{
		{Revision: rev, Op: store.ChangeTouch, Relationship: R("dataset:d1#viewer@user:tom")},
		{Revision: rev, Op: store.ChangeTouch, Relationship: R("dataset:d1#owner@user:ann")},
		{Revision: rev, Op: store.ChangeDelete, Relationship: R("dataset:d1#viewer@user:old")},
	}
	if len(cs) != len(want) {
		t.Fatalf("changes of the Transact: %+v, want %+v", cs, want)
	}
	for i := range want {
		if cs[i].Revision != want[i].Revision || cs[i].Op != want[i].Op || !sameRel(cs[i].Relationship, want[i].Relationship) {
			t.Errorf("change %d = %d %v %s, want %d %v %s", i, cs[i].Revision, cs[i].Op, fmtRel(cs[i].Relationship), want[i].Revision, want[i].Op, fmtRel(want[i].Relationship))
		}
	}
	if got, err := d.GetDoc(ctx, "dataset", "d1"); err != nil || got.Revision != rev || !got.Updated.Equal(cs[0].Time) {
		t.Errorf("document: revision %d at %v, %v; want %d at the commit time %v", got.Revision, got.Updated, err, rev, cs[0].Time)
	}
	es, err := d.Audit(ctx, store.AuditQuery{Resource: "dataset:d1"})
	if err != nil || len(es) != 2 {
		t.Fatalf("Audit = %+v, %v", es, err)
	}
	if es[0].Revision != rev || !es[0].At.Equal(cs[0].Time) || es[0].At.Location() != time.UTC {
		t.Errorf("audit entry: revision %d at %v, want %d at the commit time %v (UTC)", es[0].Revision, es[0].At, rev, cs[0].Time)
	}
	if es[1].Revision != 7 || !es[1].At.Equal(at.Truncate(time.Microsecond)) || es[1].At.Location() != time.UTC {
		t.Errorf("audit entry with its own time and revision: %d at %v, want 7 at %v (UTC)", es[1].Revision, es[1].At, at.UTC().Truncate(time.Microsecond))
	}
}

func testTransactFailedWrite(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	mustWrite(t, s, touch(R("organisation:ign#admin@user:ann")))
	isAdmin := store.Precondition{Op: store.MustMatch, Filter: store.Filter{ResourceType: "organisation", ResourceID: "ign", Relation: "admin", SubjectType: "user", SubjectID: "tom"}}
	h := head(t, s)
	// A failed precondition fails the Transact when fn returns it.
	_, err := d.Transact(ctx, func(tx store.DocTx) error {
		return tx.Write(ctx, store.WriteRequest{
			Updates:       []store.Update{{Op: store.Touch, Relationship: R("organisation:ign#member@user:bob")}},
			Preconditions: []store.Precondition{isAdmin},
		})
	})
	var pe *store.PreconditionFailedError
	if !errors.As(err, &pe) || !reflect.DeepEqual(pe.Precondition, isAdmin) {
		t.Fatalf("Transact with a failing precondition: %v, want *PreconditionFailedError", err)
	}
	if head(t, s) != h {
		t.Errorf("failed precondition moved the head")
	}
	// When fn handles a failed Write and goes on, the failed Write left
	// nothing, neither relationships nor changelog entries; what came
	// before and after it commits.
	rev := transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		if err := tx.Write(ctx, touch(R("organisation:ign#member@user:first"))); err != nil {
			return err
		}
		err := tx.Write(ctx, store.WriteRequest{
			Updates:       []store.Update{{Op: store.Touch, Relationship: R("organisation:ign#member@user:bob")}},
			Preconditions: []store.Precondition{isAdmin},
		})
		if !errors.Is(err, store.ErrPreconditionFailed) {
			return fmt.Errorf("failing precondition inside Transact: %v", err)
		}
		err = tx.Write(ctx, store.WriteRequest{Updates: []store.Update{
			{Op: store.Touch, Relationship: R("organisation:ign#member@user:carl")},
			{Op: store.Create, Relationship: R("organisation:ign#admin@user:ann")}, // exists
		}})
		if !errors.Is(err, store.ErrAlreadyExists) {
			return fmt.Errorf("create of an existing relationship inside Transact: %v", err)
		}
		if err := tx.Write(ctx, store.WriteRequest{Updates: []store.Update{{Op: store.Touch, Relationship: R("organisation:ign#member@user:x")}, {Op: store.Delete, Relationship: R("organisation:ign#member@user:x")}}}); !errors.Is(err, store.ErrInvalid) {
			return fmt.Errorf("invalid Write inside Transact: %v", err)
		}
		// A precondition that holds, on what this transaction wrote.
		return tx.Write(ctx, store.WriteRequest{
			Updates: []store.Update{{Op: store.Touch, Relationship: R("organisation:ign#member@user:last")}},
			Preconditions: []store.Precondition{
				{Op: store.MustMatch, Filter: store.Filter{ResourceType: "organisation", SubjectID: "first"}},
				{Op: store.MustNotMatch, Filter: store.Filter{ResourceType: "organisation", SubjectID: "carl"}},
			},
		})
	})
	got := readAll(t, s, store.Filter{ResourceType: "organisation"}, 0)
	want := []tuple.Relationship{R("organisation:ign#admin@user:ann"), R("organisation:ign#member@user:first"), R("organisation:ign#member@user:last")}
	if !sameRels(got, want) {
		t.Errorf("relationships:%s\nwant:%s", fmtRels(got), fmtRels(want))
	}
	cs, _, err := s.Changes(ctx, rev-1, 0)
	if err != nil || len(cs) != 2 || !sameRel(cs[0].Relationship, want[1]) || !sameRel(cs[1].Relationship, want[2]) {
		t.Errorf("changes of the Transact: %+v, %v; want the touches of first and last", cs, err)
	}
}

func testTransactReadsOwnWrites(t *testing.T, _ Harness, s store.Store) {
	d := store.Documents(s)
	mustWrite(t, s, touch(R("organisation:ign#member@user:ann")))
	transact(t, d, putDocs(doc("account", "ann", "ann@example.org", "ign", `{"n":1}`)))
	transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		var errs []error
		check := func(ok bool, format string, args ...any) {
			if !ok {
				errs = append(errs, fmt.Errorf(format, args...))
			}
		}
		if got, err := tx.GetDoc(ctx, "account", "ann"); err != nil || string(got.Data) == "" {
			check(false, "GetDoc of a committed document: %v", err)
		}
		tom := doc("account", "tom", "tom@example.org", "ign", `{"n":2}`)
		if err := tx.PutDoc(ctx, tom); err != nil {
			return err
		}
		got, err := tx.GetDoc(ctx, "account", "tom")
		check(err == nil && sameDoc(t, got, tom) && got.Revision == tx.Revision(), "GetDoc of its own write: %+v, %v", got, err)
		got, err = tx.DocByAlt(ctx, "account", "tom@example.org")
		check(err == nil && got.ID == "tom", "DocByAlt of its own write: %+v, %v", got, err)
		ds, err := tx.ListDocs(ctx, "account", "ign", "", 0)
		check(err == nil && slices.Equal(ids(ds), []string{"ann", "tom"}), "ListDocs with its own write: %q, %v", ids(ds), err)
		ds, err = tx.ListDocs(ctx, "account", "ign", "ann", 1)
		check(err == nil && slices.Equal(ids(ds), []string{"tom"}), "ListDocs after ann: %q, %v", ids(ds), err)
		if err := tx.DeleteDoc(ctx, "account", "ann"); err != nil {
			return err
		}
		_, err = tx.GetDoc(ctx, "account", "ann")
		check(errors.Is(err, store.ErrNotFound), "GetDoc of its own delete: %v, want ErrNotFound", err)

		if err := tx.Write(ctx, store.WriteRequest{Updates: []store.Update{
			{Op: store.Touch, Relationship: R("organisation:ign#member@user:tom")},
			{Op: store.Delete, Relationship: R("organisation:ign#member@user:ann")},
			{Op: store.Touch, Relationship: withExpiration(R("organisation:ign#member@user:gone"), time.Now().Add(-time.Hour))},
		}}); err != nil {
			return err
		}
		rels, err := tx.ReadRelationships(ctx, store.Filter{ResourceType: "organisation"}, 0)
		check(err == nil && sameRels(rels, []tuple.Relationship{R("organisation:ign#member@user:tom")}), "ReadRelationships of its own writes:%s, %v", fmtRels(rels), err)
		rels, err = tx.ReadRelationships(ctx, store.Filter{}, 1)
		check(err == nil && len(rels) == 1, "ReadRelationships with limit 1: %d, %v", len(rels), err)
		return errors.Join(errs...)
	})
}

// testTransactSerialised: read-modify-write of one counter document from
// many goroutines, through two handles (two "processes"), loses no
// increment; that is the promise that what fn reads cannot change before
// it commits.
func testTransactSerialised(t *testing.T, h Harness, s store.Store) {
	const workers, each = 6, 5
	ctx := ctxFor(t)
	handles := []store.Documents{s, h.Reopen(t, s)}
	type counter struct{ N int }
	transact(t, handles[0], putDocs(doc("counter", "c", "", "", `{"N":0}`)))
	h0 := head(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	revs := make(chan store.Revision, workers*each)
	for w := range workers {
		d := handles[w%len(handles)]
		wg.Go(func() {
			for range each {
				rev, err := d.Transact(ctx, func(tx store.DocTx) error {
					cur, err := tx.GetDoc(ctx, "counter", "c")
					if err != nil {
						return err
					}
					var c counter
					if err := json.Unmarshal(cur.Data, &c); err != nil {
						return err
					}
					c.N++
					b, _ := json.Marshal(c)
					if err := tx.PutDoc(ctx, store.Doc{Kind: "counter", ID: "c", Data: b}); err != nil {
						return err
					}
					return tx.Write(ctx, touch(R(fmt.Sprintf("counter:c#value@n:%d", c.N))))
				})
				if err != nil {
					errs <- err
					continue
				}
				revs <- rev
			}
		})
	}
	wg.Wait()
	close(errs)
	close(revs)
	for err := range errs {
		t.Fatalf("concurrent Transact: %v", err)
	}
	seen := map[store.Revision]bool{}
	for r := range revs {
		if seen[r] {
			t.Fatalf("revision %d given twice", r)
		}
		seen[r] = true
	}
	if got := head(t, s); got != h0+workers*each || len(seen) != workers*each {
		t.Errorf("head %d after %d transactions from %d, want %d", got, len(seen), h0, h0+workers*each)
	}
	got, err := handles[1].GetDoc(ctx, "counter", "c")
	if err != nil {
		t.Fatal(err)
	}
	var c counter
	if err := json.Unmarshal(got.Data, &c); err != nil || c.N != workers*each {
		t.Errorf("counter = %s, %v; want %d: increments were lost", got.Data, err, workers*each)
	}
	if rels := readAll(t, s, store.Filter{ResourceType: "counter"}, 0); len(rels) != workers*each {
		t.Errorf("%d counter relationships, want %d (one per value)", len(rels), workers*each)
	}
}

func testAudit(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type in struct {
		actor, resource string
		minute          int
	}
	entries := []in{
		{"ann", "organisation:ign", 0}, {"tom", "organisation:ign", 1}, {"ann", "dataset:d1", 2},
		{"system", "dataset:d1", 3}, {"tom", "dataset:d2", 4}, {"ann", "organisation:ign", 5},
		{"ann", "dataset:d1", 6}, {"tom", "organisation:ign", 7},
	}
	var revs []store.Revision
	for chunk := range slices.Chunk(entries, 3) {
		revs = append(revs, transact(t, d, func(ctx context.Context, tx store.DocTx) error {
			for _, e := range chunk {
				if err := tx.AppendAudit(ctx, store.AuditEntry{
					At: base.Add(time.Duration(e.minute) * time.Minute), Actor: e.actor, Action: "act", Resource: e.resource,
					Before: []byte(`{"minute":` + strconv.Itoa(e.minute) + `}`), After: nil, RequestID: "req-" + strconv.Itoa(e.minute),
				}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	all, err := d.Audit(ctx, store.AuditQuery{})
	if err != nil || len(all) != len(entries) {
		t.Fatalf("Audit() = %d entries, %v; want %d", len(all), err, len(entries))
	}
	for i, e := range all {
		w := entries[i]
		var before struct{ Minute int }
		if err := json.Unmarshal(e.Before, &before); err != nil || before.Minute != w.minute || e.After != nil {
			t.Errorf("entry %d: before %s, after %s, %v", i, e.Before, e.After, err)
		}
		if e.Actor != w.actor || e.Resource != w.resource || e.Action != "act" || e.RequestID != "req-"+strconv.Itoa(w.minute) ||
			!e.At.Equal(base.Add(time.Duration(w.minute)*time.Minute)) || e.Revision != revs[i/3] {
			t.Errorf("entry %d = %+v, want %+v at revision %d", i, e, w, revs[i/3])
		}
		if i > 0 && e.Seq <= all[i-1].Seq {
			t.Errorf("Seq not strictly increasing: %d after %d", e.Seq, all[i-1].Seq)
		}
	}
	minutes := func(es []store.AuditEntry) []int {
		var out []int
		for _, e := range es {
			out = append(out, int(e.At.Sub(base)/time.Minute))
		}
		return out
	}
	for _, tc := range []struct {
		q    store.AuditQuery
		want []int
	}{
		{store.AuditQuery{Resource: "organisation:ign"}, []int{0, 1, 5, 7}},
		{store.AuditQuery{Actor: "ann"}, []int{0, 2, 5, 6}},
		{store.AuditQuery{Actor: "ann", Resource: "dataset:d1"}, []int{2, 6}},
		{store.AuditQuery{Resources: []string{"dataset:d1", "dataset:d2"}}, []int{2, 3, 4, 6}},
		{store.AuditQuery{Resources: []string{"dataset:d2", "organisation:ign"}, Actor: "tom"}, []int{1, 4, 7}},
		{store.AuditQuery{Resources: []string{}}, nil},
		{store.AuditQuery{Since: base.Add(2 * time.Minute), Until: base.Add(5 * time.Minute)}, []int{2, 3, 4}},
		{store.AuditQuery{Since: base.Add(6 * time.Minute)}, []int{6, 7}},
		{store.AuditQuery{Until: base.Add(time.Minute)}, []int{0}},
		{store.AuditQuery{AfterSeq: all[5].Seq}, []int{6, 7}},
		{store.AuditQuery{Limit: 2}, []int{0, 1}},
		{store.AuditQuery{Resource: "organisation:ign", AfterSeq: all[1].Seq, Limit: 1}, []int{5}},
		{store.AuditQuery{Resource: "nothing"}, nil},
	} {
		got, err := d.Audit(ctx, tc.q)
		if err != nil || !slices.Equal(minutes(got), tc.want) {
			t.Errorf("Audit(%+v) = minutes %v, %v; want %v", tc.q, minutes(got), err, tc.want)
		}
	}
	// Paging through everything by AfterSeq.
	var paged []int
	var after int64
	for range len(entries) + 1 {
		page, err := d.Audit(ctx, store.AuditQuery{AfterSeq: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, minutes(page)...)
		after = page[len(page)-1].Seq
	}
	if !slices.Equal(paged, minutes(all)) {
		t.Errorf("paging by AfterSeq: %v, want %v", paged, minutes(all))
	}
}
