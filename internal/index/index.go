// Package index holds every relationship in memory, revisioned, with forward
// adjacency (from a resource to its subjects) and reverse adjacency (from a
// subject to the resources it is attached to), so that "who is in this
// relation" and "which resources is this subject attached to" both cost a
// binary search.
//
// # Revisions and snapshots
//
// Every applied batch of changes carries a revision greater than the last.
// Each stored record is stamped with the revision that created it and the
// one that deleted it (multi-version), so a reader working at revision R sees
// exactly the relationships live at R, even while later batches are applied:
// a Snapshot pins a revision, and deleted records are kept until GC is told
// that no reader can still ask for a revision that old.
//
// # Concurrency
//
// The index is safe for many concurrent readers and one writer at a time
// (writers serialise among themselves). A Snapshot holds a read lock from
// Read until Close: readers must Close promptly and must not call writing
// methods while holding one. Writes wait for open snapshots to close, and
// snapshots opened while a write waits wait for it, so a snapshot should
// cover one query (a check, or one page of a lookup), never a client's
// think time.
//
// # Memory
//
// Object ids are interned per type; a record is 32 bytes; each record costs 4
// more bytes in the forward list of its resource and 4 in the reverse list of
// its subject. Caveats and expirations live in a side table, paid only by the
// records that have them.
package index

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

// Op is what a Change does.
type Op uint8

const (
	// Touch creates the relationship, or replaces its caveat and expiration.
	Touch Op = iota + 1
	// Delete removes the relationship if it exists.
	Delete
)

// Change is one operation of a batch.
type Change struct {
	Op  Op
	Rel tuple.Relationship
}

// live is the deletion stamp of a record that is not deleted.
const live = ^uint64(0)

// chunkBits sizes the record chunks: records never move once written, so a
// record id stays valid and growing never copies the whole table.
const chunkBits = 16

// rec is one stored relationship version.
type rec struct {
	res, subj uint32 // nodes
	extra     uint32 // 0, or an index in extras
	rel, srel uint16 // members; srel 0 means "no subject relation"
	created   uint64
	deleted   uint64
}

// extra holds what few records have: a caveat and an expiration.
type extra struct {
	caveat  string
	context map[string]any
	expires int64 // unix microseconds (nanoseconds overflow in 2262); 0 = never
}

// node is one object (type and id). Wildcards are nodes whose id is "*".
type node struct {
	id  string
	fwd []Edge // records whose resource is this node, sorted by (Rel, Srel, Node, id)
	rev []Edge // records whose subject is this node, sorted by (Srel, Rel, Node, id)
	typ uint16
}

// Edge is an entry of an adjacency list. It carries its record's sort key,
// so that searches and scans need not touch the record itself.
type Edge struct {
	// Node is the other end: the subject in a forward list, the resource in
	// a reverse list.
	Node uint32
	Rel  uint16
	Srel uint16
	id   uint32 // the record id, with plainBit when the record is plain
}

// plainBit marks a plain record: live at every revision a reader may still
// ask for, with neither caveat nor expiration. Visible needs nothing more.
const plainBit = 1 << 31

// ID returns the edge's record id.
func (e Edge) ID() uint32 { return e.id &^ plainBit }

func (e Edge) plain() bool { return e.id&plainBit != 0 }

func cmpFwd(a, b Edge) int {
	if c := cmpU16(a.Rel, b.Rel); c != 0 {
		return c
	}
	if c := cmpU16(a.Srel, b.Srel); c != 0 {
		return c
	}
	if c := cmpU32(a.Node, b.Node); c != 0 {
		return c
	}
	return cmpU32(a.ID(), b.ID())
}

func cmpRev(a, b Edge) int {
	if c := cmpU16(a.Srel, b.Srel); c != 0 {
		return c
	}
	if c := cmpU16(a.Rel, b.Rel); c != 0 {
		return c
	}
	if c := cmpU32(a.Node, b.Node); c != 0 {
		return c
	}
	return cmpU32(a.ID(), b.ID())
}

// edges returns the forward and reverse edges of record id.
func (x *Index) edges(id uint32) (fwd, rev Edge) {
	r := x.rec(id)
	fwd = Edge{Node: r.subj, Rel: r.rel, Srel: r.srel, id: id}
	rev = Edge{Node: r.res, Rel: r.rel, Srel: r.srel, id: id}
	if r.extra == 0 && r.created <= x.oldest && r.deleted == live {
		fwd.id |= plainBit
		rev.id |= plainBit
	}
	return fwd, rev
}

