package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/testbin"
)

// axePath is where .ci/run installs axe-core (npm install -g axe-core);
// OCTROI_AXE_JS names another copy.
func axePath(t *testing.T) string {
	if p := os.Getenv("OCTROI_AXE_JS"); p != "" {
		return testbin.File(t, p, "OCTROI_AXE_JS")
	}
	root := "/usr/lib/node_modules"
	if out, err := exec.Command("npm", "root", "-g").Output(); err == nil {
		root = strings.TrimSpace(string(out))
	}
	return testbin.File(t, root+"/axe-core/axe.min.js", "npm install -g axe-core")
}

// browser starts a headless Chromium for t, with the flags of more
// besides octroi's, and returns a context that drives one tab of it.
func browser(t *testing.T, more ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	exe := testbin.Find(t, "chromium", "chromium-browser", "google-chrome")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
	)
	opts = append(opts, more...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// Every screen of the list, in both languages, on a shared machine.
	ctx, cancelT := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(func() { cancelT(); cancel(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx
}

// axeResult is the part of axe-core's results the test reads.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// TestScreensHaveNoSeriousAccessibilityViolation runs axe-core (WCAG 2.1
// A and AA rules) on every screen, in both languages, in a real headless
// Chromium: no serious or critical violation is allowed.
func TestScreensHaveNoSeriousAccessibilityViolation(t *testing.T) {
	axe, err := os.ReadFile(axePath(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	s := newSite(t)
	screens := browserScreens(t, s)
	for _, lang := range []string{"en", "fr"} {
		// Cookies are kept per host, whatever the port: the language is
		// chosen once for every site of the list.
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/static/octroi.css"), chooseLanguage(lang)); err != nil {
			t.Fatal(err)
		}
		for i, sc := range screens {
			steps := []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(sc.base + sc.path),
				chromedp.WaitReady(chromedp.CSS("main")),
			}
			steps = append(steps, sc.then...)
			where := fmt.Sprintf("%s %s (%d steps)", lang, sc.path, len(sc.then))
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if got := pageLang(t, ctx); got != lang {
				t.Fatalf("%s: the page is in %q", where, got)
			}
			for _, v := range axeViolations(t, ctx, axe) {
				t.Errorf("%s: %s", where, v)
			}
			screenshot(t, ctx, fmt.Sprintf("%s-%02d-%s", lang, i, shotName(sc.path)))
		}
	}
}

// browserScreen is a screen of the list the browser tests visit: where it
// is, and what to do there before checking (the bulk preview is the
// answer to the access screen's form).
type browserScreen struct {
	base, path string
	then       []chromedp.Action[chromedp.Void]
}

// browserScreens is every screen of the interface, as the demo's people
// see it, with the forms refused and the pages that follow an action:
// the list that the accessibility and the layout tests visit.
func browserScreens(t *testing.T, s site) []browserScreen {
	t.Helper()
	editor := s.as(t, "paul.risques")
	admin := s.as(t, "regine.sud")
	root := s.as(t, "alice.martin")
	julie := s.as(t, "julie.candidate")
	julieKeys, err := s.srv.Portal().(*portal.Service).Keys(context.Background(), s.accounts["julie.candidate"])
	if err != nil || len(julieKeys) == 0 {
		t.Fatalf("Julie's demo key: %v", err)
	}
	julieKey := "/me/keys/" + julieKeys[0].ID
	_, perms := editor.get(t, permsPath)
	grant := permsPath + "/grants/" + grantIDOf(t, perms, "Licence Ouverte Etalab 2.0 — PPRI")
	return []browserScreen{
		{s.URL, "/", nil},
		{s.URL, "/datasets/REGION-SUD_PPRI", nil},
		{s.URL, "/datasets/NOPE", nil},
		{s.URL, "/sign-in?next=/me", nil},
		{s.URL, "/sign-in", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.CSS("#email"), "nobody@demo.octroi.dev"),
			chromedp.SetValue(chromedp.CSS("#password"), "wrong-password"),
			chromedp.Click(chromedp.CSS(`form.stacked button`)),
			chromedp.WaitReady(chromedp.CSS(`#signin-error`)),
		}},
		{newOIDCSite(t, "ProConnect").URL, "/sign-in", nil},
		{s.URL, "/auth/set-password?token=x", nil},
		{s.URL, "/password-reset", nil},
		{s.URL, "/me", nil},
		{editor.URL, "/datasets/REGION-SUD_PPRI", nil},
		{editor.URL, "/datasets/REGION-SUD_PPRI/access", nil},
		{editor.URL, "/me", nil},
		{editor.URL, "/me/tokens", nil},
		{admin.URL, "/me/notices", nil},
		{admin.URL, "/me/sessions", nil},
		{editor.URL, "/access-requests", nil},
		{s.as(t, "olivier.carto").URL, "/me/grants", nil},
		{s.as(t, "olivier.carto").URL, "/datasets/REGION-SUD_PPRI", nil},
		{admin.URL, "/organisations/region-sud/members", nil},
		{admin.URL, "/organisations/region-sud/members?q=sophie", nil},
		{admin.URL, "/organisations", nil},
		{admin.URL, "/communities", nil},
		{root.URL, "/admin/accounts", nil},
		{root.URL, "/admin/accounts/" + s.accounts["lina.littoral"], nil},
		{s.URL, "/pages", nil},
		{s.URL, "/pages/accueil", nil},
		{s.as(t, "tania.arbres").URL, "/pages/tableau-de-bord-inondations", nil},
		{editor.URL, "/pages/tableau-de-bord-inondations/edit", nil},
		{editor.URL, "/pages/tableau-de-bord-inondations/edit", []chromedp.Action[chromedp.Void]{
			// an unknown dataset: the form again, the error by its field
			chromedp.SetValue(chromedp.CSS("#new_dataset"), "NOPE_NOPE"),
			chromedp.Click(chromedp.CSS(`form.stacked button.primary`)),
			chromedp.WaitReady(chromedp.CSS(`#new_dataset-err`)),
		}},
		{editor.URL, "/pages/tableau-de-bord-inondations/security?q=olivier&gq=toulon", nil},
		{root.URL, "/pages/tableau-de-bord-inondations/security", nil},
		{root.URL, "/content-roles?q=paul&gq=observatoire", nil},
		{s.as(t, "olivier.carto").URL, "/maps", nil},
		{s.as(t, "olivier.carto").URL, "/maps/crues-du-var", nil},
		{root.URL, "/maps", nil},
		{editor.URL, "/maps/crues-du-var/share?gq=hy", nil},
		{s.as(t, "lina.littoral").URL, "/maps/trait-de-cote/share", []chromedp.Action[chromedp.Void]{
			// the last owner's removal, refused on the dialog
			chromedp.Click(chromedp.CSS(`tr:has(input[value="community:observatoire-littoral"]) input[value="remove"] + button`)),
			chromedp.WaitReady(chromedp.CSS(`#share-error`)),
		}},
		{julie.URL, "/me/keys", nil},
		{julie.URL, julieKey, nil},
		{s.as(t, "olivier.carto").URL, "/me/keys", nil},
		{root.URL, "/admin/keys", nil},
		{julie.URL, "/me/keys", []chromedp.Action[chromedp.Void]{
			// a refused form: the error beside its field
			chromedp.SetValue(chromedp.CSS("#f-name"), "QGIS"),
			chromedp.SetValue(chromedp.CSS("#f-ip_allow"), "10.0.0.0/33"),
			chromedp.Click(chromedp.CSS(`form[action="/me/keys"] button.primary`)),
			chromedp.WaitReady(chromedp.CSS("#err-ip_allow")),
		}},
		{julie.URL, "/me/keys", []chromedp.Action[chromedp.Void]{
			// a new key: its secret, once
			chromedp.SetValue(chromedp.CSS("#f-name"), "QGIS"),
			chromedp.Click(chromedp.CSS(`input[name="access"]`)),
			chromedp.Click(chromedp.CSS(`form[action="/me/keys"] button.primary`)),
			chromedp.WaitReady(chromedp.CSS("#key-secret")),
		}},
		{julie.URL, julieKey, []chromedp.Action[chromedp.Void]{
			// the confirmation before a new secret
			chromedp.Click(chromedp.CSS(`form[action$="/regenerate"] button`)),
			chromedp.WaitReady(chromedp.CSS(`input[name="confirm"]`)),
		}},
		{editor.URL, permsPath, nil},
		{editor.URL, permsPath + "?state=expiring&within=x", nil},
		{editor.URL, permsPath + "/new?q=o", nil},
		{editor.URL, permsPath + "/new", []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(`button.primary`)),
			chromedp.WaitReady(chromedp.CSS(`#g-name-err`)),
		}},
		{editor.URL, grant, nil},
		{editor.URL, grant + "/delete", nil},
		{editor.URL, permsPath + "/services/sud-ppri", nil},
		{s.URL, "/demande-acces/REGION-SUD_PPRI", nil},
		{s.as(t, "chloe.recherche").URL, "/demande-acces/REGION-SUD_PPRI", []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(`#s-sud-ppri`)),
			chromedp.Click(chromedp.CSS(`button.primary`)),
			chromedp.WaitReady(chromedp.CSS(`#d-services-err`)),
		}},
		{editor.URL, "/datasets/REGION-SUD_PPRI/access", []chromedp.Action[chromedp.Void]{
			// a group whose effective level is consult: download raises it
			chromedp.Click(chromedp.CSS(`tr:has(td:nth-child(5) .level-consult) input[name="group"]`)),
			chromedp.SetValue(chromedp.CSS(`#a-level`), "download"),
			chromedp.Click(chromedp.CSS(`fieldset.bulk button`)),
			chromedp.WaitReady(chromedp.CSS(`input[name="confirm"]`)),
		}},
		{root.URL, "/admin/audit", nil},
		{root.URL, "/admin/audit?from=07/12/2026&id=x", nil},
		{root.URL, "/admin/org-groups", nil},
		{root.URL, "/admin/org-groups/communes-du-var?q=toulon", nil},
		{root.URL, "/admin/org-groups/communes-du-var/delete", nil},
		{s.as(t, "lina.littoral").URL, "/communities/observatoire-littoral", nil},
		{root.URL, "/communities/observatoire-littoral?q=damien", nil},
		{s.as(t, "olivier.carto").URL, "/communities/observatoire-littoral", nil},
		{s.as(t, "lina.littoral").URL, "/me/preferences", nil},
		{s.as(t, "lina.littoral").URL, "/maps/trait-de-cote/edit", nil},
		{s.as(t, "paul.risques").URL, "/maps/trait-de-cote/edit", []chromedp.Action[chromedp.Void]{
			// a dataset nobody has: the refusal beside its field
			chromedp.SetValue(chromedp.CSS("#m-dataset"), "NOPE_NOPE"),
			chromedp.Click(chromedp.CSS(`form[action$="/edit/add"] button`)),
			chromedp.WaitReady(chromedp.CSS("#m-dataset-err")),
		}},
		{s.as(t, "lina.littoral").URL, "/maps/trait-de-cote/delete", nil},
		{s.as(t, "regine.sud").URL, "/organisations/region-sud/edit", nil},
		{s.as(t, "regine.sud").URL, "/organisations/region-sud/edit", []chromedp.Action[chromedp.Void]{
			// a name of blanks: the refusal beside its field
			chromedp.SetValue(chromedp.CSS("#o-name"), "   "),
			chromedp.Click(chromedp.CSS(`form[action$="/edit"] button.primary`)),
			chromedp.WaitReady(chromedp.CSS("#o-name-err")),
		}},
		{editor.URL, "/datasets/REGION-SUD_PPRI/access/why/organisation/toulon", nil},
		{s.as(t, "paul.risques").URL, "/pages", nil},
		{s.as(t, "alice.martin").URL, "/pages", []chromedp.Action[chromedp.Void]{
			// an id that is none: the creation form again, the error by its field
			chromedp.SetValue(chromedp.CSS("#p-id"), "pas bon"),
			chromedp.SetValue(chromedp.CSS("#p-title"), "Une page"),
			chromedp.Click(chromedp.CSS(`form[action="/pages"] button.primary`)),
			chromedp.WaitReady(chromedp.CSS("#p-id-err")),
		}},
		{s.as(t, "paul.risques").URL, "/pages/tableau-de-bord-inondations/delete", nil},
		{root.URL, "/organisations/new", nil},
		{root.URL, "/organisations/new", []chromedp.Action[chromedp.Void]{
			// an id that is none: the form again, the error by its field
			chromedp.SetValue(chromedp.CSS("#o-id"), "pas bon"),
			chromedp.SetValue(chromedp.CSS("#o-name"), "Une organisation"),
			chromedp.Click(chromedp.CSS(`form[action="/organisations/new"] button.primary`)),
			chromedp.WaitReady(chromedp.CSS("#o-id-err")),
		}},
		{root.URL, "/organisations/toulon/delete", nil},
		{root.URL, "/organisations/toulon/members", nil},
		// the bounded choices of one's own roles, searched (rolechoice.go)
		{s.as(t, "olivier.carto").URL, "/maps?oq=littoral", nil},
		{s.as(t, "chloe.recherche").URL, "/demande-acces/REGION-SUD_PPRI?cq=observatoire", nil},
	}
}

