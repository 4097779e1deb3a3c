package portal_test

import (
	"slices"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// checkAt asks the engine as of instant at, so that expiry is tested to the
// second without waiting.
func (e *env) checkAt(q string, at time.Time) bool {
	e.t.Helper()
	r, err := tuple.Parse(q)
	if err != nil {
		e.t.Fatal(err)
	}
	res, _, err := e.eng.Check(e.ctx, engine.CheckRequest{Resource: r.Resource, Permission: r.Relation, Subject: r.Subject}, engine.At{Now: at})
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return res.Result == engine.HasPermission
}

// write writes relationships straight to the store, as another part of
// octroi (the keys) does, and lets the index follow.
func (e *env) write(rels ...string) {
	e.t.Helper()
	var ups []store.Update
	for _, q := range rels {
		r, err := tuple.Parse(q)
		if err != nil {
			e.t.Fatal(err)
		}
		ups = append(ups, store.Update{Op: store.Touch, Relationship: r})
	}
	rev, err := e.st.Write(e.ctx, store.WriteRequest{Updates: ups})
	if err != nil {
		e.t.Fatal(err)
	}
	ok(e.t, e.sync(e.ctx, rev))
}

// rels reads the live relationships f selects from the store.
func (e *env) rels(f store.Filter) []tuple.Relationship {
	e.t.Helper()
	rs, _, err := e.st.ReadRelationships(e.ctx, f, "", 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

const upstream = "http://127.0.0.1:8081/cgi-bin/mapserv?map=/etc/octroi/demo.map"

// servicesWorld adds to the world two WMS services of IGNF_BD-TOPO at
// /wms/ign (restricted), an open one, and a WFS of region's dataset.
func servicesWorld(t *testing.T, e *env, w world) {
	t.Helper()
	ctx := e.ctx
	for _, m := range []portal.MapService{
		{ID: "topo-wms", Dataset: "IGNF_BD-TOPO", Title: "BD TOPO WMS", Type: portal.ServiceWMS, Path: "/wms/ign", Upstream: upstream, Layers: []string{"batiments", "routes"}, Available: true},
		{ID: "topo-wms2", Dataset: "IGNF_BD-TOPO", Title: "BD TOPO hydro", Type: portal.ServiceWMS, Path: "/wms/ign", Upstream: upstream, Layers: []string{"hydro"}, Available: true},
		{ID: "topo-open", Dataset: "IGNF_BD-TOPO", Title: "BD TOPO open", Type: portal.ServiceWMTS, Path: "/wmts/ign", Upstream: upstream, Layers: []string{"plan"}, Open: true, Available: true},
	} {
		must[portal.MapService](t)(e.svc.CreateService(ctx, "ed", m))
	}
	must[portal.Dataset](t)(e.svc.CreateDataset(ctx, "adm2", portal.Dataset{ID: "REGION_PLU", Title: "PLU", Owner: "region", Default: portal.LevelSearch}))
	must[portal.MapService](t)(e.svc.CreateService(ctx, "adm2", portal.MapService{ID: "plu-wfs", Dataset: "REGION_PLU", Title: "PLU WFS", Type: portal.ServiceWFS, Path: "/wfs/region", Upstream: "https://example.org/wfs", Layers: []string{"zonage"}, Available: true}))
}

func serviceIDs(ms []portal.MapService) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestServices(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := e.ctx
		servicesWorld(t, e, w)
		if got := serviceIDs(e.svc.ServicesAt("/wms/ign")); !slices.Equal(got, []string{"topo-wms", "topo-wms2"}) {
			t.Errorf("ServicesAt /wms/ign: %v", got)
		}
		m, found := e.svc.MapServiceByID("topo-wms")
		if !found || m.Organisation != "ign" || m.Upstream != upstream || !slices.Equal(m.Layers, []string{"batiments", "routes"}) || !m.Available || m.Open {
			t.Errorf("MapServiceByID: %+v %v", m, found)
		}
		// Bad input, each naming its field.
		for _, bad := range []portal.MapService{
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wcs", Path: "/a", Upstream: upstream, Layers: []string{"a"}},
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "a/b", Upstream: upstream, Layers: []string{"a"}},
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/a/../b", Upstream: upstream, Layers: []string{"a"}},
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/api/x", Upstream: upstream, Layers: []string{"a"}},
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/a", Upstream: "ftp://example.org/", Layers: []string{"a"}},
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/a", Upstream: "https://u:p@example.org/", Layers: []string{"a"}},
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/a", Upstream: upstream, Layers: []string{"a,b"}},
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/a", Upstream: upstream},
			{Dataset: "IGNF_BD-TOPO", Title: "", Type: "wms", Path: "/a", Upstream: upstream, Layers: []string{"a"}},
		} {
			_, err := e.svc.CreateService(ctx, "ed", bad)
			wantErr(t, err, portal.ErrInvalid)
		}
		// Sharing a path: another layer is fine, the same layer or another
		// type is not.
		for _, c := range []portal.MapService{
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/wms/ign", Upstream: upstream, Layers: []string{"routes"}},
			{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wfs", Path: "/wms/ign", Upstream: upstream, Layers: []string{"other"}},
		} {
			_, err := e.svc.CreateService(ctx, "ed", c)
			wantErr(t, err, portal.ErrConflict)
		}
		_, err := e.svc.CreateService(ctx, "ed", portal.MapService{ID: "topo-wms", Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/x", Upstream: upstream, Layers: []string{"a"}})
		wantErr(t, err, portal.ErrConflict)
		// Who may: the dataset's editors; the registered member may not;
		// the private dataset does not exist for a stranger.
		_, err = e.svc.CreateService(ctx, "reg", portal.MapService{Dataset: "IGNF_BD-TOPO", Title: "x", Type: "wms", Path: "/x", Upstream: upstream, Layers: []string{"a"}})
		wantErr(t, err, portal.ErrForbidden)
		_, err = e.svc.CreateService(ctx, "stranger", portal.MapService{Dataset: "IGNF_PRIVATE", Title: "x", Type: "wms", Path: "/x", Upstream: upstream, Layers: []string{"a"}})
		wantErr(t, err, portal.ErrNotFound)
		priv := must[portal.MapService](t)(e.svc.CreateService(ctx, "adm", portal.MapService{Dataset: "IGNF_PRIVATE", Title: "Interne", Type: "download", Path: "/download/interne", Upstream: "https://files.example.org/interne.zip"}))
		_, err = e.svc.MapServiceOf(ctx, "stranger", priv.ID)
		wantErr(t, err, portal.ErrNotFound)
		if _, err := e.svc.MapServiceOf(ctx, "stranger", "topo-wms"); err != nil {
			t.Errorf("a searchable dataset's service: %v", err)
		}
		list, next := must2s[[]portal.MapService](t)(e.svc.MapServices(ctx, "stranger", portal.ServiceQuery{}))
		if got := serviceIDs(list); !slices.Equal(got, []string{"plu-wfs", "topo-open", "topo-wms", "topo-wms2"}) || next != "" {
			t.Errorf("stranger's services: %v %q", got, next)
		}
		list, next = must2s[[]portal.MapService](t)(e.svc.MapServices(ctx, "adm", portal.ServiceQuery{Dataset: "IGNF_BD-TOPO", Limit: 2}))
		if got := serviceIDs(list); !slices.Equal(got, []string{"topo-open", "topo-wms"}) || next != "topo-wms" {
			t.Errorf("page 1: %v %q", got, next)
		}
		list, next = must2s[[]portal.MapService](t)(e.svc.MapServices(ctx, "adm", portal.ServiceQuery{Dataset: "IGNF_BD-TOPO", Limit: 2, After: next}))
		if got := serviceIDs(list); !slices.Equal(got, []string{"topo-wms2"}) || next != "" {
			t.Errorf("page 2: %v %q", got, next)
		}

		// Open and available are relationships the engine follows.
		if !e.check("service:topo-open#use@user:anonymous") || e.check("service:topo-wms#use@user:stranger") || !e.check("service:topo-wms#use@user:reg") {
			t.Error("use: open to anyone, restricted to the dataset's downloaders")
		}
		m.Available = false
		m.Layers = []string{"batiments"}
		m = must[portal.MapService](t)(e.svc.UpdateService(ctx, "ed", m))
		if e.check("service:topo-wms#use@user:reg") {
			t.Error("an unavailable service is still usable")
		}
		if got := e.svc.ServicesAt("/wms/ign"); len(got) != 2 || got[0].Available || len(got[0].Layers) != 1 {
			t.Errorf("ServicesAt after update: %+v", got)
		}
		_, err = e.svc.UpdateService(ctx, "reg", m)
		wantErr(t, err, portal.ErrForbidden)
		m.Path = "/wms/ign2"
		m = must[portal.MapService](t)(e.svc.UpdateService(ctx, "ed", m))
		if got := serviceIDs(e.svc.ServicesAt("/wms/ign")); !slices.Equal(got, []string{"topo-wms2"}) {
			t.Errorf("after moving: %v", got)
		}

		// Another node follows.
		b := newEnv(t, e.st)
		ok(t, b.sync(ctx, e.head()))
		if got := serviceIDs(b.svc.ServicesAt("/wms/ign2")); !slices.Equal(got, []string{"topo-wms"}) {
			t.Errorf("second node: %v", got)
		}
		ok(t, e.svc.DeleteService(ctx, "ed", "topo-wms"))
		ok(t, b.sync(ctx, e.head()))
		if got := b.svc.ServicesAt("/wms/ign2"); len(got) != 0 {
			t.Errorf("second node after deletion: %v", got)
		}
		if _, found := b.svc.MapServiceByID("topo-wms"); found {
			t.Error("a deleted service is still found")
		}
		if rs := e.rels(store.Filter{ResourceType: "service", ResourceID: "topo-wms"}); len(rs) != 0 {
			t.Errorf("relationships left: %v", rs)
		}
		// Deleting the dataset deletes its services.
		ok(t, e.svc.DeleteDataset(ctx, "ed", "IGNF_BD-TOPO"))
		if got := e.svc.ServicesAt("/wms/ign"); len(got) != 0 {
			t.Errorf("services of a deleted dataset: %v", got)
		}
	})
}

func must2s[T any](t *testing.T) func(v T, s string, err error) (T, string) {
	return func(v T, s string, err error) (T, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, s
	}
}

func TestGrants(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := e.ctx
		servicesWorld(t, e, w)
		exp := time.Now().Add(time.Hour).Truncate(time.Second)
		// Exact to the second: sub-second digits are dropped.
		expIn := exp.Add(400 * time.Millisecond)
		g := must[portal.Grant](t)(e.svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Licence ouverte", Services: []string{"topo-wms"}, Users: []string{"stranger", "dis"}, Communities: []string{"club"}, Expires: &expIn}))
		if g.Grantor != "ign" || !g.Expires.Equal(exp) || g.CreatedBy != "ed" {
			t.Errorf("created: %+v", g)
		}
		if got := must[portal.Grant](t)(e.svc.GrantOf(ctx, "stranger", g.ID)); !slices.Equal(got.Users, []string{"stranger"}) || len(got.Communities) != 0 {
			t.Errorf("a beneficiary sees other beneficiaries: %+v", got)
		}
		if got := must[portal.Grant](t)(e.svc.GrantOf(ctx, "part", g.ID)); len(got.Users) != 0 || !slices.Equal(got.Communities, []string{"club"}) {
			t.Errorf("a community member's view of the grant: %+v", got)
		}
		if got := must[portal.Grant](t)(e.svc.GrantOf(ctx, "adm", g.ID)); len(got.Users) != 2 || len(got.Communities) != 1 {
			t.Errorf("a manager's view of the grant: %+v", got)
		}
		if got, found := e.svc.GrantByID(g.ID); !found || got.Name != g.Name || !slices.Equal(got.Users, []string{"stranger", "dis"}) {
			t.Errorf("GrantByID: %+v %v", got, found)
		}
		for _, who := range []string{"stranger", "part", "csup"} {
			if !e.checkAt("service:topo-wms#use@user:"+who, exp.Add(-time.Second)) {
				t.Errorf("%s cannot use the service a second before expiry", who)
			}
			if e.checkAt("service:topo-wms#use@user:"+who, exp) {
				t.Errorf("%s can use the service at expiry", who)
			}
		}
		if e.check("service:topo-wms#use@user:dis") {
			t.Error("a disabled beneficiary can use the service")
		}
		if e.check("service:topo-wms2#use@user:stranger") {
			t.Error("the grant opens a service it does not cover")
		}
		// Refusals.
		past := e.clock.Now().Add(-time.Second)
		for _, c := range []struct {
			actor string
			g     portal.Grant
			want  error
		}{
			{"ed", portal.Grant{Name: "x", Services: []string{"topo-wms"}, Expires: &past}, portal.ErrInvalid},
			{"ed", portal.Grant{Name: "", Services: []string{"topo-wms"}}, portal.ErrInvalid},
			{"ed", portal.Grant{Name: "x"}, portal.ErrInvalid},
			{"admin", portal.Grant{Name: "x", Services: []string{"topo-wms", "plu-wfs"}}, portal.ErrInvalid},
			{"ed", portal.Grant{Name: "x", Services: []string{"plu-wfs"}}, portal.ErrForbidden},
			{"reg", portal.Grant{Name: "x", Services: []string{"topo-wms"}}, portal.ErrForbidden},
			{"ed", portal.Grant{Name: "x", Services: []string{"topo-wms"}, Users: []string{"nobody"}}, portal.ErrNotFound},
			{"ed", portal.Grant{Name: "x", Services: []string{"nothing"}}, portal.ErrNotFound},
		} {
			before := e.head()
			_, err := e.svc.CreateGrant(ctx, w.id(c.actor), c.g)
			wantErr(t, err, c.want)
			if e.head() != before {
				t.Errorf("refused %+v wrote", c.g)
			}
		}

		// Keys' accesses (written by the keys' part) go when the grant
		// stops covering their service.
		e.write("access:k1#owner@user:stranger", "access:k1#grant@grant:"+g.ID, "access:k1#service@service:topo-wms",
			"access:k2#owner@user:stranger", "access:k2#grant@grant:"+g.ID, "access:k2#service@service:topo-wms2")
		if !e.check("access:k1#open@user:stranger") {
			t.Fatal("access k1 does not open")
		}
		var told [][]string
		defer e.svc.SetAccessesDeleted(func(ids []string) { told = append(told, ids) })()
		services := []string{"topo-wms2"}
		newExp := exp.Add(24 * time.Hour)
		g = must[portal.Grant](t)(e.svc.UpdateGrant(ctx, "adm", g.ID, portal.GrantChange{Services: services, SetExpires: true, Expires: &newExp, AddUsers: []string{"reg"}, RemoveCommunities: []string{"club"}}))
		if rs := e.rels(store.Filter{ResourceType: "access", ResourceID: "k1"}); len(rs) != 0 {
			t.Errorf("access k1 left: %v", rs)
		}
		if rs := e.rels(store.Filter{ResourceType: "access", ResourceID: "k2"}); len(rs) != 3 {
			t.Errorf("access k2 touched: %v", rs)
		}
		if len(told) != 1 || !slices.Equal(told[0], []string{"k1"}) {
			t.Errorf("the keys' code was told of %v, want [[k1]]", told)
		}
		if !e.checkAt("service:topo-wms2#use@user:stranger", exp.Add(time.Hour)) || e.checkAt("service:topo-wms2#use@user:part", exp.Add(-time.Hour)) {
			t.Error("the new expiry or the removed community is not in the relationships")
		}
		_, err := e.svc.UpdateGrant(ctx, "reg", g.ID, portal.GrantChange{Name: new("x")})
		wantErr(t, err, portal.ErrForbidden)
		_, err = e.svc.UpdateGrant(ctx, "part", g.ID, portal.GrantChange{Name: new("x")})
		wantErr(t, err, portal.ErrNotFound)
		_, err = e.svc.UpdateGrant(ctx, "ed", g.ID, portal.GrantChange{Services: []string{"plu-wfs"}})
		wantErr(t, err, portal.ErrForbidden)

		// Views.
		region := must[portal.Organisation](t)(e.svc.Organisation(ctx, "adm2", "region"))
		region.Contact = "not an address"
		_, err = e.svc.UpdateOrganisation(ctx, "adm2", region)
		wantErr(t, err, portal.ErrInvalid)
		region.Contact = "Donnees@Region.example"
		must[portal.Organisation](t)(e.svc.UpdateOrganisation(ctx, "adm2", region))
		g2 := must[portal.Grant](t)(e.svc.CreateGrant(ctx, "adm2", portal.Grant{Name: "PLU", Services: []string{"plu-wfs"}, Communities: []string{"club"}}))
		mine, _ := must2s[[]portal.HeldGrant](t)(e.svc.MyGrants(ctx, "part", portal.GrantQuery{}))
		if len(mine) != 1 || mine[0].ID != g2.ID || mine[0].Personal || !slices.Equal(mine[0].Through, []string{"club"}) ||
			mine[0].Producer.Name != "Région Sud" || mine[0].Producer.Contact != "donnees@region.example" || len(mine[0].Opens) != 1 || mine[0].Opens[0].ID != "plu-wfs" || mine[0].State != portal.GrantLive {
			t.Errorf("part's grants: %+v", mine)
		}
		prod, _ := must2s[[]portal.Grant](t)(e.svc.Grants(ctx, "ed", portal.GrantQuery{}))
		if len(prod) != 1 || prod[0].ID != g.ID {
			t.Errorf("ed's grants: %+v", prod)
		}
		prod, _ = must2s[[]portal.Grant](t)(e.svc.Grants(ctx, w.admin, portal.GrantQuery{Community: "club"}))
		if len(prod) != 1 || prod[0].ID != g2.ID {
			t.Errorf("admin's grants to club: %+v", prod)
		}
		if prod, _ = must2s[[]portal.Grant](t)(e.svc.Grants(ctx, "stranger", portal.GrantQuery{})); len(prod) != 0 {
			t.Errorf("a beneficiary sees the producer's view: %+v", prod)
		}
		// Expired grants stay listed, as expired.
		e.clock.mu.Lock()
		e.clock.now = newExp.Add(time.Second)
		e.clock.mu.Unlock()
		mine, _ = must2s[[]portal.HeldGrant](t)(e.svc.MyGrants(ctx, "stranger", portal.GrantQuery{}))
		if len(mine) != 1 || mine[0].State != portal.GrantExpired || !mine[0].Personal {
			t.Errorf("stranger's expired grant: %+v", mine)
		}
		if prod, _ = must2s[[]portal.Grant](t)(e.svc.Grants(ctx, "ed", portal.GrantQuery{State: portal.GrantLive})); len(prod) != 0 {
			t.Errorf("live grants after expiry: %+v", prod)
		}
		e.clock.mu.Lock()
		e.clock.now = newExp.Add(-48 * time.Hour)
		e.clock.mu.Unlock()
		if prod, _ = must2s[[]portal.Grant](t)(e.svc.Grants(ctx, "ed", portal.GrantQuery{ExpiringWithin: 72 * time.Hour})); len(prod) != 1 {
			t.Errorf("grants expiring within 3 days: %+v", prod)
		}
		if prod, _ = must2s[[]portal.Grant](t)(e.svc.Grants(ctx, "ed", portal.GrantQuery{ExpiringWithin: 24 * time.Hour})); len(prod) != 0 {
			t.Errorf("grants expiring within a day: %+v", prod)
		}

		// Giving up.
		_, err = e.svc.RenounceGrant(ctx, "part", g2.ID)
		wantErr(t, err, portal.ErrNotFound)
		g = must[portal.Grant](t)(e.svc.RenounceGrant(ctx, "stranger", g.ID))
		if slices.Contains(g.Users, "stranger") || e.checkAt("service:topo-wms2#use@user:stranger", exp) {
			t.Errorf("after giving up: %+v", g)
		}
		// Deleting the grant deletes its accesses, expired relationships
		// included.
		told = nil
		ok(t, e.svc.DeleteGrant(ctx, "ed", g.ID))
		if len(told) != 1 || !slices.Equal(told[0], []string{"k2"}) {
			t.Errorf("deleting the grant told the keys' code of %v, want [[k2]] once", told)
		}
		if rs := e.rels(store.Filter{ResourceType: "access", ResourceID: "k2"}); len(rs) != 0 {
			t.Errorf("access k2 left: %v", rs)
		}
		if rs := e.rels(store.Filter{ResourceType: "grant", ResourceID: g.ID}); len(rs) != 0 {
			t.Errorf("grant relationships left: %v", rs)
		}
		// Deleting a community drops it from its grants.
		ok(t, e.svc.DeleteCommunity(ctx, "csup", "club"))
		got := must[portal.Grant](t)(e.svc.GrantOf(ctx, "adm2", g2.ID))
		if len(got.Communities) != 0 || len(e.rels(store.Filter{ResourceType: "grant", ResourceID: g2.ID, Relation: "beneficiary_community"})) != 0 {
			t.Errorf("grant still names a deleted community: %+v", got)
		}
		// Each step is in the audit log, read by the grant's managers.
		entries := must[[]store.AuditEntry](t)(e.svc.Audit(ctx, "adm2", store.AuditQuery{Resource: "grant:" + g2.ID}))
		var actions []string
		for _, a := range entries {
			actions = append(actions, a.Action)
		}
		if !slices.Equal(actions, []string{"grant.create", "grant.update"}) {
			t.Errorf("audit of the grant: %v", actions)
		}
		_, err = e.svc.Audit(ctx, "ed", store.AuditQuery{Resource: "grant:" + g2.ID})
		wantErr(t, err, portal.ErrForbidden)
		if _, err := e.svc.Audit(ctx, "ed", store.AuditQuery{Resource: "service:topo-wms"}); err != nil {
			t.Errorf("audit of a service by its manager: %v", err)
		}
		// Deleting the last service a grant covers deletes the grant
		// (grantempty_test.go).
		ok(t, e.svc.DeleteService(ctx, "adm2", "plu-wfs"))
		_, err = e.svc.GrantOf(ctx, "adm2", g2.ID)
		wantErr(t, err, portal.ErrNotFound)
	})
}

func TestAccessRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := e.ctx
		servicesWorld(t, e, w)
		r := must[portal.AccessRequest](t)(e.svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Message: "Pour un projet"}))
		if r.Status != portal.AccessPending || r.Organisation != "ign" || !slices.Equal(r.Services, []string{"topo-wms", "topo-wms2"}) {
			t.Errorf("request: %+v", r)
		}
		notified := func(who string) bool {
			ns := must[[]portal.Notice](t)(e.svc.Notices(ctx, who, "", 100))
			return slices.ContainsFunc(ns, func(n portal.Notice) bool { return n.Kind == "access_request.created" && n.Data["request"] == r.ID })
		}
		if !notified("ed") || !notified("adm") || notified("reg") || notified("adm2") {
			t.Error("the request's notices")
		}
		_, err := e.svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_BD-TOPO"})
		wantErr(t, err, portal.ErrConflict)
		_, err = e.svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_PRIVATE"})
		wantErr(t, err, portal.ErrNotFound)
		_, err = e.svc.RequestAccess(ctx, "part", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Services: []string{"topo-open"}})
		wantErr(t, err, portal.ErrInvalid)
		_, err = e.svc.RequestAccess(ctx, "part", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Community: "club"})
		wantErr(t, err, portal.ErrForbidden)
		// Inbox and own list.
		inbox := must[[]portal.AccessRequest](t)(e.svc.AccessRequests(ctx, "ed", portal.AccessRequestQuery{Status: portal.AccessPending}))
		if len(inbox) != 1 || inbox[0].ID != r.ID {
			t.Errorf("ed's inbox: %+v", inbox)
		}
		if inbox = must[[]portal.AccessRequest](t)(e.svc.AccessRequests(ctx, "adm2", portal.AccessRequestQuery{})); len(inbox) != 0 {
			t.Errorf("adm2's inbox: %+v", inbox)
		}
		if own := must[[]portal.AccessRequest](t)(e.svc.AccessRequests(ctx, "stranger", portal.AccessRequestQuery{Mine: true})); len(own) != 1 {
			t.Errorf("stranger's own: %+v", own)
		}
		// Deciding: publishers of the organisation only.
		exp := time.Now().Add(72 * time.Hour).Truncate(time.Second)
		_, err = e.svc.DecideAccessRequest(ctx, "reg", r.ID, portal.AccessDecision{Accept: true})
		wantErr(t, err, portal.ErrNotFound)
		_, err = e.svc.DecideAccessRequest(ctx, "stranger", r.ID, portal.AccessDecision{Accept: true})
		wantErr(t, err, portal.ErrForbidden)
		r = must[portal.AccessRequest](t)(e.svc.DecideAccessRequest(ctx, "ed", r.ID, portal.AccessDecision{Accept: true, Expires: &exp}))
		if r.Status != portal.AccessAccepted || r.Grant == "" || r.DecidedBy != "ed" || r.DecidedAt == nil {
			t.Errorf("accepted: %+v", r)
		}
		if !e.checkAt("service:topo-wms#use@user:stranger", exp.Add(-time.Second)) || e.checkAt("service:topo-wms#use@user:stranger", exp) {
			t.Error("the accepted request's grant")
		}
		_, err = e.svc.CancelAccessRequest(ctx, "stranger", r.ID)
		wantErr(t, err, portal.ErrConflict)
		// Asking again for what one has is answered at once.
		again := must[portal.AccessRequest](t)(e.svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Services: []string{"topo-wms"}}))
		if again.Status != portal.AccessAlreadyGranted {
			t.Errorf("asking again: %+v", again)
		}
		// A grant without expiry has nothing to renew.
		forever := must[portal.Grant](t)(e.svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Sans fin", Services: []string{"topo-wms"}, Users: []string{"part"}}))
		_, err = e.svc.RequestAccess(ctx, "part", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Renewal: forever.ID})
		wantErr(t, err, portal.ErrInvalid)
		// A renewal goes to the grantor, and accepting extends the grant.
		ren := must[portal.AccessRequest](t)(e.svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Renewal: r.Grant}))
		later := exp.Add(30 * 24 * time.Hour)
		ren = must[portal.AccessRequest](t)(e.svc.DecideAccessRequest(ctx, "adm", ren.ID, portal.AccessDecision{Accept: true, Expires: &later}))
		if ren.Grant != r.Grant {
			t.Errorf("renewal made another grant: %+v", ren)
		}
		if !e.checkAt("service:topo-wms2#use@user:stranger", later.Add(-time.Second)) {
			t.Error("the renewal did not extend the grant")
		}
		// A community request, refused; another, cancelled.
		c := must[portal.AccessRequest](t)(e.svc.RequestAccess(ctx, "csup", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Community: "club", Services: []string{"topo-wms2"}}))
		c = must[portal.AccessRequest](t)(e.svc.DecideAccessRequest(ctx, "adm", c.ID, portal.AccessDecision{Reason: "Pas pour l'instant"}))
		if c.Status != portal.AccessRefused || c.Reason != "Pas pour l'instant" {
			t.Errorf("refused: %+v", c)
		}
		c = must[portal.AccessRequest](t)(e.svc.RequestAccess(ctx, "csup", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Community: "club"}))
		_, err = e.svc.CancelAccessRequest(ctx, "part", c.ID)
		wantErr(t, err, portal.ErrNotFound)
		c = must[portal.AccessRequest](t)(e.svc.CancelAccessRequest(ctx, "csup", c.ID))
		if c.Status != portal.AccessCancelled {
			t.Errorf("cancelled: %+v", c)
		}
	})
}
