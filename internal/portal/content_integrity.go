package portal

import (
	"bytes"
	"context"
	"slices"
	"strconv"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
)

// The integrity of what pages and maps refer to: a dataset, a service and
// one of its layers.
//
// A map or a page never keeps a reference to something that is gone. When
// a dataset or a service is deleted, or a service stops exposing a layer,
// the change that does it also removes, in its own transaction, the map
// resources and the page visualisations that named it, and records each
// map's and page's change in the audit log (map.resources, page.update),
// as a deleted service leaves the grants that covered it (grant.update).
// Keeping the reference and showing it as "removed" was the other way: it
// is not taken because a product id is chosen by its producer and may be
// published again, by another organisation, as another dataset; a kept
// reference would then show that new dataset on maps nobody who may
// consult it put it on (a map's viewers see every resource in it). The
// references are found by reading every map and page in the transaction
// (decoding only those whose record holds the id), as a deleted community
// is forgotten by every grant: deletions are rare and a platform's maps
// and pages number in the thousands at most (BENCHMARKS.md).
//
// The resources of a map its reader may view are all shown, whatever the
// reader may do with them (source 004: "vous pouvez visualiser une carte
// et toutes les ressources qu'elle contient, même si vous ne disposez pas
// de l'ACL"): sharing a map shares what its owners put on it. A page's
// visualisation of a dataset its reader may not find shows without
// naming it (pageAsSeen), as RenderPage does.

// gone names what a change deletes or stops exposing: datasets, services,
// and layers of services that stay.
type gone struct {
	datasets map[string]bool
	services map[string]bool
	layers   map[string][]string // service id → layers it no longer exposes
}

func (g gone) resource(r MapResource) bool {
	switch r.Kind {
	case ResourceDataset:
		return g.datasets[r.ID]
	case ResourceService:
		return g.services[r.ID] || (r.Layer != "" && slices.Contains(g.layers[r.ID], r.Layer))
	}
	return false
}

// forget removes from every map the resources g names, and from every page
// the visualisations drawn on a dataset g names, auditing each map and
// page it changes.
func (t *txn) forget(g gone) error {
	if len(g.datasets) == 0 && len(g.services) == 0 && len(g.layers) == 0 {
		return nil
	}
	ms, err := t.mentioning(kindMap, g.needles())
	if err != nil {
		return err
	}
	for _, d := range ms {
		var r mapRec
		if err := decodeRecord(d, &r); err != nil {
			return err
		}
		before := r.domain()
		if !slices.ContainsFunc(before.Resources, g.resource) {
			continue
		}
		after := before
		after.Resources = slices.DeleteFunc(slices.Clone(before.Resources), g.resource)
		after.Updated = t.at
		if err := t.put(kindMap, after.ID, "", "", mapRecord(after)); err != nil {
			return err
		}
		if err := t.audit("map.resources", "map:"+after.ID, mapRecord(before).Resources, mapRecord(after).Resources); err != nil {
			return err
		}
	}
	if len(g.datasets) == 0 {
		return nil
	}
	ps, err := t.mentioning(kindPage, gone{datasets: g.datasets}.needles())
	if err != nil {
		return err
	}
	drawnOnGone := func(v Visualisation) bool { return g.datasets[v.Dataset] }
	for _, d := range ps {
		var r pageRec
		if err := decodeRecord(d, &r); err != nil {
			return err
		}
		if !slices.ContainsFunc(r.page().Visualisations, drawnOnGone) {
			continue
		}
		before, err := t.page(t.ctx, r.ID)
		if err != nil {
			return err
		}
		after := before
		after.Visualisations = slices.DeleteFunc(slices.Clone(before.Visualisations), drawnOnGone)
		after.Updated = t.at
		doc := pageRecord(after)
		doc.Public = false
		if err := t.put(kindPage, after.ID, "", after.Owner, doc); err != nil {
			return err
		}
		if err := t.audit("page.update", "page:"+after.ID, pageRecord(before), pageRecord(after)); err != nil {
			return err
		}
	}
	return nil
}

