package signin

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/signin/oidctest"
)

func TestOIDCSignIn(t *testing.T) {
	e := newEnv(t)
	const redirect = "http://octroi.test/api/v1/auth/oidc/callback"
	issuer := oidctest.Provider(t, redirect)
	ctx := context.Background()
	cfg := OIDCConfig{Issuer: issuer, ClientID: "octroi", ClientSecret: "octroi-secret", RedirectURL: redirect}

	// Without e-mail matching, an unlinked identity has no account.
	strict, err := e.signin.NewOIDC(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ada := e.person(oidctest.FirstEmail, goodPassword)
	authURL, flow := strict.Begin()
	if u, _ := url.Parse(authURL); u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("nonce") != flow.Nonce || u.Query().Get("state") != flow.State {
		t.Errorf("authorization URL %s lacks PKCE, nonce or state", authURL)
	}
	q := oidctest.Login(t, authURL, redirect, oidctest.User(issuer), oidctest.Password)
	_, _, err = strict.Finish(ctx, flow, q.Get("state"), q.Get("code"), here)
	wantKey(t, err, "signin.oidc_no_account")

	// Matching verified e-mails: the first sign-in links the account.
	cfg.MatchEmail = true
	match, err := e.signin.NewOIDC(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	authURL, flow = match.Begin()
	q = oidctest.Login(t, authURL, redirect, oidctest.User(issuer), oidctest.Password)
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
	q = oidctest.Login(t, authURL, redirect, oidctest.User(issuer), oidctest.Password)
	if ses, _, err := strict.Finish(ctx, flow, q.Get("state"), q.Get("code"), here); err != nil || ses.Account != ada.ID {
		t.Errorf("linked identity: %+v %v", ses, err)
	}
	// A wrong verifier (PKCE) fails the exchange.
	authURL, flow = strict.Begin()
	q = oidctest.Login(t, authURL, redirect, oidctest.User(issuer), oidctest.Password)
	_, _, err = strict.Finish(ctx, Flow{State: flow.State, Nonce: flow.Nonce, Verifier: "not-the-verifier-not-the-verifier-not-the-verifier"}, q.Get("state"), q.Get("code"), here)
	wantKey(t, err, "signin.oidc_failed")
	// A user with no account at all.
	authURL, flow = match.Begin()
	q = oidctest.Login(t, authURL, redirect, oidctest.SecondUser, oidctest.Password)
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
