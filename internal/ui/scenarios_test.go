package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// The source documents, each played end to end in a real headless
// Chromium by the people of the demo it names, who sign in with their
// password through the sign-in screen and use only what the pages offer
// (links, forms, buttons). What the pages say is checked in the reader's
// language, from the catalogue; what was done is checked again through
// the portal.

// screenshotsEnv names the folder where the browser tests write PNG
// screenshots of the screens they visit; unset, none is written.
const screenshotsEnv = "OCTROI_SCREENSHOTS"

// screenshot writes the whole page open in ctx, at a wide screen's width,
// as name.png in the folder $OCTROI_SCREENSHOTS (a relative one is taken
// from the repository's root); nothing when it is unset.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shoot(t, ctx, name, chromedp.EmulateViewport(1280, 800))
}

// shoot writes the whole page open in ctx, as the screen that emulate
// sets up shows it, as name.png in the folder $OCTROI_SCREENSHOTS;
// nothing when it is unset. The browser's own viewport is restored
// afterwards.
func shoot(t *testing.T, ctx context.Context, name string, emulate chromedp.Action[chromedp.Void]) {
	t.Helper()
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) { // from the repository's root, not this package's
		dir = filepath.Join("..", "..", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, emulate); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := chromedp.Do(ctx, chromedp.ResetViewport()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, shotName(name)+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// shotName makes a file name of a page's name or path.
func shotName(s string) string {
	s = strings.Trim(s, "/")
	if s == "" {
		s = "home"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// scenarioLangs are the languages every scenario is played in, each by a
// browser that asks for the other one (Accept-Language): the pages speak
// the scenario's language only because its people chose it with the
// switch on the sign-in page, as a person does.
var scenarioLangs = []messages.Lang{messages.French, messages.English}

// inEachLanguage plays a scenario once per language of scenarioLangs, as
// subtests named by the language, each on its own demo in its own browser.
func inEachLanguage(t *testing.T, play func(t *testing.T, ctx context.Context, s site, lang messages.Lang)) {
	for _, lang := range scenarioLangs {
		t.Run(string(lang), func(t *testing.T) {
			play(t, browser(t, chromedp.Flag("accept-lang", string(otherLang(lang)))), newSite(t), lang)
		})
	}
}

// otherLang is the language of the catalogue that is not lang.
func otherLang(lang messages.Lang) messages.Lang {
	if lang == messages.French {
		return messages.English
	}
	return messages.French
}

// say is what the catalogue says for key in lang, as the pages show it.
func say(lang messages.Lang, key string, args ...any) string {
	return messages.New(messages.Key(key), args...).In(lang)
}

// signIn signs the demo person local@demo.octroi.dev in with the sign-in
// form, and waits for the page that follows. The page is put in lang with
// the language switch when it is not already (a second person signing in
// on the same browser finds the choice kept).
func signIn(t *testing.T, ctx context.Context, s site, local string, lang messages.Lang) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/sign-in"),
		chromedp.WaitReady(chromedp.CSS("#email")),
	)
	if err != nil {
		t.Fatalf("%s opening the sign-in page: %v", local, err)
	}
	if count(t, ctx, `html[lang="`+string(lang)+`"]`) == 0 {
		err = chromedp.Do(ctx,
			click(`form.lang button[value="`+string(lang)+`"]`),
			chromedp.WaitReady(chromedp.CSS(`html[lang="`+string(lang)+`"] #email`)),
		)
		if err != nil {
			t.Fatalf("%s choosing %s with the switch: %v", local, lang, err)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#email"), local+"@demo.octroi.dev"),
		chromedp.SetValue(chromedp.CSS("#password"), s.password),
		click(`form.stacked button`),
		chromedp.WaitVisible(chromedp.CSS(`form.signout`)),
	)
	if err != nil {
		t.Fatalf("%s signing in: %v", local, err)
	}
}

// text is the text of the first element sel matches on the page open.
// click clicks the element sel names from a script, not with the mouse:
// a mouse click lands where the element was drawn, and on a loaded
// machine the page may still be moving (results of a search, fonts), so
// that it hits nothing and the next wait never ends. The notices of the
// page shown are removed first, so that waiting for the next page's
// notice cannot find the old one.
func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.WaitVisible(chromedp.CSS(sel))(ctx, t); err != nil {
			return err
		}
		_, err := chromedp.Evaluate[bool](`(function () { document.querySelectorAll("p.notice").forEach(function (n) { n.remove(); }); document.querySelector(`+jsString(sel)+`).click(); return true; })()`)(ctx, t)
		return err
	})
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// count is how many elements sel matches on the page open.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	if err != nil {
		t.Fatalf("counting %s: %v", sel, err)
	}
	return n
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestScenario001DefaultLevelAndBulkRaise is source 001 ("Accès à la
// donnée"): Paul Risques, editor of the Région Sud, opens the access
// screen of the flood-risk plans from the dataset's page, lowers its
// default level to search after its preview, filters the organisations,
// selects three of them and raises them to download, checking the
// preview of exactly those three changes before applying it.
func TestScenario001DefaultLevelAndBulkRaise(t *testing.T) { inEachLanguage(t, scenario001) }

func scenario001(t *testing.T, ctx context.Context, s site, lang messages.Lang) {
	const ds = "REGION-SUD_PPRI"
	signIn(t, ctx, s, "paul.risques", lang)
	defaultForm := `form[action="/datasets/` + ds + `/access/default"]`
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/datasets/"+ds),
		click(`main a.button[href="/datasets/`+ds+`/access"]`),
		chromedp.WaitReady(chromedp.CSS("#default-level")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := text(t, ctx, ".default-level .level-default"), say(lang, "level.consult"); got != want {
		t.Fatalf("default level shown %q, want %q", got, want)
	}
	screenshot(t, ctx, "001-"+string(lang)+"-access")

	// The default level: previewed, then applied.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#default-level"), "search"),
		click(defaultForm+" button"),
		chromedp.WaitReady(chromedp.CSS(defaultForm+` input[name="confirm"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "main h1"); got != say(lang, "ui.access.preview_title", "Plans de prévention du risque inondation") {
		t.Errorf("preview of the default level titled %q", got)
	}
	screenshot(t, ctx, "001-"+string(lang)+"-default-preview")
	err = chromedp.Do(ctx,
		click(defaultForm+" button"),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "p.notice"); got != say(lang, "ui.access.default_done") {
		t.Errorf("after the default level: %q", got)
	}
	if got, want := text(t, ctx, ".default-level .level-default"), say(lang, "level.search"); got != want {
		t.Errorf("default level shown %q after the change, want %q", got, want)
	}

	// Only the organisations, then three of them raised to download.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#f-kind"), "organisation"),
		click("form.filters button"),
		chromedp.WaitReady(chromedp.CSS(`#f-kind option[value="organisation"][selected]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n, all := count(t, ctx, `table.access tbody tr`), count(t, ctx, `table.access input[value^="organisation:"]`); n != all || n != 9 {
		t.Errorf("the organisations' filter shows %d rows, %d of them organisations; the demo has 9", n, all)
	}
	three := []string{"ign", "metropole-amp", "cerege"}
	var steps []chromedp.Action[chromedp.Void]
	for _, o := range three {
		steps = append(steps, click(`input[name="group"][value="organisation:`+o+`"]`))
	}
	steps = append(steps,
		click("#a-grant"),
		chromedp.SetValue(chromedp.CSS("#a-level"), "download"),
		click("fieldset.bulk button"),
		chromedp.WaitReady(chromedp.CSS(`input[name="confirm"]`)),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	if got, want := text(t, ctx, "main table caption"), say(lang, "ui.access.preview_caption", 3); got != want {
		t.Errorf("preview caption %q, want %q", got, want)
	}
	if n := count(t, ctx, "main table tbody tr"); n != 3 {
		t.Errorf("the preview lists %d changes, want 3", n)
	}
	for i := range 3 {
		if got := text(t, ctx, "main table tbody tr:nth-child("+strconv.Itoa(i+1)+") td:nth-child(3)"); got != say(lang, "level.download") {
			t.Errorf("preview row %d: after = %q", i+1, got)
		}
	}
	screenshot(t, ctx, "001-"+string(lang)+"-bulk-preview")
	err = chromedp.Do(ctx,
		click(`form[action="/datasets/`+ds+`/access/bulk"] button.primary`),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "p.notice"); got != say(lang, "ui.access.done", 3) {
		t.Errorf("after the bulk action: %q", got)
	}
	screenshot(t, ctx, "001-"+string(lang)+"-access-done")

	// The portal agrees: the default is search, the three download.
	p := s.srv.Portal().(*portal.Service)
	paul := s.accounts["paul.risques"]
	d, err := p.Dataset(context.Background(), paul, ds)
	if err != nil || d.Default != portal.LevelSearch {
		t.Errorf("dataset after the scenario: default %v, %v", d.Default, err)
	}
	rows, _, err := p.AccessTable(context.Background(), paul, ds, portal.AccessFilter{Kind: portal.GroupOrganisation, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		raised := false
		for _, o := range three {
			raised = raised || r.Group.ID == o
		}
		switch {
		case raised && (r.Specific == nil || *r.Specific != portal.LevelDownload):
			t.Errorf("%s: specific level %v, want download", r.Group.ID, r.Specific)
		case !raised && r.Specific != nil && *r.Specific == portal.LevelDownload:
			t.Errorf("%s was raised too", r.Group.ID)
		}
	}
}

// TestScenario002DelegatedAdministratorManagesMembers is source 002
// ("Gérer les membres de son organisation"): Régine Sud, delegated
// administrator of the Région Sud, finds Sophie Voirie by typing her name,
// adds her as an editor, then accepts Julie Candidate's request to join
// as a registered user.
func TestScenario002DelegatedAdministratorManagesMembers(t *testing.T) {
	inEachLanguage(t, scenario002)
}

func scenario002(t *testing.T, ctx context.Context, s site, lang messages.Lang) {
	signIn(t, ctx, s, "regine.sud", lang)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/organisations/region-sud/members"),
		chromedp.WaitReady(chromedp.CSS("#q")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, ctx, `form[action$="/members/decide"] input[name="decision"][value="accept"]`); n != 1 {
		t.Fatalf("%d join requests to decide, want Julie Candidate's", n)
	}
	screenshot(t, ctx, "002-"+string(lang)+"-members")

	// "Saisissez le prénom et le nom de l'utilisateur à ajouter, puis
	// sélectionnez-le quand vous le voyez apparaître dans la liste".
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#q"), "Sophie Voi"),
		chromedp.WaitVisible(chromedp.CSS(`#found form[action$="/members/add"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, ctx, `#found li`); n != 1 || !strings.Contains(text(t, ctx, "#found li"), "Sophie Voirie") {
		t.Fatalf("the search found %d people: %q", n, text(t, ctx, "#found"))
	}
	screenshot(t, ctx, "002-"+string(lang)+"-search")
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#found select[name="role"]`), "editor"),
		click(`#found form button`),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "p.notice"); got != say(lang, "ui.members.added") {
		t.Errorf("after adding: %q", got)
	}

	// The join request, accepted with a role.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`form[action$="/members/decide"] select[name="role"]`), "registered"),
		click(`form[action$="/members/decide"] button.primary`),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "p.notice"); got != say(lang, "ui.members.request_accepted") {
		t.Errorf("after accepting: %q", got)
	}
	if n := count(t, ctx, `form[action$="/members/decide"]`); n != 0 {
		t.Errorf("%d forms of join requests remain", n/2)
	}
	members := text(t, ctx, "table.list tbody")
	for _, who := range []string{"Sophie Voirie", "Julie Candidate"} {
		if !strings.Contains(members, who) {
			t.Errorf("the members' table lacks %s", who)
		}
	}
	screenshot(t, ctx, "002-"+string(lang)+"-members-done")

	// The portal agrees on the roles.
	p := s.srv.Portal().(*portal.Service)
	ms, err := p.Members(context.Background(), s.accounts["regine.sud"], "region-sud", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]portal.OrgRole{s.accounts["sophie.voirie"]: portal.RoleEditor, s.accounts["julie.candidate"]: portal.RoleRegistered}
	for _, m := range ms {
		if r, ok := want[m.Account]; ok {
			if m.Role != r {
				t.Errorf("%s is %s, want %s", m.Account, m.Role, r)
			}
			delete(want, m.Account)
		}
	}
	if len(want) > 0 {
		t.Errorf("not members after the scenario: %v", want)
	}
}
