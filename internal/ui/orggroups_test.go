package ui_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestOrgGroupsCreateRenameMembersDelete(t *testing.T) {
	s := newSite(t)
	alice := s.as(t, "alice.martin")
	res, body := alice.get(t, "/admin/org-groups")
	if res.StatusCode != 200 || !strings.Contains(body, `href="/admin/org-groups/communes-du-var"`) {
		t.Fatalf("groups = %d\n%s", res.StatusCode, body)
	}
	res, _ = alice.post(t, "/admin/org-groups/create", url.Values{"id": {"littoral"}, "name": {"Communes du littoral"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/admin/org-groups/littoral?done=group_created" {
		t.Fatalf("create = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Search as one types: the page's #found part lists organisations
	// not yet in the group, each with its add form.
	_, body = alice.get(t, "/admin/org-groups/littoral?q=toulon")
	if !strings.Contains(body, `id="found"`) || !strings.Contains(body, `name="organisation" value="toulon"`) {
		t.Fatalf("search toulon:\n%s", body)
	}
	for _, org := range []string{"toulon", "hyeres"} {
		if res, body := alice.post(t, "/admin/org-groups/littoral/add", url.Values{"organisation": {org}}); res.StatusCode != 303 {
			t.Fatalf("add %s = %d\n%s", org, res.StatusCode, body)
		}
	}
	if res, body := alice.post(t, "/admin/org-groups/littoral/remove", url.Values{"organisation": {"hyeres"}}); res.StatusCode != 303 {
		t.Fatalf("remove = %d\n%s", res.StatusCode, body)
	}
	if res, body := alice.post(t, "/admin/org-groups/littoral/rename", url.Values{"name": {"Littoral varois"}}); res.StatusCode != 303 {
		t.Fatalf("rename = %d\n%s", res.StatusCode, body)
	}
	_, body = alice.get(t, "/admin/org-groups/littoral?done=group_renamed")
	if !strings.Contains(body, "Littoral varois") || !strings.Contains(body, `name="organisation" value="toulon"`) || strings.Contains(body, `value="hyeres"`) {
		t.Errorf("after the changes:\n%s", body)
	}
	_, body = alice.get(t, "/admin/org-groups/littoral?q=toulon")
	if strings.Contains(body, `action="/admin/org-groups/littoral/add"`) {
		t.Error("the search offers an organisation already in the group")
	}
	// Deleting asks first: a post without the confirmation goes to the
	// question.
	res, _ = alice.post(t, "/admin/org-groups/littoral/delete", url.Values{})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/admin/org-groups/littoral/delete" {
		t.Fatalf("delete without confirming = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = alice.get(t, "/admin/org-groups/littoral/delete")
	if res.StatusCode != 200 || !strings.Contains(body, `name="confirm" value="yes"`) || !strings.Contains(body, "Littoral varois") {
		t.Fatalf("confirmation = %d\n%s", res.StatusCode, body)
	}
	res, _ = alice.post(t, "/admin/org-groups/littoral/delete", url.Values{"confirm": {"yes"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/admin/org-groups?done=group_deleted" {
		t.Fatalf("delete = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := alice.get(t, "/admin/org-groups/littoral"); res.StatusCode != 404 {
		t.Errorf("deleted group = %d, want 404", res.StatusCode)
	}
}

func TestOrgGroupFormsRefuseBadInputBesideTheField(t *testing.T) {
	s := newSite(t)
	alice := s.as(t, "alice.martin")
	for _, c := range []struct {
		path        string
		form        url.Values
		status      int
		field       string
		en, fr      string
		keepsTyping string
	}{
		{"/admin/org-groups/create", url.Values{"id": {"bad id/x"}, "name": {"Groupe"}}, 400, "g-id", "org_group id", "org_group id", `value="Groupe"`},
		{"/admin/org-groups/create", url.Values{"id": {"vide"}, "name": {"  "}}, 400, "g-name", "name", "name", `value="vide"`},
		{"/admin/org-groups/create", url.Values{"id": {"communes-du-var"}, "name": {"Encore"}}, 409, "g-id", "communes-du-var", "communes-du-var", `value="Encore"`},
		{"/admin/org-groups/communes-du-var/rename", url.Values{"name": {""}}, 400, "g-name", "name", "name", ""},
		{"/admin/org-groups/communes-du-var/add", url.Values{"organisation": {"nowhere"}}, 404, "og-q", "nowhere", "nowhere", ""},
	} {
		for _, lang := range []string{"en", "fr"} {
			res, body := alice.postIn(t, lang, c.path, c.form)
			if res.StatusCode != c.status {
				t.Errorf("%s %v (%s) = %d, want %d\n%s", c.path, c.form, lang, res.StatusCode, c.status, body)
				continue
			}
			if !strings.Contains(body, `id="`+c.field+`-err"`) || !strings.Contains(body, `aria-describedby="`+c.field+`-err"`) && !strings.Contains(body, ` `+c.field+`-err"`) {
				t.Errorf("%s %v (%s): the error is not tied to %s\n%s", c.path, c.form, lang, c.field, body)
			}
			if !strings.Contains(body, c.en) || c.keepsTyping != "" && !strings.Contains(body, c.keepsTyping) {
				t.Errorf("%s %v (%s): want %q and what was typed (%s)", c.path, c.form, lang, c.en, c.keepsTyping)
			}
			if lang == "fr" && !strings.Contains(body, `lang="fr"`) {
				t.Errorf("%s: not in French", c.path)
			}
		}
	}
	// Nothing was written by those refusals.
	_, body := alice.get(t, "/admin/org-groups/communes-du-var")
	if !strings.Contains(body, "Communes du Var") || strings.Contains(body, "nowhere") {
		t.Errorf("the refusals changed the group:\n%s", body)
	}
}

// TestOrgGroupScreensAreForAdministrators: anonymous visitors must sign
// in; a signed-in account that is not a platform administrator (an
// account manager, a delegated administrator) is refused every screen and
// form, and changes nothing.
func TestOrgGroupScreensAreForAdministrators(t *testing.T) {
	s := newSite(t)
	gets := []string{"/admin/org-groups", "/admin/org-groups/communes-du-var", "/admin/org-groups/communes-du-var?q=toulon", "/admin/org-groups/communes-du-var/delete"}
	posts := map[string]url.Values{
		"/admin/org-groups/create":                 {"id": {"x"}, "name": {"X"}},
		"/admin/org-groups/communes-du-var/rename": {"name": {"Pris"}},
		"/admin/org-groups/communes-du-var/add":    {"organisation": {"cerege"}},
		"/admin/org-groups/communes-du-var/remove": {"organisation": {"toulon"}},
		"/admin/org-groups/communes-du-var/delete": {"confirm": {"yes"}},
	}
	for _, p := range gets {
		if res, _ := s.get(t, p); res.StatusCode != 401 {
			t.Errorf("anonymous GET %s = %d, want 401", p, res.StatusCode)
		}
	}
	for p, f := range posts {
		if res, _ := s.post(t, p, f); res.StatusCode != 401 {
			t.Errorf("anonymous POST %s = %d, want 401", p, res.StatusCode)
		}
	}
	for _, who := range []string{"claire.comptes", "regine.sud"} {
		reader := s.as(t, who)
		for _, p := range gets {
			if res, _ := reader.get(t, p); res.StatusCode != 403 {
				t.Errorf("%s GET %s = %d, want 403", who, p, res.StatusCode)
			}
		}
		for p, f := range posts {
			if res, _ := reader.post(t, p, f); res.StatusCode != 403 {
				t.Errorf("%s POST %s = %d, want 403", who, p, res.StatusCode)
			}
		}
	}
	_, body := s.as(t, "alice.martin").get(t, "/admin/org-groups/communes-du-var")
	if !strings.Contains(body, "Communes du Var") || !strings.Contains(body, `value="toulon"`) || strings.Contains(body, `<td>CEREGE`) {
		t.Errorf("refused changes were made:\n%s", body)
	}
}
