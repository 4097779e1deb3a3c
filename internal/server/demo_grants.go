package server

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// DemoUpstream is where the demo's map services are served from: a
// MapServer CGI on this machine with the demo's map file. It is a
// placeholder until one runs there (see the README): the portal and the
// gateway's decisions work without it, only the maps themselves need it.
const DemoUpstream = "http://127.0.0.1:8081/cgi-bin/mapserv?map=/etc/octroi/demo.map"

// DemoWMSPath is the public path of the demo's WMS on the gateway, shared
// by the services of several datasets, each with its own layers.
const DemoWMSPath = "/wms/sud"

// demoGrantsMaker is what the demo's services, grants and access request
// take of the portal.
type demoGrantsMaker interface {
	CreateService(ctx context.Context, actor string, m portal.MapService) (portal.MapService, error)
	CreateGrant(ctx context.Context, actor string, g portal.Grant) (portal.Grant, error)
	UpdateGrant(ctx context.Context, actor, id string, c portal.GrantChange) (portal.Grant, error)
	RequestAccess(ctx context.Context, actor string, r portal.AccessRequest) (portal.AccessRequest, error)
	Organisation(ctx context.Context, actor, id string) (portal.Organisation, error)
	UpdateOrganisation(ctx context.Context, actor string, o portal.Organisation) (portal.Organisation, error)
}

// buildDemoGrants adds the Région Sud's WMS at /wms/sud (restricted
// layers of the PPRI and of the private land observatory, an open land
// cover layer), three grants (one without expiry, one ending within a
// week, one that has ended) and a pending access request.
func buildDemoGrants(ctx context.Context, p demoGrantsMaker, d *demo) {
	services := []struct {
		actor string
		m     portal.MapService
	}{
		{"paul.risques", portal.MapService{ID: "sud-ppri", Dataset: "REGION-SUD_PPRI", Title: "PPRI — WMS", Type: portal.ServiceWMS, Path: DemoWMSPath,
			Upstream: DemoUpstream, Layers: []string{"ppri_zonage", "ppri_alea"}, Available: true}},
		{"regine.sud", portal.MapService{ID: "sud-foncier", Dataset: "REGION-SUD_FONCIER", Title: "Observatoire du foncier — WMS", Type: portal.ServiceWMS, Path: DemoWMSPath,
			Upstream: DemoUpstream, Layers: []string{"foncier_parcelles"}, Available: true}},
		{"paul.risques", portal.MapService{ID: "sud-ocsol", Dataset: "REGION-SUD_OCSOL", Title: "Occupation du sol 2020 — WMS", Type: portal.ServiceWMS, Path: DemoWMSPath,
			Upstream: DemoUpstream, Layers: []string{"ocsol_2020"}, Open: true, Available: true}},
	}
	// The contact its grants' beneficiaries see.
	d.step("contact of region-sud", func() error {
		o, err := p.Organisation(ctx, d.id("regine.sud"), "region-sud")
		if err != nil {
			return err
		}
		o.Contact = "donnees@region-sud.demo.octroi.dev"
		_, err = p.UpdateOrganisation(ctx, d.id("regine.sud"), o)
		return err
	})
	for _, s := range services {
		d.step("service "+s.m.ID, func() error {
			_, err := p.CreateService(ctx, d.id(s.actor), s.m)
			return err
		})
	}
	now := time.Now().UTC().Truncate(time.Second)
	d.step("grants", func() error {
		if _, err := p.CreateGrant(ctx, d.id("paul.risques"), portal.Grant{Name: "Licence Ouverte Etalab 2.0 — PPRI", Services: []string{"sud-ppri"},
			Users: []string{d.id("julie.candidate")}}); err != nil {
			return err
		}
		soon := now.Add(demoSoonAfter)
		if _, err := p.CreateGrant(ctx, d.id("regine.sud"), portal.Grant{Name: demoSoonGrant, Services: []string{"sud-foncier"},
			Users: []string{d.id("sophie.voirie")}, Communities: []string{"observatoire-littoral"}, Expires: &soon}); err != nil {
			return err
		}
		// An ended grant: made for a study, then ended by its producer
		// when the study closed (a past expiry cannot be given at
		// creation).
		end := now.Add(24 * time.Hour)
		g, err := p.CreateGrant(ctx, d.id("paul.risques"), portal.Grant{Name: "Étude inondations 2025", Services: []string{"sud-ppri"},
			Users: []string{d.id("olivier.carto")}, Expires: &end})
		if err != nil {
			return err
		}
		ended := now.Add(-30 * 24 * time.Hour)
		_, err = p.UpdateGrant(ctx, d.id("paul.risques"), g.ID, portal.GrantChange{SetExpires: true, Expires: &ended})
		return err
	})
	d.step("access request", func() error {
		_, err := p.RequestAccess(ctx, d.id("hugo.donnees"), portal.AccessRequest{Dataset: "REGION-SUD_PPRI", Services: []string{"sud-ppri"},
			Message: "Pour croiser le zonage du PPRI avec l'évolution du trait de côte."})
		return err
	})
}

