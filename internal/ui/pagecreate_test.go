package ui_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestPageCreationForm: the form is offered to whoever may create a page,
// with the owners the portal allows them; it creates the page and goes
// to its edit screen.
func TestPageCreationForm(t *testing.T) {
	s := newSite(t)
	paul := s.as(t, "paul.risques") // publishes for region-sud
	_, body := paul.get(t, "/pages", "Accept-Language", "fr")
	wantIn(t, "Paul's list", body, `action="/pages"`, `<option value="region-sud"`, "Créer une page")
	if strings.Contains(body, `<option value="">`) {
		t.Error("Paul is offered the platform's pages, without \"edit all pages\"")
	}
	_, body = s.as(t, "alice.martin").get(t, "/pages", "Accept-Language", "en")
	wantIn(t, "the administrator's list", body, `action="/pages"`, `<option value="">`, "Create a page")
	for _, who := range []site{s, s.as(t, "lina.littoral")} { // anonymous; registered only
		if _, body := who.get(t, "/pages"); strings.Contains(body, `action="/pages"`) {
			t.Error("the creation form is offered to someone who may not create a page")
		}
	}

	res, _ := paul.post(t, "/pages", url.Values{"id": {"crues-2026"}, "title": {"Crues 2026"}, "owner": {"region-sud"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/pages/crues-2026/edit?done=page_created" {
		t.Fatalf("create = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = paul.get(t, "/pages/crues-2026/edit?done=page_created", "Accept-Language", "en")
	if res.StatusCode != 200 {
		t.Fatalf("the new page's edit screen = %d", res.StatusCode)
	}
	wantIn(t, "the new page's edit screen", body, "The page was created", `href="/pages/crues-2026/delete"`)
	// Private until made public: an anonymous visitor does not find it.
	if res, _ := s.get(t, "/pages/crues-2026"); res.StatusCode != 404 {
		t.Errorf("anonymous new page = %d, want 404", res.StatusCode)
	}
	// The administrator creates one of the platform's.
	if res, _ := s.as(t, "alice.martin").post(t, "/pages", url.Values{"id": {"mentions"}, "title": {"Mentions légales"}, "owner": {""}}); res.StatusCode != 303 {
		t.Errorf("platform page = %d, want 303", res.StatusCode)
	}
}

// TestPageCreationRefusals: anonymous and signed-in-without-the-right
// callers are refused and nothing is created; what was typed wrong comes
// back in the form, beside its field, in the reader's language.
func TestPageCreationRefusals(t *testing.T) {
	s := newSite(t)
	for _, c := range []struct {
		who    site
		status int
		owner  string
	}{
		{s, 401, "region-sud"},
		{s.as(t, "lina.littoral"), 403, "region-sud"}, // registered: publishes nowhere
		{s.as(t, "lina.littoral"), 403, ""},           // nor "edit all pages"
	} {
		if res, _ := c.who.post(t, "/pages", url.Values{"id": {"pris"}, "title": {"Pris"}, "owner": {c.owner}}); res.StatusCode != c.status {
			t.Errorf("create (owner %q) = %d, want %d", c.owner, res.StatusCode, c.status)
		}
	}
	// Paul publishes for region-sud, not for the platform nor Toulon.
	paul := s.as(t, "paul.risques")
	res, body := paul.postIn(t, "en", "/pages", url.Values{"id": {"chez-toulon"}, "title": {"Chez Toulon"}, "owner": {"toulon"}})
	if res.StatusCode != 403 || !invalidField(body, "p-owner") || !strings.Contains(body, `value="chez-toulon"`) {
		t.Errorf("another organisation's page = %d\n%s", res.StatusCode, body)
	}
	if res, _ := paul.post(t, "/pages", url.Values{"id": {"plateforme"}, "title": {"Plateforme"}, "owner": {""}}); res.StatusCode != 403 {
		t.Errorf("platform page by Paul = %d, want 403", res.StatusCode)
	}
	for _, id := range []string{"pris", "chez-toulon", "plateforme"} {
		if res, _ := s.as(t, "alice.martin").get(t, "/pages/"+id); res.StatusCode != 404 {
			t.Errorf("refused page %s exists: %d", id, res.StatusCode)
		}
	}

	for _, c := range []struct {
		lang, id, title, field, want string
	}{
		{"fr", "pas bon", "Mon titre", "p-id", "il faut de 1 à"},
		{"en", "pas bon", "Mon titre", "p-id", "want 1 to"},
		{"fr", "bon-id", "", "p-title", "title est vide"},
		{"en", "bon-id", "", "p-title", "title is empty"},
		{"en", "tableau-de-bord-inondations", "Doublon", "p-id", "is taken"},
		{"fr", "tableau-de-bord-inondations", "Doublon", "p-id", "déjà pris"},
	} {
		res, body := paul.postIn(t, c.lang, "/pages", url.Values{"id": {c.id}, "title": {c.title}, "owner": {"region-sud"}})
		if res.StatusCode != 400 && res.StatusCode != 409 {
			t.Errorf("%s %q/%q = %d, want 400 or 409", c.lang, c.id, c.title, res.StatusCode)
		}
		if !invalidField(body, c.field) || !strings.Contains(body, c.want) {
			t.Errorf("%s %q/%q: %s not named with %q\n%s", c.lang, c.id, c.title, c.field, c.want, body)
		}
		// What was typed stays in the form.
		wantIn(t, "the refused form", body, `value="`+c.id+`"`, `<option value="region-sud" selected>`)
		if c.title != "" {
			wantIn(t, "the refused form", body, `value="`+c.title+`"`)
		}
	}
}

// TestPageDeletion: deletion is offered on the edit screen to whoever
// manages the page, asked first on the confirmation page, and refused to
// anyone else.
func TestPageDeletion(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral") // edits the dashboard, does not manage it
	if _, body := lina.get(t, dashboard+"/edit"); strings.Contains(body, dashboard+"/delete") {
		t.Error("Lina is offered to delete a page she does not manage")
	}
	for _, c := range []struct {
		who    site
		status int
	}{{s, 401}, {lina, 403}, {s.as(t, "olivier.carto"), 404}} {
		if res, _ := c.who.get(t, dashboard+"/delete"); res.StatusCode != c.status {
			t.Errorf("confirmation = %d, want %d", res.StatusCode, c.status)
		}
		if res, _ := c.who.post(t, dashboard+"/delete", url.Values{"confirm": {"yes"}}); res.StatusCode != c.status {
			t.Errorf("delete = %d, want %d", res.StatusCode, c.status)
		}
	}
	paul := s.as(t, "paul.risques")
	if res, _ := paul.get(t, dashboard); res.StatusCode != 200 {
		t.Fatalf("a refused deletion deleted the page: %d", res.StatusCode)
	}
	_, body := paul.get(t, dashboard+"/edit", "Accept-Language", "fr")
	wantIn(t, "Paul's edit screen", body, `href="`+dashboard+`/delete"`, "Supprimer la page")
	res, body := paul.get(t, dashboard+"/delete", "Accept-Language", "fr")
	if res.StatusCode != 200 {
		t.Fatalf("confirmation = %d", res.StatusCode)
	}
	wantIn(t, "the confirmation", body, "Supprimer la page Tableau de bord inondations ?", `action="`+dashboard+`/delete"`, `name="confirm" value="yes"`)
	// Without its confirmation, the form asks first.
	res, _ = paul.post(t, dashboard+"/delete", url.Values{})
	if res.StatusCode != 303 || res.Header.Get("Location") != dashboard+"/delete" {
		t.Errorf("unconfirmed = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := paul.get(t, dashboard); res.StatusCode != 200 {
		t.Fatal("an unconfirmed deletion deleted the page")
	}
	res, _ = paul.post(t, dashboard+"/delete", url.Values{"confirm": {"yes"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/pages?done=page_deleted" {
		t.Fatalf("delete = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = paul.get(t, "/pages?done=page_deleted", "Accept-Language", "en")
	wantIn(t, "the list after deletion", body, "The page was deleted.")
	if strings.Contains(body, `href="`+dashboard+`"`) {
		t.Error("the deleted page is still listed")
	}
	if res, _ := paul.get(t, dashboard); res.StatusCode != 404 {
		t.Errorf("deleted page = %d, want 404", res.StatusCode)
	}
}
