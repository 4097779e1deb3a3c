package ui_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestCommunityManagersInviteChangeRemoveAndDelete(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral") // supervisor of observatoire-littoral
	const c = "/communities/observatoire-littoral"
	// The list of communities leads to each one's screen.
	if _, body := lina.get(t, "/communities"); !strings.Contains(body, `href="`+c+`"`) {
		t.Fatalf("/communities does not link to the community:\n%s", body)
	}
	res, body := lina.get(t, c)
	if res.StatusCode != 200 || !strings.Contains(body, "Chloé Recherche") || !strings.Contains(body, `action="`+c+`/invite"`) || !strings.Contains(body, `href="`+c+`/delete"`) {
		t.Fatalf("community screen = %d\n%s", res.StatusCode, body)
	}
	// Invite by account id; the invitation waits for an answer.
	sophie := s.accounts["sophie.voirie"]
	if res, body := lina.post(t, c+"/invite", url.Values{"account": {sophie}, "role": {"participant"}}); res.StatusCode != 303 || res.Header.Get("Location") != c+"?done=community_invited" {
		t.Fatalf("invite = %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	_, body = lina.get(t, c)
	if !strings.Contains(body, `name="account" value="`+sophie+`"`) || !strings.Contains(body, `action="`+c+`/withdraw"`) {
		t.Fatalf("the pending invitation is not listed:\n%s", body)
	}
	// The invitee sees it on /communities and accepts it.
	so := s.as(t, "sophie.voirie")
	if _, body := so.get(t, "/communities"); !strings.Contains(body, `name="community" value="observatoire-littoral"`) {
		t.Fatalf("the invitee does not see her invitation:\n%s", body)
	}
	if res, _ := so.post(t, "/communities/answer", url.Values{"community": {"observatoire-littoral"}, "answer": {"accept"}}); res.StatusCode != 303 {
		t.Fatalf("accept = %d", res.StatusCode)
	}
	// She is a member now: she sees the members, and no managing form.
	res, body = so.get(t, c)
	if res.StatusCode != 200 || !strings.Contains(body, "Sophie") || strings.Contains(body, `/invite"`) || strings.Contains(body, `/remove"`) {
		t.Errorf("a participant's view:\n%s", body)
	}
	// Change her role, then remove her (the account stays).
	if res, body := lina.post(t, c+"/role", url.Values{"account": {sophie}, "role": {"administrator"}}); res.StatusCode != 303 {
		t.Fatalf("role = %d\n%s", res.StatusCode, body)
	}
	if res, body := lina.post(t, c+"/remove", url.Values{"account": {sophie}}); res.StatusCode != 303 {
		t.Fatalf("remove = %d\n%s", res.StatusCode, body)
	}
	// Invite, then withdraw.
	damien := s.accounts["damien.lecteur"]
	lina.post(t, c+"/invite", url.Values{"account": {damien}, "role": {"administrator"}})
	if res, body := lina.post(t, c+"/withdraw", url.Values{"account": {damien}}); res.StatusCode != 303 || res.Header.Get("Location") != c+"?done=community_withdrawn" {
		t.Fatalf("withdraw = %d\n%s", res.StatusCode, body)
	}
	if _, body := lina.get(t, c); strings.Contains(body, `value="`+damien+`"`) {
		t.Error("the withdrawn invitation is still listed")
	}
	// An administrator who may search accounts invites by e-mail, and
	// finds people as they type.
	alice := s.as(t, "alice.martin")
	if _, body := alice.get(t, c+"?q=damien"); !strings.Contains(body, `id="found"`) || !strings.Contains(body, `name="account" value="`+damien+`"`) {
		t.Errorf("search damien:\n%s", body)
	}
	if res, body := alice.post(t, c+"/invite", url.Values{"account": {"damien.lecteur@demo.octroi.dev"}, "role": {"participant"}}); res.StatusCode != 303 {
		t.Fatalf("invite by e-mail = %d\n%s", res.StatusCode, body)
	}
	if _, body := lina.get(t, c); !strings.Contains(body, `value="`+damien+`"`) {
		t.Error("the invitation by e-mail is not listed")
	}
	// Damien sees who invited him, and declines.
	dm := s.as(t, "damien.lecteur")
	if _, body := dm.get(t, "/communities"); !strings.Contains(body, "invited by "+s.accounts["alice.martin"]) {
		t.Errorf("the invitee does not see who invited him:\n%s", body)
	}
	if res, _ := dm.post(t, "/communities/answer", url.Values{"community": {"observatoire-littoral"}, "answer": {"decline"}}); res.StatusCode != 303 || res.Header.Get("Location") != "/communities?done=invitation_declined" {
		t.Fatalf("decline = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := lina.get(t, c); strings.Contains(body, `value="`+damien+`"`) {
		t.Error("the declined invitation is still listed")
	}
	// Rename and unlist.
	if res, body := lina.post(t, c+"/update", url.Values{"name": {"Observatoire du littoral varois"}}); res.StatusCode != 303 {
		t.Fatalf("update = %d\n%s", res.StatusCode, body)
	}
	if _, body := lina.get(t, c); !strings.Contains(body, "Observatoire du littoral varois") || strings.Contains(body, `id="cu-public" name="public" type="checkbox" checked`) {
		t.Error("the community was not renamed and unlisted")
	}
	// Delete, after the question.
	if res, body := lina.get(t, c+"/delete"); res.StatusCode != 200 || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Fatalf("confirmation = %d\n%s", res.StatusCode, body)
	}
	if res, _ := lina.post(t, c+"/delete", url.Values{}); res.Header.Get("Location") != c+"/delete" {
		t.Errorf("delete without confirming goes to %q", res.Header.Get("Location"))
	}
	// It alone owns a map of the demo: the map would lose its last owner.
	if res, body := lina.post(t, c+"/delete", url.Values{"confirm": {"yes"}}); res.StatusCode != 409 || !strings.Contains(body, "map") {
		t.Errorf("delete of a map's last owner = %d\n%s", res.StatusCode, body)
	}
	if res, _ := lina.post(t, "/communities/create", url.Values{"id": {"veille"}, "name": {"Veille"}}); res.StatusCode != 303 {
		t.Fatalf("create = %d", res.StatusCode)
	}
	if res, _ := lina.post(t, "/communities/veille/delete", url.Values{"confirm": {"yes"}}); res.StatusCode != 303 || res.Header.Get("Location") != "/communities?done=community_deleted" {
		t.Fatalf("delete = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := lina.get(t, "/communities/veille"); res.StatusCode != 404 {
		t.Errorf("deleted community = %d, want 404", res.StatusCode)
	}
}

func TestCommunityFormsRefuseBadInputBesideTheField(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	alice := s.as(t, "alice.martin")
	const c = "/communities/observatoire-littoral"
	olivier := s.accounts["olivier.carto"]
	for _, tc := range []struct {
		who    site
		action string
		form   url.Values
		status int
		field  string // "" : the form's own message (role="alert")
		en, fr string
	}{
		{lina, "invite", url.Values{"account": {""}, "role": {"participant"}}, 400, "ci-account", "Account: write an account identifier or e-mail.", "Compte : écrivez l&#39;identifiant ou le courriel d&#39;un compte."},
		{lina, "invite", url.Values{"account": {"x@example.org"}, "role": {"participant"}}, 400, "ci-account", "you may invite by account identifier only", "vous ne pouvez inviter que par identifiant de compte"},
		{alice, "invite", url.Values{"account": {"nobody@example.org"}, "role": {"participant"}}, 400, "ci-account", "no account has the e-mail nobody@example.org", "aucun compte n&#39;a le courriel nobody@example.org"},
		{lina, "invite", url.Values{"account": {olivier}, "role": {"participant"}}, 409, "ci-account", olivier, olivier},
		{lina, "invite", url.Values{"account": {"nope-account"}, "role": {"participant"}}, 404, "ci-account", "nope-account", "nope-account"},
		{lina, "invite", url.Values{"account": {olivier}, "role": {"supervisor"}}, 400, "ci-account", "supervisor", "supervisor"},
		{lina, "update", url.Values{"name": {" "}}, 400, "cu-name", "name", "name"},
		{lina, "remove", url.Values{"account": {s.accounts["lina.littoral"]}}, 409, "", "supervisor", "superviseur"},
	} {
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr} {
			res, body := tc.who.postIn(t, lang, c+"/"+tc.action, tc.form)
			if res.StatusCode != tc.status {
				t.Errorf("%s %v (%s) = %d, want %d\n%s", tc.action, tc.form, lang, res.StatusCode, tc.status, body)
				continue
			}
			if tc.field != "" && (!strings.Contains(body, `id="`+tc.field+`-err"`) || !strings.Contains(body, tc.field+`-err"`+` aria-invalid="true"`) && !strings.Contains(body, `aria-describedby="`+tc.field+`-err"`)) {
				t.Errorf("%s %v (%s): the error is not tied to %s", tc.action, tc.form, lang, tc.field)
			}
			if tc.field == "" && !strings.Contains(body, `class="error" role="alert"`) {
				t.Errorf("%s %v (%s): no message for the form", tc.action, tc.form, lang)
			}
			if !strings.Contains(body, want) {
				t.Errorf("%s %v (%s): no %q in\n%s", tc.action, tc.form, lang, want, body)
			}
		}
	}
}

// TestCommunityScreenRefusals: anonymous visitors must sign in; a
// private community does not exist for an outsider; a participant, and an
// account manager, may not manage it; a community administrator manages
// it but may not delete it (its supervisor and platform administrators
// may). Refused actions change nothing.
func TestCommunityScreenRefusals(t *testing.T) {
	s := newSite(t)
	const crise = "/communities/cellule-crise-inondations" // private
	const obs = "/communities/observatoire-littoral"       // public
	hugo := s.accounts["hugo.donnees"]
	posts := map[string]url.Values{
		"/invite":   {"account": {s.accounts["sophie.voirie"]}, "role": {"participant"}},
		"/role":     {"account": {hugo}, "role": {"administrator"}},
		"/remove":   {"account": {hugo}},
		"/withdraw": {"account": {hugo}},
		"/update":   {"name": {"Pris"}},
		"/delete":   {"confirm": {"yes"}},
	}
	for _, p := range []string{obs, obs + "/delete"} {
		if res, _ := s.get(t, p); res.StatusCode != 401 {
			t.Errorf("anonymous GET %s = %d, want 401", p, res.StatusCode)
		}
	}
	for p, f := range posts {
		if res, _ := s.post(t, obs+p, f); res.StatusCode != 401 {
			t.Errorf("anonymous POST %s = %d, want 401", obs+p, res.StatusCode)
		}
	}
	etienne := s.as(t, "etienne.ortho") // no community
	for _, p := range []string{crise, crise + "/delete"} {
		if res, _ := etienne.get(t, p); res.StatusCode != 404 {
			t.Errorf("outsider GET %s = %d, want 404", p, res.StatusCode)
		}
	}
	if res, _ := etienne.post(t, crise+"/update", url.Values{"name": {"Pris"}}); res.StatusCode != 404 {
		t.Errorf("outsider update of a private community = %d, want 404", res.StatusCode)
	}
	// A public community: an outsider sees its name, not its members.
	res, body := etienne.get(t, obs)
	if res.StatusCode != 200 || strings.Contains(body, "Hugo") || strings.Contains(body, `<form method="post" action="`+obs) {
		t.Errorf("outsider's view of a public community = %d\n%s", res.StatusCode, body)
	}
	for _, who := range []string{"etienne.ortho", "olivier.carto", "claire.comptes"} {
		reader := s.as(t, who)
		for p, f := range posts {
			if res, _ := reader.post(t, obs+p, f); res.StatusCode != 403 && res.StatusCode != 404 {
				t.Errorf("%s POST %s = %d, want 403", who, obs+p, res.StatusCode)
			}
		}
		if res, _ := reader.get(t, obs+"/delete"); res.StatusCode != 403 {
			t.Errorf("%s GET %s/delete = %d, want 403", who, obs, res.StatusCode)
		}
	}
	chloe := s.as(t, "chloe.recherche") // administrator of obs: manages, may not delete
	if _, body := chloe.get(t, obs); !strings.Contains(body, `action="`+obs+`/invite"`) || strings.Contains(body, `href="`+obs+`/delete"`) {
		t.Errorf("a community administrator's view:\n%s", body)
	}
	if res, _ := chloe.get(t, obs+"/delete"); res.StatusCode != 403 {
		t.Errorf("administrator GET delete = %d, want 403", res.StatusCode)
	}
	if res, _ := chloe.post(t, obs+"/delete", url.Values{"confirm": {"yes"}}); res.StatusCode != 403 {
		t.Errorf("administrator POST delete = %d, want 403", res.StatusCode)
	}
	// Nothing changed.
	_, body = s.as(t, "lina.littoral").get(t, obs)
	if !strings.Contains(body, "Observatoire du littoral") || !strings.Contains(body, "Hugo") || strings.Contains(body, `value="`+s.accounts["sophie.voirie"]+`"`) {
		t.Errorf("refused actions changed the community:\n%s", body)
	}
}

// TestCreateCommunityRefusalsBesideTheField: /communities' creation form
// shows a refused id or name beside its field, in the reader's language,
// and keeps what was typed.
func TestCreateCommunityRefusalsBesideTheField(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	for _, c := range []struct {
		form          url.Values
		status        int
		field, en, fr string
	}{
		{url.Values{"id": {"bad id/x"}, "name": {"Veille"}}, 400, "c-id", "community id", "community id"},
		{url.Values{"id": {"observatoire-littoral"}, "name": {"Veille"}}, 409, "c-id", "observatoire-littoral", "observatoire-littoral"},
		{url.Values{"id": {"veille"}, "name": {""}}, 400, "c-name", "name", "name"},
	} {
		for lang, want := range map[string]string{"en": c.en, "fr": c.fr} {
			res, body := lina.postIn(t, lang, "/communities/create", c.form)
			if res.StatusCode != c.status || !strings.Contains(body, `id="`+c.field+`-err"`) || !strings.Contains(body, want) {
				t.Errorf("create %v (%s) = %d, want %d with the error beside %s\n%s", c.form, lang, res.StatusCode, c.status, c.field, body)
			}
			if !strings.Contains(body, `value="`+c.form.Get("name")+`"`) {
				t.Errorf("create %v (%s): what was typed is lost", c.form, lang)
			}
		}
	}
}