// edgeAt returns the position of record id's edge e in list (sorted by cmp).
func edgeAt(list []Edge, e Edge, cmp func(a, b Edge) int) int {
	i, ok := slices.BinarySearchFunc(list, e, cmp)
	if !ok {
		return -1
	}
	return i
}

// setPlain sets or clears record id's plain bit in both its lists.
func (x *Index) setPlain(id uint32, plain bool) {
	f, r := x.edges(id)
	r0 := x.rec(id)
	for _, l := range []struct {
		list []Edge
		e    Edge
		cmp  func(a, b Edge) int
	}{{x.nodes[r0.res].fwd, f, cmpFwd}, {x.nodes[r0.subj].rev, r, cmpRev}} {
		if i := edgeAt(l.list, l.e, l.cmp); i >= 0 {
			if plain {
				l.list[i].id = id | plainBit
			} else {
				l.list[i].id = id
			}
		}
	}
}

type memberKey struct {
	typ  uint16
	name string
}

type deadRec struct {
	id      uint32
	deleted uint64
}

// Index is the in-memory relationship index. The zero value is not usable:
// call New.
type Index struct {
	mu sync.RWMutex

	rev     uint64
	changed chan struct{} // closed and replaced at every new revision

	types    []string
	typeIDs  map[string]uint16
	objects  []map[string]uint32 // per type: id → node
	members  []memberKey         // member id → (type, name); id 0 is unused
	memberID map[memberKey]uint16

	nodes   []node
	chunks  [][]rec
	nrecs   uint32
	free    []uint32 // record slots to reuse
	extras  []extra  // index 0 unused
	xfree   []uint32
	dead    []deadRec // deleted records not yet collected, by deletion revision
	young   []uint32  // records written since the load, not yet known plain
	live    int       // live (not deleted) records, expired ones included
	revTime []revStamp
	oldest  uint64 // the GC horizon: older revisions can no longer be read
}

type revStamp struct {
	rev uint64
	at  time.Time
}

// New returns an empty index at revision 0.
func New() *Index {
	x := &Index{
		changed:  make(chan struct{}),
		typeIDs:  map[string]uint16{},
		memberID: map[memberKey]uint16{},
		members:  []memberKey{{}},
		extras:   []extra{{}},
	}
	x.nodes = append(x.nodes, node{}) // node 0 is never used, so 0 can mean "none"
	return x
}

// Revision returns the latest applied revision.
func (x *Index) Revision() uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.rev
}

// Len returns the number of live relationships (expired ones included until
// they are deleted).
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.live
}

// WaitFor blocks until the index has applied revision rev, or ctx ends.
func (x *Index) WaitFor(ctx context.Context, rev uint64) error {
	for {
		x.mu.RLock()
		cur, ch := x.rev, x.changed
		x.mu.RUnlock()
		if cur >= rev {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("index at revision %d, waiting for %d: %w", cur, rev, ctx.Err())
		}
	}
}

// ErrStaleRevision is returned by Apply and Load for a revision not above the
// current one.
var ErrStaleRevision = errors.New("revision is not newer than the index's")

// Apply applies a batch of changes as revision rev, which must be greater
// than the current revision. It validates nothing against a schema: callers
// apply what the store has committed. An empty batch just advances the
// revision.
//
// A batch is applied whole or not at all: a change with an unknown Op, or
// a batch needing more object types or members than the index can number
// (maxIDs), is refused before anything changes, and the index stays at its
// revision.
func (x *Index) Apply(rev uint64, changes []Change) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if rev <= x.rev {
		return fmt.Errorf("apply revision %d at %d: %w", rev, x.rev, ErrStaleRevision)
	}
	if err := x.check(changes); err != nil {
		return fmt.Errorf("apply revision %d: %w; nothing of the batch was applied", rev, err)
	}
	for i := range changes {
		c := &changes[i]
		if c.Op == Touch {
			x.touch(rev, &c.Rel)
		} else {
			x.delete(rev, &c.Rel)
		}
	}
	x.advance(rev)
	return nil
}

// maxIDs is how many object types, and how many members, the index can
// number: their ids are 16 bits.
const maxIDs = 1 << 16

