package ui_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/signin"
	"github.com/octroi/octroi/internal/signin/oidctest"
)

const oidcRedirect = "http://octroi.test/api/v1/auth/oidc/callback"

// newOIDCSite is the demo with single sign-on through a real provider,
// named on the sign-in page.
func newOIDCSite(t *testing.T, name string) site {
	t.Helper()
	op := oidctest.Start(t, oidcRedirect)
	return newSiteWith(t, func(c *server.Config) {
		c.SignIn.OIDC = signin.OIDCConfig{Issuer: op.Issuer, ClientID: "octroi", ClientSecret: "octroi-secret", RedirectURL: oidcRedirect, Name: name}
	})
}

// TestSignInPageOffersTheProvider: with a provider configured, the
// sign-in page has a "Sign in with <name>" button (a link to the API's
// start of the flow), in French and English, which leads to the
// provider's own login page; without one, no such button.
func TestSignInPageOffersTheProvider(t *testing.T) {
	s := newOIDCSite(t, "ProConnect")
	for lang, label := range map[string]string{"fr": "Se connecter avec ProConnect", "en": "Sign in with ProConnect"} {
		res, body := s.get(t, "/sign-in", "Accept-Language", lang)
		want := `<a class="button signin-oidc" href="/api/v1/auth/oidc/start">` + label + `</a>`
		if res.StatusCode != 200 || !strings.Contains(html.UnescapeString(body), want) {
			t.Fatalf("%s /sign-in = %d, no %s\n%s", lang, res.StatusCode, want, body)
		}
	}
	// The button leads to the provider's login page.
	res, _ := s.get(t, "/api/v1/auth/oidc/start")
	loc, err := res.Location()
	if res.StatusCode != 302 || err != nil {
		t.Fatalf("start = %d %v", res.StatusCode, err)
	}
	login, err := http.Get(loc.String())
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	if login.StatusCode != 200 || login.Request.URL.Query().Get("authRequestID") == "" {
		t.Fatalf("the provider's login page: %d %s", login.StatusCode, login.Request.URL)
	}

	// Without a name, a generic label; without a provider, no button.
	if _, body := newOIDCSite(t, "").get(t, "/sign-in", "Accept-Language", "en"); !strings.Contains(html.UnescapeString(body), "Sign in with your organisation's account") {
		t.Errorf("unnamed provider:\n%s", body)
	}
	if _, body := newSite(t).get(t, "/sign-in", "Accept-Language", "en"); strings.Contains(body, "oidc") {
		t.Errorf("a sign-on button without a provider:\n%s", body)
	}
}

// TestSignInFormLimitBehindTrustedProxy: the sign-in form counts failures
// per client address as a trusted proxy (--signin-trusted-proxies)
// reports it: a guesser who puts a victim's address first in
// X-Forwarded-For is slowed under their own, and the victim signs in.
func TestSignInFormLimitBehindTrustedProxy(t *testing.T) {
	s := newSiteWith(t, func(c *server.Config) { c.SignIn.TrustedProxies = "127.0.0.1, ::1" })
	const victim, guesser = "198.51.100.7", "203.0.113.9"
	post := func(password, xff string) *http.Response {
		req, _ := http.NewRequest("POST", s.URL+"/sign-in", strings.NewReader(url.Values{"email": {"lina.littoral@demo.octroi.dev"}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("X-Forwarded-For", xff)
		res, _ := s.do(t, req)
		return res
	}
	throttled := false
	for range 12 {
		if post("wrong password", victim+", "+guesser).StatusCode == 429 {
			throttled = true
			break
		}
	}
	if !throttled {
		t.Fatal("twelve failures were never slowed")
	}
	if res := post(s.password, guesser); res.StatusCode != 429 {
		t.Errorf("the guesser's address: %d, want 429", res.StatusCode)
	}
	if res := post(s.password, victim); res.StatusCode != 303 {
		t.Errorf("the victim's address: %d, want 303 (signed in)", res.StatusCode)
	}
}