// demoKeyName names the demo's access key, found again at every start.
const demoKeyName = "Démo — PPRI (WMS /wms/sud)"

// demoKeys is what the demo's access key takes of the portal.
type demoKeys interface {
	Keys(ctx context.Context, actor string) ([]portal.AccessKey, error)
	CreateKey(ctx context.Context, actor string, spec portal.KeySpec) (portal.AccessKey, string, error)
	RegenerateKey(ctx context.Context, actor, id string) (portal.AccessKey, string, error)
	MyGrants(ctx context.Context, actor string, q portal.GrantQuery) ([]portal.HeldGrant, string, error)
}

// demoKey gives Julie Candidate, who holds the PPRI's grant, an access key
// to its WMS layers, with a secret new at every start (a secret is shown
// once: the one printed last is the one that works), so that a newcomer
// can ask the gateway with curl.
func demoKey(ctx context.Context, p demoKeys, accounts []DemoAccount) error {
	i := slices.IndexFunc(accounts, func(a DemoAccount) bool { return a.Email == demoEmail("julie.candidate") })
	if i < 0 {
		return nil // a demo made before she existed
	}
	julie := accounts[i].ID
	keys, err := p.Keys(ctx, julie)
	if err != nil {
		return err
	}
	var secret string
	if k := slices.IndexFunc(keys, func(k portal.AccessKey) bool { return k.Name == demoKeyName }); k >= 0 {
		_, secret, err = p.RegenerateKey(ctx, julie, keys[k].ID)
	} else {
		held, _, gerr := p.MyGrants(ctx, julie, portal.GrantQuery{Service: "sud-ppri"})
		if gerr != nil || len(held) == 0 {
			return gerr // no grant: a demo made before the services
		}
		_, secret, err = p.CreateKey(ctx, julie, portal.KeySpec{Name: demoKeyName, Type: portal.KeyHash,
			Accesses: []portal.AccessPair{{Grant: held[0].ID, Service: "sud-ppri"}}})
	}
	if err != nil {
		return fmt.Errorf("the demo's access key: %w", err)
	}
	accounts[i].Key = secret
	return nil
}

// The demo's grant that ends within a week: its end is moved at every
// start of the demo to demoSoonAfter from then (redateDemoGrant), so that
// a demo started again weeks later still shows a grant about to end,
// rather than one that ended after its first week. The grant that has
// ended is left as it is: it stays ended.
const (
	demoSoonGrant = "Convention foncier métropole 2026"
	demoSoonAfter = 5 * 24 * time.Hour
)

// demoGrantDater is what redateDemoGrant takes of the portal.
type demoGrantDater interface {
	Grants(ctx context.Context, actor string, q portal.GrantQuery) ([]portal.Grant, string, error)
	UpdateGrant(ctx context.Context, actor, id string, c portal.GrantChange) (portal.Grant, error)
}

// redateDemoGrant sets the end of the demo's grant that ends within a
// week to demoSoonAfter from now, as its producer would. A demo whose
// producer or grant is gone (changed by hand) is left alone.
func redateDemoGrant(ctx context.Context, p demoGrantDater, accounts []DemoAccount, now time.Time) error {
	i := slices.IndexFunc(accounts, func(a DemoAccount) bool { return a.Email == demoEmail("regine.sud") && !a.Disabled })
	if i < 0 {
		return nil
	}
	producer := accounts[i].ID
	grants, _, err := p.Grants(ctx, producer, portal.GrantQuery{Service: "sud-foncier"})
	if err != nil {
		return fmt.Errorf("the demo's grants: %w", err)
	}
	end := now.UTC().Truncate(time.Second).Add(demoSoonAfter)
	for _, g := range grants {
		if g.Name != demoSoonGrant || (g.Expires != nil && g.Expires.Equal(end)) {
			continue
		}
		if _, err := p.UpdateGrant(ctx, producer, g.ID, portal.GrantChange{SetExpires: true, Expires: &end}); err != nil {
			return fmt.Errorf("dating the demo's grant %s: %w", g.ID, err)
		}
	}
	return nil
}