// check finds what would stop Apply half-way through changes, so that it
// is refused before the first change is applied. Past it, applying a
// change cannot fail.
func (x *Index) check(changes []Change) error {
	for i := range changes {
		if op := changes[i].Op; op != Touch && op != Delete {
			return fmt.Errorf("change %d (%s): unknown operation %d (want Touch or Delete)", i, tuple.Format(changes[i].Rel), op)
		}
	}
	// A change adds at most two types and two members: count the new ones
	// only when that could overflow.
	if len(x.types)+2*len(changes) <= maxIDs && len(x.members)+2*len(changes) <= maxIDs {
		return nil
	}
	types, members := map[string]bool{}, map[[2]string]bool{}
	for i := range changes {
		if changes[i].Op == Delete {
			continue // deleting interns nothing
		}
		r := &changes[i].Rel
		for _, m := range [][2]string{{r.Resource.Type, r.Relation}, {r.Subject.Type, r.Subject.Relation}} {
			t, known := x.typeIDs[m[0]]
			if !known {
				types[m[0]] = true
			}
			if _, ok := x.memberID[memberKey{t, m[1]}]; m[1] != "" && (!known || !ok) {
				members[m] = true
			}
		}
	}
	if n := len(x.types) + len(types); n > maxIDs {
		return fmt.Errorf("the batch brings the object types to %d, more than the %d the index can number", n, maxIDs)
	}
	if n := len(x.members) + len(members); n > maxIDs {
		return fmt.Errorf("the batch brings the relations to %d, more than the %d the index can number", n, maxIDs)
	}
	return nil
}

func (x *Index) advance(rev uint64) {
	x.rev = rev
	x.revTime = append(x.revTime, revStamp{rev, time.Now()})
	close(x.changed)
	x.changed = make(chan struct{})
}

// Load bulk-loads an empty index: fill calls add for every relationship and
// returns the revision they make up (the store's revision at the snapshot it
// read). Load is much faster than Apply: lists are sorted once at the end.
// A fact added twice is kept once (the last wins).
func (x *Index) Load(fill func(add func(tuple.Relationship)) (uint64, error)) (int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.live != 0 || x.rev != 0 {
		return 0, errors.New("index: Load needs an empty index")
	}
	n := 0
	rev, err := fill(func(r tuple.Relationship) {
		res := x.nodeFor(r.Resource.Type, r.Resource.ID)
		subj := x.nodeFor(r.Subject.Type, r.Subject.ID)
		id := x.newRec(rec{
			res: res, subj: subj,
			rel:   x.internMember(x.nodes[res].typ, r.Relation),
			srel:  x.subjectMember(x.nodes[subj].typ, r.Subject.Relation),
			extra: x.newExtra(&r),
			// Stamped 0: nothing older than a load can be read.
			created: 0, deleted: live,
		})
		f, rv := x.edges(id)
		x.nodes[res].fwd = append(x.nodes[res].fwd, f)
		x.nodes[subj].rev = append(x.nodes[subj].rev, rv)
		n++
	})
	if err == nil && rev == 0 {
		err = fmt.Errorf("load at revision 0: %w", ErrStaleRevision)
	}
	if err != nil {
		x.reset()
		return 0, err
	}
	x.live = n
	// Sort every list; then drop duplicate facts, keeping the last loaded
	// (ids grow in load order, and ties sort by id).
	for i := range x.nodes {
		nd := &x.nodes[i]
		slices.SortFunc(nd.fwd, cmpFwd)
		slices.SortFunc(nd.rev, cmpRev)
	}
	for i := range x.nodes {
		fwd := x.nodes[i].fwd
		for j := 1; j < len(fwd); j++ {
			a, b := fwd[j-1], fwd[j]
			if a.Rel == b.Rel && a.Srel == b.Srel && a.Node == b.Node {
				x.retire(a.ID(), rev) // GC removes it from both lists
			}
		}
	}
	x.collect(rev)
	// Appending left up to half of each list unused: copy to size.
	for i := range x.nodes {
		nd := &x.nodes[i]
		if cap(nd.fwd) > len(nd.fwd) {
			nd.fwd = slices.Clone(nd.fwd)
		}
		if cap(nd.rev) > len(nd.rev) {
			nd.rev = slices.Clone(nd.rev)
		}
	}
	x.advance(rev)
	return x.live, nil
}

// reset empties the index after a failed Load (the lock stays held).
func (x *Index) reset() {
	f := New()
	x.types, x.typeIDs, x.objects, x.members, x.memberID = f.types, f.typeIDs, f.objects, f.members, f.memberID
	x.nodes, x.chunks, x.nrecs, x.free, x.extras, x.xfree, x.dead, x.live = f.nodes, nil, 0, nil, f.extras, nil, nil, 0
	x.young = nil
}

// GC forgets deleted records whose deletion revision is at or below horizon:
// after it, snapshots at revisions below horizon may miss them. Callers pick
// horizon so that no reader still needs those revisions (see HorizonBefore).
func (x *Index) GC(horizon uint64) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.collect(horizon)
}

