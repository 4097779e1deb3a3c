package portal

import (
	"context"
	"slices"

	"github.com/octroi/octroi/internal/store"
)

// memIndexers are the kinds kept in memory whose records are also kept
// decoded and found by secondary keys: services by path, dataset and
// organisation (the gateway asks for the services at a path on every
// request, and must not decode JSON for it; the producer's screen lists an
// organisation's), grants by service, beneficiary and grantor (the
// producer and consumer views). An indexer returns the decoded record and
// its keys; a record it cannot decode is kept as a document only.
var memIndexers = map[string]func(store.Doc) (any, []string){
	kindService: func(d store.Doc) (any, []string) {
		var m MapService
		if decodeRecord(d, &m) != nil {
			return nil, nil
		}
		return m, []string{"path:" + m.Path, "dataset:" + m.Dataset, "org:" + m.Organisation}
	},
	kindGrant: func(d store.Doc) (any, []string) {
		var g Grant
		if decodeRecord(d, &g) != nil {
			return nil, nil
		}
		keys := []string{"org:" + g.Grantor}
		for _, s := range g.Services {
			keys = append(keys, "service:"+s)
		}
		for _, u := range g.Users {
			keys = append(keys, "user:"+u)
		}
		for _, c := range g.Communities {
			keys = append(keys, "community:"+c)
		}
		return g, keys
	},
}

// memIndex is the decoded records of one kind and their secondary keys.
type memIndex struct {
	vals map[string]any      // id → decoded record
	keys map[string][]string // id → its keys
	by   map[string][]string // key → ids, sorted
}

// reindex replaces old's entries (nil: none) with d's (nil: none), for a
// kind with an indexer; callers hold the write lock.
func (mk *memKind) reindex(old, d *store.Doc) {
	var kind string
	switch {
	case d != nil:
		kind = d.Kind
	case old != nil:
		kind = old.Kind
	}
	index := memIndexers[kind]
	if index == nil {
		return
	}
	if mk.idx == nil {
		mk.idx = &memIndex{vals: map[string]any{}, keys: map[string][]string{}, by: map[string][]string{}}
	}
	x := mk.idx
	if old != nil {
		for _, k := range x.keys[old.ID] {
			ids := x.by[k]
			if i, ok := slices.BinarySearch(ids, old.ID); ok {
				ids = slices.Delete(ids, i, i+1)
			}
			if len(ids) == 0 {
				delete(x.by, k)
			} else {
				x.by[k] = ids
			}
		}
		delete(x.keys, old.ID)
		delete(x.vals, old.ID)
	}
	if d == nil {
		return
	}
	v, keys := index(*d)
	if v == nil {
		return
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	x.vals[d.ID], x.keys[d.ID] = v, keys
	for _, k := range keys {
		ids := x.by[k]
		if i, ok := slices.BinarySearch(ids, d.ID); !ok {
			x.by[k] = slices.Insert(ids, i, d.ID)
		}
	}
}

// indexed returns the decoded records of kind under key (every record of
// the kind when key is ""), in id order after `after`, once the copy has
// caught up with the store.
func indexed[T any](ctx context.Context, r *records, kind, key, after string) ([]T, error) {
	if err := r.fresh(ctx); err != nil {
		return nil, err
	}
	return indexedAsIs[T](r, kind, key, after), nil
}

// indexedAsIs is indexed on the copy as it is, without asking the store.
func indexedAsIs[T any](r *records, kind, key, after string) []T {
	r.mu.RLock()
	defer r.mu.RUnlock()
	mk := r.kinds[kind]
	if mk == nil || mk.idx == nil {
		return nil
	}
	ids := mk.ids
	if key != "" {
		ids = mk.idx.by[key]
	}
	i, found := slices.BinarySearch(ids, after)
	if found {
		i++
	}
	out := make([]T, 0, len(ids)-i)
	for _, id := range ids[i:] {
		if v, ok := mk.idx.vals[id].(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// indexedOne returns the decoded record (kind, id), once the copy has
// caught up with the store.
func indexedOne[T any](ctx context.Context, r *records, kind, id string) (T, bool, error) {
	if err := r.fresh(ctx); err != nil {
		var zero T
		return zero, false, err
	}
	v, ok := indexedOneAsIs[T](r, kind, id)
	return v, ok, nil
}

// indexedOneAsIs is indexedOne on the copy as it is.
func indexedOneAsIs[T any](r *records, kind, id string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var zero T
	mk := r.kinds[kind]
	if mk == nil || mk.idx == nil {
		return zero, false
	}
	v, ok := mk.idx.vals[id].(T)
	return v, ok
}
