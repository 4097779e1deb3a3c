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
// checked), its tokens act as their people, and a second load finds it and
// makes fresh tokens without writing it again.
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
	if len(accounts) < 15 || !by["denis.desactive"].Disabled {
		t.Fatalf("demo accounts: %+v", accounts)
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
	var ex portal.Explanation
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

	again, loaded, err := e.srv.LoadDemo(ctx)
	if err != nil || loaded || len(again) != len(accounts) {
		t.Fatalf("second LoadDemo: %d accounts, loaded %v, %v", len(again), loaded, err)
	}
	for i, a := range again {
		if a.Disabled {
			continue
		}
		if a.Token == accounts[i].Token {
			t.Errorf("%s: the same token twice", a.Email)
		}
		caller{&world{env: e}, a.Token}.want(200, "GET", "/api/v1/me", nil, nil)
	}
}