// HorizonBefore returns the newest revision applied at or before t: the GC
// horizon that keeps every revision younger than t readable.
func (x *Index) HorizonBefore(t time.Time) uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, _ := slices.BinarySearchFunc(x.revTime, t, func(s revStamp, t time.Time) int {
		return s.at.Compare(t)
	})
	if i == 0 {
		return 0
	}
	return x.revTime[i-1].rev
}

func (x *Index) collect(horizon uint64) int {
	n := 0
	for n < len(x.dead) && x.dead[n].deleted <= horizon {
		id := x.dead[n].id
		f, rv := x.edges(id)
		r := x.rec(id)
		x.nodes[r.res].fwd = removeEdge(x.nodes[r.res].fwd, f, cmpFwd)
		x.nodes[r.subj].rev = removeEdge(x.nodes[r.subj].rev, rv, cmpRev)
		if r.extra != 0 {
			x.extras[r.extra] = extra{}
			x.xfree = append(x.xfree, r.extra)
		}
		*r = rec{}
		x.free = append(x.free, id)
		n++
	}
	x.dead = slices.Delete(x.dead, 0, n)
	x.oldest = max(x.oldest, horizon)
	// Records written before the horizon are now seen by every reader:
	// mark the plain ones so that reads skip their record.
	k := 0
	for k < len(x.young) && x.rec(x.young[k]).created <= horizon {
		id := x.young[k]
		if r := x.rec(id); r.deleted == live && r.extra == 0 && r.created != 0 {
			x.setPlain(id, true)
		}
		k++
	}
	x.young = slices.Delete(x.young, 0, k)
	// Keep the revision-time table from growing without bound.
	if k, _ := slices.BinarySearchFunc(x.revTime, horizon, func(s revStamp, r uint64) int {
		return cmpU64(s.rev, r)
	}); k > 0 {
		x.revTime = slices.Delete(x.revTime, 0, k-1)
	}
	return n
}

func removeEdge(list []Edge, e Edge, cmp func(a, b Edge) int) []Edge {
	e.id &^= plainBit
	i, _ := slices.BinarySearchFunc(list, e, cmp)
	if i < len(list) && list[i].ID() == e.ID() {
		return slices.Delete(list, i, i+1)
	}
	return list
}

func (x *Index) rec(id uint32) *rec {
	return &x.chunks[id>>chunkBits][id&(1<<chunkBits-1)]
}

func (x *Index) newRec(r rec) uint32 {
	if n := len(x.free); n > 0 {
		id := x.free[n-1]
		x.free = x.free[:n-1]
		*x.rec(id) = r
		return id
	}
	id := x.nrecs
	if int(id>>chunkBits) == len(x.chunks) {
		x.chunks = append(x.chunks, make([]rec, 1<<chunkBits))
	}
	x.nrecs++
	*x.rec(id) = r
	return id
}

func (x *Index) newExtra(r *tuple.Relationship) uint32 {
	if r.Caveat == nil && r.Expiration == nil {
		return 0
	}
	e := extra{}
	if r.Caveat != nil {
		e.caveat = r.Caveat.Name
		e.context = r.Caveat.Context
	}
	if r.Expiration != nil {
		e.expires = r.Expiration.UnixMicro()
	}
	if n := len(x.xfree); n > 0 {
		id := x.xfree[n-1]
		x.xfree = x.xfree[:n-1]
		x.extras[id] = e
		return id
	}
	x.extras = append(x.extras, e)
	return uint32(len(x.extras) - 1)
}

func (x *Index) typeID(name string) uint16 {
	if id, ok := x.typeIDs[name]; ok {
		return id
	}
	if len(x.types) >= maxIDs {
		// Apply refuses a batch before it gets here; Type is called with
		// a schema's definitions, far fewer.
		panic(fmt.Sprintf("index: more than %d object types", maxIDs))
	}
	id := uint16(len(x.types))
	x.types = append(x.types, name)
	x.typeIDs[name] = id
	x.objects = append(x.objects, map[string]uint32{})
	return id
}

func (x *Index) nodeFor(typ, id string) uint32 {
	t := x.typeID(typ)
	if n, ok := x.objects[t][id]; ok {
		return n
	}
	n := uint32(len(x.nodes))
	x.nodes = append(x.nodes, node{id: id, typ: t})
	x.objects[t][id] = n
	return n
}

func (x *Index) internMember(t uint16, name string) uint16 {
	k := memberKey{t, name}
	if id, ok := x.memberID[k]; ok {
		return id
	}
	if len(x.members) >= maxIDs {
		panic(fmt.Sprintf("index: more than %d relations and permissions", maxIDs)) // see typeID
	}
	id := uint16(len(x.members))
	x.members = append(x.members, k)
	x.memberID[k] = id
	return id
}

