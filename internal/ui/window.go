package ui

import "slices"

// window cuts the page of listPage items after cursor `after` out of
// items sorted by id, and returns the cursor of the next page ("" at the
// end). For lists the portal gives whole, such as a profile's
// memberships, which a platform administrator may have by the thousand:
// the page shows a page of them.
func window[T any](items []T, after string, id func(T) string) ([]T, string) {
	i := 0
	if after != "" {
		i, _ = slices.BinarySearchFunc(items, after, func(t T, a string) int {
			switch s := id(t); {
			case s < a:
				return -1
			case s > a:
				return 1
			}
			return 0
		})
		if i < len(items) && id(items[i]) == after {
			i++
		}
	}
	items = items[i:]
	if len(items) > listPage {
		return items[:listPage], id(items[listPage-1])
	}
	return items, ""
}
