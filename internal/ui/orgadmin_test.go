package ui_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestOrganisationCreatedFromTheInterface: a platform administrator finds
// the form from the list, creates an organisation (with themselves as its
// first delegated administrator by default) and lands on its page; what
// was typed wrong comes back beside its field, in the reader's language.
func TestOrganisationCreatedFromTheInterface(t *testing.T) {
	s := newSite(t)
	alice := s.as(t, "alice.martin") // platform administrator
	_, body := alice.get(t, "/organisations", "Accept-Language", "en")
	wantIn(t, "the administrator's list", body, `href="/organisations/new"`, "Create an organisation")
	_, body = alice.get(t, "/organisations/new", "Accept-Language", "fr")
	wantIn(t, "the form", body, `action="/organisations/new"`, `<option value="association">`, `value="`+s.accounts["alice.martin"]+`"`, "Premier administrateur délégué")

	for _, c := range []struct {
		lang  string
		form  url.Values
		field string
		want  string
	}{
		{"en", url.Values{"id": {"pas bon"}, "name": {"Asso"}, "type": {"association"}}, "o-id", "want 1 to"},
		{"fr", url.Values{"id": {"pas bon"}, "name": {"Asso"}, "type": {"association"}}, "o-id", "il faut de 1 à"},
		{"en", url.Values{"id": {"asso"}, "name": {""}, "type": {"association"}}, "o-name", "name is empty"},
		{"en", url.Values{"id": {"asso"}, "name": {"Asso"}, "type": {"club"}}, "o-type", "type"},
		{"en", url.Values{"id": {"region-sud"}, "name": {"Doublon"}, "type": {"association"}}, "o-id", "is taken"},
		{"fr", url.Values{"id": {"asso"}, "name": {"Asso"}, "type": {"association"}, "first_admin": {"personne"}}, "o-first", "personne"},
	} {
		if c.form.Get("first_admin") == "" {
			c.form.Set("first_admin", s.accounts["alice.martin"])
		}
		res, body := alice.postIn(t, c.lang, "/organisations/new", c.form)
		if res.StatusCode != 400 && res.StatusCode != 409 {
			t.Errorf("%v = %d, want 400 or 409", c.form, res.StatusCode)
		}
		if !invalidField(body, c.field) || !strings.Contains(body, c.want) {
			t.Errorf("%s %v: %s not named with %q\n%s", c.lang, c.form, c.field, c.want, body)
		}
		if c.form.Get("name") != "" {
			wantIn(t, "the refused form", body, `value="`+c.form.Get("name")+`"`)
		}
	}

	res, _ := alice.post(t, "/organisations/new", url.Values{"id": {"asso-sig"}, "name": {"Asso SIG"}, "type": {"association"},
		"first_admin": {s.accounts["lina.littoral"]}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/organisations/asso-sig/members?done=org_created" {
		t.Fatalf("create = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = alice.get(t, "/organisations/asso-sig/members?done=org_created", "Accept-Language", "en")
	wantIn(t, "the new organisation's page", body, "The organisation was created.", `href="/organisations/asso-sig/delete"`)
	// Lina is its first delegated administrator: she manages its members.
	_, body = s.as(t, "lina.littoral").get(t, "/organisations/asso-sig/members", "Accept-Language", "en")
	wantIn(t, "lina's page of it", body, `action="/organisations/asso-sig/members`)
	if strings.Contains(body, `href="/organisations/asso-sig/delete"`) {
		t.Error("deletion offered to a delegated administrator")
	}
}

// TestOrganisationCreationAndDeletionRefusals: an anonymous visitor and a
// signed-in person who does not administer the platform are refused both
// screens and both actions, and nothing changes; the list offers them no
// creation.
func TestOrganisationCreationAndDeletionRefusals(t *testing.T) {
	s := newSite(t)
	paul := s.as(t, "paul.risques") // publishes for region-sud, administers nothing
	for _, c := range []struct {
		who    site
		status int
	}{{s, 401}, {paul, 403}} {
		for _, path := range []string{"/organisations/new", "/organisations/toulon/delete"} {
			if res, _ := c.who.get(t, path); res.StatusCode != c.status {
				t.Errorf("GET %s = %d, want %d", path, res.StatusCode, c.status)
			}
		}
		if res, _ := c.who.post(t, "/organisations/new", url.Values{"id": {"pris"}, "name": {"Pris"}, "type": {"other"}, "first_admin": {s.accounts["paul.risques"]}}); res.StatusCode != c.status {
			t.Errorf("create = %d, want %d", res.StatusCode, c.status)
		}
		if res, _ := c.who.post(t, "/organisations/toulon/delete", url.Values{"confirm": {"yes"}}); res.StatusCode != c.status {
			t.Errorf("delete = %d, want %d", res.StatusCode, c.status)
		}
	}
	_, body := paul.get(t, "/organisations")
	if strings.Contains(body, `href="/organisations/new"`) {
		t.Error("creation offered to someone who may not create")
	}
	_, body = paul.get(t, "/organisations/region-sud/members")
	if strings.Contains(body, "/delete") {
		t.Error("deletion offered to someone who may not delete")
	}
	alice := s.as(t, "alice.martin")
	if res, _ := alice.get(t, "/organisations/pris/members"); res.StatusCode != 404 {
		t.Errorf("refused organisation exists: %d", res.StatusCode)
	}
	if res, _ := alice.get(t, "/organisations/toulon/members"); res.StatusCode != 200 {
		t.Errorf("refused deletion deleted: %d", res.StatusCode)
	}
}

// TestOrganisationDeletion: deletion is asked first; an organisation that
// owns datasets is refused with a message saying so in the reader's
// language; one that owns nothing is deleted and leaves the list.
func TestOrganisationDeletion(t *testing.T) {
	s := newSite(t)
	alice := s.as(t, "alice.martin")
	if res, _ := alice.post(t, "/organisations/new", url.Values{"id": {"vide"}, "name": {"Organisation vide"}, "type": {"other"},
		"first_admin": {s.accounts["alice.martin"]}}); res.StatusCode != 303 {
		t.Fatalf("create = %d", res.StatusCode)
	}
	_, body := alice.get(t, "/organisations/vide/delete", "Accept-Language", "fr")
	wantIn(t, "the confirmation", body, "Supprimer l&#39;organisation Organisation vide ?", `action="/organisations/vide/delete"`, `name="confirm" value="yes"`)
	// Posted without its confirmation, it asks.
	if res, _ := alice.post(t, "/organisations/vide/delete", url.Values{}); res.StatusCode != 303 || res.Header.Get("Location") != "/organisations/vide/delete" {
		t.Errorf("unconfirmed = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	for lang, want := range map[string]string{"en": "still owns", "fr": "possède encore"} {
		res, body := alice.postIn(t, lang, "/organisations/region-sud/delete", url.Values{"confirm": {"yes"}})
		if res.StatusCode != 409 || !strings.Contains(body, want) {
			t.Errorf("%s: deleting a producer = %d\n%s", lang, res.StatusCode, body)
		}
	}
	res, _ := alice.post(t, "/organisations/vide/delete", url.Values{"confirm": {"yes"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/organisations?done=org_deleted" {
		t.Fatalf("delete = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = alice.get(t, "/organisations?done=org_deleted&name=vide", "Accept-Language", "en")
	wantIn(t, "the list", body, "The organisation was deleted.")
	if strings.Contains(body, "Organisation vide") {
		t.Error("the deleted organisation is still listed")
	}
	if res, _ := alice.get(t, "/organisations/vide/members"); res.StatusCode != 404 {
		t.Errorf("deleted organisation's page = %d", res.StatusCode)
	}
}
