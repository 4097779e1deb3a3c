package portal

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/octroi/octroi/internal/store"
)

// memKinds are the record kinds the service keeps in memory: those that
// lists, searches and access tables show by the thousand.
var memKinds = []string{kindAccount, kindOrg, kindCommunity, kindOrgGroup, kindDataset, kindService, kindGrant}

// kindDeleted records the deletion of a record of a kind kept in memory
// (id "kind/id"), since followers read what was written (DocsSince), and a
// deleted document is no longer there to read. These records are kept:
// that of an organisation also retires its id (CreateOrganisation).
const kindDeleted = "deleted_record"

// records is the in-memory copy of the records of memKinds, which the
// service's reads use instead of the database: at platform scale a list
// page or an access table reads thousands of records, and a query each (or
// a JSON decoding of every group for every table) is what made them slow.
//
// It follows the store as the engine's index follows the changelog: before
// a read, when the index has applied revisions the copy has not, it reads
// the records written in between (DocsSince: one indexed query, none when
// nothing changed), so a read sees at least the records of the revision
// the index had when it began; a change made through the service waits for
// the index (Config.Sync), so its author's next read sees it. On another
// node, records appear as the relationships written with them do. The
// first read loads every record of memKinds. Safe for concurrent use.
type records struct {
	store    store.Documents
	follower store.DocFollower
	revision func() store.Revision // the engine's index's

	mu     sync.RWMutex
	loaded bool
	rev    store.Revision
	kinds  map[string]*memKind
}

// memKind holds the records of one kind.
type memKind struct {
	docs map[string]store.Doc
	ids  []string          // sorted
	alt  map[string]string // alternate key → id
	// groups are the decoded names of groups (organisations, communities,
	// groups of organisations), with their folded forms, for access tables.
	groups map[string]memGroup
	// keys index accounts by the words they are searched by, sorted; nil
	// until the first search (see SearchAccounts).
	keys []searchKey
	// idx holds the decoded records of kinds with an indexer (memindex.go).
	idx *memIndex
}

type memGroup struct {
	groupRec
	folded, lower string
}

func newRecords(docs store.Documents, rev func() store.Revision) *records {
	return &records{store: docs, follower: docs, revision: rev}
}

