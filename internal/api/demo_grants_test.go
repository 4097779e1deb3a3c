package api_test

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/server"
)

// TestDemoGrants: the demo holds the Région Sud's WMS at /wms/sud (three
// services of three datasets, one open), a grant without expiry, one ending
// within a week (to an account and a community), one that has ended, and a
// pending access request in its producers' inbox.
func TestDemoGrants(t *testing.T) { forEachStore(t, testDemoGrants) }

func testDemoGrants(t *testing.T, mk envMaker) {
	e := mk(t, portalOn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	accounts, _, err := e.srv.LoadDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok := demoTokens(accounts)
	as := func(who string) caller { return caller{&world{env: e}, tok[who]} }

	var sl api.ServiceList
	as("alice.martin").want(200, "GET", "/api/v1/services", nil, &sl)
	at := map[string]api.Service{}
	for _, s := range sl.Services {
		if s.Path == "/wms/sud" {
			at[s.ID] = s
		}
	}
	if len(at) != 3 || !at["sud-ocsol"].Open || at["sud-ppri"].Open || len(at["sud-ppri"].Layers) != 2 {
		t.Errorf("services at /wms/sud: %+v", sl.Services)
	}
	held := func(who string) []api.HeldGrant {
		var l api.HeldGrantList
		as(who).want(200, "GET", "/api/v1/me/grants", nil, &l)
		return l.Grants
	}
	if g := held("julie.candidate"); len(g) != 1 || g[0].State != "live" || g[0].Grant.Expires != nil || g[0].Producer.Contact != "donnees@region-sud.demo.octroi.dev" {
		t.Errorf("julie's grants: %+v", g)
	}
	// Olivier's own grant has ended; he also holds his community's.
	if g := held("olivier.carto"); len(g) != 2 || g[1].Grant.Name != "Étude inondations 2025" || g[1].State != "expired" || !g[1].Personal || g[0].State != "live" {
		t.Errorf("olivier's grants: %+v", g)
	}
	if g := held("hugo.donnees"); len(g) != 1 || g[0].Personal || g[0].Through[0] != "observatoire-littoral" {
		t.Errorf("hugo's grants (through his community): %+v", g)
	}
	var soon api.GrantList
	as("regine.sud").want(200, "GET", "/api/v1/grants?expiring_within_days=7", nil, &soon)
	if len(soon.Grants) != 1 || soon.Grants[0].Name != "Convention foncier métropole 2026" {
		t.Errorf("grants expiring within a week: %+v", soon)
	}
	var inbox api.AccessRequestList
	as("paul.risques").want(200, "GET", "/api/v1/access-requests?status=pending", nil, &inbox)
	if len(inbox.AccessRequests) != 1 || inbox.AccessRequests[0].Dataset != "REGION-SUD_PPRI" {
		t.Errorf("paul's inbox: %+v", inbox)
	}
	var notices api.NoticeList
	as("paul.risques").want(200, "GET", "/api/v1/me/notices", nil, &notices)
	found := false
	for _, n := range notices.Notices {
		found = found || n.Kind == "access_request.created"
	}
	if !found {
		t.Errorf("paul was not told of the request: %+v", notices)
	}

	// Julie's demo key opens the PPRI's layers at the gateway, and nothing
	// else; the next start gives it a new secret and the old one stops.
	key := ""
	for _, a := range accounts {
		if a.Email == "julie.candidate@demo.octroi.dev" {
			key = a.Key
		}
	}
	ask := func(layer, key string) int {
		return e.do("GET", "/gateway/auth", nil, "X-Original-URI", "/wms/sud?SERVICE=WMS&REQUEST=GetMap&LAYERS="+layer+"&apikey="+key).status
	}
	if key == "" || ask("ppri_zonage", key) != 200 || ask("foncier_parcelles", key) != 403 || ask("ppri_alea", "") != 401 {
		t.Errorf("the demo key %q: ppri_zonage %d, foncier_parcelles %d, no key %d", key, ask("ppri_zonage", key), ask("foncier_parcelles", key), ask("ppri_alea", ""))
	}
	again, _, err := e.srv.LoadDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range again {
		if a.Email == "julie.candidate@demo.octroi.dev" && (a.Key == "" || a.Key == key || ask("ppri_zonage", a.Key) != 200) {
			t.Errorf("the next start's key %q", a.Key)
		}
	}
	// The grant that ends within a week is dated from each start: one
	// that ended since the last start ends again 5 days after this one;
	// the grant that has ended stays ended.
	regine := caller{&world{env: e}, ""}
	for _, a := range again {
		if a.Email == "regine.sud@demo.octroi.dev" {
			regine.tok = a.Token
		}
	}
	regine.want(200, "PATCH", "/api/v1/grants/"+soon.Grants[0].ID, map[string]any{"expires": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)}, nil)
	start := time.Now().UTC().Truncate(time.Second)
	third, _, err := e.srv.LoadDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(tok, demoTokens(third)) // the tokens of this start
	regine = as("regine.sud")
	var redated api.Grant
	regine.want(200, "GET", "/api/v1/grants/"+soon.Grants[0].ID, nil, &redated)
	if redated.Expires == nil || redated.Expires.Before(start.Add(5*24*time.Hour)) || redated.Expires.After(time.Now().Add(5*24*time.Hour)) {
		t.Errorf("the grant ending within a week, after a start: expires %v, want 5 days after %v", redated.Expires, start)
	}
	if g := held("olivier.carto"); len(g) != 2 || g[1].Grant.Name != "Étude inondations 2025" || g[1].State != "expired" {
		t.Errorf("the ended grant after a start: %+v", g)
	}
	deadline := time.Now().Add(2 * time.Second)
	for ask("ppri_zonage", key) != 401 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := ask("ppri_zonage", key); got != 401 {
		t.Errorf("the previous start's key still answers %d", got)
	}
}

// demoTokens are the API tokens of the demo's accounts, by the name of
// their e-mail address (julie.candidate…).
func demoTokens(accounts []server.DemoAccount) map[string]string {
	tok := map[string]string{}
	for _, a := range accounts {
		tok[strings.TrimSuffix(a.Email, "@demo.octroi.dev")] = a.Token
	}
	return tok
}
