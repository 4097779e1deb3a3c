package portal_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

func grantIDs(gs []portal.GrantDetail) []string {
	var ids []string
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	return ids
}

// putUsage writes the gateway's daily sums of a service as package
// gateway does.
func (e *env) putUsage(sums ...portal.UsageSum) {
	e.t.Helper()
	_, err := e.st.Transact(e.ctx, func(tx store.DocTx) error {
		for _, s := range sums {
			b, _ := json.Marshal(s)
			if err := tx.PutDoc(e.ctx, store.Doc{Kind: portal.KindUsageDayService, ID: s.Day + "/" + s.Key + "/" + s.Service + "/" + s.Grant, Parent: s.Service, Data: b}); err != nil {
				return err
			}
		}
		return nil
	})
	ok(e.t, err)
}

func TestProducerView(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := e.ctx
		servicesWorld(t, e, w)
		soon := e.clock.Now().Add(5 * 24 * time.Hour)
		g1 := must[portal.Grant](t)(e.svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Licence A", Services: []string{"topo-wms"}, Users: []string{"stranger"}, Communities: []string{"club"}, Expires: &soon}))
		g2 := must[portal.Grant](t)(e.svc.CreateGrant(ctx, "adm", portal.Grant{Name: "Licence B", Services: []string{"topo-wms2"}, Users: []string{"part"}}))
		g3 := must[portal.Grant](t)(e.svc.CreateGrant(ctx, "adm2", portal.Grant{Name: "PLU", Services: []string{"plu-wfs"}, Users: []string{"stranger"}}))

		// Services of one organisation, to its publishers only.
		ms, next := must2s[[]portal.MapService](t)(e.svc.OrgServices(ctx, "ed", "ign", "", 0))
		if got := serviceIDs(ms); !slices.Equal(got, []string{"topo-open", "topo-wms", "topo-wms2"}) || next != "" {
			t.Errorf("OrgServices = %v %q", got, next)
		}
		ms, next = must2s[[]portal.MapService](t)(e.svc.OrgServices(ctx, "adm", "ign", "", 2))
		if got := serviceIDs(ms); !slices.Equal(got, []string{"topo-open", "topo-wms"}) || next != "topo-wms" {
			t.Errorf("OrgServices page = %v %q", got, next)
		}
		for who, want := range map[string]error{"reg": portal.ErrForbidden, "stranger": portal.ErrForbidden, "adm2": portal.ErrForbidden, "dis": portal.ErrForbidden, "": portal.ErrUnauthenticated} {
			_, _, err := e.svc.OrgServices(ctx, w.id(who), "ign", "", 0)
			wantErr(t, err, want)
			_, _, err = e.svc.OrgGrants(ctx, w.id(who), "ign", portal.OrgGrantQuery{})
			wantErr(t, err, want)
		}
		_, _, err := e.svc.OrgServices(ctx, "ed", "nowhere", "", 0)
		wantErr(t, err, portal.ErrNotFound)

		// Grants of one organisation, filtered, with names.
		gs, _ := must2s[[]portal.GrantDetail](t)(e.svc.OrgGrants(ctx, "ed", "ign", portal.OrgGrantQuery{}))
		if got := grantIDs(gs); !slices.Equal(got, []string{g1.ID, g2.ID}) {
			t.Fatalf("OrgGrants = %v", got)
		}
		d := gs[0]
		if d.State != portal.GrantLive || d.CreatorName != "Person ed" || !slices.Equal(d.UserNames, []portal.Named{{ID: "stranger", Name: "Person stranger"}}) ||
			!slices.Equal(d.CommunityNames, []portal.Named{{ID: "club", Name: "Club SIG"}}) || len(d.ServiceList) != 1 || d.ServiceList[0].Title != "BD TOPO WMS" {
			t.Errorf("detail = %+v", d)
		}
		for _, c := range []struct {
			q    portal.OrgGrantQuery
			want []string
		}{
			{portal.OrgGrantQuery{Service: "topo-wms2"}, []string{g2.ID}},
			{portal.OrgGrantQuery{Service: "plu-wfs"}, nil},
			{portal.OrgGrantQuery{Beneficiary: "club sig"}, []string{g1.ID}},
			{portal.OrgGrantQuery{Beneficiary: "PART"}, []string{g2.ID}},
			{portal.OrgGrantQuery{Beneficiary: "person"}, []string{g1.ID, g2.ID}},
			{portal.OrgGrantQuery{State: portal.GrantExpired}, nil},
			{portal.OrgGrantQuery{ExpiringWithin: 7 * 24 * time.Hour}, []string{g1.ID}},
			{portal.OrgGrantQuery{ExpiringWithin: 24 * time.Hour}, nil},
			{portal.OrgGrantQuery{Limit: 1}, []string{g1.ID}},
			{portal.OrgGrantQuery{After: g1.ID}, []string{g2.ID}},
		} {
			gs, _ := must2s[[]portal.GrantDetail](t)(e.svc.OrgGrants(ctx, "adm", "ign", c.q))
			if got := grantIDs(gs); !slices.Equal(got, c.want) {
				t.Errorf("%+v: %v, want %v", c.q, got, c.want)
			}
		}
		if _, next := must2s[[]portal.GrantDetail](t)(e.svc.OrgGrants(ctx, "adm", "ign", portal.OrgGrantQuery{Limit: 1})); next != g1.ID {
			t.Errorf("next = %q", next)
		}
		_, _, err = e.svc.OrgGrants(ctx, "ed", "ign", portal.OrgGrantQuery{State: "gone"})
		wantErr(t, err, portal.ErrInvalid)
		e.clock.Advance(6 * 24 * time.Hour)
		if gs, _ := must2s[[]portal.GrantDetail](t)(e.svc.OrgGrants(ctx, "ed", "ign", portal.OrgGrantQuery{State: portal.GrantExpired})); !slices.Equal(grantIDs(gs), []string{g1.ID}) || gs[0].State != portal.GrantExpired {
			t.Errorf("expired = %v", grantIDs(gs))
		}

		// One grant, to its managers.
		if got := must[portal.GrantDetail](t)(e.svc.ManagedGrant(ctx, "adm", g1.ID)); got.Name != "Licence A" || got.CreatorName != "Person ed" {
			t.Errorf("ManagedGrant = %+v", got)
		}
		_, err = e.svc.ManagedGrant(ctx, "stranger", g3.ID) // a beneficiary sees it, may not manage it
		wantErr(t, err, portal.ErrForbidden)
		for _, who := range []string{"reg", "adm2", "part"} {
			_, err = e.svc.ManagedGrant(ctx, who, g1.ID)
			wantErr(t, err, portal.ErrNotFound)
		}

		// Usage through a grant: its own sums only, on its services.
		e.putUsage(
			portal.UsageSum{Day: "2026-06-05", Key: "k1", Service: "topo-wms", Grant: g1.ID, Allowed: 3, Bytes: 30},
			portal.UsageSum{Day: "2026-06-04", Key: "k2", Service: "topo-wms", Grant: g1.ID, Allowed: 2, Refused: 1},
			portal.UsageSum{Day: "2026-06-05", Key: "k3", Service: "topo-wms", Grant: "other", Allowed: 9},
			portal.UsageSum{Day: "2026-06-05", Key: "k4", Service: "topo-wms2", Grant: g2.ID, Allowed: 7},
			portal.UsageSum{Day: "2026-04-01", Key: "k1", Service: "topo-wms", Grant: g1.ID, Allowed: 100},
		)
		us := must[[]portal.UsageSum](t)(e.svc.GrantUsage(ctx, "ed", g1.ID, nil))
		if len(us) != 2 || us[0].Day != "2026-06-04" || us[0].Allowed != 2 || us[1].Allowed != 3 || us[1].Bytes != 30 {
			t.Errorf("GrantUsage = %+v", us)
		}
		since := time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)
		if us := must[[]portal.UsageSum](t)(e.svc.GrantUsage(ctx, "ed", g1.ID, &since)); len(us) != 1 {
			t.Errorf("GrantUsage since = %+v", us)
		}
		_, err = e.svc.GrantUsage(ctx, "stranger", g3.ID, nil)
		wantErr(t, err, portal.ErrForbidden)
		_, err = e.svc.GrantUsage(ctx, "reg", g1.ID, nil)
		wantErr(t, err, portal.ErrNotFound)
	})
}