// fresh brings the copy up to the index's revision.
func (r *records) fresh(ctx context.Context) error {
	target := r.revision()
	r.mu.RLock()
	ok := r.loaded && r.rev >= target
	r.mu.RUnlock()
	if ok {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.loaded {
		return r.load(ctx, target)
	}
	if r.rev >= target {
		return nil
	}
	docs, err := r.follower.DocsSince(ctx, append(memKinds[:len(memKinds):len(memKinds)], kindDeleted), r.rev, target)
	if err != nil {
		return err
	}
	r.apply(docs)
	r.rev = target
	return nil
}

// load reads every record of memKinds; they are at least as fresh as
// revision target, read before (records written meanwhile are read again
// by the next fresh, which is harmless).
func (r *records) load(ctx context.Context, target store.Revision) error {
	r.kinds = map[string]*memKind{}
	for _, k := range memKinds {
		mk := &memKind{docs: map[string]store.Doc{}, alt: map[string]string{}, groups: map[string]memGroup{}}
		r.kinds[k] = mk
		after := ""
		for {
			page, err := r.store.ListDocs(ctx, k, "", after, 5000)
			if err != nil {
				return err
			}
			for _, d := range page {
				mk.put(d)
				mk.ids = append(mk.ids, d.ID) // in id order
			}
			if len(page) < 5000 {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	r.loaded, r.rev = true, target
	return nil
}

// apply applies records written after the copy's revision, in revision
// order.
func (r *records) apply(docs []store.Doc) {
	var added map[string]bool // kinds with ids appended out of order
	for _, d := range docs {
		if d.Kind == kindDeleted {
			kind, id, _ := strings.Cut(d.ID, "/")
			if mk := r.kinds[kind]; mk != nil {
				mk.remove(id)
			}
			continue
		}
		mk := r.kinds[d.Kind]
		if _, ok := mk.docs[d.ID]; !ok {
			if len(docs) < 1000 {
				i, _ := slices.BinarySearch(mk.ids, d.ID)
				mk.ids = slices.Insert(mk.ids, i, d.ID)
			} else {
				// An import: sort once rather than insert each, and
				// build the search keys again at the next search.
				mk.keys = nil
				mk.ids = append(mk.ids, d.ID)
				if added == nil {
					added = map[string]bool{}
				}
				added[d.Kind] = true
			}
		}
		mk.put(d)
	}
	for k := range added {
		slices.Sort(r.kinds[k].ids)
	}
}

func (mk *memKind) put(d store.Doc) {
	old, ok := mk.docs[d.ID]
	if ok && old.Alt != "" {
		delete(mk.alt, old.Alt)
	}
	if !ok {
		mk.updateKeys(nil, &d)
		mk.reindex(nil, &d)
	} else {
		mk.updateKeys(&old, &d)
		mk.reindex(&old, &d)
	}
	mk.docs[d.ID] = d
	if d.Alt != "" {
		mk.alt[d.Alt] = d.ID
	}
	if d.Kind == kindOrg || d.Kind == kindCommunity || d.Kind == kindOrgGroup {
		var g groupRec
		if json.Unmarshal(d.Data, &g) == nil {
			mk.groups[d.ID] = memGroup{groupRec: g, folded: fold(g.Name), lower: strings.ToLower(g.Name)}
		}
	}
}

func (mk *memKind) remove(id string) {
	d, ok := mk.docs[id]
	if !ok {
		return
	}
	mk.updateKeys(&d, nil)
	mk.reindex(&d, nil)
	delete(mk.docs, id)
	delete(mk.groups, id)
	if d.Alt != "" {
		delete(mk.alt, d.Alt)
	}
	if i, ok := slices.BinarySearch(mk.ids, id); ok {
		mk.ids = slices.Delete(mk.ids, i, i+1)
	}
}

// GetDoc, DocByAlt and ListDocs read a kind of memKinds from memory, any
// other from the database.

func (r *records) GetDoc(ctx context.Context, kind, id string) (store.Doc, error) {
	if !slices.Contains(memKinds, kind) {
		return r.store.GetDoc(ctx, kind, id)
	}
	if err := r.fresh(ctx); err != nil {
		return store.Doc{}, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	d, ok := r.kinds[kind].docs[id]
	if !ok {
		return store.Doc{}, store.ErrNotFound
	}
	return d, nil
}

func (r *records) DocByAlt(ctx context.Context, kind, alt string) (store.Doc, error) {
	if !slices.Contains(memKinds, kind) {
		return r.store.DocByAlt(ctx, kind, alt)
	}
	if err := r.fresh(ctx); err != nil {
		return store.Doc{}, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	mk := r.kinds[kind]
	id, ok := mk.alt[alt]
	if !ok {
		return store.Doc{}, store.ErrNotFound
	}
	return mk.docs[id], nil
}

func (r *records) ListDocs(ctx context.Context, kind, parent, after string, limit int) ([]store.Doc, error) {
	if !slices.Contains(memKinds, kind) {
		return r.store.ListDocs(ctx, kind, parent, after, limit)
	}
	if err := r.fresh(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	mk := r.kinds[kind]
	i, found := slices.BinarySearch(mk.ids, after)
	if found {
		i++
	}
	var out []store.Doc
	for ; i < len(mk.ids) && (limit <= 0 || len(out) < limit); i++ {
		if d := mk.docs[mk.ids[i]]; parent == "" || d.Parent == parent {
			out = append(out, d)
		}
	}
	return out, nil
}

// groups calls fn with every group of kind k (in id order) and its name,
// folded and lower-cased: the rows of an access table.
func (r *records) groups(ctx context.Context, k string, fn func(id string, g memGroup)) error {
	if err := r.fresh(ctx); err != nil {
		return err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	mk := r.kinds[k]
	for _, id := range mk.ids {
		if g, ok := mk.groups[id]; ok {
			fn(id, g)
		}
	}
	return nil
}
