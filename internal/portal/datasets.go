package portal

import (
	"context"
	"github.com/octroi/octroi/internal/messages"
	"slices"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

func datasetRef(id string) tuple.ObjectRef { return obj("dataset", id) }

// datasetGuard needs perm on the dataset; to whoever may not even search
// it, the dataset does not exist (a private dataset is never revealed).
func datasetGuard(id, perm string) guard {
	return guard{rights: []right{{datasetRef(id), perm}}, hide: &right{datasetRef(id), "search"}}
}

// levelMask is the set of level relations a level holds: bit l-1 for each
// level l from search up to it.
func levelMask(l Level) uint8 { return uint8(1)<<uint(l) - 1 }

// maskLevel is the level a set of level relations grants: the highest.
func maskLevel(m uint8) Level {
	l := LevelPrivate
	for m != 0 {
		l++
		m >>= 1
	}
	return l
}

// wildcard is the subject of a dataset's default level: everyone.
var wildcard = tuple.SubjectRef{Type: "user", ID: tuple.Wildcard}

func groupSubject(g GroupRef) tuple.SubjectRef {
	return tuple.SubjectRef{Type: string(g.Kind), ID: g.ID, Relation: "member"}
}

// levels are a dataset's level relationships: the default (user:*) and the
// specific levels of groups, as sets of level relations.
type levels struct {
	def    uint8
	groups map[GroupRef]uint8
}

func (l levels) specific(g GroupRef) *Level {
	if m := l.groups[g]; m != 0 {
		lv := maskLevel(m)
		return &lv
	}
	return nil
}

// levels reads a dataset's level relationships.
func (v view) levels(ctx context.Context, id string) (levels, error) {
	rs, err := v.rels(ctx, store.Filter{ResourceType: "dataset", ResourceID: id})
	if err != nil {
		return levels{}, err
	}
	out := levels{groups: map[GroupRef]uint8{}}
	for _, r := range rs {
		var bit uint8
		for l := LevelSearch; l <= LevelDownload; l++ {
			if r.Relation == l.Relation() {
				bit = 1 << uint(l-1)
			}
		}
		switch {
		case bit == 0:
		case r.Subject == wildcard:
			out.def |= bit
		case r.Subject.Relation == "member":
			switch k := GroupKind(r.Subject.Type); k {
			case GroupOrganisation, GroupCommunity, GroupOrgGroup:
				out.groups[GroupRef{k, r.Subject.ID}] |= bit
			}
		}
	}
	return out, nil
}

// setMask writes the level relations of sub on a dataset from the set old
// to the set new.
func (t *txn) setMask(dataset string, sub tuple.SubjectRef, old, new uint8) {
	for l := LevelSearch; l <= LevelDownload; l++ {
		bit := uint8(1) << uint(l-1)
		r := rel(datasetRef(dataset), l.Relation(), sub)
		switch {
		case new&bit != 0 && old&bit == 0:
			t.touch(r)
		case new&bit == 0 && old&bit != 0:
			t.remove(r)
		}
	}
}

// dataset reads a dataset, with its default level from its relationships.
func (v view) dataset(ctx context.Context, id string) (Dataset, levels, error) {
	var d Dataset
	if err := v.get(ctx, kindDataset, id, &d); err != nil {
		return Dataset{}, levels{}, err
	}
	lv, err := v.levels(ctx, id)
	if err != nil {
		return Dataset{}, levels{}, err
	}
	d.Default = maskLevel(lv.def)
	return d, lv, nil
}

func datasetRecord(d Dataset) Dataset {
	return Dataset{ID: d.ID, Title: d.Title, Owner: d.Owner, Created: d.Created}
}

// CreateDataset publishes a dataset for its owner organisation (publish on
// it), with its default level. The product id is unique.
func (s *Service) CreateDataset(ctx context.Context, actor string, d Dataset) (Dataset, error) {
	var err error
	if err := checkID("product id", d.ID); err != nil {
		return Dataset{}, err
	}
	if d.Title, err = cleanText("title", d.Title, maxName, false); err != nil {
		return Dataset{}, err
	}
	if err := checkID("owner", d.Owner); err != nil {
		return Dataset{}, err
	}
	if err := checkLevel("default_level", d.Default); err != nil {
		return Dataset{}, err
	}
	err = s.do(ctx, actor, s.orgGuard(d.Owner, "publish"), func(t *txn) error {
		if ok, err := t.exists(ctx, kindDataset, d.ID); err != nil {
			return err
		} else if ok {
			return conflict("conflict.product_id_taken", messages.Quote(d.ID))
		}
		if err := t.mustExist(kindOrg, d.Owner); err != nil {
			return err
		}
		d.Created = t.at
		if err := t.put(kindDataset, d.ID, "", d.Owner, datasetRecord(d)); err != nil {
			return err
		}
		t.touch(t.s.platformLink(datasetRef(d.ID)))
		t.touch(rel(datasetRef(d.ID), "owner", tuple.SubjectRef{Type: "organisation", ID: d.Owner}))
		t.setMask(d.ID, wildcard, 0, levelMask(d.Default))
		return t.audit("dataset.create", "dataset:"+d.ID, nil, d)
	})
	return d, err
}

// Dataset returns a dataset to whoever may search it; to others it does
// not exist. An empty actor is an anonymous visitor.
func (s *Service) Dataset(ctx context.Context, actor, id string) (Dataset, error) {
	if err := s.authorize(ctx, actor, guard{public: true, rights: []right{{datasetRef(id), "search"}}, hide: &right{datasetRef(id), "search"}}); err != nil {
		return Dataset{}, err
	}
	d, _, err := s.read().dataset(ctx, id)
	return d, err
}

// UpdateDataset changes a dataset's title (edit). The owner never changes;
// the default level changes with SetDefaultLevel.
func (s *Service) UpdateDataset(ctx context.Context, actor string, d Dataset) (Dataset, error) {
	title, err := cleanText("title", d.Title, maxName, false)
	if err != nil {
		return Dataset{}, err
	}
	var out Dataset
	err = s.do(ctx, actor, datasetGuard(d.ID, "edit"), func(t *txn) error {
		before, _, err := t.dataset(ctx, d.ID)
		if err != nil {
			return err
		}
		if d.Owner != "" && d.Owner != before.Owner {
			return invalid("invalid.owner_fixed", messages.Quote(d.Owner), before.Owner)
		}
		out = before
		out.Title = title
		if out == before {
			return nil
		}
		if err := t.put(kindDataset, d.ID, "", out.Owner, datasetRecord(out)); err != nil {
			return err
		}
		return t.audit("dataset.update", "dataset:"+d.ID, before, out)
	})
	return out, err
}

// SetDefaultLevel sets a dataset's default level (manage_access). Specific
// levels that would fall below the new default are removed (a specific
// level never lies below the default) and reported.
func (s *Service) SetDefaultLevel(ctx context.Context, actor, id string, l Level) (Dataset, []BulkChange, error) {
	return s.setDefaultLevel(ctx, actor, id, l, false)
}

// PreviewDefaultLevel answers what SetDefaultLevel would answer, computed
// in the same transaction on the same state, and then writes nothing (no
// revision, no audit entry), as a dry run of BulkAccess does.
func (s *Service) PreviewDefaultLevel(ctx context.Context, actor, id string, l Level) (Dataset, []BulkChange, error) {
	return s.setDefaultLevel(ctx, actor, id, l, true)
}

func (s *Service) setDefaultLevel(ctx context.Context, actor, id string, l Level, dryRun bool) (Dataset, []BulkChange, error) {
	if err := checkLevel("default_level", l); err != nil {
		return Dataset{}, nil, err
	}
	var d Dataset
	var changes []BulkChange
	err := s.do(ctx, actor, datasetGuard(id, "manage_access"), func(t *txn) error {
		changes = nil // the store may run fn again
		before, lv, err := t.dataset(ctx, id)
		if err != nil {
			return err
		}
		d = before
		d.Default = l
		if maskLevel(lv.def) == l && lv.def == levelMask(l) {
			return nil
		}
		t.setMask(id, wildcard, lv.def, levelMask(l))
		for _, g := range sortedGroups(lv.groups) {
			sp := lv.specific(g)
			if *sp >= l {
				continue
			}
			t.setMask(id, groupSubject(g), lv.groups[g], 0)
			name, err := t.groupName(ctx, g)
			if err != nil {
				return err
			}
			changes = append(changes, BulkChange{Group: g, Name: name, Before: sp})
		}
		if dryRun {
			t.rollback()
		}
		return t.audit("dataset.default_level", "dataset:"+id,
			map[string]any{"default_level": before.Default},
			map[string]any{"default_level": l, "removed": changes})
	})
	return d, changes, err
}

// sortedGroups returns the groups of a level map in (kind, id) order, so
// that reports do not depend on map order.
func sortedGroups(m map[GroupRef]uint8) []GroupRef {
	gs := make([]GroupRef, 0, len(m))
	for g := range m {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, cmpGroup)
	return gs
}

func cmpGroup(a, b GroupRef) int {
	if c := kindRank(a.Kind) - kindRank(b.Kind); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

func kindRank(k GroupKind) int {
	return slices.Index([]GroupKind{GroupOrganisation, GroupCommunity, GroupOrgGroup}, k)
}

// DeleteDataset deletes a dataset and all its relationships
// (manage_access), its services, and the map resources and page
// visualisations that showed them.
func (s *Service) DeleteDataset(ctx context.Context, actor, id string) error {
	return s.do(ctx, actor, datasetGuard(id, "manage_access"), func(t *txn) error {
		before, _, err := t.dataset(ctx, id)
		if err != nil {
			return err
		}
		// Its services go with it (mapservices.go), and so their grants'
		// coverage and their keys' accesses.
		services, err := list[MapService](ctx, t.view, kindService, id, "", 0)
		if err != nil {
			return err
		}
		g := gone{datasets: map[string]bool{id: true}, services: map[string]bool{}}
		for _, m := range services {
			if err := t.deleteService(m.ID); err != nil {
				return err
			}
			g.services[m.ID] = true
		}
		// The maps and pages that showed it or its services stop showing
		// them (content_integrity.go).
		if err := t.forget(g); err != nil {
			return err
		}
		if err := t.forgetDatasetRequests(before.Owner, id); err != nil { // integrity.go
			return err
		}
		if err := t.removeObject(datasetRef(id)); err != nil {
			return err
		}
		if err := t.deleteDoc(kindDataset, id); err != nil {
			return err
		}
		return t.audit("dataset.delete", "dataset:"+id, before, nil)
	})
}

// SearchableDatasets lists, in id order, the datasets the actor may search
// (an empty actor is an anonymous visitor): a page after the cursor, and
// the cursor of the next page ("" after the last).
func (s *Service) SearchableDatasets(ctx context.Context, actor string, after string, limit int) ([]Dataset, string, error) {
	return s.datasets(ctx, catalogueSubject(actor), DatasetQuery{Permission: "search", After: after, Limit: limit})
}

// DatasetQuery selects datasets: those on which the actor has Permission
// (search, consult, download, edit or manage_access; default search), of
// the organisation Owner when set, in id order after After.
type DatasetQuery struct {
	Owner      string
	Permission string
	After      string
	Limit      int // ≤ 0: a default page size
}

// Datasets lists the datasets q selects for an active account — those of
// an organisation, those one may edit… — as the engine answers (a lookup
// of the permission): a page, and the cursor of the next ("" after the
// last). Datasets the actor may not even search are never listed.
func (s *Service) Datasets(ctx context.Context, actor string, q DatasetQuery) ([]Dataset, string, error) {
	if q.Permission == "" {
		q.Permission = "search"
	}
	if err := checkDatasetPermission(q.Permission); err != nil {
		return nil, "", err
	}
	if q.Owner != "" {
		if err := checkID("owner", q.Owner); err != nil {
			return nil, "", err
		}
	}
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, "", err
	}
	if q.Owner != "" {
		if ok, err := s.read().exists(ctx, kindOrg, q.Owner); err != nil || !ok {
			return nil, "", notFoundOr(err, kindOrg, q.Owner)
		}
	}
	return s.datasets(ctx, actor, q)
}

// datasets pages through the datasets on which subject has q.Permission,
// keeping those of q.Owner when set (one lookup, then records until the
// page is full). The cursor is the last id listed.
func (s *Service) datasets(ctx context.Context, subject string, q DatasetQuery) ([]Dataset, string, error) {
	limit := pageSize(q.Limit)
	if q.Owner == "" {
		return s.lookupDatasets(ctx, subject, q, limit)
	}
	ids, err := s.ownedDatasets(ctx, subject, q, limit)
	if err != nil {
		return nil, "", err
	}
	v := s.read()
	var out []Dataset
	for i, id := range ids {
		d, _, err := v.dataset(ctx, id)
		if isPortalNotFound(err) {
			continue // relationships without a record: not a dataset of the portal
		}
		if err != nil {
			return nil, "", err
		}
		if q.Owner != "" && d.Owner != q.Owner {
			continue
		}
		if out = append(out, d); len(out) == limit && i < len(ids)-1 {
			return out, id, nil
		}
	}
	return out, "", nil
}

// lookupDatasets pages through the datasets on which subject has
// q.Permission: the engine's page of limit+1 ids (enough to fill the page
// and know whether another follows), then the next ones only while ids
// without a record (relationships the portal did not write) leave the page
// short. The cursor is the page's last id when any id follows it, as when
// every id was looked up at once.
func (s *Service) lookupDatasets(ctx context.Context, subject string, q DatasetQuery, limit int) ([]Dataset, string, error) {
	v := s.read()
	if out, next, ok, err := s.probeDatasets(ctx, subject, q, limit); ok || err != nil {
		return out, next, err
	}
	var out []Dataset
	for after := q.After; ; {
		ids, err := s.lookup(ctx, subject, "dataset", q.Permission, after, limit+1)
		if err != nil {
			return nil, "", err
		}
		for i, id := range ids {
			d, _, err := v.dataset(ctx, id)
			if isPortalNotFound(err) {
				continue // relationships without a record: not a dataset of the portal
			}
			if err != nil {
				return nil, "", err
			}
			if out = append(out, d); len(out) < limit {
				continue
			}
			if i == len(ids)-1 { // the page's last: does any id follow?
				more, err := s.lookup(ctx, subject, "dataset", q.Permission, id, 1)
				if err != nil || len(more) == 0 {
					return out, "", err
				}
			}
			return out, id, nil
		}
		if len(ids) <= limit {
			return out, "", nil
		}
		after = ids[len(ids)-1]
	}
}

// probeDatasets tries the page the cheap way when the records are in
// memory: the next 2×(limit+1) datasets in id order, checked in one bulk
// check. A subject that may search most datasets (an administrator may
// search all 106k) fills its page and finds the one after from these, where
// the engine's lookup computes everything the subject reaches before it
// picks a page. ok is false when the probe did not find limit+1 datasets:
// the caller then looks up, so that sparse lists cost one bulk check more,
// never the whole platform in checks. Both ways list the same page: the
// datasets with a record, in id order, on which the check says yes, and a
// cursor when one follows.
func (s *Service) probeDatasets(ctx context.Context, subject string, q DatasetQuery, limit int) ([]Dataset, string, bool, error) {
	v := s.read()
	docs, err := v.docs.ListDocs(ctx, kindDataset, "", q.After, 2*(limit+1))
	if err != nil || len(docs) < limit+1 {
		return nil, "", false, err
	}
	reqs := make([]engine.CheckRequest, len(docs))
	for i, d := range docs {
		reqs[i] = engine.CheckRequest{Resource: datasetRef(d.ID), Permission: q.Permission, Subject: user(subject)}
	}
	res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		return nil, "", false, err
	}
	var ids []string
	for i := range res {
		if errs[i] != nil {
			return nil, "", false, errs[i]
		}
		if res[i].Result == engine.HasPermission {
			if ids = append(ids, docs[i].ID); len(ids) == limit+1 {
				break
			}
		}
	}
	if len(ids) <= limit {
		return nil, "", false, nil
	}
	out := make([]Dataset, 0, limit)
	for _, id := range ids[:limit] {
		d, _, err := v.dataset(ctx, id)
		if err != nil {
			// Deleted since the listing: let the lookup decide.
			return nil, "", false, nilIfNotFound(err)
		}
		out = append(out, d)
	}
	return out, ids[limit-1], true, nil
}

