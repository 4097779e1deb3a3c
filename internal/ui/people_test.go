package ui_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/ui"
)

func TestAskToJoinAnOrganisation(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	_, body := lina.get(t, "/organisations")
	// A member of region-sud sees her role there and may ask to join
	// another.
	if !strings.Contains(body, `href="/organisations/region-sud/members"`) || !strings.Contains(body, `action="/organisations/cerege/join"`) {
		t.Fatalf("organisations screen:\n%s", body)
	}
	if strings.Contains(body, `action="/organisations/region-sud/join"`) {
		t.Error("a member is offered to join her own organisation")
	}
	res, _ := lina.post(t, "/organisations/cerege/join", url.Values{"message": {"Pour le littoral."}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/organisations?done=join_requested" {
		t.Fatalf("join = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Asking twice is refused with the portal's reason.
	res, body = lina.post(t, "/organisations/cerege/join", url.Values{})
	if res.StatusCode != 409 {
		t.Errorf("second request = %d, want 409:\n%s", res.StatusCode, body)
	}
	if res, _ := s.get(t, "/organisations"); res.StatusCode != 401 {
		t.Errorf("anonymous organisations = %d, want 401", res.StatusCode)
	}
	if res, _ := s.post(t, "/organisations/cerege/join", url.Values{}); res.StatusCode != 401 {
		t.Errorf("anonymous join = %d, want 401", res.StatusCode)
	}
}

func TestCommunitiesCreateAndInvitations(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	res, body := lina.post(t, "/communities/create", url.Values{"id": {"veille-cotiere"}, "name": {"Veille côtière"}, "public": {"on"}})
	if res.StatusCode != 303 {
		t.Fatalf("create = %d\n%s", res.StatusCode, body)
	}
	_, body = lina.get(t, "/communities?done=community_created")
	if !strings.Contains(body, "Veille côtière") || !strings.Contains(body, "supervisor") {
		t.Errorf("the new community is not mine:\n%s", body)
	}
	res, body = lina.post(t, "/communities/create", url.Values{"id": {"bad id/x"}, "name": {"X"}})
	if res.StatusCode != 400 || !strings.Contains(body, "id") {
		t.Errorf("bad id = %d\n%s", res.StatusCode, body)
	}
	// Answering an invitation one does not have is refused.
	if res, _ := lina.post(t, "/communities/answer", url.Values{"community": {"observatoire-littoral"}, "answer": {"accept"}}); res.StatusCode < 400 {
		t.Errorf("answering no invitation = %d, want a refusal", res.StatusCode)
	}
}

func TestAccountsScreenIsForAccountManagers(t *testing.T) {
	s := newSite(t)
	admin := s.as(t, "alice.martin")
	_, body := admin.get(t, "/admin/accounts?q=lina")
	lina := s.accounts["lina.littoral"]
	if !strings.Contains(body, `href="/admin/accounts/`+lina+`"`) {
		t.Fatalf("search does not find Lina:\n%s", body)
	}
	res, _ := admin.post(t, "/admin/accounts/"+lina+"/status", url.Values{"status": {"disabled"}})
	if res.StatusCode != 303 {
		t.Fatalf("disable = %d", res.StatusCode)
	}
	_, body = admin.get(t, "/admin/accounts/"+lina+"?done=status")
	if !strings.Contains(body, "disabled") || !strings.Contains(body, "Re-enable") {
		t.Errorf("after disabling:\n%s", body)
	}
	res, _ = admin.post(t, "/admin/accounts/"+lina+"/roles", url.Values{"role": {"data_reader"}})
	if res.StatusCode != 303 {
		t.Fatalf("roles = %d", res.StatusCode)
	}
	// Anyone else: refused, and nothing changes.
	paul := s.as(t, "paul.risques")
	if res, _ := paul.get(t, "/admin/accounts"); res.StatusCode != 403 {
		t.Errorf("non-manager's accounts = %d, want 403", res.StatusCode)
	}
	if res, _ := paul.post(t, "/admin/accounts/"+s.accounts["regine.sud"]+"/status", url.Values{"status": {"disabled"}}); res.StatusCode != 403 {
		t.Errorf("non-manager's disable = %d, want 403", res.StatusCode)
	}
	if res, _ := paul.post(t, "/admin/accounts/"+paul.accounts["paul.risques"]+"/roles", url.Values{"role": {"administrator"}}); res.StatusCode != 403 {
		t.Errorf("self-promotion = %d, want 403", res.StatusCode)
	}
	if res, _ := s.get(t, "/admin/accounts"); res.StatusCode != 401 {
		t.Errorf("anonymous accounts = %d, want 401", res.StatusCode)
	}
}

func TestPersonalTokensScreen(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	res, body := lina.post(t, "/me/tokens/create", url.Values{"name": {"script de veille"}, "expires": {"2099-01-31"}})
	if res.StatusCode != 200 || !strings.Contains(body, `id="new-secret">oct_`) || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create = %d, Cache-Control %q\n%s", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	// The secret is shown that once only.
	_, body = lina.get(t, "/me/tokens")
	if strings.Contains(body, "oct_") || !strings.Contains(body, "script de veille") {
		t.Fatalf("token list:\n%s", body)
	}
	i := strings.Index(body, `name="token" value="`)
	id := body[i+len(`name="token" value="`):]
	id = id[:strings.IndexByte(id, '"')]
	// Someone else cannot revoke it.
	if res, _ := s.as(t, "paul.risques").post(t, "/me/tokens/revoke", url.Values{"token": {id}}); res.StatusCode < 400 {
		t.Errorf("someone else's revoke = %d", res.StatusCode)
	}
	if res, _ := lina.post(t, "/me/tokens/revoke", url.Values{"token": {id}}); res.StatusCode != 303 {
		t.Errorf("revoke = %d", res.StatusCode)
	}
	if res, body := lina.post(t, "/me/tokens/create", url.Values{"name": {"x"}, "expires": {"31/01/2099"}}); res.StatusCode != 400 || !strings.Contains(body, "YYYY-MM-DD") {
		t.Errorf("bad date = %d\n%s", res.StatusCode, body)
	}
	if res, _ := s.post(t, "/me/tokens/create", url.Values{"name": {"x"}}); res.StatusCode != 401 {
		t.Errorf("anonymous create = %d, want 401", res.StatusCode)
	}
}

func TestNoticesScreen(t *testing.T) {
	s := newSite(t)
	// Régine administers region-sud, where Julie asked to join.
	_, body := s.as(t, "regine.sud").get(t, "/me/notices")
	if !strings.Contains(body, "Someone asks to join organisation Région Provence-Alpes-Côte d&#39;Azur.") || !strings.Contains(body, `href="/organisations/region-sud/members"`) {
		t.Errorf("notices:\n%s", body)
	}
	if res, _ := s.get(t, "/me/notices"); res.StatusCode != 401 {
		t.Errorf("anonymous notices = %d, want 401", res.StatusCode)
	}
}

// TestEveryNoticeKindHasASentence: each kind the screen knows has its
// sentence in the catalogue, with as many verbs as the data it takes.
func TestEveryNoticeKindHasASentence(t *testing.T) {
	for kind, args := range ui.NoticeArgs() {
		key := messages.Key("ui.notice." + kind)
		if !messages.Has(key) {
			t.Errorf("%s has no sentence", kind)
			continue
		}
		vals := make([]any, len(args))
		for i := range vals {
			vals[i] = "x"
		}
		for _, l := range messages.Langs {
			if got := messages.New(key, vals...).In(l); strings.Contains(got, "%!") {
				t.Errorf("%s in %s: %s", kind, l, got)
			}
		}
	}
}
