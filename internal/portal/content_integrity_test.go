package portal_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// Shorthands for a map's resources.
func dsRes(id string) portal.MapResource {
	return portal.MapResource{Kind: portal.ResourceDataset, ID: id}
}

func svcRes(id, layer string) portal.MapResource {
	return portal.MapResource{Kind: portal.ResourceService, ID: id, Layer: layer}
}

// integrityWorld adds to the services' world: ed (IGN's editor) is a map
// editor and made map "m1", owned by IGN, showing BD TOPO, two layers of
// topo-wms, the open service, and IGN's private dataset with a service of
// it; pages "topo" (BD TOPO and the open dataset) and "report" (pageWorld's).
func integrityWorld(t *testing.T, e *env) world {
	t.Helper()
	w := pageWorld(t, e)
	servicesWorld(t, e, w)
	svc, ctx := e.svc, e.ctx
	must[portal.MapService](t)(svc.CreateService(ctx, "ed", portal.MapService{ID: "priv-wms", Dataset: "IGNF_PRIVATE", Title: "Interne", Type: portal.ServiceWMS,
		Path: "/wms/interne", Upstream: upstream, Layers: []string{"interne"}, Available: true}))
	must[portal.ContentRoleHolder](t)(svc.SetContentRole(ctx, w.admin, portal.ContentMapEditor, user("ed"), true))
	must[portal.Map](t)(svc.CreateMap(ctx, "ed", portal.Map{ID: "m1", Name: "Topo", Resources: []portal.MapResource{
		dsRes("IGNF_BD-TOPO"), svcRes("topo-wms", "routes"), svcRes("topo-wms", "batiments"), svcRes("topo-open", ""),
		dsRes("IGNF_PRIVATE"), svcRes("priv-wms", "interne"),
	}}, hIGN))
	must[portal.Page](t)(svc.CreatePage(ctx, "ed", portal.Page{ID: "topo", Title: "Topo", Owner: "ign",
		Visualisations: []portal.Visualisation{{ID: "a", Dataset: "IGNF_BD-TOPO"}, {ID: "b", Dataset: "IGNF_OPEN"}, {ID: "c", Title: "encore", Dataset: "IGNF_BD-TOPO"}}}))
	return w
}

func resources(t *testing.T, e *env, actor, id string) []portal.MapResource {
	t.Helper()
	return must[portal.Map](t)(e.svc.Map(e.ctx, actor, id)).Resources
}

// inBoth renders a refusal in both languages.
func inBoth(t *testing.T, err error) (en, fr string) {
	t.Helper()
	var pe *portal.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%v is not a portal refusal", err)
	}
	return pe.Msg.In(messages.English), pe.Msg.In(messages.French)
}

// TestMapLayerMustBeExposed: a map names only a layer its service
// exposes; the refusal names the field (with its index) and the layer in
// both languages, and writes nothing; whoever may not use the service
// learns nothing of its layers.
func TestMapLayerMustBeExposed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		integrityWorld(t, e)
		svc, ctx := e.svc, e.ctx
		head := e.head()
		_, err := svc.CreateMap(ctx, "ed", portal.Map{Name: "M", Resources: []portal.MapResource{dsRes("IGNF_BD-TOPO"), svcRes("topo-wms", "hydro")}}, hIGN)
		wantErr(t, err, portal.ErrInvalid)
		en, fr := inBoth(t, err)
		if !strings.Contains(en, "resources[1] layer") || !strings.Contains(en, `"hydro"`) || !strings.Contains(en, `"topo-wms"`) || !strings.Contains(en, "exposes no layer") {
			t.Errorf("EN refusal %q", en)
		}
		if !strings.Contains(fr, "resources[1] layer") || !strings.Contains(fr, "« hydro »") || !strings.Contains(fr, "n'expose pas de couche") {
			t.Errorf("FR refusal %q", fr)
		}
		before := resources(t, e, "ed", "m1")
		_, err = svc.SetMapResources(ctx, "ed", "m1", append(slices.Clone(before), svcRes("topo-wms2", "routes")))
		wantErr(t, err, portal.ErrInvalid)
		if en, _ := inBoth(t, err); !strings.Contains(en, "resources[6] layer") {
			t.Errorf("refusal %q does not name resources[6]", en)
		}
		if e.head() != head {
			t.Fatal("a refused layer wrote something")
		}
		// region's administrator may write the map but not use topo-wms:
		// refused for the service, never told of its layers.
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "ed", "m1", hRegion, portal.MapWrite))
		head = e.head()
		seen := resources(t, e, "adm2", "m1")
		_, err = svc.SetMapResources(ctx, "adm2", "m1", append(slices.Clone(seen), svcRes("topo-wms", "nope")))
		wantErr(t, err, portal.ErrForbidden)
		if e.head() != head {
			t.Fatal("a refused change wrote something")
		}
		// A layer the service exposes is taken.
		m := must[portal.Map](t)(svc.SetMapResources(ctx, "ed", "m1", append(slices.Clone(before), svcRes("topo-wms2", "hydro"))))
		if !slices.Contains(m.Resources, svcRes("topo-wms2", "hydro")) {
			t.Errorf("resources %+v", m.Resources)
		}
	})
}

