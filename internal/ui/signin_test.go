package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// signedIn signs in through the form as local@demo.octroi.dev and returns
// the session cookie.
func (s site) signIn(t *testing.T, local, password, next string) (*http.Response, string) {
	t.Helper()
	return s.post(t, "/sign-in", url.Values{"email": {local + "@demo.octroi.dev"}, "password": {password}, "next": {next}})
}

func sessionCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == "octroi_session" {
			return c
		}
	}
	return nil
}

func TestSignInThenSignOut(t *testing.T) {
	s := newSite(t)
	if s.password == "" {
		t.Fatal("the demo printed no password")
	}
	// An anonymous reader of a signed-in page is offered to sign in and
	// come back.
	res, body := s.get(t, "/me")
	if res.StatusCode != 401 || !strings.Contains(body, `href="/sign-in?next=%2Fme"`) {
		t.Fatalf("anonymous /me = %d\n%s", res.StatusCode, body)
	}
	res, _ = s.signIn(t, "lina.littoral", s.password, "/me")
	c := sessionCookie(res)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/me" || c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("sign-in = %d to %q, cookie %+v", res.StatusCode, res.Header.Get("Location"), c)
	}
	cookie := "octroi_session=" + c.Value
	res, body = s.get(t, "/me", "Cookie", cookie)
	if res.StatusCode != 200 || !strings.Contains(body, "lina.littoral@demo.octroi.dev") || !strings.Contains(body, `action="/sign-out"`) {
		t.Fatalf("/me with the session = %d\n%s", res.StatusCode, body)
	}
	// Her sessions list this browser.
	_, body = s.get(t, "/me/sessions", "Cookie", cookie)
	if !strings.Contains(body, "this browser") {
		t.Errorf("sessions:\n%s", body)
	}
	req, _ := http.NewRequest("POST", s.URL+"/sign-out", nil)
	req.Header.Set("Cookie", cookie)
	res, _ = s.do(t, req)
	if c := sessionCookie(res); res.StatusCode != 303 || c == nil || c.MaxAge >= 0 {
		t.Fatalf("sign-out = %d, cookie %+v", res.StatusCode, c)
	}
	// The old cookie opens nothing any more.
	if res, _ := s.get(t, "/me", "Cookie", cookie); res.StatusCode != 401 {
		t.Errorf("/me after sign-out = %d, want 401", res.StatusCode)
	}
}

func TestSignInRefusalsSayNothingAboutTheAccount(t *testing.T) {
	s := newSite(t)
	_, wrong := s.signIn(t, "lina.littoral", "not-her-password", "/")
	_, unknown := s.signIn(t, "nobody.here", "not-her-password", "/")
	msg := func(body string) string {
		i := strings.Index(body, `role="alert">`)
		if i < 0 {
			return ""
		}
		return body[i : i+strings.Index(body[i:], "<")]
	}
	if msg(wrong) == "" || msg(wrong) != msg(unknown) {
		t.Errorf("wrong password says %q, unknown e-mail %q", msg(wrong), msg(unknown))
	}
	// A hostile next never leads off the site.
	res, _ := s.signIn(t, "lina.littoral", s.password, "https://evil.example/")
	if res.Header.Get("Location") != "/" {
		t.Errorf("next led to %q", res.Header.Get("Location"))
	}
	// Failures slow the next attempts: the form says to wait.
	var last *http.Response
	for range 6 {
		last, _ = s.signIn(t, "paul.risques", "wrong-wrong-wrong", "/")
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" {
		t.Errorf("after failures: %d, Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
	// A form posted from another site is refused before anything.
	req, _ := http.NewRequest("POST", s.URL+"/sign-in", strings.NewReader(url.Values{"email": {"lina.littoral@demo.octroi.dev"}, "password": {s.password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, _ := s.do(t, req); res.StatusCode != 403 {
		t.Errorf("cross-site sign-in = %d, want 403", res.StatusCode)
	}
}

func TestPasswordPagesRefuseBadLinksAndSayTheSame(t *testing.T) {
	s := newSite(t)
	res, body := s.get(t, "/auth/set-password?token=abc")
	if res.StatusCode != 200 || res.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(body, `name="token" value="abc"`) {
		t.Fatalf("set-password page = %d %q", res.StatusCode, res.Header.Get("Referrer-Policy"))
	}
	res, body = s.post(t, "/auth/set-password", url.Values{"token": {"abc"}, "password": {"un mot de passe long"}, "confirm": {"un autre mot de passe"}})
	if res.StatusCode != 400 || !strings.Contains(body, "differ") {
		t.Errorf("mismatch = %d", res.StatusCode)
	}
	res, _ = s.post(t, "/auth/set-password", url.Values{"token": {"abc"}, "password": {"un mot de passe long"}, "confirm": {"un mot de passe long"}})
	if res.StatusCode < 400 {
		t.Errorf("a made-up link = %d, want a refusal", res.StatusCode)
	}
	// A reset asked for an unknown address answers as for a known one.
	_, a := s.post(t, "/password-reset", url.Values{"email": {"lina.littoral@demo.octroi.dev"}})
	_, b := s.post(t, "/password-reset", url.Values{"email": {"nobody@demo.octroi.dev"}})
	if !strings.Contains(a, "on its way") || a != b {
		t.Error("the reset answers differ between a known and an unknown address")
	}
}