// axeViolations runs axe-core (WCAG 2.1 A and AA rules) on the page open
// in ctx and returns its serious and critical violations.
func axeViolations(t *testing.T, ctx context.Context, axe []byte) []string {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](string(axe))(ctx, t)
		return err
	}))
	if err != nil {
		t.Fatalf("loading axe-core: %v", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	var res axeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			out = append(out, fmt.Sprintf("%s (%s): %s, on %v", v.ID, v.Impact, v.Help, v.Nodes))
		}
	}
	return out
}

// TestLanguageSwitchInABrowser: the switch is a plain form, so a keyboard
// and a browser without scripts reach it; after it the page speaks the
// other language.
func TestLanguageSwitchInABrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/datasets/REGION-SUD_PPRI"),
		chromedp.WaitReady(chromedp.CSS("main")),
		chromedp.Click(chromedp.CSS(`form.lang button[value="fr"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] main`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("h2").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if h2 != "Ce que vous pouvez faire" {
		t.Errorf("after the switch the heading is %q", h2)
	}
}

// chooseLanguage sets the switch's cookie on the page open, as the
// switch would.
func chooseLanguage(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](`document.cookie = "octroi_lang=`+lang+`; path=/"`)(ctx, t)
		return err
	})
}

// TestMemberSearchAsYouType: typing in the search box lists the people
// found without leaving the page (the same page the form loads without
// scripts).
func TestMemberSearchAsYouType(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	admin := s.as(t, "regine.sud")
	err := chromedp.Do(ctx,
		chromedp.Navigate(admin.URL+"/organisations/region-sud/members"),
		chromedp.WaitReady(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "soph"),
		chromedp.WaitVisible(chromedp.CSS(`#found form[action$="/members/add"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(loc, "q=") {
		t.Errorf("the search left the page: %s", loc)
	}
}

// TestSignInInABrowser: a person signs in with the form, lands where they
// were going, and signs out.
func TestSignInInABrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/me"),
		chromedp.WaitReady(chromedp.CSS("main")),
		chromedp.Click(chromedp.CSS("main a.button")),
		chromedp.WaitReady(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), "lina.littoral@demo.octroi.dev"),
		chromedp.SetValue(chromedp.CSS("#password"), s.password),
		chromedp.Click(chromedp.CSS(`form.stacked button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.signout`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/me") {
		t.Fatalf("after signing in: %s %v", loc, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form.signout button`)),
		chromedp.WaitVisible(chromedp.CSS(`a.signin`)),
	)
	if err != nil {
		t.Fatal(err)
	}
}
