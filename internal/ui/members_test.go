package ui_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestMembersScreenForTheDelegatedAdministrator(t *testing.T) {
	s := newSite(t)
	admin := s.as(t, "regine.sud")
	res, body := admin.get(t, "/organisations/region-sud/members")
	if res.StatusCode != 200 {
		t.Fatalf("members = %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"Paul Risques", "paul.risques@demo.octroi.dev", "Julie Candidate", `action="/organisations/region-sud/members/decide"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the delegated administrator's members screen lacks %q", want)
		}
	}
	// Search, then add with a role.
	_, body = admin.get(t, "/organisations/region-sud/members?q=sophie")
	if !strings.Contains(body, "Sophie") || !strings.Contains(body, `action="/organisations/region-sud/members/add"`) {
		t.Fatalf("search finds nobody:\n%s", body)
	}
	sophie := s.accounts["sophie.voirie"]
	res, _ = admin.post(t, "/organisations/region-sud/members/add", url.Values{"account": {sophie}, "role": {"editor"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/organisations/region-sud/members?done=added" {
		t.Fatalf("add = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = admin.get(t, "/organisations/region-sud/members?done=added")
	if !strings.Contains(body, "The member was added.") || !strings.Contains(body, "sophie.voirie@demo.octroi.dev") {
		t.Error("the added member is not listed, or the page does not say so")
	}
	// Change the role, then remove: the account stays.
	for _, c := range []struct{ action, role string }{{"role", "registered"}, {"remove", ""}} {
		res, _ := admin.post(t, "/organisations/region-sud/members/"+c.action, url.Values{"account": {sophie}, "role": {c.role}})
		if res.StatusCode != 303 {
			t.Fatalf("%s = %d", c.action, res.StatusCode)
		}
	}
	_, body = admin.get(t, "/organisations/region-sud/members")
	if strings.Contains(body, "sophie.voirie@demo.octroi.dev") {
		t.Error("the removed member is still listed")
	}
	// Invite someone new.
	res, _ = admin.post(t, "/organisations/region-sud/members/invite", url.Values{"email": {"nouvelle@demo.octroi.dev"}, "name": {"Nouvelle Personne"}, "role": {"registered"}})
	if res.StatusCode != 303 {
		t.Fatalf("invite = %d", res.StatusCode)
	}
	// A bad value is refused with what is wrong.
	res, body = admin.post(t, "/organisations/region-sud/members/invite", url.Values{"email": {"not-an-address"}, "name": {"X"}, "role": {"registered"}})
	if res.StatusCode != 400 || !strings.Contains(body, "mail") {
		t.Errorf("bad e-mail = %d\n%s", res.StatusCode, body)
	}
}

func TestMembersScreenRefusesWhoMayNotManage(t *testing.T) {
	s := newSite(t)
	// A registered member sees the members, with neither e-mails nor forms.
	member := s.as(t, "lina.littoral")
	res, body := member.get(t, "/organisations/region-sud/members")
	if res.StatusCode != 200 || strings.Contains(body, "@demo.octroi.dev") || strings.Contains(body, "<form method=\"post\" action=\"/organisations") {
		t.Errorf("a registered member's view = %d, shows e-mails or forms:\n%s", res.StatusCode, body)
	}
	// Her forms are refused and nothing changes.
	paul := s.accounts["paul.risques"]
	for _, action := range []string{"role", "remove"} {
		if res, _ := member.post(t, "/organisations/region-sud/members/"+action, url.Values{"account": {paul}, "role": {"registered"}}); res.StatusCode != 403 {
			t.Errorf("member's %s = %d, want 403", action, res.StatusCode)
		}
	}
	if res, _ := member.post(t, "/organisations/region-sud/members/add", url.Values{"account": {s.accounts["sophie.voirie"]}, "role": {"delegated_admin"}}); res.StatusCode != 403 {
		t.Errorf("member's add = %d, want 403", res.StatusCode)
	}
	// Anonymous: sign in first; unknown actions: not found.
	if res, _ := s.get(t, "/organisations/region-sud/members"); res.StatusCode != 401 {
		t.Errorf("anonymous members = %d, want 401", res.StatusCode)
	}
	if res, _ := member.post(t, "/organisations/region-sud/members/promote", url.Values{}); res.StatusCode != 404 {
		t.Errorf("unknown action = %d, want 404", res.StatusCode)
	}
	// "My account" lists her organisation and role.
	_, body = member.get(t, "/me")
	if !strings.Contains(body, `href="/organisations/region-sud/members"`) || !strings.Contains(body, "registered user") {
		t.Errorf("my account lacks the organisation:\n%s", body)
	}
}

// TestDoneMessagesComeFromAFixedList: ?done= cannot make a page say what
// a link's author likes.
func TestDoneMessagesComeFromAFixedList(t *testing.T) {
	s := newSite(t)
	_, body := s.as(t, "regine.sud").get(t, "/organisations/region-sud/members?done=ui.access.title")
	if strings.Contains(body, `class="notice"`) {
		t.Error("an unknown done value shows a notice")
	}
}
