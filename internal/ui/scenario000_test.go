package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// TestScenario000GrantToACommunityThenAKeyThroughTheGateway is source 000
// ("Octroyer des permissions sur mon flux"): Paul Risques, editor of the
// Région Sud, opens « Gérer les permissions d'accès » from the flood-risk
// plans' page and adds a permission on its WMS for the community
// Observatoire du littoral, found by typing its name, with an expiry;
// Hugo Données, a participant of that community, sees it among his
// grants, builds an access key from it, and the gateway, asked as nginx
// asks it (auth_request with the original URI), lets his key reach the
// PPRI's restricted layer and no other.
func TestScenario000GrantToACommunityThenAKeyThroughTheGateway(t *testing.T) {
	inEachLanguage(t, scenario000)
}

func scenario000(t *testing.T, ctx context.Context, s site, lang messages.Lang) {
	const ds, name = "REGION-SUD_PPRI", "Observatoire du littoral — PPRI"
	expiry := time.Now().UTC().AddDate(0, 3, 0).Format("2006-01-02")

	// The producer.
	signIn(t, ctx, s, "paul.risques", lang)
	newForm := `form[action="/organisations/region-sud/permissions/new"]`
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/datasets/"+ds),
		click(`main a.button[href="/organisations/region-sud/permissions"]`),
		chromedp.WaitReady(chromedp.CSS("#services-h")),
		click(`main a.button[href="/organisations/region-sud/permissions/new"]`),
		chromedp.WaitReady(chromedp.CSS("#g-name")),
		chromedp.SetValue(chromedp.CSS("#g-name"), name),
		// « choisissez les bénéficiaires en renseignant l'identifiant de
		// l'utilisateur ou de la communauté »: found as one types.
		chromedp.SendKeys(chromedp.CSS("#g-q"), "littoral"),
		chromedp.WaitVisible(chromedp.CSS(`#found input[value="community:observatoire-littoral"]`)),
		click(`#found input[value="community:observatoire-littoral"]`),
		chromedp.WaitReady(chromedp.CSS(`#chosen input[value="community:observatoire-littoral"]`)),
		chromedp.SetValue(chromedp.CSS("#g-date"), expiry),
		click("#s-sud-ppri"),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "000-"+string(lang)+"-new-permission")
	err = chromedp.Do(ctx,
		click(newForm+" button.primary"),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "p.notice"); got != say(lang, "ui.perms.created_done") {
		t.Errorf("after adding the permission: %q", got)
	}
	if facts := text(t, ctx, "dl.facts"); !strings.Contains(facts, "Observatoire du littoral") || !strings.Contains(facts, name) {
		t.Errorf("the new permission's facts: %q", facts)
	}
	screenshot(t, ctx, "000-"+string(lang)+"-permission")

	// The portal holds exactly what the form said.
	p := s.srv.Portal().(*portal.Service)
	hugo := s.accounts["hugo.donnees"]
	held, _, err := p.MyGrants(context.Background(), hugo, portal.GrantQuery{Service: "sud-ppri"})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(held, func(g portal.HeldGrant) bool { return g.Name == name })
	if i < 0 {
		t.Fatalf("Hugo does not hold the new permission: %+v", held)
	}
	g, err := p.GrantOf(context.Background(), s.accounts["paul.risques"], held[i].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Communities, []string{"observatoire-littoral"}) || len(g.Users) != 0 || !slices.Equal(g.Services, []string{"sud-ppri"}) ||
		g.Expires == nil || g.Expires.UTC().Format("2006-01-02") != expiry {
		t.Errorf("the grant made: %+v (expires %v), want for the community on sud-ppri until %s", g, g.Expires, expiry)
	}

	// The consumer: his grants, then a key built from this one.
	if err := chromedp.Do(ctx, click(`form.signout button`), chromedp.WaitVisible(chromedp.CSS(`a.signin`))); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, s, "hugo.donnees", lang)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/me/grants"), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	if mine := text(t, ctx, "main"); !strings.Contains(mine, name) {
		t.Errorf("Hugo's grants do not list %q:\n%s", name, mine)
	}
	screenshot(t, ctx, "000-"+string(lang)+"-my-grants")
	access := `input[name="access"][value="` + g.ID + `/sud-ppri"]`
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/me/keys"),
		chromedp.WaitReady(chromedp.CSS("#f-name")),
		chromedp.SetValue(chromedp.CSS("#f-name"), "QGIS — PPRI"),
		click("#t-HASH"),
		click(access),
		click(`form[action="/me/keys"] button.primary`),
		chromedp.WaitReady(chromedp.CSS("#key-secret")),
	)
	if err != nil {
		t.Fatal(err)
	}
	secret := text(t, ctx, "#key-secret")
	if len(secret) < 20 {
		t.Fatalf("the key's secret shown: %q", secret)
	}
	screenshot(t, ctx, "000-"+string(lang)+"-new-key")

	// The gateway, asked as nginx's auth_request asks it.
	ask := func(layers, key string) int {
		t.Helper()
		uri := "/wms/sud?SERVICE=WMS&REQUEST=GetMap&LAYERS=" + layers
		if key != "" {
			uri += "&apikey=" + url.QueryEscape(key)
		}
		req, _ := http.NewRequest("GET", s.URL+"/gateway/auth", nil)
		req.Header.Set("X-Original-URI", uri)
		res, _ := s.do(t, req)
		return res.StatusCode
	}
	for _, c := range []struct {
		layers, key string
		want        int
	}{
		{"ppri_zonage", secret, 200},       // the restricted layer his key opens
		{"ppri_alea", secret, 200},         // the same service's other layer
		{"foncier_parcelles", secret, 403}, // a layer of a service his key does not hold
		{"ppri_zonage", "", 401},           // no key
		{"ppri_zonage", secret + "x", 401}, // a wrong key
	} {
		if got := ask(c.layers, c.key); got != c.want {
			t.Errorf("gateway, layers %s, key %t: %d, want %d", c.layers, c.key != "", got, c.want)
		}
	}
}