// ownedDatasets returns, in id order after q.After, up to limit+1 datasets
// of q.Owner on which subject has q.Permission. The owner is a
// relationship, in the index: checking the owner's datasets a page at a
// time costs a few checks, where a lookup of every dataset the subject may
// see (all of them, for an administrator) costs the whole platform.
// ownedIDs returns, in no particular order, the ids after `after` of the
// datasets owner owns, walking the index's edges from the owner without
// building a relationship for each (the largest organisations own
// thousands).
func (s *Service) ownedIDs(ctx context.Context, owner, after string) ([]string, error) {
	e := s.engine()
	sch := e.Schema()
	var ids []string
	if sch == nil || sch.Definition("dataset") == nil || sch.Definition("dataset").Relation("owner") == nil {
		owned, err := s.indexRels(ctx, store.Filter{ResourceType: "dataset", Relation: "owner", SubjectType: "organisation", SubjectID: owner, SubjectRelation: new("")})
		if err != nil {
			return nil, err
		}
		for _, r := range owned {
			if r.Resource.ID > after {
				ids = append(ids, r.Resource.ID)
			}
		}
		return ids, nil
	}
	x := e.Index()
	rel := x.Member("dataset", "owner") // before the snapshot: see indexRels
	snap, err := x.Read(0, s.now())
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	n, ok := snap.Node("organisation", owner)
	if !ok {
		return nil, nil
	}
	for _, e := range snap.RevRel(n, 0, rel) {
		if snap.TypeName(snap.NodeType(e.Node)) != "dataset" {
			continue
		}
		if id := snap.NodeID(e.Node); id > after && snap.Visible(e) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func nilIfNotFound(err error) error {
	if isPortalNotFound(err) {
		return nil
	}
	return err
}

func (s *Service) ownedDatasets(ctx context.Context, subject string, q DatasetQuery, limit int) ([]string, error) {
	todo, err := s.ownedIDs(ctx, q.Owner, q.After)
	if err != nil {
		return nil, err
	}
	var out []string
	for len(todo) > 0 && len(out) <= limit {
		n := min(len(todo), 2*limit)
		// The index's order is not the ids': each round takes the next
		// n ids in order, rather than sorting all the owner's datasets.
		byID := strings.Compare
		if len(todo) > n {
			selectSmallest(todo, n, byID)
		}
		slices.SortFunc(todo[:n], byID)
		reqs := make([]engine.CheckRequest, n)
		for i, id := range todo[:n] {
			reqs[i] = engine.CheckRequest{Resource: datasetRef(id), Permission: q.Permission, Subject: user(subject)}
		}
		res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
		if err != nil {
			return nil, err
		}
		for i := range res {
			if errs[i] != nil {
				return nil, errs[i]
			}
			if res[i].Result == engine.HasPermission && len(out) <= limit {
				out = append(out, todo[i])
			}
		}
		todo = todo[n:]
	}
	return out, nil
}

func checkDatasetPermission(p string) error {
	switch p {
	case "search", "consult", "download", "edit", "manage_access":
		return nil
	}
	return invalid("invalid.permission", messages.Quote(p))
}

// catalogueSubject is who the catalogue answers for: the catalogue needs
// no authorization of its own, since its answers are the engine's, so an
// anonymous visitor (empty actor) is checked as user:anonymous, and a
// disabled account simply finds nothing.
func catalogueSubject(actor string) string {
	if actor == "" {
		return anonymous
	}
	return actor
}

// maxFilter bounds FilterDatasets, so one request cannot ask for the whole
// catalogue.
const maxFilter = 1000

// FilterDatasets answers which of ids (at most 1000) the actor has
// permission on: search, consult, download, edit or manage_access. An empty
// actor is an anonymous visitor.
func (s *Service) FilterDatasets(ctx context.Context, actor string, ids []string, permission string) (map[string]bool, error) {
	if err := checkDatasetPermission(permission); err != nil {
		return nil, err
	}
	if len(ids) > maxFilter {
		return nil, invalid("invalid.too_many_ids", len(ids), maxFilter)
	}
	for i, id := range ids {
		if err := checkID("ids["+strconv.Itoa(i)+"]", id); err != nil {
			return nil, err
		}
	}
	actor = catalogueSubject(actor)
	reqs := make([]engine.CheckRequest, len(ids))
	for i, id := range ids {
		reqs[i] = engine.CheckRequest{Resource: datasetRef(id), Permission: permission, Subject: user(actor)}
	}
	res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for i, id := range ids {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[id] = res[i].Result == engine.HasPermission
	}
	return out, nil
}
