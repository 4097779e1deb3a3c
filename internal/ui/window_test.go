package ui

import (
	"fmt"
	"slices"
	"testing"
)

func TestWindowPagesAListSortedByID(t *testing.T) {
	var ids []string
	for i := range 2*listPage + 3 {
		ids = append(ids, fmt.Sprintf("c%04d", i))
	}
	id := func(s string) string { return s }
	var seen []string
	after, pages := "", 0
	for {
		page, next := window(ids, after, id)
		seen = append(seen, page...)
		pages++
		if next == "" {
			break
		}
		if len(page) != listPage || next != page[len(page)-1] {
			t.Fatalf("page %d: %d items, next %q", pages, len(page), next)
		}
		after = next
	}
	if pages != 3 || !slices.Equal(seen, ids) {
		t.Errorf("%d pages, %d items seen of %d", pages, len(seen), len(ids))
	}
	// A cursor that is no longer in the list (the membership ended)
	// starts after where it would be.
	if page, _ := window(ids, "c0010x", id); page[0] != "c0011" {
		t.Errorf("after a missing cursor the page starts at %s", page[0])
	}
	if page, next := window(ids, "zzz", id); len(page) != 0 || next != "" {
		t.Errorf("after the end: %v %q", page, next)
	}
}
