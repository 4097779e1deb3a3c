package storetest

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/octroi/octroi/internal/store"
)

// testAuditFilters checks the filters an administrator's audit screen
// uses: an action or its family, a type of resource, and paging newest
// first.
func testAuditFilters(t *testing.T, _ Harness, s store.Store) {
	ctx, d := ctxFor(t), store.Documents(s)
	entries := []struct{ action, resource string }{
		{"community.create", "community:c1"},            // 0
		{"community.member.set", "community:c1"},        // 1
		{"communityx.create", "communityx:c1"},          // 2: not of the family
		{"dataset.level_set", "dataset:d_1"},            // 3
		{"org_group.create", "org_group:g1"},            // 4
		{"dataset%.odd", "dataset%:x"},                  // 5: LIKE's wildcards are plain here
		{"community.invitation.create", "community:c2"}, // 6
		{"dataset.create", "datasetx:d1"},               // 7
	}
	transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		for i, e := range entries {
			if err := tx.AppendAudit(ctx, store.AuditEntry{Actor: "ann", Action: e.action, Resource: e.resource, RequestID: strconv.Itoa(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	all, err := d.Audit(ctx, store.AuditQuery{})
	if err != nil || len(all) != len(entries) {
		t.Fatalf("Audit() = %d entries, %v; want %d", len(all), err, len(entries))
	}
	idx := func(es []store.AuditEntry) []int {
		var out []int
		for _, e := range es {
			n, _ := strconv.Atoi(e.RequestID)
			out = append(out, n)
		}
		return out
	}
	for _, tc := range []struct {
		q    store.AuditQuery
		want []int
	}{
		{store.AuditQuery{Action: "community"}, []int{0, 1, 6}},
		{store.AuditQuery{Action: "community.member"}, []int{1}},
		{store.AuditQuery{Action: "community.create"}, []int{0}},
		{store.AuditQuery{Action: "community.creat"}, nil},
		{store.AuditQuery{Action: "dataset%"}, []int{5}},
		{store.AuditQuery{Action: "dataset_level_set"}, nil},
		{store.AuditQuery{ResourceType: "community"}, []int{0, 1, 6}},
		{store.AuditQuery{ResourceType: "dataset"}, []int{3}},
		{store.AuditQuery{ResourceType: "dataset%"}, []int{5}},
		{store.AuditQuery{ResourceType: "data"}, nil},
		{store.AuditQuery{ResourceType: "community", Action: "community.invitation"}, []int{6}},
		{store.AuditQuery{Newest: true}, []int{7, 6, 5, 4, 3, 2, 1, 0}},
		{store.AuditQuery{Newest: true, Limit: 2}, []int{7, 6}},
		{store.AuditQuery{Newest: true, BeforeSeq: all[6].Seq, Limit: 2}, []int{5, 4}},
		{store.AuditQuery{Newest: true, ResourceType: "community", BeforeSeq: all[6].Seq}, []int{1, 0}},
		{store.AuditQuery{BeforeSeq: all[2].Seq}, []int{0, 1}},
		{store.AuditQuery{Resources: []string{"community:c1", "dataset:d_1"}, Action: "dataset", Newest: true}, []int{3}},
		// A family's actions merged in order, a page at a time.
		{store.AuditQuery{Action: "community", Newest: true, Limit: 2}, []int{6, 1}},
		{store.AuditQuery{Action: "community", Newest: true, BeforeSeq: all[6].Seq, Limit: 2}, []int{1, 0}},
		{store.AuditQuery{Action: "community", Limit: 2}, []int{0, 1}},
		{store.AuditQuery{Action: "dataset", AfterSeq: all[3].Seq}, []int{7}},
		{store.AuditQuery{Action: "dataset", Actor: "bob"}, nil},
	} {
		got, err := d.Audit(ctx, tc.q)
		if err != nil || !slices.Equal(idx(got), tc.want) {
			t.Errorf("Audit(%+v) = %v, %v; want %v", tc.q, idx(got), err, tc.want)
		}
	}
	// Paging newest first through everything by BeforeSeq.
	var paged []int
	var before int64
	for range len(entries) + 1 {
		page, err := d.Audit(ctx, store.AuditQuery{Newest: true, BeforeSeq: before, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, idx(page)...)
		before = page[len(page)-1].Seq
	}
	if want := []int{7, 6, 5, 4, 3, 2, 1, 0}; !slices.Equal(paged, want) {
		t.Errorf("paging newest first by BeforeSeq: %v, want %v", paged, want)
	}
}