// needles are the JSON strings a record that refers to something g names
// holds: the ids of its datasets and services (a layer's service).
func (g gone) needles() [][]byte {
	var out [][]byte
	for _, m := range []map[string]bool{g.datasets, g.services} {
		for id := range m {
			out = append(out, strconv.AppendQuote(nil, id))
		}
	}
	for id := range g.layers {
		out = append(out, strconv.AppendQuote(nil, id))
	}
	return out
}

// mentioning reads, in the change, the records of kind whose JSON holds
// one of needles: the others cannot refer to what they name, and are not
// decoded (ids are of IDAlphabet, which JSON writes as Go quotes them).
func (t *txn) mentioning(kind string, needles [][]byte) ([]store.Doc, error) {
	var out []store.Doc
	after := ""
	for {
		const n = 500
		docs, err := t.docs.ListDocs(t.ctx, kind, "", after, n)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if slices.ContainsFunc(needles, func(x []byte) bool { return bytes.Contains(d.Data, x) }) {
				out = append(out, d)
			}
		}
		if len(docs) < n {
			return out, nil
		}
		after = docs[len(docs)-1].ID
	}
}

// goneLayers is what an update of a service stops exposing: the layers of
// before that after lacks.
func goneLayers(before, after MapService) gone {
	var ls []string
	for _, l := range before.Layers {
		if !slices.Contains(after.Layers, l) {
			ls = append(ls, l)
		}
	}
	if len(ls) == 0 {
		return gone{}
	}
	return gone{layers: map[string][]string{before.ID: ls}}
}

// exposedLayers refuses a service resource of rs that prev lacks when it
// names a layer its service does not expose (the field names its index).
// It runs after consultable, so that the layers of a service are told
// only to whoever may use it.
func (t *txn) exposedLayers(field string, prev, rs []MapResource) error {
	for i, r := range rs {
		if r.Kind != ResourceService || r.Layer == "" || slices.Contains(prev, r) {
			continue
		}
		var m MapService
		if err := t.get(t.ctx, kindService, r.ID, &m); err != nil {
			return err
		}
		if !slices.Contains(m.Layers, r.Layer) {
			return invalid("invalid.service_layer", field+"["+strconv.Itoa(i)+"] layer", messages.Quote(r.ID), messages.Quote(r.Layer))
		}
	}
	return nil
}

// stillThere refuses a resource added whose record is gone. The engine's
// answers (consultable) come from its index, which may not yet have
// applied a deletion committed just before this change; the records are
// read in the change's transaction, which the store serialises with the
// deletion's: so a map or page never gains a reference to what a
// concurrent deletion just removed (which would then never be removed).
func (t *txn) stillThere(added []MapResource) error {
	for _, r := range added {
		kind := kindDataset
		if r.Kind == ResourceService {
			kind = kindService
		}
		if err := t.mustExist(kind, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// findable answers, in one bulk check, whether subject may find each
// resource: search a dataset, view a service.
func (s *Service) findable(ctx context.Context, subject string, rs []MapResource) ([]bool, error) {
	out := make([]bool, len(rs))
	if len(rs) == 0 {
		return out, nil
	}
	reqs := make([]engine.CheckRequest, len(rs))
	for i, r := range rs {
		res, perm := datasetRef(r.ID), "search"
		if r.Kind == ResourceService {
			res, perm = serviceRef(r.ID), "view"
		}
		reqs[i] = engine.CheckRequest{Resource: res, Permission: perm, Subject: user(subject)}
	}
	res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[i] = res[i].Result == engine.HasPermission
	}
	return out, nil
}

// pageAsSeen is p as the actor reads it: the datasets of visualisations
// they may not find are not named, as RenderPage does.
func (s *Service) pageAsSeen(ctx context.Context, actor string, p Page) (Page, error) {
	rs := make([]MapResource, len(p.Visualisations))
	for i, v := range p.Visualisations {
		rs[i] = MapResource{Kind: ResourceDataset, ID: v.Dataset}
	}
	found, err := s.findable(ctx, catalogueSubject(actor), rs)
	if err != nil {
		return Page{}, err
	}
	p.Visualisations = slices.Clone(p.Visualisations)
	for i := range p.Visualisations {
		if !found[i] {
			p.Visualisations[i].Dataset = ""
		}
	}
	return p, nil
}
