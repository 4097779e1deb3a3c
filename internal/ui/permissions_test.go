package ui_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/messages"
)

const permsPath = "/organisations/region-sud/permissions"

// wantIn fails unless body holds each of wants.
func wantIn(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// refused fails unless a status is a refusal (401, 403 or 404).
func refused(t *testing.T, what string, status int) {
	t.Helper()
	if status != 401 && status != 403 && status != 404 {
		t.Errorf("%s = %d, want a refusal", what, status)
	}
}

func TestPermissionsScreenListsServicesAndGrants(t *testing.T) {
	s := newSite(t)
	paul := s.as(t, "paul.risques")
	res, body := paul.get(t, permsPath)
	if res.StatusCode != 200 {
		t.Fatalf("permissions = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the producer's screen", body,
		"PPRI — WMS", "Observatoire du foncier — WMS", "Occupation du sol 2020 — WMS", "open to all", "restricted",
		`href="/organisations/region-sud/permissions?service=sud-ppri"`, `href="/organisations/region-sud/permissions/services/sud-ppri"`,
		"Licence Ouverte Etalab 2.0 — PPRI", "Julie Candidate", "Convention foncier métropole 2026", "community Observatoire du littoral",
		"Étude inondations 2025", `<span class="state expired">expired</span>`, `<span class="state soon">ends soon</span>`,
		"Access requests to decide: 1", `href="/access-requests"`)
	for _, c := range []struct {
		query string
		want  []string
		not   []string
	}{
		{"state=expired", []string{"Étude inondations 2025"}, []string{"Licence Ouverte", "Convention foncier"}},
		{"state=live", []string{"Licence Ouverte", "Convention foncier"}, []string{"Étude inondations"}},
		{"state=expiring&within=10", []string{"Convention foncier"}, []string{"Licence Ouverte", "Étude inondations"}},
		{"state=expiring&within=2", nil, []string{"Licence Ouverte", "Convention foncier", "Étude inondations"}},
		{"service=sud-foncier", []string{"Convention foncier"}, []string{"Licence Ouverte", "Étude inondations"}},
		{"beneficiary=julie", []string{"Licence Ouverte"}, []string{"Convention foncier", "Étude inondations"}},
		{"beneficiary=LITTORAL", []string{"Convention foncier"}, []string{"Licence Ouverte", "Étude inondations"}},
	} {
		res, body := paul.get(t, permsPath+"?"+c.query)
		if res.StatusCode != 200 {
			t.Errorf("%s = %d", c.query, res.StatusCode)
		}
		body = body[strings.Index(body, `id="grants-h"`):]
		wantIn(t, c.query, body, c.want...)
		for _, n := range c.not {
			if strings.Contains(body, n) {
				t.Errorf("%s lists %q", c.query, n)
			}
		}
	}
	// Bad filters: a clear error beside the field, the filter kept.
	for _, c := range []struct{ query, field, msg, kept string }{
		{"service=nope", "f-service", "nope is not one of the organisation&#39;s services", ""},
		{"state=bogus", "f-state", "Choose a state among those offered", ""},
		{"state=expiring&within=abc&beneficiary=julie", "f-within", "Give a number of days", `value="julie"`},
	} {
		res, body := paul.get(t, permsPath+"?"+c.query)
		if res.StatusCode != 400 {
			t.Errorf("%s = %d, want 400", c.query, res.StatusCode)
		}
		wantIn(t, c.query, body, `id="`+c.field+`-err"`, `aria-describedby="`+c.field+`-err"`, `href="#`+c.field+`"`, c.msg, c.kept)
	}
	_, fr := paul.get(t, permsPath+"?state=bogus", "Accept-Language", "fr")
	wantIn(t, "the French screen", fr, "Gérer les permissions d&#39;accès", "Choisissez un état parmi ceux proposés", "Ajouter une permission")

	// Anonymous, a consumer, a registered member of the organisation, a
	// publisher of another one: refused.
	res, _ = s.get(t, permsPath)
	if res.StatusCode != 401 {
		t.Errorf("anonymous = %d, want 401", res.StatusCode)
	}
	for _, who := range []string{"julie.candidate", "lina.littoral", "sophie.voirie"} {
		res, body := s.as(t, who).get(t, permsPath)
		refused(t, who, res.StatusCode)
		if strings.Contains(body, "Licence Ouverte") {
			t.Errorf("%s sees the grants", who)
		}
	}
	// The delegated administrator manages them too.
	if res, _ := s.as(t, "regine.sud").get(t, permsPath); res.StatusCode != 200 {
		t.Errorf("the delegated administrator = %d", res.StatusCode)
	}
}

// grantIDOf finds the id of the grant named name in the producer's list.
func grantIDOf(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`href="/organisations/region-sud/permissions/grants/([^"]+)">` + regexp.QuoteMeta(name) + `<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no grant %q in\n%s", name, body)
	}
	return m[1]
}

func TestAddChangeAndDeleteAGrant(t *testing.T) {
	s := newSite(t)
	paul := s.as(t, "paul.risques")
	newPath := permsPath + "/new"
	res, body := paul.get(t, newPath+"?service=sud-ppri")
	if res.StatusCode != 200 {
		t.Fatalf("new = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the new grant form", body, `name="name"`, `type="date"`, `type="time"`, `value="sud-ppri" id="s-sud-ppri" checked`, `name="only_oauth"`,
		`data-live-search="found"`, `formmethod="get"`)
	// The search without scripts: the form comes back as typed, with
	// accounts and communities found.
	typed := url.Values{"name": {"Convention crue"}, "ben": {"community:observatoire-littoral"}, "expires_date": {"2099-06-30"}, "services": {"sud-ppri"}, "q": {"olivier"}}
	res, body = paul.get(t, newPath+"?"+typed.Encode())
	if res.StatusCode != 200 {
		t.Fatalf("search = %d\n%s", res.StatusCode, body)
	}
	olivier := s.accounts["olivier.carto"]
	wantIn(t, "the search", body, `value="Convention crue"`, `value="community:observatoire-littoral" id="b-c-observatoire-littoral" checked`,
		"community Observatoire du littoral", `value="user:`+olivier+`"`, "Found: tick whom to add.", "Olivier Carto", `value="2099-06-30"`)
	_, body = paul.get(t, newPath+"?q=littoral")
	wantIn(t, "a community search", body, `value="community:observatoire-littoral"`)

	// Bad input: each refusal beside its field, nothing typed lost.
	for _, c := range []struct {
		change url.Values
		field  string
		msg    string
	}{
		{url.Values{"name": {"  "}}, "g-name", "Give the permission a name"},
		{url.Values{"expires_date": {"31/12/2099"}}, "g-date", "31/12/2099 is not a date"},
		{url.Values{"expires_time": {"25h"}}, "g-time", "25h is not a time"},
		{url.Values{"services": {"sud-nope"}}, "g-services", "sud-nope is not one of the organisation&#39;s services"},
		{url.Values{"services": nil}, "g-services", "Choose at least one service"},
		{url.Values{"expires_date": {"2001-01-01"}}, "g-date", "is not in the future"},
		{url.Values{"ben": {"user:nobody-here"}}, "g-ben", "no account or community"},
	} {
		form := url.Values{"name": {"Convention crue"}, "ben": {"user:" + olivier, "community:observatoire-littoral"}, "expires_date": {"2099-06-30"},
			"expires_time": {"12:30"}, "services": {"sud-ppri"}, "only_oauth": {"1"}}
		for k, v := range c.change {
			form[k] = v
		}
		res, body := paul.post(t, newPath, form)
		if res.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", c.field, res.StatusCode)
		}
		wantIn(t, c.field, body, `id="`+c.field+`-err"`, c.msg, `href="#`+c.field+`"`, `id="g-oauth" checked`)
		if c.field != "g-name" {
			wantIn(t, c.field, body, `value="Convention crue"`)
		}
		if c.field != "g-ben" {
			wantIn(t, c.field, body, `value="user:`+olivier+`" id="b-u-`+olivier+`" checked`, `value="community:observatoire-littoral" id="b-c-observatoire-littoral" checked`)
		}
		if c.field != "g-date" {
			wantIn(t, c.field, body, `value="2099-06-30"`)
		}
	}
	_, fr := paul.postIn(t, "fr", newPath, url.Values{"name": {""}, "services": {"sud-ppri"}})
	wantIn(t, "French errors", fr, "Donnez un nom à la permission")

	// Made: the grant's page says what it is.
	res, _ = paul.post(t, newPath, url.Values{"name": {"Convention crue"}, "ben": {"user:" + olivier, "community:observatoire-littoral"},
		"expires_date": {"2099-06-30"}, "expires_time": {"12:30"}, "services": {"sud-ppri"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.HasPrefix(loc, permsPath+"/grants/") || !strings.HasSuffix(loc, "?done=grant_created") {
		t.Fatalf("create = %d to %q", res.StatusCode, loc)
	}
	gpath := strings.TrimSuffix(loc, "?done=grant_created")
	_, body = paul.get(t, loc)
	wantIn(t, "the grant's page", body, "The permission was added.", "Convention crue", "Olivier", "Observatoire du littoral", "PPRI — WMS",
		"by Paul Risques on", "until Jun 30, 2099, 12:30 PM UTC", "No use in this period.", `href="`+gpath+`/delete"`)
	_, held := s.as(t, "olivier.carto").get(t, "/me/grants")
	wantIn(t, "olivier's grants", held, "Convention crue")

	// Changed: renamed, no expiry, Julie added, Olivier removed.
	julie := s.accounts["julie.candidate"]
	res, body = paul.post(t, gpath, url.Values{"name": {"Convention crue 2"}, "ben": {"user:" + julie, "community:observatoire-littoral"}, "services": {"sud-ppri", "sud-ocsol"}})
	if res.StatusCode != 303 {
		t.Fatalf("update = %d\n%s", res.StatusCode, body)
	}
	_, body = paul.get(t, gpath)
	wantIn(t, "the changed grant", body, "Convention crue 2", "Julie Candidate", "no end date", "Occupation du sol 2020")
	if strings.Contains(body, "Olivier") {
		t.Error("Olivier is still a beneficiary")
	}
	// A bad change keeps what was typed.
	res, body = paul.post(t, gpath, url.Values{"name": {"Nouveau nom"}, "expires_date": {"demain"}, "services": {"sud-ppri"}})
	if res.StatusCode != 400 {
		t.Errorf("bad change = %d", res.StatusCode)
	}
	wantIn(t, "the bad change", body, `value="Nouveau nom"`, `id="g-date-err"`, "demain is not a date")

	// Others may not see, change or delete it.
	for _, who := range []string{"julie.candidate", "lina.littoral", "sophie.voirie"} {
		as := s.as(t, who)
		for _, p := range []string{gpath, gpath + "/delete", permsPath + "/new", permsPath + "/services/sud-ppri"} {
			res, body := as.get(t, p)
			refused(t, who+" GET "+p, res.StatusCode)
			if strings.Contains(body, "Convention crue") {
				t.Errorf("%s sees the grant on %s", who, p)
			}
		}
		res, _ := as.post(t, gpath, url.Values{"name": {"Pirate"}, "services": {"sud-ppri"}})
		refused(t, who+" change", res.StatusCode)
		res, _ = as.post(t, gpath+"/delete", nil)
		refused(t, who+" delete", res.StatusCode)
		res, _ = as.post(t, permsPath+"/new", url.Values{"name": {"Pirate"}, "services": {"sud-ppri"}, "ben": {"user:" + julie}})
		refused(t, who+" create", res.StatusCode)
	}
	for _, p := range []string{gpath, gpath + "/delete", permsPath + "/new", permsPath + "/services/sud-ppri"} {
		if res, _ := s.get(t, p); res.StatusCode != 401 {
			t.Errorf("anonymous GET %s = %d", p, res.StatusCode)
		}
	}
	if res, _ := s.post(t, gpath+"/delete", nil); res.StatusCode != 401 {
		t.Errorf("anonymous delete = %d", res.StatusCode)
	}
	// A grant of region-sud is not found under another organisation.
	if res, _ := s.as(t, "sophie.voirie").get(t, strings.Replace(gpath, "region-sud", "metropole-amp", 1)); res.StatusCode != 404 && res.StatusCode != 403 {
		t.Errorf("a grant under another organisation = %d", res.StatusCode)
	}

	// Deleted, after a confirmation.
	res, body = paul.get(t, gpath+"/delete")
	if res.StatusCode != 200 {
		t.Fatalf("confirm = %d", res.StatusCode)
	}
	wantIn(t, "the confirmation", body, "Delete the permission « Convention crue 2 »?", `action="`+gpath+`/delete"`)
	res, _ = paul.post(t, gpath+"/delete", nil)
	if res.StatusCode != 303 || res.Header.Get("Location") != permsPath+"?done=grant_deleted" {
		t.Fatalf("delete = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := paul.get(t, gpath); res.StatusCode != 404 {
		t.Errorf("deleted grant = %d, want 404", res.StatusCode)
	}
}

func TestDatasetPageLinksToThePermissionsOfThoseWhoManage(t *testing.T) {
	s := newSite(t)
	link := `href="` + permsPath + `"`
	_, body := s.as(t, "paul.risques").get(t, "/datasets/REGION-SUD_PPRI")
	wantIn(t, "the editor's dataset page", body, link)
	_, body = s.as(t, "paul.risques").get(t, "/organisations")
	wantIn(t, "the editor's organisations", body, link)
	if _, body := s.as(t, "lina.littoral").get(t, "/organisations"); strings.Contains(body, link) {
		t.Error("a registered member is offered the producer's screen")
	}
	// Who may not download is led to the access request page.
	_, body = s.as(t, "olivier.carto").get(t, "/datasets/REGION-SUD_PPRI")
	wantIn(t, "a consumer's dataset page", body, `href="/demande-acces/REGION-SUD_PPRI"`)
	for _, who := range []string{"julie.candidate", "lina.littoral"} {
		if _, body := s.as(t, who).get(t, "/datasets/REGION-SUD_PPRI"); strings.Contains(body, link) {
			t.Errorf("%s is offered the producer's screen", who)
		}
	}
}

func TestServiceUsageScreen(t *testing.T) {
	s := newSite(t)
	res, body := s.as(t, "paul.risques").get(t, permsPath+"/services/sud-ppri")
	if res.StatusCode != 200 {
		t.Fatalf("service = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the service's page", body, "PPRI — WMS", "/wms/sud", `href="/demande-acces/REGION-SUD_PPRI"`, `href="`+permsPath+`?service=sud-ppri"`)
	if res, _ := s.as(t, "paul.risques").get(t, permsPath+"/services/nope"); res.StatusCode != 404 {
		t.Errorf("unknown service = %d", res.StatusCode)
	}
}

func TestDemandeAccesPage(t *testing.T) {
	s := newSite(t)
	const page = "/demande-acces/REGION-SUD_PPRI"
	res, body := s.get(t, page)
	if res.StatusCode != 200 {
		t.Fatalf("anonymous = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the anonymous page", body, "REGION-SUD_PPRI", "PPRI — WMS", "/sign-in?next="+url.QueryEscape(page))
	if strings.Contains(body, "Occupation du sol") || strings.Contains(body, `name="services"`) {
		t.Error("the anonymous page lists an open service or offers the form")
	}
	chloe := s.as(t, "chloe.recherche")
	_, body = chloe.get(t, page)
	wantIn(t, "the signed-in page", body, `action="/datasets/REGION-SUD_PPRI/request-access"`, `name="form" value="demande"`,
		`value="sud-ppri" id="s-sud-ppri" checked`, `value="observatoire-littoral"`, "community Observatoire du littoral")
	// Bad input: the page again, the error beside its field, the
	// message kept.
	for _, c := range []struct {
		form  url.Values
		field string
		msg   string
	}{
		{url.Values{"services": {"sud-ocsol"}}, "d-services", "&#34;sud-ocsol&#34; is not a restricted service"},
		{url.Values{"services": {"bogus"}}, "d-services", "&#34;bogus&#34; is not a restricted service"},
		{url.Values{}, "d-services", "Choose at least one service"},
		{url.Values{"services": {"sud-ppri"}, "community": {"cellule-crise-inondations"}}, "", ""},
	} {
		c.form.Set("form", "demande")
		c.form.Set("message", "Pour l'étude du littoral.")
		res, body := chloe.post(t, "/datasets/REGION-SUD_PPRI/request-access", c.form)
		if c.field == "" {
			refused(t, "a community chloe does not manage", res.StatusCode)
			continue
		}
		if res.StatusCode != 400 {
			t.Errorf("%v = %d, want 400", c.form, res.StatusCode)
		}
		wantIn(t, c.field, body, `id="`+c.field+`-err"`, c.msg, "Pour l&#39;étude du littoral.")
	}
	res, _ = chloe.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"form": {"demande"}, "services": {"sud-ppri"},
		"community": {"observatoire-littoral"}, "message": {"Pour la communauté."}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/access-requests?done=access_requested" {
		t.Fatalf("request = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, inbox := s.as(t, "paul.risques").get(t, "/access-requests")
	wantIn(t, "paul's inbox", inbox, "Pour la communauté.", "for community observatoire-littoral")
	if res, _ := s.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"form": {"demande"}, "services": {"sud-ppri"}}); res.StatusCode != 401 {
		t.Errorf("anonymous request = %d", res.StatusCode)
	}
	// In French; a product without restricted services says so.
	_, fr := s.get(t, page, "Accept-Language", "fr")
	wantIn(t, "the French page", fr, "Demande d&#39;accès — ", "Se connecter pour demander l&#39;accès")
	_, frErr := chloe.postIn(t, "fr", "/datasets/REGION-SUD_PPRI/request-access", url.Values{"form": {"demande"}, "message": {"Gardé."}})
	wantIn(t, "the French error", frErr, "Choisissez au moins un service", "Gardé.")
	_, open := s.get(t, "/demande-acces/REGION-SUD_OCSOL")
	wantIn(t, "a product without restricted service", open, "This product has no restricted service")
	for _, p := range []string{"/demande-acces/GEOCONSEIL_BRUIT", "/demande-acces/NOPE"} {
		if res, _ := s.get(t, p); res.StatusCode != 404 {
			t.Errorf("%s = %d, want 404", p, res.StatusCode)
		}
	}
}

// TestPermissionsMessagesInBothLanguages: the keys the templates build
// (the state filter's) exist in both languages.
func TestPermissionsMessagesInBothLanguages(t *testing.T) {
	for _, s := range []string{"live", "expiring", "expired"} {
		k := messages.Key("ui.perms.state." + s)
		if !messages.Has(k) || messages.New(k).In(messages.French) == messages.New(k).In(messages.English) {
			t.Errorf("%s is missing or untranslated", k)
		}
	}
}

// TestUsagePerGrantAndService: what the gateway counted through a grant
// shows on the grant's page (per day and service) and on the service's
// (per day and grant).
func TestUsagePerGrantAndService(t *testing.T) {
	s := newSite(t)
	paul := s.as(t, "paul.risques")
	_, list := paul.get(t, permsPath)
	gid := grantIDOf(t, list, "Licence Ouverte Etalab 2.0 — PPRI")
	u := s.srv.UsageLog()
	now := time.Now()
	for _, status := range []int{200, 200, 200, 403} {
		u.Record(now, gateway.Decision{Status: status, Account: s.accounts["julie.candidate"], Key: "k1", Services: []string{"sud-ppri"}, Grants: []string{gid}})
	}
	if err := u.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	day := now.UTC().Format(time.DateOnly)
	_, body := paul.get(t, permsPath+"/grants/"+gid)
	wantIn(t, "the grant's usage", body, "<td>"+day+"</td><td>PPRI — WMS</td><td>3</td><td>1</td>")
	_, body = paul.get(t, permsPath+"/services/sud-ppri")
	wantIn(t, "the service's usage", body, "<td>"+day+"</td><td>Licence Ouverte Etalab 2.0 — PPRI</td><td>3</td><td>1</td>")
}