// auditAt returns the revision of the last audit entry of action on
// resource.
func auditAt(t *testing.T, e *env, w world, resource, action string) (store.Revision, store.AuditEntry) {
	t.Helper()
	es, err := e.svc.Audit(e.ctx, w.admin, store.AuditQuery{Resource: resource, Action: action, Limit: 1000})
	ok(t, err)
	if len(es) == 0 {
		t.Fatalf("no audit entry %s on %s", action, resource)
	}
	last := es[0]
	for _, x := range es {
		if x.Seq > last.Seq {
			last = x
		}
	}
	return last.Revision, last
}

// TestNoDanglingContentReferences: a layer a service stops exposing, a
// deleted service and a deleted dataset leave the maps and pages that
// showed them in the same transaction (one revision, audited); a dataset
// published again under the same product id is not shown by the old map.
func TestNoDanglingContentReferences(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := integrityWorld(t, e)
		svc, ctx := e.svc, e.ctx

		// topo-wms stops exposing "routes".
		s := must[portal.MapService](t)(svc.MapServiceOf(ctx, "ed", "topo-wms"))
		s.Layers = []string{"batiments"}
		must[portal.MapService](t)(svc.UpdateService(ctx, "ed", s))
		want := []portal.MapResource{dsRes("IGNF_BD-TOPO"), svcRes("topo-wms", "batiments"), svcRes("topo-open", ""), dsRes("IGNF_PRIVATE"), svcRes("priv-wms", "interne")}
		if got := resources(t, e, "ed", "m1"); !slices.Equal(got, want) {
			t.Errorf("after the layer went: %+v, want %+v", got, want)
		}
		revService, _ := auditAt(t, e, w, "service:topo-wms", "service.update")
		revMap, entry := auditAt(t, e, w, "map:m1", "map.resources")
		if revService != revMap || entry.Actor != "ed" {
			t.Errorf("map change at revision %d by %q, service change at %d", revMap, entry.Actor, revService)
		}

		// The open service is deleted.
		ok(t, svc.DeleteService(ctx, "ed", "topo-open"))
		want = slices.DeleteFunc(want, func(r portal.MapResource) bool { return r.ID == "topo-open" })
		if got := resources(t, e, "ed", "m1"); !slices.Equal(got, want) {
			t.Errorf("after the service went: %+v, want %+v", got, want)
		}
		revService, _ = auditAt(t, e, w, "service:topo-open", "service.delete")
		if revMap, _ = auditAt(t, e, w, "map:m1", "map.resources"); revMap != revService {
			t.Errorf("map change at revision %d, service deletion at %d", revMap, revService)
		}

		// BD TOPO is deleted, and topo-wms with it.
		ok(t, svc.DeleteDataset(ctx, "ed", "IGNF_BD-TOPO"))
		want = []portal.MapResource{dsRes("IGNF_PRIVATE"), svcRes("priv-wms", "interne")}
		if got := resources(t, e, "ed", "m1"); !slices.Equal(got, want) {
			t.Errorf("after the dataset went: %+v, want %+v", got, want)
		}
		rp := must[portal.RenderedPage](t)(svc.RenderPage(ctx, "ed", "topo"))
		if len(rp.Visualisations) != 1 || rp.Visualisations[0].ID != "b" {
			t.Errorf("page topo keeps %+v", rp.Visualisations)
		}
		revDataset, _ := auditAt(t, e, w, "dataset:IGNF_BD-TOPO", "dataset.delete")
		revMap, _ = auditAt(t, e, w, "map:m1", "map.resources")
		revPage, pe := auditAt(t, e, w, "page:topo", "page.update")
		if revMap != revDataset || revPage != revDataset {
			t.Errorf("map at %d, page at %d, dataset deletion at %d: not one transaction", revMap, revPage, revDataset)
		}
		if !strings.Contains(string(pe.Before), "IGNF_BD-TOPO") || strings.Contains(string(pe.After), "IGNF_BD-TOPO") {
			t.Errorf("page audit entry before %s after %s", pe.Before, pe.After)
		}
		// The page that did not draw on it is untouched.
		if es, err := svc.Audit(ctx, w.admin, store.AuditQuery{Resource: "page:report", Action: "page.update", Limit: 10}); err != nil || len(es) != 0 {
			t.Errorf("page report changed: %v %v", es, err)
		}

		// Published again by another organisation: the old map does not
		// show the new dataset, nor does the old page.
		must[portal.Dataset](t)(svc.CreateDataset(ctx, "adm2", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "Autre", Owner: "region", Default: portal.LevelConsult}))
		if got := resources(t, e, "ed", "m1"); slices.ContainsFunc(got, func(r portal.MapResource) bool { return r.ID == "IGNF_BD-TOPO" }) {
			t.Errorf("the old map shows the new dataset: %+v", got)
		}
		rp = must[portal.RenderedPage](t)(svc.RenderPage(ctx, "ed", "topo"))
		if len(rp.Visualisations) != 1 {
			t.Errorf("the old page shows %+v", rp.Visualisations)
		}
	})
}

