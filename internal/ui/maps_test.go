package ui_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestMapsListAndMapPage(t *testing.T) {
	s := newSite(t)
	// Olivier's community reads "crues-du-var" and owns "trait-de-cote";
	// it holds the creator privilege.
	olivier := s.as(t, "olivier.carto")
	res, body := olivier.get(t, "/maps", "Accept-Language", "fr")
	if res.StatusCode != 200 {
		t.Fatalf("maps = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "Olivier's maps", body, `href="/maps/crues-du-var"`, `href="/maps/trait-de-cote"`, "Ajouter une carte", `value="community:observatoire-littoral"`)
	res, body = olivier.get(t, "/maps/crues-du-var", "Accept-Language", "fr")
	if res.StatusCode != 200 {
		t.Fatalf("map = %d", res.StatusCode)
	}
	// Its layers, even the network he may not consult; its owners, the
	// private crisis unit unnamed.
	wantIn(t, "the map's page", body, "Crues du Var", "REGION-SUD_PPRI", "AMP_RESEAU-EAU", "Région Provence-Alpes-Côte d&#39;Azur", "une communauté privée")
	if strings.Contains(body, "Cellule de crise") || strings.Contains(body, "/maps/crues-du-var/share") {
		t.Error("a reader sees the private owner's name, or the share button")
	}
	_, body = s.as(t, "paul.risques").get(t, "/maps/crues-du-var")
	wantIn(t, "an owner's map page", body, "Cellule de crise inondations", `href="/maps/crues-du-var/share"`)
	// Someone the maps are not shared with: none listed, none shown, no
	// button to add one.
	raphael := s.as(t, "raphael.relief")
	_, body = raphael.get(t, "/maps")
	if strings.Contains(body, "/maps/crues-du-var") || strings.Contains(body, `action="/maps"`) {
		t.Error("Raphaël is listed a map, or offered to create one")
	}
	if res, _ := raphael.get(t, "/maps/crues-du-var"); res.StatusCode != 404 {
		t.Errorf("a map not shared = %d, want 404", res.StatusCode)
	}
	for _, p := range []string{"/maps", "/maps/crues-du-var", "/maps/crues-du-var/share"} {
		if res, _ := s.get(t, p); res.StatusCode != 401 {
			t.Errorf("anonymous %s = %d, want 401", p, res.StatusCode)
		}
	}
	// The administrator sees the site-wide map roles.
	_, body = s.as(t, "alice.martin").get(t, "/maps")
	wantIn(t, "the administrator's maps", body, "Map editor", "Isabelle Géodésie", `href="/content-roles"`)
}

func TestMapCreation(t *testing.T) {
	s := newSite(t)
	olivier := s.as(t, "olivier.carto")
	form := func(name, owner, dataset string) url.Values {
		return url.Values{"name": {name}, "icon": {"wave"}, "owner": {owner}, "dataset": {dataset}}
	}
	// Bad input: the list again with the form as typed, the error by its
	// field, in the reader's language.
	res, body := olivier.postIn(t, "fr", "/maps", form(" ", "community:observatoire-littoral", "REGION-SUD_PPRI"))
	if res.StatusCode != 400 || !invalidField(body, "name") || !strings.Contains(body, "name est vide") {
		t.Errorf("empty name = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the form after an error", body, `value="wave"`, `value="REGION-SUD_PPRI"`, `<option value="community:observatoire-littoral" selected>`)
	res, body = olivier.postIn(t, "en", "/maps", form("Houle", "community:observatoire-littoral", "NOPE_NOPE"))
	if res.StatusCode != 400 || !invalidField(body, "dataset") || !strings.Contains(body, "no dataset") {
		t.Errorf("unknown dataset = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the form after an error", body, `value="Houle"`, `value="NOPE_NOPE"`)
	// A role he is not in: refused, by the owner field.
	res, body = olivier.postIn(t, "en", "/maps", form("Houle", "organisation:region-sud", ""))
	if res.StatusCode != 403 || !invalidField(body, "owner") || !strings.Contains(body, "a role you belong to") {
		t.Errorf("someone else's role = %d\n%s", res.StatusCode, body)
	}
	// Made: his community owns it, and so may share it.
	res, _ = olivier.post(t, "/maps", form("Houle", "community:observatoire-littoral", "REGION-SUD_PPRI"))
	loc := res.Header.Get("Location")
	if res.StatusCode != 303 || !regexp.MustCompile(`^/maps/[0-9a-z]+\?done=map_created$`).MatchString(loc) {
		t.Fatalf("create = %d to %q", res.StatusCode, loc)
	}
	res, body = olivier.get(t, loc)
	if res.StatusCode != 200 {
		t.Fatalf("the new map = %d", res.StatusCode)
	}
	wantIn(t, "the new map", body, "Houle", "REGION-SUD_PPRI", "Observatoire du littoral", "/share")
	// Refused to whoever may not create maps, and to anonymous visitors.
	if res, _ := s.as(t, "raphael.relief").post(t, "/maps", form("X", "organisation:ign", "")); res.StatusCode != 403 {
		t.Errorf("Raphaël's map = %d, want 403", res.StatusCode)
	}
	if res, _ := s.post(t, "/maps", form("X", "organisation:ign", "")); res.StatusCode != 401 {
		t.Errorf("anonymous map = %d, want 401", res.StatusCode)
	}
}

func TestMapShareDialog(t *testing.T) {
	s := newSite(t)
	paul := s.as(t, "paul.risques") // his crisis unit owns crues-du-var
	res, body := paul.get(t, "/maps/crues-du-var/share", "Accept-Language", "fr")
	if res.StatusCode != 200 {
		t.Fatalf("share dialog = %d\n%s", res.StatusCode, body)
	}
	wantIn(t, "the dialog", body, "Observatoire du littoral", "Cellule de crise inondations", "Accès en lecture", "Accès en écriture", "Propriétaire", "Aucun privilège", "Sauvegarder")
	// Change a privilege, share with a role found, take it away.
	if res, _ := paul.post(t, "/maps/crues-du-var/share", url.Values{"group": {"community:observatoire-littoral"}, "level": {"write"}}); res.StatusCode != 303 {
		t.Fatalf("change = %d", res.StatusCode)
	}
	_, body = paul.get(t, "/maps/crues-du-var/share?gq=hy%C3%A8res")
	wantIn(t, "the dialog's search", body, `value="organisation:hyeres"`)
	res, _ = paul.post(t, "/maps/crues-du-var/share", url.Values{"group": {"organisation:hyeres"}, "level": {"read"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/maps/crues-du-var/share?done=shared" {
		t.Fatalf("share = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := s.as(t, "helene.hyeres").get(t, "/maps/crues-du-var"); res.StatusCode != 200 {
		t.Errorf("Hyères reads the map shared with it: %d", res.StatusCode)
	}
	if res, _ := paul.post(t, "/maps/crues-du-var/share", url.Values{"group": {"organisation:hyeres"}, "action": {"remove"}}); res.StatusCode != 303 {
		t.Fatalf("unshare = %d", res.StatusCode)
	}
	if res, _ := s.as(t, "helene.hyeres").get(t, "/maps/crues-du-var"); res.StatusCode != 404 {
		t.Errorf("unshared, Hyères still reads: %d", res.StatusCode)
	}
	// A bad privilege: said on the dialog.
	res, body = paul.postIn(t, "en", "/maps/crues-du-var/share", url.Values{"group": {"community:observatoire-littoral"}, "level": {"admin"}})
	if res.StatusCode != 400 || !strings.Contains(body, "want read, write, owner") || !strings.Contains(body, `id="share-error"`) {
		t.Errorf("bad level = %d\n%s", res.StatusCode, body)
	}
	// A bad privilege for a role found: said by its row, the search kept.
	res, body = paul.postIn(t, "en", "/maps/crues-du-var/share", url.Values{"group": {"organisation:hyeres"}, "level": {"admin"}, "gq": {"hyè"}})
	if res.StatusCode != 400 || !regexp.MustCompile(`(?s)value="organisation:hyeres">.*aria-invalid="true" aria-describedby="share-error".*id="share-error"`).MatchString(body) || !strings.Contains(body, `value="hyè"`) {
		t.Errorf("bad level for a role found = %d\n%s", res.StatusCode, body)
	}
	// A person is never given a privilege.
	if res, _ := paul.post(t, "/maps/crues-du-var/share", url.Values{"group": {"user:" + s.accounts["lina.littoral"]}, "level": {"read"}}); res.StatusCode != 400 {
		t.Errorf("a person shared with = %d, want 400", res.StatusCode)
	}
}

func TestMapLastOwnerIsKept(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral") // her observatory alone owns trait-de-cote
	for _, c := range []struct {
		lang, want string
		form       url.Values
	}{
		{"fr", "est le dernier propriétaire de la carte", url.Values{"group": {"community:observatoire-littoral"}, "action": {"remove"}}},
		{"en", "is the last owner of map", url.Values{"group": {"community:observatoire-littoral"}, "level": {"read"}}},
		{"en", "is the last owner of map", url.Values{"group": {"community:observatoire-littoral"}, "level": {"none"}}},
	} {
		res, body := lina.postIn(t, c.lang, "/maps/trait-de-cote/share", c.form)
		text := html.UnescapeString(body)
		if res.StatusCode != 409 || !strings.Contains(text, c.want) {
			t.Errorf("%v = %d, want 409 saying %q\n%s", c.form, res.StatusCode, c.want, body)
		}
		// On the dialog, by the role's privilege.
		if !strings.Contains(body, `<p id="share-error" class="error" role="alert">`) || !strings.Contains(body, `aria-invalid="true" aria-describedby="share-error"`) {
			t.Errorf("the refusal is not shown by its role:\n%s", body)
		}
	}
	_, body := lina.get(t, "/maps/trait-de-cote")
	if !strings.Contains(body, "Observatoire du littoral") {
		t.Error("the owner was taken away")
	}
	// The crisis unit holds a privilege here, but is private: Lina's
	// search does not find it.
	_, body = lina.get(t, "/maps/trait-de-cote/share?gq=cellule")
	if i := strings.Index(body, `id="found-groups"`); i < 0 || strings.Contains(body[i:], "cellule-crise") {
		t.Error("a private community is found by someone who may not view it")
	}
	// Once another role owns it, the first may go.
	if res, _ := lina.post(t, "/maps/trait-de-cote/share", url.Values{"group": {"organisation:toulon"}, "level": {"owner"}}); res.StatusCode != 303 {
		t.Fatalf("second owner = %d", res.StatusCode)
	}
	if res, _ := lina.post(t, "/maps/trait-de-cote/share", url.Values{"group": {"community:observatoire-littoral"}, "level": {"read"}}); res.StatusCode != 303 {
		t.Errorf("with another owner, lowering = %d", res.StatusCode)
	}
}

func TestMapShareRefusals(t *testing.T) {
	s := newSite(t)
	form := url.Values{"group": {"organisation:hyeres"}, "level": {"owner"}}
	for _, c := range []struct {
		who    site
		path   string
		status int
	}{
		{s.as(t, "olivier.carto"), "/maps/crues-du-var/share", 403},  // reads it
		{s.as(t, "thomas.toulon"), "/maps/trait-de-cote/share", 403}, // writes on it
		{s.as(t, "raphael.relief"), "/maps/crues-du-var/share", 404}, // not shared with him
		{s, "/maps/crues-du-var/share", 401},
	} {
		if res, _ := c.who.get(t, c.path); res.StatusCode != c.status {
			t.Errorf("%s dialog = %d, want %d", c.path, res.StatusCode, c.status)
		}
		if res, _ := c.who.post(t, c.path, form); res.StatusCode != c.status {
			t.Errorf("%s share = %d, want %d", c.path, res.StatusCode, c.status)
		}
	}
	if res, _ := s.as(t, "helene.hyeres").get(t, "/maps/crues-du-var"); res.StatusCode != 404 {
		t.Error("a refused share gave Hyères the map")
	}
}
