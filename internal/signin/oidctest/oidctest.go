// Package oidctest starts a real OpenID Connect provider for tests
// (zitadel/oidc's example provider, in process) and signs in at it as a
// person would, so that single sign-on is tested against a real
// implementation of the protocol, never a stand-in.
package oidctest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// Users of the provider: password Password; e-mails test-user@zitadel.ch
// and test-user2@zitadel.ch, both verified. User(issuer) is the first's
// login name.
const (
	Password   = "verysecure"
	SecondUser = "test-user2"
	FirstEmail = "test-user@zitadel.ch"
)

// User is the first user's login name at the provider of issuer.
func User(issuer string) string {
	return "test-user@" + strings.Split(strings.TrimPrefix(issuer, "http://"), ":")[0]
}

// Provider starts a real OpenID provider (zitadel/oidc's, with its
// example storage: users test-user@<host> and test-user2, password
// "verysecure", e-mails test-user@zitadel.ch and test-user2@zitadel.ch,
// both verified) with octroi registered as a web client.
func Provider(t testing.TB, redirect string) string {
	t.Helper()
	return Start(t, redirect).Issuer
}

// Start is Provider, returning the provider itself: its groups claim
// can be set per user, and its JWT client issues access tokens as JWTs
// (see provider.go).
func Start(t testing.TB, redirect string) *OP {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	storage.RegisterClients(storage.WebClient("octroi", "octroi-secret", redirect), storage.WebClient(JWTClient, JWTClientSecret, redirect))
	op := &OP{Issuer: issuer, groups: map[string][]string{}}
	st := &groupStorage{Storage: storage.NewStorage(storage.NewUserStore(issuer)), op: op}
	srv.Config.Handler = exampleop.SetupServer(issuer, st, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	srv.Start()
	t.Cleanup(srv.Close)
	return op
}

// Login goes through the provider's login page as user would, from the
// authorization URL to octroi's callback, and returns the callback's query.
func Login(t testing.TB, authURL, redirect, user, password string) url.Values {
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
