package portal

import (
	"context"
	"slices"
	"strings"
)

// beneficiaryFilter selects grants by a beneficiary whose id or folded
// name holds the folded text want (the producer's grant list filtered by
// beneficiary), from the grant's record: each distinct beneficiary is
// named once a request (an organisation's grants share them) and a
// grant's details are built only for the grants the page shows, where
// every grant of the organisation used to be detailed (its beneficiaries,
// creator and services named) to be filtered.
type beneficiaryFilter struct {
	v            view
	want         string
	users, comms map[string]bool // id → matches
}

func newBeneficiaryFilter(v view, want string) *beneficiaryFilter {
	return &beneficiaryFilter{v: v, want: want, users: map[string]bool{}, comms: map[string]bool{}}
}

// selects reports whether g has a beneficiary the filter wants.
func (f *beneficiaryFilter) selects(ctx context.Context, g Grant) (bool, error) {
	for _, set := range []struct {
		ids   []string
		seen  map[string]bool
		names func(context.Context, view, []string) ([]Named, error)
	}{{g.Users, f.users, accountNames}, {g.Communities, f.comms, communityNames}} {
		for _, id := range set.ids {
			ok, known := set.seen[id]
			if !known {
				ns, err := set.names(ctx, f.v, []string{id})
				if err != nil {
					return false, err
				}
				ok = strings.Contains(fold(id), f.want) || strings.Contains(fold(ns[0].Name), f.want)
				set.seen[id] = ok
			}
			if ok {
				return true, nil
			}
		}
	}
	return false, nil
}

// indexedIDs returns the ids of the records of kind under key (every
// record of the kind when key is ""), in id order after `after`, once the
// copy has caught up with the store: a list that is filtered and paged
// reads the records it looks at one by one (indexedOneAsIs) rather than a
// copy of them all.
func indexedIDs(ctx context.Context, r *records, kind, key, after string) ([]string, error) {
	if err := r.fresh(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	mk := r.kinds[kind]
	if mk == nil || mk.idx == nil {
		return nil, nil
	}
	ids := mk.ids
	if key != "" {
		ids = mk.idx.by[key]
	}
	i, found := slices.BinarySearch(ids, after)
	if found {
		i++
	}
	return slices.Clone(ids[i:]), nil
}
