package signin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"

	"github.com/octroi/octroi/internal/portal"
)

// provider starts a real OpenID provider (zitadel/oidc's, with its
// example storage: users test-user@<host> and test-user2, password
// "verysecure", e-mails test-user@zitadel.ch and test-user2@zitadel.ch,
// both verified) with octroi registered as a web client.
func provider(t *testing.T, redirect string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	storage.RegisterClients(storage.WebClient("octroi", "octroi-secret", redirect))
	srv.Config.Handler = exampleop.SetupServer(issuer, storage.NewStorage(storage.NewUserStore(issuer)), slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}

// login goes through the provider's login page as user would, from the
// authorization URL to octroi's callback, and returns the callback's query.
func login(t *testing.T, authURL, redirect, user, password string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := c.Get(authURL) // → the login page, which names the auth request
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("no login page: %s %s", resp.Request.URL, page)
	}
	loginURL := *resp.Request.URL
	loginURL.RawQuery = ""
	resp, err = c.PostForm(loginURL.String(), url.Values{"id": {id}, "username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("the login did not come back to octroi: %d %v %v", resp.StatusCode, loc, err)
	}
	return loc.Query()
}

func TestOIDCSignIn(t *testing.T) {
	e := newEnv(t)
	const redirect = "http://octroi.test/api/v1/auth/oidc/callback"
	issuer := provider(t, redirect)
	host := strings.Split(strings.TrimPrefix(issuer, "http://"), ":")[0]
	ctx := context.Background()
	cfg := OIDCConfig{Issuer: issuer, ClientID: "octroi", ClientSecret: "octroi-secret", RedirectURL: redirect}

	// Without e-mail matching, an unlinked identity has no account.
	strict, err := e.signin.NewOIDC(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ada := e.person("test-user@zitadel.ch", goodPassword)
	authURL, flow := strict.Begin()
	if u, _ := url.Parse(authURL); u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("nonce") != flow.Nonce || u.Query().Get("state") != flow.State {
		t.Errorf("authorization URL %s lacks PKCE, nonce or state", authURL)
	}
	q := login(t, authURL, redirect, "test-user@"+host, "verysecure")
	_, _, err = strict.Finish(ctx, flow, q.Get("state"), q.Get("code"), here)
	wantKey(t, err, "signin.oidc_no_account")

	// Matching verified e-mails: the first sign-in links the account.
	cfg.MatchEmail = true
	match, err := e.signin.NewOIDC(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	authURL, flow = match.Begin()
	q = login(t, authURL, redirect, "test-user@"+host, "verysecure")
	// A callback whose state is not the browser's flow's is refused (a
	// login planted from elsewhere), and so is a replayed code.
	_, _, err = match.Finish(ctx, Flow{State: "other", Nonce: flow.Nonce, Verifier: flow.Verifier}, q.Get("state"), q.Get("code"), here)
	wantKey(t, err, "signin.oidc_failed")
	ses, secret, err := match.Finish(ctx, flow, q.Get("state"), q.Get("code"), here)
	if err != nil {
		t.Fatal(err)
	}
	if ses.Account != ada.ID {
		t.Errorf("signed in as %s, want %s", ses.Account, ada.ID)
	}
	if acc, _, err := e.signin.Authenticate(ctx, secret); err != nil || acc.ID != ada.ID {
		t.Errorf("the session: %+v %v", acc, err)
	}
	_, _, err = match.Finish(ctx, flow, q.Get("state"), q.Get("code"), here)
	wantKey(t, err, "signin.oidc_failed")

	// Linked now: found by issuer and subject even without matching.
	authURL, flow = strict.Begin()
	q = login(t, authURL, redirect, "test-user@"+host, "verysecure")
	if ses, _, err := strict.Finish(ctx, flow, q.Get("state"), q.Get("code"), here); err != nil || ses.Account != ada.ID {
		t.Errorf("linked identity: %+v %v", ses, err)
	}
	// A wrong verifier (PKCE) fails the exchange.
	authURL, flow = strict.Begin()
	q = login(t, authURL, redirect, "test-user@"+host, "verysecure")
	_, _, err = strict.Finish(ctx, Flow{State: flow.State, Nonce: flow.Nonce, Verifier: "not-the-verifier-not-the-verifier-not-the-verifier"}, q.Get("state"), q.Get("code"), here)
	wantKey(t, err, "signin.oidc_failed")
	// A user with no account at all.
	authURL, flow = match.Begin()
	q = login(t, authURL, redirect, "test-user2", "verysecure")
	_, _, err = match.Finish(ctx, flow, q.Get("state"), q.Get("code"), here)
	if !errors.Is(err, portal.ErrUnauthenticated) {
		t.Errorf("unknown user: %v", err)
	}
}

func TestFlowEncoding(t *testing.T) {
	f := Flow{"s", "n", "v"}
	if g, ok := DecodeFlow(f.Encode()); !ok || g != f {
		t.Errorf("round trip: %+v %v", g, ok)
	}
	for _, bad := range []string{"", "a.b", "a..c", "a.b.c.d"} {
		if _, ok := DecodeFlow(bad); ok {
			t.Errorf("DecodeFlow(%q) accepted", bad)
		}
	}
}