func (x *Index) subjectMember(t uint16, name string) uint16 {
	if name == "" {
		return 0
	}
	return x.internMember(t, name)
}

// Member returns the id of member name (a relation or permission) of type
// typ, creating it if needed. Ids are small, dense and stable for the
// index's lifetime; the engine keys its compiled schema by them. It panics
// past 65,536 members rather than reuse an id.
func (x *Index) Member(typ, name string) uint16 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.internMember(x.typeID(typ), name)
}

// Type returns the id of a type name, creating it if needed; it panics past
// 65,536 types rather than reuse an id.
func (x *Index) Type(name string) uint16 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.typeID(name)
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpU16(a, b uint16) int { return int(a) - int(b) }

// findLive returns the live record of a fact, or 0, false.
func (x *Index) findLive(res, subj uint32, rel, srel uint16) (uint32, bool) {
	fwd := x.nodes[res].fwd
	key := Edge{Node: subj, Rel: rel, Srel: srel}
	i, _ := slices.BinarySearchFunc(fwd, key, cmpFwd)
	for ; i < len(fwd) && fwd[i].Rel == rel && fwd[i].Srel == srel && fwd[i].Node == subj; i++ {
		if x.rec(fwd[i].ID()).deleted == live {
			return fwd[i].ID(), true
		}
	}
	return 0, false
}

func (x *Index) touch(rev uint64, r *tuple.Relationship) {
	res := x.nodeFor(r.Resource.Type, r.Resource.ID)
	subj := x.nodeFor(r.Subject.Type, r.Subject.ID)
	rel := x.internMember(x.nodes[res].typ, r.Relation)
	srel := x.subjectMember(x.nodes[subj].typ, r.Subject.Relation)
	if old, ok := x.findLive(res, subj, rel, srel); ok {
		if x.sameExtra(x.rec(old).extra, r) {
			return
		}
		x.retire(old, rev)
	}
	id := x.newRec(rec{res: res, subj: subj, rel: rel, srel: srel, extra: x.newExtra(r), created: rev, deleted: live})
	f, rv := x.edges(id)
	x.nodes[res].fwd = insertSorted(x.nodes[res].fwd, f, cmpFwd)
	x.nodes[subj].rev = insertSorted(x.nodes[subj].rev, rv, cmpRev)
	x.young = append(x.young, id)
	x.live++
}

func (x *Index) delete(rev uint64, r *tuple.Relationship) {
	t, ok := x.typeIDs[r.Resource.Type]
	if !ok {
		return
	}
	res, ok := x.objects[t][r.Resource.ID]
	if !ok {
		return
	}
	st, ok := x.typeIDs[r.Subject.Type]
	if !ok {
		return
	}
	subj, ok := x.objects[st][r.Subject.ID]
	if !ok {
		return
	}
	rel, ok := x.memberID[memberKey{t, r.Relation}]
	if !ok {
		return
	}
	var srel uint16
	if r.Subject.Relation != "" {
		if srel, ok = x.memberID[memberKey{st, r.Subject.Relation}]; !ok {
			return
		}
	}
	if old, ok := x.findLive(res, subj, rel, srel); ok {
		x.retire(old, rev)
	}
}

func (x *Index) retire(id uint32, rev uint64) {
	x.setPlain(id, false)
	x.rec(id).deleted = rev
	x.dead = append(x.dead, deadRec{id, rev})
	x.live--
}

func (x *Index) sameExtra(e uint32, r *tuple.Relationship) bool {
	if e == 0 {
		return r.Caveat == nil && r.Expiration == nil
	}
	ex := &x.extras[e]
	if (r.Caveat == nil) != (ex.caveat == "") {
		return false
	}
	if r.Caveat != nil && (r.Caveat.Name != ex.caveat || !sameContext(r.Caveat.Context, ex.context)) {
		return false
	}
	if r.Expiration == nil {
		return ex.expires == 0
	}
	return r.Expiration.UnixMicro() == ex.expires
}

func sameContext(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	// Contexts are JSON-shaped; formatting is a cheap, exact comparison.
	return fmt.Sprint(sortedPairs(a)) == fmt.Sprint(sortedPairs(b))
}

func sortedPairs(m map[string]any) []any {
	keys := slices.Sorted(maps.Keys(m))
	out := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, k, m[k])
	}
	return out
}

func insertSorted(list []Edge, e Edge, cmp func(a, b Edge) int) []Edge {
	i, _ := slices.BinarySearchFunc(list, e, cmp)
	return slices.Insert(list, i, e)
}
