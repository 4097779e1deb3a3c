package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
)

// TestDemo: the demo platform loads through the portal (every invariant
// checked), its tokens act as their people, and a second load finds it,
// makes no new token, and reads the people's roles from the data as they
// are now.
func TestDemo(t *testing.T) { forEachStore(t, testDemo) }

func testDemo(t *testing.T, mk envMaker) {
	e := mk(t, portalOn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	accounts, loaded, err := e.srv.LoadDemo(ctx)
	if err != nil || !loaded {
		t.Fatalf("LoadDemo: loaded %v, %v", loaded, err)
	}
	by := map[string]server.DemoAccount{}
	for _, a := range accounts {
		by[strings.TrimSuffix(a.Email, "@demo.octroi.dev")] = a
		if (a.Token == "") != a.Disabled {
			t.Errorf("%s: token %q, disabled %v", a.Email, a.Token, a.Disabled)
		}
	}
	if len(accounts) < 15 || !by["denis.desactive"].Disabled || !strings.Contains(by["denis.desactive"].RoleEN, "account disabled") {
		t.Fatalf("demo accounts: %+v", accounts)
	}
	for who, want := range map[string]string{
		"alice.martin":    "platform administrator",
		"lina.littoral":   "registered user of ign, registered user of region-sud, supervisor of community observatoire-littoral, creates maps through community observatoire-littoral",
		"paul.risques":    "editor of region-sud, supervisor of community cellule-crise-inondations, creates maps through community cellule-crise-inondations",
		"damien.lecteur":  "data reader (every dataset), views every page",
		"julie.candidate": "no role",
	} {
		if got := by[who].RoleEN; got != want {
			t.Errorf("%s is %q, want %q (from the data)", who, got, want)
		}
	}
	as := func(who string) caller { return caller{&world{env: e}, by[who].Token} }

	var me api.Me
	as("alice.martin").want(200, "GET", "/api/v1/me", nil, &me)
	if !slices.Contains(me.Account.PlatformRoles, portal.PlatformAdministrator) {
		t.Errorf("the demo administrator: %+v", me.Account)
	}
	var all, few api.DatasetList
	as("damien.lecteur").want(200, "GET", "/api/v1/catalogue/searchable", nil, &all)
	as("julie.candidate").want(200, "GET", "/api/v1/catalogue/searchable", nil, &few)
	if len(all.Datasets) < 15 || len(few.Datasets) >= len(all.Datasets) {
		t.Errorf("searchable: the data reader finds %d datasets, someone of no organisation %d", len(all.Datasets), len(few.Datasets))
	}
	levels := map[string]bool{}
	for _, d := range all.Datasets {
		levels[d.DefaultLevel] = true
	}
	if len(levels) != 4 {
		t.Errorf("demo default levels: %v, want all four", levels)
	}
	var ex api.Explanation
	as("thomas.toulon").want(200, "GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/explain?permission=download", nil, &ex)
	if !ex.Allowed || len(ex.Reasons) == 0 || ex.Reasons[0].Via != "org_group" {
		t.Errorf("Toulon downloads the parcels through Communes du Var: %+v", ex)
	}
	var at api.AccessTable
	as("paul.risques").want(200, "GET", "/api/v1/datasets/REGION-SUD_PPRI/access?kind=org_group", nil, &at)
	if len(at.Rows) != 1 || at.Rows[0].SpecificLevel == nil || *at.Rows[0].SpecificLevel != "download" {
		t.Errorf("PPRI access of the groups of organisations: %+v", at.Rows)
	}
	var jl api.JoinRequestList
	as("regine.sud").want(200, "GET", "/api/v1/organisations/region-sud/join-requests?status=pending", nil, &jl)
	if len(jl.JoinRequests) != 1 {
		t.Errorf("pending join requests at region-sud: %+v", jl)
	}

	// A change after the first start shows in the next start's table; the
	// next start revokes the tokens printed before and prints new ones,
	// while a token the person made stays.
	as("regine.sud").want(200, "PUT", "/api/v1/organisations/region-sud/members/"+by["paul.risques"].ID, map[string]any{"role": "registered"}, nil)
	var own api.CreatedToken
	as("paul.risques").want(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "laptop"}, &own)

	again, loaded, err := e.srv.LoadDemo(ctx)
	if err != nil || loaded || len(again) != len(accounts) {
		t.Fatalf("second LoadDemo: %d accounts, loaded %v, %v", len(again), loaded, err)
	}
	for _, a := range again {
		first := by[a.Email[:strings.Index(a.Email, "@")]].Token
		switch {
		case a.Disabled:
			continue
		case a.Token == "" || a.Token == first:
			t.Errorf("second LoadDemo: no new token for %s", a.Email)
		}
		if a.Email == "paul.risques@demo.octroi.dev" && !strings.HasPrefix(a.RoleEN, "registered user of region-sud") {
			t.Errorf("paul after his change: %q", a.RoleEN)
		}
		caller{&world{env: e}, first}.do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated")
		caller{&world{env: e}, a.Token}.want(200, "GET", "/api/v1/me", nil, nil)
	}
	caller{&world{env: e}, own.Secret}.want(200, "GET", "/api/v1/me", nil, nil)
}
