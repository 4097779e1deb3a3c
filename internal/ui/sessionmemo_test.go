package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/signin"
	"github.com/octroi/octroi/internal/ui"
)

// countingSignIn counts the session cookies authenticated.
type countingSignIn struct {
	ui.SignIn // of the server
	n         atomic.Int64
}

// counted is s with its authentications counted.
func counted(s ui.SignIn) *countingSignIn { return &countingSignIn{SignIn: s} }

func (c *countingSignIn) Authenticate(ctx context.Context, secret string) (portal.Account, string, error) {
	c.n.Add(1)
	return c.SignIn.Authenticate(ctx, secret)
}

// signInOf is a countingSignIn as a ui.SignIn (its embedded field's name
// hides the method SignIn).
type signInOf struct{ *countingSignIn }

func (s signInOf) SignIn(ctx context.Context, email, password string, c signin.Client) (portal.Session, string, error) {
	return s.countingSignIn.SignIn.SignIn(ctx, email, password, c)
}

// sessionsSite is the sessions screen behind real session cookies, with
// their authentications counted, and a cookie of lina's.
func sessionsSite(tb testing.TB, s site, signIn func() *http.Response) (http.Handler, *countingSignIn, string) {
	tb.Helper()
	c := sessionCookie(signIn())
	if c == nil {
		tb.Fatal("no session cookie")
	}
	p := s.srv.Portal().(*portal.Service)
	si := counted(s.srv.SignIn())
	h := ui.Handler(ui.Config{Catalogue: p, Access: p, Members: p, People: p, Tokens: p, Notices: p, Sessions: p, SignIn: signInOf{si}, Actor: ui.SessionActor(signInOf{si})})
	return h, si, "octroi_session=" + c.Value
}

// TestSessionsScreenAuthenticatesTheCookieOnce: the sessions screen marks
// this browser's session from the reader's authentication, without
// authenticating the cookie a second time; "end the others" keeps it.
func TestSessionsScreenAuthenticatesTheCookieOnce(t *testing.T) {
	s := newSite(t)
	h, si, cookie := sessionsSite(t, s, func() *http.Response { res, _ := s.signIn(t, "lina.littoral", s.password, "/"); return res })
	req := httptest.NewRequest("GET", "/me/sessions", nil)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "this browser") {
		t.Fatalf("sessions = %d\n%s", rec.Code, rec.Body)
	}
	if n := si.n.Load(); n != 1 {
		t.Errorf("the cookie was authenticated %d times for one page", n)
	}
	// A second session, ended by "end the others": this one stays.
	s.signIn(t, "lina.littoral", s.password, "/")
	si.n.Store(0)
	req = httptest.NewRequest("POST", "/me/sessions/end-others", nil)
	req.Header.Set("Cookie", cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 303 || si.n.Load() != 1 {
		t.Fatalf("end the others = %d, %d authentications", rec.Code, si.n.Load())
	}
	p := s.srv.Portal().(*portal.Service)
	lina := s.accounts["lina.littoral"]
	if ss, err := p.Sessions(context.Background(), lina, lina); err != nil || len(ss) != 1 {
		t.Errorf("after ending the others: %d sessions, %v", len(ss), err)
	}
	req = httptest.NewRequest("GET", "/me/sessions", nil)
	req.Header.Set("Cookie", cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("this session was ended with the others: %d", rec.Code)
	}
}

// BenchmarkSessionsScreen renders the sessions screen behind a real
// session cookie, on the demo platform:
//
//	go test ./internal/ui -run XXX -bench SessionsScreen -count 3
func BenchmarkSessionsScreen(b *testing.B) {
	s := newSite(b)
	h, si, cookie := sessionsSite(b, s, func() *http.Response {
		_, secret, err := s.srv.SignIn().SignIn(context.Background(), "lina.littoral@demo.octroi.dev", s.password, signin.Client{Address: "127.0.0.1"})
		if err != nil {
			b.Fatal(err)
		}
		return &http.Response{Header: http.Header{"Set-Cookie": {"octroi_session=" + secret}}}
	})
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/me/sessions", nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("sessions = %d", rec.Code)
		}
	}
	b.ReportMetric(float64(si.n.Load())/float64(b.N), "authentications/op")
}