func TestBeneficiarySearch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := e.ctx
		// An editor (not a delegated administrator) makes grants and so
		// finds beneficiaries: by name, not by an e-mail's prefix, and
		// sees no e-mail.
		as, cs := mustPair[[]portal.Account, []portal.Named](t)(e.svc.SearchBeneficiaries(ctx, "ed", "person st", 10))
		if len(as) != 1 || as[0].ID != "stranger" || as[0].Email != "" || len(cs) != 0 {
			t.Errorf("editor's search = %+v %+v", as, cs)
		}
		if as, _ := mustPair[[]portal.Account, []portal.Named](t)(e.svc.SearchBeneficiaries(ctx, "ed", "stranger@exa", 10)); len(as) != 0 {
			t.Errorf("an e-mail prefix finds %+v", as)
		}
		if as, _ := mustPair[[]portal.Account, []portal.Named](t)(e.svc.SearchBeneficiaries(ctx, "ed", "stranger@example.org", 10)); len(as) != 1 || as[0].Email != "stranger@example.org" {
			t.Errorf("a whole e-mail finds %+v", as)
		}
		// Communities: a listed one by a word of its name or its id's
		// start; a private one ("club") by its whole id only.
		must[portal.Community](t)(e.svc.CreateCommunity(ctx, "csup", portal.Community{ID: "reseau", Name: "Réseau des géomaticiens", Public: true}))
		for q, want := range map[string][]portal.Named{
			"GEOMA": {{ID: "reseau", Name: "Réseau des géomaticiens"}},
			"res":   {{ID: "reseau", Name: "Réseau des géomaticiens"}},
			"club":  {{ID: "club", Name: "Club SIG"}},
			"clu":   nil,
			"SIG":   nil,
		} {
			if _, cs := mustPair[[]portal.Account, []portal.Named](t)(e.svc.SearchBeneficiaries(ctx, "ed", q, 10)); !slices.Equal(cs, want) {
				t.Errorf("communities for %q = %+v, want %+v", q, cs, want)
			}
		}
		// The community's own members find it by name.
		if _, cs := mustPair[[]portal.Account, []portal.Named](t)(e.svc.SearchBeneficiaries(ctx, w.id("admin"), "sig", 10)); len(cs) != 1 {
			t.Errorf("the platform administrator's search = %+v", cs)
		}
		// An account manager sees accounts as the account screens do.
		if as, _ := mustPair[[]portal.Account, []portal.Named](t)(e.svc.SearchBeneficiaries(ctx, "manager", "strang", 10)); len(as) != 1 || as[0].Email == "" {
			t.Errorf("manager's search = %+v", as)
		}
		for who, want := range map[string]error{"stranger": portal.ErrForbidden, "reg": portal.ErrForbidden, "part": portal.ErrForbidden, "dis": portal.ErrForbidden, "": portal.ErrUnauthenticated} {
			_, _, err := e.svc.SearchBeneficiaries(ctx, w.id(who), "person", 10)
			wantErr(t, err, want)
			_, _, err = e.svc.NameBeneficiaries(ctx, w.id(who), []string{"stranger"}, nil)
			wantErr(t, err, want)
		}
		_, _, err := e.svc.SearchBeneficiaries(ctx, "ed", "  ", 10)
		wantErr(t, err, portal.ErrInvalid)

		un, cn := mustPair[[]portal.Named, []portal.Named](t)(e.svc.NameBeneficiaries(ctx, "ed", []string{"part", "stranger"}, []string{"club"}))
		if !slices.Equal(un, []portal.Named{{ID: "part", Name: "Person part"}, {ID: "stranger", Name: "Person stranger"}}) || !slices.Equal(cn, []portal.Named{{ID: "club", Name: "Club SIG"}}) {
			t.Errorf("names = %+v %+v", un, cn)
		}
		_, _, err = e.svc.NameBeneficiaries(ctx, "ed", []string{"nobody"}, nil)
		wantErr(t, err, portal.ErrInvalid)
		_, _, err = e.svc.NameBeneficiaries(ctx, "ed", nil, []string{"no-club"})
		wantErr(t, err, portal.ErrInvalid)
		_, _, err = e.svc.NameBeneficiaries(ctx, "ed", []string{"bad id"}, nil)
		wantErr(t, err, portal.ErrInvalid)
	})
}

