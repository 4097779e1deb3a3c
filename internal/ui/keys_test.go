package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/octroi/octroi/internal/portal"
)

var (
	secretRe    = regexp.MustCompile(`okey_[A-Za-z0-9_-]+`)
	keyActionRe = regexp.MustCompile(`action="/me/keys/([^"/]+)/update"`)
	accessRe    = regexp.MustCompile(`name="access" value="([^"]+)"`)
)

// keyIDOf is the id of the key whose screen body is.
func keyIDOf(t *testing.T, body string) string {
	t.Helper()
	m := keyActionRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no key form in:\n%s", body)
	}
	return m[1]
}

// accessOf is the picker's value for service among a page's accesses.
func accessOf(t *testing.T, body, service string) string {
	t.Helper()
	for _, m := range accessRe.FindAllStringSubmatch(body, -1) {
		if strings.HasSuffix(m[1], "/"+service) {
			return m[1]
		}
	}
	t.Fatalf("no access to %s offered in:\n%s", service, body)
	return ""
}

// gateway asks the site's forward-auth about a GetMap of the PPRI's layer
// as nginx would, with hdr (name, value pairs), and returns its status.
func (s site) gateway(t *testing.T, query string, hdr ...string) int {
	t.Helper()
	res, _ := s.get(t, "/gateway/auth", append([]string{"X-Original-URI", "/wms/sud?SERVICE=WMS&REQUEST=GetMap&LAYERS=ppri_zonage" + query}, hdr...)...)
	return res.StatusCode
}

