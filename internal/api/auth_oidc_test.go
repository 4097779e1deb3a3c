package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/signin"
	"github.com/octroi/octroi/internal/signin/oidctest"
)

// TestSingleSignOn: through a real OpenID provider, a browser leaves for
// it with a flow cookie, signs in there, comes back with the code, and
// gets a session cookie; a callback without the browser's flow, or with
// the provider's refusal, signs nobody in. Without a provider the
// endpoints are 404.
func TestSingleSignOn(t *testing.T) {
	const redirect = "http://octroi.test/api/v1/auth/oidc/callback"
	issuer := oidctest.Provider(t, redirect)
	w := newWorld(t, func(t *testing.T, mutate ...func(*server.Config)) *env {
		return newEnv(t, append(mutate, func(c *server.Config) {
			c.SignIn.OIDC = signin.OIDCConfig{Issuer: issuer, ClientID: "octroi", ClientSecret: "octroi-secret", RedirectURL: redirect, MatchEmail: true}
		})...)
	})
	var acc struct{ ID string }
	w.as("manager").want(201, "POST", "/api/v1/accounts", map[string]any{"email": oidctest.FirstEmail, "name": "Zitadel user"}, &acc)

	get := func(path string, cookies ...*http.Cookie) *http.Response {
		t.Helper()
		return getNoFollow(t, w, path, cookies...)
	}
	cookie := func(resp *http.Response, name string) *http.Cookie {
		for _, c := range resp.Cookies() {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no %s cookie in %v", name, resp.Header)
		return nil
	}

	start := get("/api/v1/auth/oidc/start")
	loc, _ := start.Location()
	if start.StatusCode != 302 || loc == nil || !strings.HasPrefix(loc.String(), issuer) {
		t.Fatalf("start: %d %v", start.StatusCode, loc)
	}
	flow := cookie(start, signin.FlowCookieName)
	if !flow.HttpOnly || flow.SameSite != http.SameSiteLaxMode || flow.Path != "/api/v1/auth/oidc" || flow.MaxAge != 600 {
		t.Errorf("flow cookie %+v", flow)
	}
	q := oidctest.Login(t, loc.String(), redirect, oidctest.User(issuer), oidctest.Password)
	callback := "/api/v1/auth/oidc/callback?" + q.Encode()

	// Without the flow cookie (a login planted in someone else's
	// browser), nobody is signed in.
	if r := get(callback); r.StatusCode != 401 {
		t.Errorf("callback without the flow cookie: %d", r.StatusCode)
	}
	if r := get("/api/v1/auth/oidc/callback?error=access_denied&state=x", flow); r.StatusCode != 401 {
		t.Errorf("the provider's refusal: %d", r.StatusCode)
	}
	if r := get("/api/v1/auth/oidc/callback?code=x&state=y&foo=1", flow); r.StatusCode != 400 {
		t.Errorf("an undeclared parameter: %d", r.StatusCode)
	}
	// The refused attempts never reached the provider: the code is
	// still good, once.
	done := get(callback, flow)
	if done.StatusCode != 302 || done.Header.Get("Location") != "/" {
		t.Fatalf("callback: %d %v", done.StatusCode, done.Header)
	}
	ses := cookie(done, signin.CookieName)
	if cleared := cookie(done, signin.FlowCookieName); cleared.MaxAge >= 0 {
		t.Errorf("the flow cookie is kept: %+v", cleared)
	}
	b := browser{w: w, cookie: ses}
	var me struct{ Account struct{ ID string } }
	b.do("GET", "/api/v1/me", nil).json(t, &me)
	if me.Account.ID != acc.ID {
		t.Errorf("signed in as %q, want %q", me.Account.ID, acc.ID)
	}
	// The code is used up.
	if r := get(callback, flow); r.StatusCode != 401 {
		t.Errorf("a replayed callback: %d", r.StatusCode)
	}
	// An identity without an account.
	start = get("/api/v1/auth/oidc/start")
	loc, _ = start.Location()
	q = oidctest.Login(t, loc.String(), redirect, oidctest.SecondUser, oidctest.Password)
	if r := get("/api/v1/auth/oidc/callback?"+q.Encode(), cookie(start, signin.FlowCookieName)); r.StatusCode != 401 {
		t.Errorf("an identity without an account: %d", r.StatusCode)
	}
}

func TestSingleSignOnAbsent(t *testing.T) {
	w := newWorld(t, newEnv)
	for _, path := range []string{"/api/v1/auth/oidc/start", "/api/v1/auth/oidc/callback?code=x&state=y"} {
		w.do("GET", path, nil, "Authorization", "").problem(t, 404, "not_found")
	}
}
