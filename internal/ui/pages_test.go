package ui_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// postIn posts form to path with the reader's language lang.
func (s site) postIn(t *testing.T, lang, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept-Language", lang)
	req.Header.Set("Cookie", "octroi_lang="+lang) // the switch's choice wins
	return s.do(t, req)
}

// wantIn fails t for each of wants body lacks.
func wantIn(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// invalidField reports whether the form field id is marked invalid and
// described by its own message (id-err, beside it).
func invalidField(body, id string) bool {
	tag := regexp.MustCompile(`<[a-z]+ id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
	return strings.Contains(tag, ` aria-invalid="true"`) &&
		regexp.MustCompile(`aria-describedby="([^"]* )?`+regexp.QuoteMeta(id)+`-err[ "]`).MatchString(tag) &&
		strings.Contains(body, `<p id="`+id+`-err" class="error-text" role="alert">`)
}

const dashboard = "/pages/tableau-de-bord-inondations"

func TestPagesListAndRendering(t *testing.T) {
	s := newSite(t)
	// Anonymous: the public page only.
	res, body := s.get(t, "/pages")
	if res.StatusCode != 200 {
		t.Fatalf("anonymous /pages = %d", res.StatusCode)
	}
	wantIn(t, "anonymous list", body, `href="/pages/accueil"`)
	if strings.Contains(body, dashboard) {
		t.Error("an anonymous visitor is listed the private dashboard")
	}
	res, body = s.get(t, "/pages/accueil")
	if res.StatusCode != 200 {
		t.Fatalf("public page = %d", res.StatusCode)
	}
	wantIn(t, "public page", body, "Bienvenue sur la plateforme", "<p>Les données ouvertes et géographiques de la région Sud.<br>Cartes", "Occupation du sol 2020", `href="/datasets/REGION-SUD_OCSOL"`)
	if strings.Contains(body, "/edit") || strings.Contains(body, "/security") {
		t.Error("an anonymous visitor is offered to edit or secure the page")
	}
	// A private page does not exist for an outsider, signed in or not.
	for _, who := range []site{s, s.as(t, "olivier.carto")} {
		res, body := who.get(t, dashboard)
		if res.StatusCode != 404 || strings.Contains(body, "Tableau de bord") {
			t.Errorf("outsider's private page = %d", res.StatusCode)
		}
	}
	// Toulon views it without the drinking-water network it may not
	// consult: the rest of the page shows, the dataset is not named.
	toulon := s.as(t, "tania.arbres")
	_, body = toulon.get(t, "/pages")
	wantIn(t, "Toulon's list", body, `href="`+dashboard+`"`)
	res, body = toulon.get(t, dashboard, "Accept-Language", "fr")
	if res.StatusCode != 200 {
		t.Fatalf("Toulon's dashboard = %d", res.StatusCode)
	}
	wantIn(t, "Toulon's dashboard", body, "Suivi des zones inondables", "Zones des PPRI", "1 visualisation(s) non chargée(s)")
	if strings.Contains(body, "AMP_RESEAU-EAU") || strings.Contains(body, "Réseau d&#39;eau potable") {
		t.Error("the visualisation Toulon may not load is shown")
	}
	if strings.Contains(body, dashboard+"/edit") {
		t.Error("a viewer is offered to edit")
	}
	// The crisis unit sees both; "view all pages" sees the private page.
	_, body = s.as(t, "sophie.voirie").get(t, dashboard)
	wantIn(t, "the crisis unit's dashboard", body, "AMP_RESEAU-EAU")
	if res, _ := s.as(t, "damien.lecteur").get(t, dashboard); res.StatusCode != 200 {
		t.Errorf("view all pages: %d", res.StatusCode)
	}
	// Lina edits (tab), Paul edits and manages (both tabs).
	_, body = s.as(t, "lina.littoral").get(t, dashboard)
	if !strings.Contains(body, dashboard+"/edit") || strings.Contains(body, dashboard+"/security") {
		t.Error("Lina's tabs are wrong")
	}
	_, body = s.as(t, "paul.risques").get(t, dashboard)
	wantIn(t, "Paul's dashboard", body, dashboard+"/edit", dashboard+"/security")
}

func TestPageEditing(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	res, body := lina.get(t, dashboard+"/edit")
	if res.StatusCode != 200 {
		t.Fatalf("edit form = %d\n%s", res.StatusCode, body)
	}
	// The datasets she may consult are proposed; the network she may not
	// find is kept unnamed.
	wantIn(t, "edit form", body, `value="Tableau de bord inondations"`, `<option value="REGION-SUD_PPRI">`, `name="vis_dataset" value=""`)
	form := func(title, newTitle, newDataset string, remove ...string) url.Values {
		return url.Values{"title": {title}, "body": {"Premier paragraphe.\r\n\r\nSecond."},
			"vis": {"ppri", "reseau-eau"}, "vis_title": {"Zones des PPRI", "Réseau d'eau potable exposé"}, "vis_dataset": {"REGION-SUD_PPRI", ""},
			"remove": remove, "new_title": {newTitle}, "new_dataset": {newDataset}}
	}
	// An empty title: the form again, French, the error on the title,
	// what was typed kept.
	res, body = lina.postIn(t, "fr", dashboard+"/edit", form("  ", "Lycées", "REGION-SUD_LYCEES"))
	if res.StatusCode != 400 || !invalidField(body, "title") || !strings.Contains(body, "title est vide") {
		t.Errorf("empty title = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the form after an error", body, "Premier paragraphe.\n\nSecond.", `value="Lycées"`, `value="REGION-SUD_LYCEES"`)
	// An unknown dataset: the error on the dataset field, in English.
	res, body = lina.postIn(t, "en", dashboard+"/edit", form("Nouveau titre", "Inconnu", "NOPE_NOPE"))
	if res.StatusCode != 400 || !invalidField(body, "new_dataset") || !strings.Contains(body, "no dataset") {
		t.Errorf("unknown dataset = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the form after an error", body, `value="Nouveau titre"`, `value="Inconnu"`, `value="NOPE_NOPE"`)
	// A title without its dataset.
	res, body = lina.postIn(t, "en", dashboard+"/edit", form("Titre", "Sans jeu", ""))
	if res.StatusCode != 400 || !invalidField(body, "new_dataset") {
		t.Errorf("a visualisation without a dataset = %d", res.StatusCode)
	}
	// Saved: a new title, a visualisation added, one removed, the
	// network kept.
	res, _ = lina.post(t, dashboard+"/edit", form("Tableau de bord crues", "Lycées exposés", "REGION-SUD_LYCEES", "ppri"))
	if res.StatusCode != 303 || res.Header.Get("Location") != dashboard+"?done=saved" {
		t.Fatalf("save = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = s.as(t, "sophie.voirie").get(t, dashboard)
	wantIn(t, "the saved page", body, "Tableau de bord crues", "<p>Premier paragraphe.</p>", "<p>Second.</p>", "Lycées exposés", "AMP_RESEAU-EAU")
	if strings.Contains(body, "Zones des PPRI") {
		t.Error("the removed visualisation is still there")
	}
	// Refused: a viewer, an outsider, an anonymous visitor.
	toulon := s.as(t, "tania.arbres")
	if res, _ := toulon.get(t, dashboard+"/edit"); res.StatusCode != 403 {
		t.Errorf("viewer's edit form = %d, want 403", res.StatusCode)
	}
	if res, _ := toulon.post(t, dashboard+"/edit", form("Pris", "", "")); res.StatusCode != 403 {
		t.Errorf("viewer's save = %d, want 403", res.StatusCode)
	}
	if res, _ := s.as(t, "olivier.carto").post(t, dashboard+"/edit", form("Pris", "", "")); res.StatusCode != 404 {
		t.Errorf("outsider's save = %d, want 404", res.StatusCode)
	}
	if res, _ := s.get(t, dashboard+"/edit"); res.StatusCode != 401 {
		t.Errorf("anonymous edit form = %d, want 401", res.StatusCode)
	}
	if res, _ := s.post(t, dashboard+"/edit", form("Pris", "", "")); res.StatusCode != 401 {
		t.Errorf("anonymous save = %d, want 401", res.StatusCode)
	}
	_, body = lina.get(t, dashboard)
	if !strings.Contains(body, "Tableau de bord crues") {
		t.Error("a refused save changed the page")
	}
}

func TestPageSecurityTab(t *testing.T) {
	s := newSite(t)
	paul := s.as(t, "paul.risques")
	res, body := paul.get(t, dashboard+"/security", "Accept-Language", "fr")
	if res.StatusCode != 200 {
		t.Fatalf("security = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the security tab", body, "Politique d&#39;accès", "Accès public", "Accès privé", `id="p-private" name="policy" value="private" checked`,
		"Permissions utilisateur", "Permissions groupe", "Lina Littoral", "Cellule de crise inondations", "Ville de Toulon",
		"Consulter la page", "Retirer Modifier la page", "Ajouter une permission : Modifier la page")
	if strings.Contains(body, "Rôles sur tout le site") {
		t.Error("Paul, who does not manage the site-wide roles, is shown them")
	}
	// Public, then anonymous visitors see it.
	if res, _ := paul.post(t, dashboard+"/security/policy", url.Values{"policy": {"public"}}); res.StatusCode != 303 {
		t.Fatalf("policy = %d", res.StatusCode)
	}
	if res, _ := s.get(t, dashboard); res.StatusCode != 200 {
		t.Errorf("public page for anonymous = %d", res.StatusCode)
	}
	if res, _ := paul.post(t, dashboard+"/security/policy", url.Values{"policy": {"private"}}); res.StatusCode != 303 {
		t.Fatalf("policy = %d", res.StatusCode)
	}
	if res, _ := s.get(t, dashboard); res.StatusCode != 404 {
		t.Errorf("private again, anonymous = %d", res.StatusCode)
	}
	if res, _ := paul.post(t, dashboard+"/security/policy", url.Values{"policy": {"open"}}); res.StatusCode != 400 {
		t.Errorf("unknown policy = %d, want 400", res.StatusCode)
	}
	// Find Olivier by name and add him with "edit page".
	_, body = paul.get(t, dashboard+"/security?q=olivier")
	olivier := s.accounts["olivier.carto"]
	wantIn(t, "the search", body, `value="user:`+olivier+`"`, "Olivier Carto")
	if strings.Contains(body, "olivier.carto@demo.octroi.dev") {
		t.Error("a page manager is shown e-mails they did not type")
	}
	res, _ = paul.post(t, dashboard+"/security/add", url.Values{"holder": {"user:" + olivier}, "edit": {"on"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != dashboard+"/security?done=added" {
		t.Fatalf("add = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := s.as(t, "olivier.carto").get(t, dashboard+"/edit"); res.StatusCode != 200 {
		t.Errorf("Olivier, added with edit, edits: %d", res.StatusCode)
	}
	// Groups: found by name, added; edit given then taken.
	_, body = paul.get(t, dashboard+"/security?gq=hy%C3%A8res")
	wantIn(t, "the group search", body, `value="organisation:hyeres"`)
	if res, _ := paul.post(t, dashboard+"/security/add", url.Values{"holder": {"organisation:hyeres"}}); res.StatusCode != 303 {
		t.Fatalf("add group = %d", res.StatusCode)
	}
	for _, edit := range []string{"on", ""} {
		if res, _ := paul.post(t, dashboard+"/security/set", url.Values{"holder": {"organisation:toulon"}, "edit": {edit}}); res.StatusCode != 303 {
			t.Fatalf("set edit %q = %d", edit, res.StatusCode)
		}
	}
	// "View page" is never removed alone: the domain says so, on the tab.
	res, body = paul.postIn(t, "fr", dashboard+"/security/set", url.Values{"holder": {"organisation:toulon"}, "view": {"off"}})
	if res.StatusCode != 400 || !strings.Contains(html.UnescapeString(body), "ne peut pas être retirée seule") || !strings.Contains(body, `id="row-error"`) {
		t.Errorf("view removed alone = %d\n%s", res.StatusCode, body)
	}
	// Removing someone: both go, and a private page is gone for them.
	res, _ = paul.post(t, dashboard+"/security/remove", url.Values{"holder": {"user:" + s.accounts["lina.littoral"]}})
	if res.StatusCode != 303 {
		t.Fatalf("remove = %d", res.StatusCode)
	}
	if res, _ := s.as(t, "lina.littoral").get(t, dashboard); res.StatusCode != 404 {
		t.Errorf("removed Lina still views: %d", res.StatusCode)
	}
	// Someone who is not there, a group that does not exist: said on the tab.
	res, body = paul.post(t, dashboard+"/security/add", url.Values{"holder": {"organisation:nope"}, "gq": {"hyères"}})
	if res.StatusCode != 400 || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "nope") || !strings.Contains(body, `value="organisation:hyeres"`) {
		t.Errorf("unknown group = %d\n%s", res.StatusCode, body)
	}
	if res, _ := paul.post(t, dashboard+"/security/add", url.Values{}); res.StatusCode != 400 {
		t.Errorf("nobody chosen = %d, want 400", res.StatusCode)
	}
}

func TestPageSecurityRefusals(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral") // edits, does not manage
	for _, c := range []struct {
		who    site
		status int
	}{{lina, 403}, {s.as(t, "olivier.carto"), 404}, {s, 401}} {
		if res, _ := c.who.get(t, dashboard+"/security"); res.StatusCode != c.status {
			t.Errorf("security tab = %d, want %d", res.StatusCode, c.status)
		}
		for _, a := range []struct {
			action string
			form   url.Values
		}{
			{"policy", url.Values{"policy": {"public"}}},
			{"add", url.Values{"holder": {"user:" + s.accounts["olivier.carto"]}}},
			{"set", url.Values{"holder": {"organisation:toulon"}, "edit": {"on"}}},
			{"remove", url.Values{"holder": {"organisation:toulon"}}},
		} {
			if res, _ := c.who.post(t, dashboard+"/security/"+a.action, a.form); res.StatusCode != c.status {
				t.Errorf("%s = %d, want %d", a.action, res.StatusCode, c.status)
			}
		}
	}
	if res, _ := s.get(t, dashboard); res.StatusCode != 404 {
		t.Error("a refused policy change made the page public")
	}
	if res, _ := s.as(t, "paul.risques").post(t, dashboard+"/security/promote", url.Values{}); res.StatusCode != 404 {
		t.Errorf("unknown action = %d, want 404", res.StatusCode)
	}
	// A page manager may not search people on a page they do not manage.
	if res, _ := lina.get(t, "/pages/accueil/security?q=paul"); res.StatusCode != 403 {
		t.Errorf("a viewer's people search = %d, want 403", res.StatusCode)
	}
}

func TestContentRolesScreen(t *testing.T) {
	s := newSite(t)
	alice := s.as(t, "alice.martin")
	_, body := alice.get(t, dashboard+"/security", "Accept-Language", "fr")
	wantIn(t, "the administrator's security tab", body, "Rôles sur tout le site", "Consulter toutes les pages", "Damien Lecteur", `href="/content-roles"`)
	res, body := alice.get(t, "/content-roles?q=paul&gq=observatoire")
	if res.StatusCode != 200 {
		t.Fatalf("content roles = %d", res.StatusCode)
	}
	paul := "user:" + s.accounts["paul.risques"]
	wantIn(t, "content roles", body, "Isabelle Géodésie", "Map editor", `value="`+paul+`"`, `value="community:observatoire-littoral"`)
	res, _ = alice.post(t, "/content-roles/add", url.Values{"role": {"page_editor"}, "holder": {paul}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/content-roles?done=role_given" {
		t.Fatalf("give = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Paul now edits every page, the platform's public one too.
	if res, _ := s.as(t, "paul.risques").get(t, "/pages/accueil/edit"); res.StatusCode != 200 {
		t.Errorf("edit all pages: %d", res.StatusCode)
	}
	if res, _ := alice.post(t, "/content-roles/remove", url.Values{"role": {"page_editor"}, "holder": {paul}}); res.StatusCode != 303 {
		t.Fatalf("take = %d", res.StatusCode)
	}
	if res, _ := s.as(t, "paul.risques").get(t, "/pages/accueil/edit"); res.StatusCode != 403 {
		t.Errorf("after the role is taken: %d", res.StatusCode)
	}
	// A person is never a map creator: the domain's refusal.
	res, body = alice.postIn(t, "fr", "/content-roles/add", url.Values{"role": {"map_creator"}, "holder": {paul}, "q": {"paul"}})
	if res.StatusCode != 400 || !strings.Contains(body, `id="form-error"`) || !strings.Contains(body, `value="`+paul+`" checked`) ||
		!strings.Contains(body, `<option value="map_creator" selected>`) || !strings.Contains(html.UnescapeString(body), "il faut community, organisation") {
		t.Errorf("a person made map creator = %d\n%s", res.StatusCode, body)
	}
	// Refused to everyone else.
	for _, c := range []struct {
		who    site
		status int
	}{{s.as(t, "paul.risques"), 403}, {s, 401}} {
		if res, _ := c.who.get(t, "/content-roles"); res.StatusCode != c.status {
			t.Errorf("content roles = %d, want %d", res.StatusCode, c.status)
		}
		if res, _ := c.who.post(t, "/content-roles/add", url.Values{"role": {"page_editor"}, "holder": {paul}}); res.StatusCode != c.status {
			t.Errorf("give = %d, want %d", res.StatusCode, c.status)
		}
	}
}

// TestContentDoneMessagesComeFromAFixedList: ?done= on the pages and maps
// screens cannot make them say what a link's author likes.
func TestContentDoneMessagesComeFromAFixedList(t *testing.T) {
	s := newSite(t)
	paul := s.as(t, "paul.risques")
	for _, p := range []string{dashboard + "?done=ui.pages.title", dashboard + "/security?done=x", "/maps?done=ui.maps.none", "/maps/crues-du-var/share?done=%3Cb%3E"} {
		_, body := paul.get(t, p)
		if strings.Contains(body, `class="notice"`) {
			t.Errorf("%s shows a notice", p)
		}
	}
	if _, body := paul.get(t, dashboard+"?done=saved"); !strings.Contains(body, "The page was saved.") {
		t.Error("a known done value shows nothing")
	}
}
