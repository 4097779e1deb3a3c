package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// TestScenario003PageMadePrivateAndShared is source 003 ("Gérer la
// sécurité d'une page"): Alice Martin, the platform's administrator,
// opens the public home page from the list of pages, chooses « Accès
// privé » on its security tab, then gives the Ville de Toulon (a group
// found by typing its name) the view permission and Julie Candidate (a
// person found the same way) view and edit. Afterwards an anonymous
// visitor and an outsider no longer find the page; Toulon's editor and
// Julie (signed in with her password) view it, Julie edits it; Damien
// Lecteur, who may view every page, still does (« les permissions
// générales au niveau du domaine prévalent »).
func TestScenario003PageMadePrivateAndShared(t *testing.T) { inEachLanguage(t, scenario003) }

func scenario003(t *testing.T, ctx context.Context, s site, lang messages.Lang) {
	const page = "accueil"
	signIn(t, ctx, s, "alice.martin", lang)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/pages"),
		click(`main a[href="/pages/`+page+`"]`),
		chromedp.WaitReady(chromedp.CSS(`nav.tabs a[href="/pages/`+page+`/security"]`)),
		click(`nav.tabs a[href="/pages/`+page+`/security"]`),
		chromedp.WaitReady(chromedp.CSS("#p-private")),
		click("#p-private"),
		click(`form[action$="/security/policy"] button`),
		chromedp.WaitReady(chromedp.CSS(`#p-private[checked]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := s.get(t, "/pages/"+page); res.StatusCode != 404 {
		t.Errorf("made private, an anonymous visitor gets %d", res.StatusCode)
	}
	julie := s.accounts["julie.candidate"]
	err = chromedp.Do(ctx,
		// a group: the Ville de Toulon, view
		chromedp.SendKeys(chromedp.CSS("#gq"), "toulon"),
		chromedp.WaitVisible(chromedp.CSS(`#found-groups input[value="organisation:toulon"]`)),
		click(`#found-groups input[value="organisation:toulon"]`),
		click(`#found-groups button.primary`),
		chromedp.WaitReady(chromedp.CSS(`form[action$="/security/remove"] input[value="organisation:toulon"]`)),
		// a person: Julie Candidate, view and edit
		chromedp.SendKeys(chromedp.CSS("#q"), "Julie Cand"),
		chromedp.WaitVisible(chromedp.CSS(`#found-users input[value="user:`+julie+`"]`)),
		click(`#found-users input[value="user:`+julie+`"]`),
		click("#fu-edit"),
		click(`#found-users button.primary`),
		chromedp.WaitReady(chromedp.CSS(`form[action$="/security/remove"] input[value="user:`+julie+`"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The permissions a row holds are its span.perm (view, and edit).
	if n := count(t, ctx, `tr:has(input[value="user:`+julie+`"]) span.perm`); n != 2 {
		t.Errorf("Julie's row holds %d permissions, want view and edit", n)
	}
	if n := count(t, ctx, `tr:has(input[value="organisation:toulon"]) span.perm`); n != 1 {
		t.Errorf("Toulon's row holds %d permissions, want view only", n)
	}
	screenshot(t, ctx, "003-"+string(lang)+"-security")

	// Julie, with her password: the page, and its edit tab.
	if err := chromedp.Do(ctx, click(`form.signout button`), chromedp.WaitVisible(chromedp.CSS(`a.signin`))); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, s, "julie.candidate", lang)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/pages/"+page+"/edit"), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	if h1 := text(t, ctx, "main h1"); !strings.Contains(h1, "Bienvenue") {
		t.Errorf("Julie's edit tab of the page: %q", h1)
	}
	screenshot(t, ctx, "003-"+string(lang)+"-julie-edit")

	for who, want := range map[string]int{
		"tania.arbres":    200, // editor of the Ville de Toulon
		"damien.lecteur":  200, // views every page
		"olivier.carto":   404, // nobody gave him the page
		"julie.candidate": 200,
	} {
		if res, _ := s.as(t, who).get(t, "/pages/"+page); res.StatusCode != want {
			t.Errorf("%s gets %d, want %d", who, res.StatusCode, want)
		}
	}
	if res, _ := s.as(t, "tania.arbres").get(t, "/pages/"+page+"/edit"); res.StatusCode == 200 {
		t.Error("Toulon's editor may edit a page Toulon may only view")
	}
}

// TestScenario004MapSharedWithARoleAndItsLastOwner is source 004 ("Gérer
// les droits d'accès dans MAP"): Lina Littoral, whose community
// Observatoire du littoral owns the map « Trait de côte », opens it from
// the list of maps, shares it with the CEREGE (a role found by typing its
// name) at « Accès en lecture », then tries to take away her community's
// owner privilege, the map's only one: the share dialog refuses it on that
// row and the map keeps its owner.
func TestScenario004MapSharedWithARoleAndItsLastOwner(t *testing.T) { inEachLanguage(t, scenario004) }

func scenario004(t *testing.T, ctx context.Context, s site, lang messages.Lang) {
	const m = "trait-de-cote"
	signIn(t, ctx, s, "lina.littoral", lang)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/maps"),
		click(`main a[href="/maps/`+m+`"]`),
		chromedp.WaitReady(chromedp.CSS(`main a.button[href="/maps/`+m+`/share"]`)),
		click(`main a.button[href="/maps/`+m+`/share"]`),
		chromedp.WaitReady(chromedp.CSS("#gq")),
		chromedp.SendKeys(chromedp.CSS("#gq"), "cerege"),
		chromedp.WaitVisible(chromedp.CSS(`#found-groups form:has(input[value="organisation:cerege"]) select`)),
		chromedp.SetValue(chromedp.CSS(`#found-groups form:has(input[value="organisation:cerege"]) select`), "read"),
		click(`#found-groups form:has(input[value="organisation:cerege"]) button`),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "p.notice"); got != say(lang, "ui.maps.shared") {
		t.Errorf("after sharing: %q", got)
	}
	level, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`tr:has(input[value="organisation:cerege"]) select`)))
	if err != nil || level != "read" {
		t.Errorf("the CEREGE's row says %q (%v), want read", level, err)
	}
	screenshot(t, ctx, "004-"+string(lang)+"-shared")

	// The last owner: removed, then lowered to read; both refused by its
	// row.
	owner := `tr:has(input[value="community:observatoire-littoral"])`
	for _, try := range [][]chromedp.Action[chromedp.Void]{
		{click(owner + ` input[value="remove"] + button`)},
		{chromedp.SetValue(chromedp.CSS(owner+` select`), "read"), click(owner + ` form.inline button`)},
	} {
		if err := chromedp.Do(ctx, append(try, chromedp.WaitVisible(chromedp.CSS(owner+` #share-error`)))...); err != nil {
			t.Fatal(err)
		}
		want := say(lang, "conflict.map_last_owner", messages.Quote("community:observatoire-littoral"), messages.Quote(m))
		if msg := text(t, ctx, owner+` #share-error`); !strings.Contains(msg, want) {
			t.Errorf("the refusal says %q, want %q", msg, want)
		}
	}
	screenshot(t, ctx, "004-"+string(lang)+"-last-owner")

	shares, err := s.srv.Portal().(*portal.Service).MapShares(context.Background(), s.accounts["lina.littoral"], m)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]portal.MapLevel{}
	for _, sh := range shares {
		got[string(sh.Group.Kind)+":"+sh.Group.ID] = sh.Level
	}
	if got["community:observatoire-littoral"] != portal.MapOwner || got["organisation:cerege"] != portal.MapRead {
		t.Errorf("the map's shares after the scenario: %v", got)
	}
}