// TestMapViewerSeesEveryResource: access to a map is checked at the map
// only (source 004): its reader sees every resource in it, even one they
// may not find alone; a writer keeps those already there and adds only
// what they may consult; a page's editor is not told of a visualisation's
// dataset they may not find.
func TestMapViewerSeesEveryResource(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		integrityWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "ed", "m1", hRegion, portal.MapWrite))
		if e.check("dataset:IGNF_PRIVATE#search@user:adm2") || e.check("service:priv-wms#view@user:adm2") {
			t.Fatal("setup: adm2 finds the private dataset or its service")
		}
		all := []portal.MapResource{dsRes("IGNF_BD-TOPO"), svcRes("topo-wms", "routes"), svcRes("topo-wms", "batiments"), svcRes("topo-open", ""),
			dsRes("IGNF_PRIVATE"), svcRes("priv-wms", "interne")}
		if got := resources(t, e, "adm2", "m1"); !slices.Equal(got, all) {
			t.Errorf("adm2 reads %+v, want %+v", got, all)
		}
		// adm2 keeps the private dataset, moved first, leaves its service
		// out and drops a layer; adding what it may not find is refused.
		head := e.head()
		_, err := svc.SetMapResources(ctx, "adm2", "m1", append(slices.Clone(all), dsRes("IGNF_OTHER")))
		wantErr(t, err, portal.ErrNotFound)
		if e.head() != head {
			t.Fatal("a refused change wrote something")
		}
		m := must[portal.Map](t)(svc.SetMapResources(ctx, "adm2", "m1", []portal.MapResource{dsRes("IGNF_PRIVATE"), dsRes("IGNF_BD-TOPO"), svcRes("topo-wms", "routes")}))
		if want := []portal.MapResource{dsRes("IGNF_PRIVATE"), dsRes("IGNF_BD-TOPO"), svcRes("topo-wms", "routes")}; !slices.Equal(m.Resources, want) {
			t.Errorf("adm2 gets back %+v, want %+v", m.Resources, want)
		}

		// The map's audit log, which its owners read, names the private
		// dataset and its service only to whoever may find them (the map
		// shows what it holds now, the log what it held).
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "ed", "m1", hRegion, portal.MapOwner))
		logOf := func(actor string) string {
			t.Helper()
			var b strings.Builder
			for _, x := range must[[]store.AuditEntry](t)(svc.Audit(ctx, actor, store.AuditQuery{Resource: "map:m1", Limit: 1000})) {
				b.Write(x.Before)
				b.Write(x.After)
			}
			return b.String()
		}
		if l := logOf("adm2"); strings.Contains(l, "PRIVATE") || strings.Contains(l, "priv-wms") || !strings.Contains(l, "IGNF_BD-TOPO") || !strings.Contains(l, `"hidden":true`) {
			t.Errorf("adm2 reads the map's log %s", l)
		}
		if l := logOf("ed"); !strings.Contains(l, "IGNF_PRIVATE") || !strings.Contains(l, "priv-wms") {
			t.Errorf("ed reads the map's log %s", l)
		}

		// Pages: an editor who may not find a visualisation's dataset
		// gets the page back without its name, and the page keeps it.
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("adm2"), View: true, Edit: true}))
		p := must[portal.Page](t)(svc.UpdatePage(ctx, "adm2", portal.PageUpdate{ID: "report", Title: "Rapport 2"}))
		for _, v := range p.Visualisations {
			if v.Dataset == "IGNF_PRIVATE" {
				t.Errorf("UpdatePage names %+v to adm2", v)
			}
		}
		rp := must[portal.RenderedPage](t)(svc.RenderPage(ctx, "ed", "report"))
		if len(rp.Visualisations) != 2 || rp.Visualisations[1].Dataset != "IGNF_PRIVATE" {
			t.Errorf("the page lost its dataset: %+v", rp.Visualisations)
		}
	})
}

