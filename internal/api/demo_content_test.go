package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/server"
)

// TestDemoContent: the demo's pages and maps say what they are for. An
// anonymous visitor reads the public home page; the private dashboard is
// seen by Toulon's people without the restricted network, by the crisis
// unit with it, and by nobody else (but "view all pages"); the maps are
// seen by the communities they are shared with, at their privilege.
func TestDemoContent(t *testing.T) { forEachStore(t, testDemoContent) }

func testDemoContent(t *testing.T, mk envMaker) {
	e := mk(t, portalOn)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	accounts, _, err := e.srv.LoadDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]server.DemoAccount{}
	for _, a := range accounts {
		by[strings.TrimSuffix(a.Email, "@demo.octroi.dev")] = a
	}
	w := &world{env: e}
	as := func(who string) caller { return caller{w, by[who].Token} }

	var home api.RenderedPage
	w.do("GET", "/api/v1/pages/accueil", nil, "Authorization", "").json(t, &home)
	if !home.Public || len(home.Visualisations) != 2 || !home.Visualisations[0].Load {
		t.Errorf("home page for an anonymous visitor: %+v", home)
	}

	loads := func(who string) string {
		t.Helper()
		var p api.RenderedPage
		as(who).want(200, "GET", "/api/v1/pages/tableau-de-bord-inondations", nil, &p)
		var out []string
		for _, v := range p.Visualisations {
			s := v.ID
			if v.Load {
				s += "+"
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	for who, want := range map[string]string{
		"tania.arbres":   "ppri+ reseau-eau",  // Toulon: the page, not the network
		"sophie.voirie":  "ppri+ reseau-eau+", // the crisis unit
		"damien.lecteur": "ppri+ reseau-eau+", // views every page, reads every dataset
	} {
		if got := loads(who); got != want {
			t.Errorf("%s: %s, want %s", who, got, want)
		}
	}
	as("julie.candidate").want(404, "GET", "/api/v1/pages/tableau-de-bord-inondations", nil, nil)

	for who, want := range map[string]string{
		"sophie.voirie":   "crues-du-var trait-de-cote", // crisis unit: owner, writer
		"olivier.carto":   "crues-du-var trait-de-cote", // observatory: reader, owner
		"tania.arbres":    "trait-de-cote",              // Toulon: reader
		"julie.candidate": "",
	} {
		var l api.MapList
		as(who).want(200, "GET", "/api/v1/maps", nil, &l)
		var ids []string
		for _, m := range l.Maps {
			ids = append(ids, m.ID)
		}
		if got := strings.Join(ids, " "); got != want {
			t.Errorf("%s sees maps %q, want %q", who, got, want)
		}
	}
	// Olivier (observatory) reads crues-du-var with every resource, even
	// the network he may not consult, and may not edit it.
	var m api.Map
	as("olivier.carto").want(200, "GET", "/api/v1/maps/crues-du-var", nil, &m)
	if len(m.Resources) != 2 {
		t.Errorf("crues-du-var for a reader: %+v", m)
	}
	as("olivier.carto").want(403, "PUT", "/api/v1/maps/crues-du-var/resources", map[string]any{"resources": []any{}}, nil)
	as("sophie.voirie").want(200, "PUT", "/api/v1/maps/trait-de-cote/resources", map[string]any{"resources": []map[string]any{{"kind": "dataset", "id": "CEREGE_TRAIT-DE-COTE"}}}, nil)
	as("sophie.voirie").want(403, "PUT", "/api/v1/maps/trait-de-cote/shares/organisation/toulon", map[string]any{"level": "write"}, nil)
}
