package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

func openTail(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// watermark reads the head and the applied revision as committed, and
// counts the table's rows, bypassing the store's reads (which catch up).
func watermark(t *testing.T, s *Store) (head, applied int64, rows int) {
	t.Helper()
	if err := s.r.QueryRow(appliedSQL).Scan(&head, &applied); err != nil {
		t.Fatal(err)
	}
	if err := s.r.QueryRow(`SELECT count(*) FROM relationships`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	return head, applied, rows
}

func rel(t *testing.T, s string) tuple.Relationship {
	t.Helper()
	r, err := tuple.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func touches(rs ...tuple.Relationship) store.WriteRequest {
	var req store.WriteRequest
	for _, r := range rs {
		req.Updates = append(req.Updates, store.Update{Op: store.Touch, Relationship: r})
	}
	return req
}

// TestTailSurvivesClose: touches are acknowledged once in the changelog,
// before the table has them; a store closed (or killed) before applying
// them loses nothing: the next one's reads see them, and LoadAll's
// revision covers them.
func TestTailSurvivesClose(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "octroi.db")
	s := openTail(t, path)
	a, b := rel(t, "doc:a#viewer@user:ann"), rel(t, "doc:b#viewer@user:bob")
	if _, err := s.Write(ctx, touches(a)); err != nil {
		t.Fatal(err)
	}
	rev, err := s.Write(ctx, touches(b))
	if err != nil {
		t.Fatal(err)
	}
	head, applied, rows := watermark(t, s)
	if head != int64(rev) || applied >= head || rows != 0 {
		t.Fatalf("after two touches: head %d, applied %d, %d rows; want the touches in the changelog only", head, applied, rows)
	}
	s.Close()

	s = openTail(t, path)
	defer s.Close()
	var got []tuple.Relationship
	loaded, err := s.LoadAll(ctx, func(r tuple.Relationship) error { got = append(got, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if loaded != rev || len(got) != 2 {
		t.Fatalf("LoadAll after reopening: revision %d, %v; want %d and both touches", loaded, got, rev)
	}
	if head, applied, rows := watermark(t, s); applied != head || rows != 2 {
		t.Fatalf("after LoadAll: head %d, applied %d, %d rows; want the table up to date", head, applied, rows)
	}
}

// TestTailBeforeTableWrites: a write that reads the table (create,
// delete, precondition) sees the touches still in the changelog, also
// those of the same group commit, and a delete logs the row as stored.
func TestTailBeforeTableWrites(t *testing.T) {
	ctx := context.Background()
	s := openTail(t, filepath.Join(t.TempDir(), "octroi.db"))
	defer s.Close()
	caveated := rel(t, "doc:a#viewer@user:ann[ip_allowed]")
	if _, err := s.Write(ctx, touches(caveated)); err != nil {
		t.Fatal(err)
	}
	plain := rel(t, "doc:a#viewer@user:ann")
	_, err := s.Write(ctx, store.WriteRequest{Updates: []store.Update{{Op: store.Create, Relationship: plain}}})
	if !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("create of a relationship still in the changelog: %v, want ErrAlreadyExists", err)
	}
	if _, err := s.Write(ctx, touches(rel(t, "doc:b#viewer@user:bob"))); err != nil {
		t.Fatal(err)
	}
	bob := store.Filter{ResourceType: "doc", ResourceID: "b"}
	if _, err := s.Write(ctx, store.WriteRequest{
		Updates:       []store.Update{{Op: store.Touch, Relationship: rel(t, "doc:c#viewer@user:cy")}},
		Preconditions: []store.Precondition{{Op: store.MustMatch, Filter: bob}},
	}); err != nil {
		t.Fatalf("precondition on a touch still in the changelog: %v", err)
	}
	rev, err := s.Write(ctx, store.WriteRequest{Updates: []store.Update{{Op: store.Delete, Relationship: plain}}})
	if err != nil {
		t.Fatal(err)
	}
	changes, _, err := s.Changes(ctx, rev-1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Op != store.ChangeDelete || changes[0].Relationship.Caveat == nil {
		t.Fatalf("changes of the delete: %+v, want one delete of the caveated row", changes)
	}
	if head, applied, _ := watermark(t, s); applied != head {
		t.Fatalf("after writes to the table: head %d, applied %d", head, applied)
	}
	got, _, err := s.ReadRelationships(ctx, store.Filter{ResourceType: "doc"}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("ReadRelationships: %v, want doc:b and doc:c", got)
	}
}

// TestApplierCatchesUp: without any read, the applier brings the table
// up to date shortly after the writes.
func TestApplierCatchesUp(t *testing.T) {
	ctx := context.Background()
	s := openTail(t, filepath.Join(t.TempDir(), "octroi.db"))
	defer s.Close()
	if _, err := s.Write(ctx, touches(rel(t, "doc:a#viewer@user:ann"))); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if head, applied, rows := watermark(t, s); applied == head && rows == 1 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	head, applied, rows := watermark(t, s)
	t.Fatalf("5s after a touch: head %d, applied %d, %d rows", head, applied, rows)
}

// TestTouchesReplaceInChunks: touches applied from the changelog and
// imports insert insertChunk rows per statement; a chunk where some
// relationships exist still replaces their caveats and expirations, and
// the last of duplicates wins.
func TestTouchesReplaceInChunks(t *testing.T) {
	ctx := context.Background()
	s := openTail(t, filepath.Join(t.TempDir(), "octroi.db"))
	defer s.Close()
	n := 3*insertChunk + 7
	gen := func(caveat string) []tuple.Relationship {
		rs := make([]tuple.Relationship, n)
		for i := range rs {
			rs[i] = rel(t, fmt.Sprintf("doc:d%04d#viewer@user:u%d%s", i, i%13, caveat))
		}
		return rs
	}
	// check reads the relationships (which applies the changelog's tail)
	// and wants want of them, those of gen with caveat.
	check := func(what string, want int, caveat string) {
		t.Helper()
		got, _, err := s.ReadRelationships(ctx, store.Filter{ResourceType: "doc"}, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Fatalf("%s: %d relationships, want %d", what, len(got), want)
		}
		for _, r := range got {
			if len(r.Resource.ID) != 5 {
				continue // not one of gen's
			}
			if (r.Caveat == nil) != (caveat == "") || (r.Caveat != nil && "["+r.Caveat.Name+"]" != caveat) {
				t.Fatalf("%s: %s has caveat %v, want %q", what, store.FormatIdentity(r), r.Caveat, caveat)
			}
		}
	}
	if _, err := s.Write(ctx, touches(gen("")...)); err != nil {
		t.Fatal(err)
	}
	check("first touches", n, "")
	if _, err := s.Write(ctx, touches(gen("[cav_a]")...)); err != nil {
		t.Fatal(err)
	}
	check("touches of existing relationships", n, "[cav_a]")
	// Half new, half existing: every chunk mixes both.
	mixed := gen("[cav_b]")
	for i := range mixed {
		if i%2 == 1 {
			mixed[i].Resource.ID += "x"
		}
	}
	if _, err := s.Write(ctx, touches(mixed...)); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.ReadRelationships(ctx, store.Filter{ResourceType: "doc"}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+n/2 {
		t.Fatalf("after touches half new: %d relationships, want %d", len(got), n+n/2)
	}
	for _, r := range got {
		odd := r.Resource.ID[4]%2 == 1
		if want := len(r.Resource.ID) == 6 || !odd; (r.Caveat != nil && r.Caveat.Name == "cav_b") != want {
			t.Fatalf("after touches half new: %s has caveat %v", store.FormatIdentity(r), r.Caveat)
		}
	}
	if _, _, err := s.DeleteByFilter(ctx, store.Filter{ResourceType: "doc"}, 0); err != nil {
		t.Fatal(err)
	}
	// An import over existing relationships, with duplicates in one
	// batch: the last wins.
	if _, err := s.Write(ctx, touches(gen("")...)); err != nil {
		t.Fatal(err)
	}
	both := append(gen("[cav_c]"), gen("[cav_d]")...)
	seq := func(yield func(tuple.Relationship, error) bool) {
		for _, r := range both {
			if !yield(r, nil) {
				return
			}
		}
	}
	if _, _, err := s.Import(ctx, seq, 0); err != nil {
		t.Fatal(err)
	}
	check("import with duplicates", n, "[cav_d]")
}