func TestRestrictedServices(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := e.ctx
		servicesWorld(t, e, w)
		for _, who := range []string{"", "stranger", "ed"} {
			ms := must[[]portal.MapService](t)(e.svc.RestrictedServices(ctx, who, "IGNF_BD-TOPO"))
			if got := serviceIDs(ms); !slices.Equal(got, []string{"topo-wms", "topo-wms2"}) {
				t.Errorf("%q: %v", who, got)
			}
		}
		must[portal.MapService](t)(e.svc.CreateService(ctx, "adm", portal.MapService{ID: "priv", Dataset: "IGNF_PRIVATE", Title: "Interne", Type: "download", Path: "/download/i", Upstream: "https://files.example.org/i.zip"}))
		for _, who := range []string{"", "stranger"} {
			_, err := e.svc.RestrictedServices(ctx, who, "IGNF_PRIVATE")
			wantErr(t, err, portal.ErrNotFound)
		}
		if ms := must[[]portal.MapService](t)(e.svc.RestrictedServices(ctx, "reg", "IGNF_PRIVATE")); len(ms) != 1 {
			t.Errorf("a member of the owner: %v", serviceIDs(ms))
		}
		_, err := e.svc.RestrictedServices(ctx, "", "bad id")
		wantErr(t, err, portal.ErrInvalid)
	})
}