// TestNoReferenceToWhatADeletionJustRemoved: the engine may not yet have
// applied a deletion committed just before a change (another node's, or
// this one's between commit and sync); a map or page never gains a
// reference to a dataset or service whose record is gone, since nothing
// would ever remove it. The deletion's record is removed here without the
// engine hearing of it, as in that window.
func TestNoReferenceToWhatADeletionJustRemoved(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		integrityWorld(t, e)
		svc, ctx := e.svc, e.ctx
		_, err := e.st.Transact(ctx, func(tx store.DocTx) error {
			if err := tx.DeleteDoc(ctx, "dataset", "IGNF_OPEN"); err != nil {
				return err
			}
			return tx.DeleteDoc(ctx, "service", "topo-wms2")
		})
		ok(t, err)
		if !e.check("dataset:IGNF_OPEN#consult@user:ed") {
			t.Fatal("setup: the engine heard of the deletion")
		}
		head := e.head()
		_, err = svc.CreateMap(ctx, "ed", portal.Map{Name: "M", Resources: []portal.MapResource{dsRes("IGNF_OPEN")}}, hIGN)
		wantErr(t, err, portal.ErrNotFound)
		before := resources(t, e, "ed", "m1")
		_, err = svc.SetMapResources(ctx, "ed", "m1", append(slices.Clone(before), svcRes("topo-wms2", "")))
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.UpdatePage(ctx, "ed", portal.PageUpdate{ID: "topo", Title: "Topo", Visualisations: []portal.Visualisation{{ID: "z", Dataset: "IGNF_OPEN"}}})
		wantErr(t, err, portal.ErrNotFound)
		if e.head() != head {
			t.Fatal("a refused change wrote something")
		}
	})
}
