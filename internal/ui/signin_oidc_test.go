package ui_test

import (
	"html"
	"net/http"
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