// TestMyKeysFromCreationToDeletion: Julie Candidate creates a key from
// her grant, sees its secret once, uses it at the gateway, changes,
// disables, regenerates and deletes it.
func TestMyKeysFromCreationToDeletion(t *testing.T) {
	s := newSite(t)
	julie := s.as(t, "julie.candidate")
	res, body := julie.get(t, "/me/keys")
	if res.StatusCode != 200 {
		t.Fatalf("/me/keys = %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"Démo — PPRI (WMS /wms/sud)", "enabled", "1 of 1 services", "Licence Ouverte Etalab 2.0 — PPRI", `id="t-OAUTH2" name="type" value="OAUTH2" disabled`, "no identity provider"} {
		if !strings.Contains(body, want) {
			t.Errorf("the keys screen lacks %q", want)
		}
	}
	access := accessOf(t, body, "sud-ppri")

	// Create: the answer is the key's screen with its secret, this once.
	res, body = julie.post(t, "/me/keys", url.Values{"name": {"QGIS bureau"}, "type": {"HASH"}, "access": {access},
		"ip_allow": {"127.0.0.0/8\n::1"}, "user_agents": {"Go-http-client*"}})
	if res.StatusCode != 201 {
		t.Fatalf("create = %d\n%s", res.StatusCode, body)
	}
	secret := secretRe.FindString(body)
	if secret == "" || !strings.Contains(body, `<code id="key-secret">`+secret+`</code>`) {
		t.Fatalf("no secret on the creation page:\n%s", body)
	}
	if !strings.Contains(body, "/wms/sud?SERVICE=WMS&amp;VERSION=1.3.0&amp;REQUEST=GetCapabilities&amp;apikey="+secret) {
		t.Error("no GetCapabilities URL with the key's secret")
	}
	// The copy button waits for the script (which shows it); without
	// scripts the secret is there to select.
	if !strings.Contains(body, `data-copy="key-secret" hidden`) {
		t.Error("the copy button shows without scripts")
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the secret's page has Cache-Control %q", cc)
	}
	id := keyIDOf(t, body)
	if s.gateway(t, "&apikey="+secret) != 200 {
		t.Error("the new key does not open its layer at the gateway")
	}
	// Reloading shows it no more: a placeholder stands in its place.
	res, body = julie.get(t, "/me/keys/"+id)
	if res.StatusCode != 200 || strings.Contains(body, secret) || strings.Contains(body, "okey_") {
		t.Fatalf("the key's screen = %d, shows the secret again:\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"apikey=YOUR-KEY", "127.0.0.0/8\n::1/128", "Go-http-client*", "open with this key", "No use recorded."} {
		if !strings.Contains(body, want) {
			t.Errorf("the key's screen lacks %q", want)
		}
	}

	// Usage, summed by day and by service.
	if err := s.srv.UsageLog().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, body = julie.get(t, "/me/keys/"+id)
	day := time.Now().UTC().Format(time.DateOnly)
	if !strings.Contains(body, "<td>"+day+"</td><td>1</td><td>0</td>") || !strings.Contains(body, "<td>sud-ppri</td><td>1</td>") {
		t.Errorf("the usage is not shown:\n%s", body)
	}

	// Change: a new name, no IP filter (the gateway sees no client
	// address from here), the same access.
	res, _ = julie.post(t, "/me/keys/"+id+"/update", url.Values{"name": {"QGIS maison"}, "access": {access}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/me/keys/"+id+"?done=key_changed" {
		t.Fatalf("update = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = julie.get(t, "/me/keys/"+id+"?done=key_changed")
	if !strings.Contains(body, "The key was changed.") || !strings.Contains(body, `value="QGIS maison"`) || strings.Contains(body, "127.0.0.0/8") {
		t.Errorf("the change does not show:\n%s", body)
	}

	// Disable: it opens nothing, and the screens say why.
	res, _ = julie.post(t, "/me/keys/"+id+"/status", url.Values{"status": {"disabled"}})
	if res.StatusCode != 303 {
		t.Fatalf("disable = %d", res.StatusCode)
	}
	if s.gateway(t, "&apikey="+secret) != 403 {
		t.Error("a disabled key opens its layer")
	}
	_, body = julie.get(t, "/me/keys")
	if !strings.Contains(body, "opens nothing any more") || !strings.Contains(body, "is disabled by its owner") {
		t.Errorf("the list does not say the disabled key opens nothing, and why:\n%s", body)
	}
	if res, _ = julie.post(t, "/me/keys/"+id+"/status", url.Values{"status": {"active"}}); res.StatusCode != 303 {
		t.Fatalf("enable = %d", res.StatusCode)
	}

	// Regenerate: a confirmation first, then a new secret, once.
	res, body = julie.post(t, "/me/keys/"+id+"/regenerate", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(body, `name="confirm" value="yes"`) || strings.Contains(body, "okey_") {
		t.Fatalf("regenerate without confirmation = %d\n%s", res.StatusCode, body)
	}
	if s.gateway(t, "&apikey="+secret) != 200 {
		t.Error("asking for the confirmation changed the secret")
	}
	res, body = julie.post(t, "/me/keys/"+id+"/regenerate", url.Values{"confirm": {"yes"}})
	fresh := secretRe.FindString(body)
	if res.StatusCode != 200 || fresh == "" || fresh == secret || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("regenerate = %d, secret %q\n%s", res.StatusCode, fresh, body)
	}
	if s.gateway(t, "&apikey="+secret) != 401 || s.gateway(t, "&apikey="+fresh) != 200 {
		t.Error("after regeneration the old secret works or the new one does not")
	}
	if _, body = julie.get(t, "/me/keys/"+id); strings.Contains(body, fresh) {
		t.Error("the regenerated secret shows again on reload")
	}

	// Delete: a confirmation first.
	if res, body = julie.post(t, "/me/keys/"+id+"/delete", url.Values{}); res.StatusCode != 200 || !strings.Contains(body, "Delete key QGIS maison?") {
		t.Fatalf("delete without confirmation = %d\n%s", res.StatusCode, body)
	}
	res, _ = julie.post(t, "/me/keys/"+id+"/delete", url.Values{"confirm": {"yes"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/me/keys?done=key_deleted" {
		t.Fatalf("delete = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := julie.get(t, "/me/keys/"+id); res.StatusCode != 404 {
		t.Errorf("a deleted key's screen = %d, want 404", res.StatusCode)
	}
	if s.gateway(t, "&apikey="+fresh) != 401 {
		t.Error("a deleted key still opens")
	}
}

// TestKeyScreensShowHowEachTypeTravels: HEADER and BASIC keys get curl
// lines with their header or user name, and the secret only once.
func TestKeyScreensShowHowEachTypeTravels(t *testing.T) {
	s := newSite(t)
	julie := s.as(t, "julie.candidate")
	_, body := julie.get(t, "/me/keys")
	access := accessOf(t, body, "sud-ppri")
	res, body := julie.post(t, "/me/keys", url.Values{"name": {"Script"}, "type": {"HEADER"}, "header": {"x-api-key"}, "access": {access}})
	secret := secretRe.FindString(body)
	if res.StatusCode != 201 || !strings.Contains(body, "curl -H &#39;X-Api-Key: "+secret+"&#39; &#39;http://") {
		t.Fatalf("HEADER key = %d, no curl line with its header:\n%s", res.StatusCode, body)
	}
	if s.gateway(t, "", "X-Api-Key", secret) != 200 {
		t.Error("the HEADER key does not open at the gateway")
	}
	res, body = julie.post(t, "/me/keys", url.Values{"name": {"SIG"}, "type": {"BASIC"}, "user_name": {"julie.sig"}, "access": {access}})
	pass := secretRe.FindString(body)
	if res.StatusCode != 201 || !strings.Contains(body, "curl -u &#39;julie.sig:"+pass+"&#39;") {
		t.Fatalf("BASIC key = %d, no curl line with its user:\n%s", res.StatusCode, body)
	}
	_, body = julie.get(t, "/me/keys/"+keyIDOf(t, body))
	if strings.Contains(body, pass) || !strings.Contains(body, "curl -u &#39;julie.sig:YOUR-PASSWORD&#39;") {
		t.Errorf("the BASIC key's screen shows its password or no placeholder:\n%s", body)
	}
}

// TestKeyFormRefusalsKeepWhatWasTyped: each bad input is refused beside
// its field, in the reader's language, with the form as it was typed;
// nothing is created.
func TestKeyFormRefusalsKeepWhatWasTyped(t *testing.T) {
	s := newSite(t)
	julie := s.as(t, "julie.candidate")
	_, body := julie.get(t, "/me/keys")
	access := accessOf(t, body, "sud-ppri")
	// A grant Julie does not hold: the land observatory's, of Sophie's.
	_, sophies := s.as(t, "sophie.voirie").get(t, "/me/keys")
	foreign := accessOf(t, sophies, "sud-foncier")
	// Olivier's ended grant is shown, and cannot be ticked.
	_, oliviers := s.as(t, "olivier.carto").get(t, "/me/keys")
	ended := accessOf(t, oliviers, "sud-ppri")
	if !strings.Contains(oliviers, `value="`+ended+`" disabled`) || !strings.Contains(oliviers, "cannot be chosen") {
		t.Errorf("an ended grant is pickable:\n%s", oliviers)
	}
	base := url.Values{"name": {"Ma clé"}, "type": {"HASH"}, "access": {access}, "referers": {"https://*.example.org/*"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for n, vs := range base {
			f[n] = vs
		}
		f.Set(k, v)
		return f
	}
	for _, c := range []struct {
		name, field string
		who         site
		form        url.Values
		status      int
		lang        string
		words       string
	}{
		{"bad CIDR", "ip_allow", julie, with("ip_allow", "192.0.2.0/24\n10.0.0.0/33"), 400, "en", "10.0.0.0/33"},
		{"bad CIDR in French", "ip_deny", julie, with("ip_deny", "pas-une-adresse"), 400, "fr", "n'est ni une adresse IP ni un préfixe CIDR"},
		{"empty name", "name", julie, with("name", "  "), 400, "en", "name is empty"},
		{"empty name in French", "name", julie, with("name", ""), 400, "fr", "name est vide"},
		{"a grant not held", "access", julie, with("access", foreign), 403, "en", "you hold no live grant"},
		{"an ended grant", "access", s.as(t, "olivier.carto"), with("access", ended), 403, "fr", "vous ne détenez aucune permission en cours"},
		{"reserved header", "header", julie, with("type", "HEADER"), 400, "en", "header"},
		{"OAUTH2 without a provider", "type", julie, with("type", "OAUTH2"), 400, "en", "no identity provider"},
		{"bad pattern", "user_agents", julie, with("user_agents", "QGIS é"), 400, "en", "pattern"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "reserved header" {
				c.form.Set("header", "Authorization")
			}
			req, _ := http.NewRequest("POST", c.who.URL+"/me/keys", strings.NewReader(c.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Accept-Language", c.lang)
			before := keysOf(t, c.who)
			res, body := c.who.do(t, req)
			if res.StatusCode != c.status {
				t.Fatalf("= %d, want %d\n%s", res.StatusCode, c.status, body)
			}
			errP := regexp.MustCompile(`<p id="err-` + c.field + `" class="error">([^<]*)</p>`).FindStringSubmatch(body)
			if errP == nil || !strings.Contains(strings.ReplaceAll(errP[1], "&#39;", "'"), c.words) {
				t.Fatalf("no error beside %s saying %q:\n%s", c.field, c.words, body)
			}
			if !strings.Contains(body, `aria-describedby="err-`+c.field) || !strings.Contains(body, `role="alert"`) {
				t.Error("the error is not tied to its field, or not announced")
			}
			// What was typed is still there.
			if c.field != "name" && !strings.Contains(body, `value="`+c.form.Get("name")+`"`) {
				t.Error("the name typed is lost")
			}
			if !strings.Contains(body, ">https://*.example.org/*</textarea>") {
				t.Error("the referers typed are lost")
			}
			if v := c.form.Get("ip_allow"); v != "" && !strings.Contains(body, ">"+v+"</textarea>") {
				t.Error("the bad IP list is lost")
			}
			if after := keysOf(t, c.who); after != before {
				t.Errorf("a refused form made a key (%d → %d)", before, after)
			}
		})
	}
	// A change refused keeps what was typed too, on the key's screen.
	_, body = julie.post(t, "/me/keys", base)
	id := keyIDOf(t, body)
	res, body := julie.post(t, "/me/keys/"+id+"/update", url.Values{"name": {"Renommée"}, "ip_deny": {"300.1.2.3"}, "access": {access}})
	if res.StatusCode != 400 || !strings.Contains(body, `id="err-ip_deny"`) || !strings.Contains(body, `value="Renommée"`) || !strings.Contains(body, ">300.1.2.3</textarea>") {
		t.Errorf("refused change = %d, without the error or what was typed:\n%s", res.StatusCode, body)
	}
	if _, body = julie.get(t, "/me/keys/"+id); strings.Contains(body, "Renommée") {
		t.Error("a refused change was kept")
	}
}

// keysOf is how many keys who's list shows.
func keysOf(t *testing.T, who site) int {
	t.Helper()
	_, body := who.get(t, "/me/keys")
	return len(regexp.MustCompile(`<a href="/me/keys/[^"]+">`).FindAllString(body, -1))
}

// TestSomeoneElsesKeyIsNotThere: another signed-in account, an
// administrator included, neither sees nor changes Julie's key through
// the owner's screens (404, as the portal hides it); anonymous readers
// are sent to sign in; only administrators list and revoke every key.
func TestSomeoneElsesKeyIsNotThere(t *testing.T) {
	s := newSite(t)
	julie := s.as(t, "julie.candidate")
	_, body := julie.get(t, "/me/keys")
	id := regexp.MustCompile(`href="/me/keys/([^"]+)"`).FindStringSubmatch(body)[1]
	for _, who := range []string{"sophie.voirie", "alice.martin"} {
		other := s.as(t, who)
		if res, b := other.get(t, "/me/keys/"+id); res.StatusCode != 404 || strings.Contains(b, "Démo — PPRI") {
			t.Errorf("%s reads Julie's key: %d", who, res.StatusCode)
		}
		for _, c := range []struct {
			action string
			form   url.Values
		}{
			{"update", url.Values{"name": {"pris"}}}, {"status", url.Values{"status": {"disabled"}}},
			{"regenerate", url.Values{"confirm": {"yes"}}}, {"delete", url.Values{"confirm": {"yes"}}},
		} {
			if res, b := other.post(t, "/me/keys/"+id+"/"+c.action, c.form); res.StatusCode != 404 || strings.Contains(b, "okey_") {
				t.Errorf("%s's %s of Julie's key = %d, want 404", who, c.action, res.StatusCode)
			}
		}
		if _, b := other.get(t, "/me/keys"); strings.Contains(b, "Démo — PPRI") {
			t.Errorf("%s's list shows Julie's key", who)
		}
	}
	if _, body = julie.get(t, "/me/keys/"+id); !strings.Contains(body, "Démo — PPRI (WMS /wms/sud)") || !strings.Contains(body, "enabled") {
		t.Error("Julie's key was changed by someone else")
	}
	// Anonymous: sign in first.
	for _, path := range []string{"/me/keys", "/me/keys/" + id, "/admin/keys"} {
		if res, b := s.get(t, path); res.StatusCode != 401 || !strings.Contains(b, "/sign-in?next=") {
			t.Errorf("anonymous GET %s = %d, without a way to sign in", path, res.StatusCode)
		}
	}
	for _, path := range []string{"/me/keys", "/me/keys/" + id + "/delete", "/admin/keys/" + id + "/revoke"} {
		if res, _ := s.post(t, path, url.Values{"confirm": {"yes"}}); res.StatusCode != 401 {
			t.Errorf("anonymous POST %s = %d, want 401", path, res.StatusCode)
		}
	}
	// Not an administrator: no list, no revocation (the key is not
	// there for them).
	for _, who := range []string{"julie.candidate", "regine.sud"} {
		if res, b := s.as(t, who).get(t, "/admin/keys"); res.StatusCode != 403 || strings.Contains(b, "Démo — PPRI") {
			t.Errorf("%s's /admin/keys = %d, want 403", who, res.StatusCode)
		}
	}
	if res, _ := s.as(t, "sophie.voirie").post(t, "/admin/keys/"+id+"/revoke", url.Values{"confirm": {"yes"}}); res.StatusCode != 404 {
		t.Errorf("a non-administrator's revocation = %d, want 404", res.StatusCode)
	}
	if res, _ := julie.post(t, "/me/keys/"+id+"/promote", url.Values{}); res.StatusCode != 404 {
		t.Errorf("an unknown action = %d, want 404", res.StatusCode)
	}
	// A form from another site is refused before anything.
	req, _ := http.NewRequest("POST", julie.URL+"/me/keys/"+id+"/delete", strings.NewReader("confirm=yes"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, _ := julie.do(t, req); res.StatusCode != 403 {
		t.Errorf("cross-site delete = %d, want 403", res.StatusCode)
	}
}

// TestAdministratorsListAndRevokeEveryKey: the platform's administrator
// finds Julie's key by her name, revokes it after a confirmation, and
// Julie's screens say it is revoked.
func TestAdministratorsListAndRevokeEveryKey(t *testing.T) {
	s := newSite(t)
	root := s.as(t, "alice.martin")
	if _, body := root.get(t, "/me"); !strings.Contains(body, `href="/admin/keys"`) {
		t.Error("the administrator's account page has no link to every key")
	}
	res, body := root.get(t, "/admin/keys")
	if res.StatusCode != 200 || !strings.Contains(body, "Démo — PPRI (WMS /wms/sud)") || !strings.Contains(body, "julie.candidate@demo.octroi.dev") {
		t.Fatalf("/admin/keys = %d\n%s", res.StatusCode, body)
	}
	if _, body = root.get(t, "/admin/keys?q=JULIE"); !strings.Contains(body, "Démo — PPRI") {
		t.Error("searching by the owner's name finds nothing")
	}
	if _, body = root.get(t, "/admin/keys?q=personne"); strings.Contains(body, "Démo — PPRI") || !strings.Contains(body, "No key found.") {
		t.Error("a search for nobody lists keys")
	}
	id := regexp.MustCompile(`action="/admin/keys/([^"/]+)/revoke"`).FindStringSubmatch(body + mustGet(t, root, "/admin/keys"))[1]
	res, body = root.post(t, "/admin/keys/"+id+"/revoke", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(body, "Revoke key Démo — PPRI (WMS /wms/sud)?") {
		t.Fatalf("revoke without confirmation = %d\n%s", res.StatusCode, body)
	}
	res, _ = root.post(t, "/admin/keys/"+id+"/revoke", url.Values{"confirm": {"yes"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/admin/keys?done=key_revoked" {
		t.Fatalf("revoke = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body = root.get(t, "/admin/keys?done=key_revoked"); !strings.Contains(body, "The key was revoked") || strings.Contains(body, `action="/admin/keys/`+id+`/revoke"`) {
		t.Error("the list does not show the revocation")
	}
	_, body = s.as(t, "julie.candidate").get(t, "/me/keys/"+id)
	if !strings.Contains(body, "This key was revoked by an administrator") || strings.Contains(body, "/update") || strings.Contains(body, "/regenerate") {
		t.Errorf("Julie's revoked key can still be changed:\n%s", body)
	}
}

func mustGet(t *testing.T, s site, path string) string {
	t.Helper()
	res, body := s.get(t, path)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s = %d", path, res.StatusCode)
	}
	return body
}

// TestKeysThatOpenNothingSayWhy: when the service is switched off, then
// when the grant has ended, Julie's key is marked as opening nothing,
// with the gateway's own reason.
func TestKeysThatOpenNothingSayWhy(t *testing.T) {
	s := newSite(t)
	julie := s.as(t, "julie.candidate")
	p := s.srv.Portal().(*portal.Service)
	ctx, paul := context.Background(), s.accounts["paul.risques"]
	m, err := p.MapServiceOf(ctx, paul, "sud-ppri")
	if err != nil {
		t.Fatal(err)
	}
	m.Available = false
	if _, err := p.UpdateService(ctx, paul, m); err != nil {
		t.Fatal(err)
	}
	_, body := julie.get(t, "/me/keys")
	if !strings.Contains(body, "opens nothing any more") || !strings.Contains(body, "is unavailable: its producer switched it off") {
		t.Errorf("a key on a switched-off service is not marked, with why:\n%s", body)
	}
	m.Available = true
	if _, err := p.UpdateService(ctx, paul, m); err != nil {
		t.Fatal(err)
	}
	// The grant ends.
	held, _, err := p.MyGrants(ctx, s.accounts["julie.candidate"], portal.GrantQuery{Service: "sud-ppri"})
	if err != nil || len(held) == 0 {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	if _, err := p.UpdateGrant(ctx, paul, held[0].ID, portal.GrantChange{SetExpires: true, Expires: &past}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", julie.URL+"/me/keys", nil)
	req.Header.Set("Accept-Language", "fr")
	_, body = julie.do(t, req)
	if !strings.Contains(body, "n&#39;ouvre plus rien") || !strings.Contains(body, "a expiré le "+past.Format(time.RFC3339)) {
		t.Errorf("a key whose grant ended is not marked with the date:\n%s", body)
	}
	id := regexp.MustCompile(`href="/me/keys/([^"]+)"`).FindStringSubmatch(body)[1]
	_, body = julie.get(t, "/me/keys/"+id)
	if !strings.Contains(body, "This key opens nothing any more") || !strings.Contains(body, "expired on") || !strings.Contains(body, `data-reason="grant_expired"`) || strings.Contains(body, "GetCapabilities") {
		t.Errorf("the key's screen does not say it opens nothing, or offers URLs that cannot work:\n%s", body)
	}
	// The ended grant shows, checked, and is kept by a change.
	if !strings.Contains(body, "expired") || !strings.Contains(body, `checked>`) {
		t.Errorf("the key's ended access is not shown:\n%s", body)
	}
}

// TestKeysFromACommunitysGrant: Lina holds the land observatory's grant
// through her community; her key opens it, and the picker says through
// which community.
func TestKeysFromACommunitysGrant(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	_, body := lina.get(t, "/me/keys")
	if !strings.Contains(body, "Convention foncier métropole 2026") || !strings.Contains(body, "Through your communities: observatoire-littoral") {
		t.Fatalf("the community's grant is not offered, or not said to come through it:\n%s", body)
	}
	res, body := lina.post(t, "/me/keys", url.Values{"name": {"Observatoire"}, "type": {"HASH"}, "access": {accessOf(t, body, "sud-foncier")}})
	secret := secretRe.FindString(body)
	if res.StatusCode != 201 || secret == "" {
		t.Fatalf("create = %d\n%s", res.StatusCode, body)
	}
	res, _ = s.get(t, "/gateway/auth", "X-Original-URI", "/wms/sud?SERVICE=WMS&REQUEST=GetMap&LAYERS=foncier_parcelles&apikey="+secret)
	if res.StatusCode != 200 {
		t.Errorf("the community's grant does not open through the key: %d", res.StatusCode)
	}
}

// TestKeySecretInABrowser: in Chromium, a new key's secret shows with
// its copy button (the script shows it); the key's screen, loaded again,
// shows the secret no more.
func TestKeySecretInABrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	julie := s.as(t, "julie.candidate")
	err := chromedp.Do(ctx,
		chromedp.Navigate(julie.URL+"/me/keys"),
		chromedp.WaitReady(chromedp.CSS("#f-name")),
		chromedp.SetValue(chromedp.CSS("#f-name"), "Navigateur"),
		chromedp.Click(chromedp.CSS(`input[name="access"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/me/keys"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="key-secret"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("key-secret").textContent`))
	if err != nil || !strings.HasPrefix(secret, "okey_") {
		t.Fatalf("secret %q: %v", secret, err)
	}
	action, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('form[action$="/update"]').getAttribute("action")`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(julie.URL+strings.TrimSuffix(action, "/update")),
		chromedp.WaitReady(chromedp.CSS("main")),
	)
	if err != nil {
		t.Fatal(err)
	}
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil || strings.Contains(html, secret) || strings.Contains(html, "key-secret") {
		t.Errorf("the key's screen shows the secret again (%v)", err)
	}
}