// mustPair returns the two values of a call that also returns an error,
// failing the test on the error.
func mustPair[A, B any](t *testing.T) func(a A, b B, err error) (A, B) {
	return func(a A, b B, err error) (A, B) {
		t.Helper()
		ok(t, err)
		return a, b
	}
}

// producerActions are the matrix's rows for the producer's screen
// (TestRoleActionMatrix).
func producerActions() []action {
	pubs := []string{"admin", "ed", "adm"}
	// but names every actor but those.
	but := func(names ...string) map[string]error {
		return hidden(slices.DeleteFunc(slices.Clone(actors), func(a string) bool { return slices.Contains(names, a) })...)
	}
	grant := func(t *testing.T, e *env, w world, n int) string {
		m := must[portal.MapService](t)(e.svc.CreateService(e.ctx, "ed", portal.MapService{ID: fmt.Sprintf("psvc-%d", n), Dataset: "IGNF_BD-TOPO", Title: "WMS",
			Type: portal.ServiceWMS, Path: fmt.Sprintf("/wms/p%d", n), Upstream: "https://example.org/wms", Layers: []string{"a"}, Available: true}))
		return must[portal.Grant](t)(e.svc.CreateGrant(e.ctx, "ed", portal.Grant{Name: "L", Services: []string{m.ID}, Users: []string{"stranger"}})).ID
	}
	// Those who make grants find beneficiaries: account managers, and
	// whoever publishes for an organisation (the stranger is the first
	// administrator of the organisations CreateOrganisation made above).
	finders := []string{"admin", "manager", "ed", "adm", "adm2", "stranger"}
	return []action{
		{name: "OrgServices", allowed: pubs,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.OrgServices(e.ctx, w.id(a), "ign", "", 0)
				return err
			}},
		{name: "OrgGrants", allowed: pubs,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.OrgGrants(e.ctx, w.id(a), "ign", portal.OrgGrantQuery{})
				return err
			}},
		{name: "ManagedGrant", allowed: pubs, other: but("admin", "ed", "adm", "stranger"), prep: grant,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.ManagedGrant(e.ctx, w.id(a), target)
				return err
			}},
		{name: "GrantUsage", allowed: pubs, other: but("admin", "ed", "adm", "stranger"), prep: grant,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.GrantUsage(e.ctx, w.id(a), target, nil)
				return err
			}},
		{name: "SearchBeneficiaries", allowed: finders,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.SearchBeneficiaries(e.ctx, w.id(a), "person", 5)
				return err
			}},
		{name: "NameBeneficiaries", allowed: finders,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.NameBeneficiaries(e.ctx, w.id(a), []string{"stranger"}, []string{"club"})
				return err
			}},
		{name: "RestrictedServices", allowed: everyoneActive, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.RestrictedServices(e.ctx, w.id(a), "IGNF_BD-TOPO")
				return err
			}},
	}
}
