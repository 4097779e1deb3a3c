package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/signin"
	"github.com/octroi/octroi/internal/store"
)

// anonymousAuthOps are the /auth operations anyone may call, tested by
// TestAuthAnonymous rather than by the role matrix.
var anonymousAuthOps = map[string]bool{"signIn": true, "signOut": true, "requestPasswordReset": true, "setPasswordWithLink": true, "register": true,
	"startSingleSignOn": true, "finishSingleSignOn": true}

// matrixPassword is the password the matrix gives every role of the world.
const matrixPassword = "matrix passphrase for everyone"

// authCases are the role × action cases of the /auth operations for
// signed-in callers (here with their personal tokens, which act like a
// session cookie).
type authCases struct{ passwords bool }

// setPasswords gives every role of the world matrixPassword, once.
func (c *authCases) setPasswords(w *world) {
	if c.passwords {
		return
	}
	c.passwords = true
	for _, role := range roles {
		if err := w.srv.SignIn().SetPassword(context.Background(), w.id[role], role+"@test.example", matrixPassword); err != nil {
			w.t.Fatal(err)
		}
	}
}

func (c *authCases) cases() []matrixCase {
	return []matrixCase{
		{op: "listMySessions", allow: everyone, status: 200, req: get("/api/v1/auth/sessions")},
		{op: "signOutEverywhere", allow: everyone, status: 204, req: func(*world) (string, string, any) {
			return "POST", "/api/v1/auth/sign-out-everywhere", nil
		}},
		// Changing to the same password keeps it for the next role.
		{op: "changePassword", allow: everyone, status: 204, req: func(w *world) (string, string, any) {
			c.setPasswords(w)
			return "PUT", "/api/v1/auth/password", map[string]any{"current_password": matrixPassword, "password": matrixPassword}
		}},
		// One's own session, or anyone's for account managers.
		{op: "closeMySession", allow: []string{"member", "manager", "admin"}, status: 204, req: func(w *world) (string, string, any) {
			c.setPasswords(w)
			var si api.SignedIn
			r := w.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "member@test.example", "password": matrixPassword}, "Authorization", "")
			if r.status != 200 {
				w.t.Fatalf("sign-in: %d %s", r.status, r.body)
			}
			r.json(w.t, &si)
			return "DELETE", "/api/v1/auth/sessions/" + si.Session.ID, nil
		}},
	}
}

// browser sends requests with the session cookie it was given, like a
// browser on the platform's own pages (Sec-Fetch-Site: same-origin).
type browser struct {
	w      *world
	cookie *http.Cookie
}

func (b browser) do(method, path string, body any, headers ...string) response {
	b.w.t.Helper()
	h := append([]string{"Authorization", "", "Sec-Fetch-Site", "same-origin"}, headers...)
	if b.cookie != nil {
		h = append(h, "Cookie", b.cookie.Name+"="+b.cookie.Value)
	}
	return b.w.do(method, path, body, h...)
}

// signIn signs in over HTTP and returns the browser with its cookie.
func (w *world) signIn(email, password string) browser {
	w.t.Helper()
	b := browser{w: w}
	r := b.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": email, "password": password})
	if r.status != 200 {
		w.t.Fatalf("sign-in of %s: %d %s", email, r.status, r.body)
	}
	b.cookie = sessionCookie(w.t, r)
	return b
}

func sessionCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == signin.CookieName {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", r.header)
	return nil
}

// linkToken reads the token of the last link of kind sent to account,
// where the e-mail is made from (the notice, or the outbox entry).
func (w *world) linkToken(account, kind string) string {
	w.t.Helper()
	docs := w.store.(store.Documents)
	tok := ""
	for _, where := range []struct{ kind, parent string }{{"notice", account}, {"mail", "pending"}} {
		ds, err := docs.ListDocs(context.Background(), where.kind, where.parent, "", 0)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, d := range ds {
			var n struct {
				Kind, To, Account string
				Data              map[string]string
			}
			if err := json.Unmarshal(d.Data, &n); err != nil {
				w.t.Fatal(err)
			}
			if n.Kind == kind && (n.To == account || n.Account == account) && n.Data[portal.NoticeSecret] != "" {
				u, err := url.Parse(n.Data[portal.NoticeSecret])
				if err != nil {
					w.t.Fatal(err)
				}
				tok = u.Query().Get("token")
			}
		}
	}
	if tok == "" {
		w.t.Fatalf("no %s link for %s", kind, account)
	}
	return tok
}

const goodPassword = "a long enough passphrase"

// TestAuthAnonymous: what someone without an account or a session can do
// with each /auth operation, and that the answers tell nothing about
// which e-mails have accounts.
func TestAuthAnonymous(t *testing.T) {
	w := newWorld(t, newEnv)
	anon := browser{w: w}
	if err := w.srv.SignIn().SetPassword(context.Background(), w.id["member"], "member@test.example", goodPassword); err != nil {
		t.Fatal(err)
	}
	// Sign-in: a wrong password and an unknown e-mail read the same, in
	// both languages; no cookie.
	for _, lang := range []string{"en", "fr"} {
		wrong := anon.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "member@test.example", "password": "not the password"}, "Accept-Language", lang)
		unknown := anon.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "nobody@test.example", "password": "not the password"}, "Accept-Language", lang)
		noPassword := anon.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "editor@test.example", "password": "not the password"}, "Accept-Language", lang)
		pw, pu, pn := wrong.problem(t, 401, "unauthenticated"), unknown.problem(t, 401, "unauthenticated"), noPassword.problem(t, 401, "unauthenticated")
		if pw["detail"] != pu["detail"] || pw["detail"] != pn["detail"] {
			t.Errorf("%s: the answers differ: %v / %v / %v", lang, pw["detail"], pu["detail"], pn["detail"])
		}
		if want := map[string]string{"en": "wrong e-mail or password", "fr": "adresse e-mail ou mot de passe incorrect"}[lang]; pw["detail"] != want {
			t.Errorf("%s: detail %q, want %q", lang, pw["detail"], want)
		}
		if len(wrong.header.Values("Set-Cookie")) != 0 {
			t.Error("a failed sign-in sets a cookie")
		}
	}
	// (editor: three failures in a row would slow member's next sign-in)
	anon.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "editor@test.example"}).problem(t, 401, "unauthenticated")
	anon.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "x", "password": "y", "remember": true}).problem(t, 400, "invalid_json")
	// Sign-out without a session: 204, and a cookie that clears.
	if r := anon.do("POST", "/api/v1/auth/sign-out", nil); r.status != 204 {
		t.Errorf("sign-out without a session: %d", r.status)
	}
	// Reset: one answer whoever the e-mail is.
	known := anon.do("POST", "/api/v1/auth/password/reset", map[string]any{"email": "member@test.example"}, "Accept-Language", "fr")
	unknown := anon.do("POST", "/api/v1/auth/password/reset", map[string]any{"email": "nobody@test.example"}, "Accept-Language", "fr")
	if known.status != 202 || unknown.status != 202 || string(known.body) != string(unknown.body) || !strings.Contains(string(known.body), "si un compte") {
		t.Errorf("reset answers: %d %s / %d %s", known.status, known.body, unknown.status, unknown.body)
	}
	// Set a password: a made-up token is refused, saying so.
	p := anon.do("POST", "/api/v1/auth/password/set", map[string]any{"token": "made-up", "password": goodPassword}).problem(t, 400, "invalid_argument")
	if !strings.Contains(p["detail"].(string), "link") {
		t.Errorf("detail %v", p["detail"])
	}
	// The reset link works once, and its password is checked.
	link := w.linkToken(w.id["member"], portal.NoticePasswordReset)
	anon.do("POST", "/api/v1/auth/password/set", map[string]any{"token": link, "password": "password123"}).problem(t, 400, "invalid_argument")
	if r := anon.do("POST", "/api/v1/auth/password/set", map[string]any{"token": link, "password": "the member's new passphrase"}); r.status != 204 {
		t.Fatalf("set password: %d %s", r.status, r.body)
	}
	anon.do("POST", "/api/v1/auth/password/set", map[string]any{"token": link, "password": "yet another passphrase"}).problem(t, 400, "invalid_argument")
	w.signIn("member@test.example", "the member's new passphrase")
	// Registration is off by default.
	anon.do("POST", "/api/v1/auth/register", map[string]any{"email": "new@test.example", "name": "New"}).problem(t, 403, "forbidden")
	// Signed-in operations need a session or a token.
	for _, op := range []struct{ method, path string }{{"GET", "/api/v1/auth/sessions"}, {"PUT", "/api/v1/auth/password"}, {"DELETE", "/api/v1/auth/sessions/x"}, {"POST", "/api/v1/auth/sign-out-everywhere"}} {
		anon.do(op.method, op.path, nil).problem(t, 401, "unauthenticated")
		anon.do(op.method, op.path, nil, "Cookie", signin.CookieName+"=ocs_forged").problem(t, 401, "unauthenticated")
	}
	// Cross-site pages may not sign anyone in nor send e-mails.
	for _, path := range []string{"/api/v1/auth/sign-in", "/api/v1/auth/password/reset", "/api/v1/auth/password/set", "/api/v1/auth/register", "/api/v1/auth/sign-out"} {
		anon.do("POST", path, map[string]any{}, "Sec-Fetch-Site", "cross-site").problem(t, 403, "forbidden")
		anon.do("POST", path, map[string]any{}, "Sec-Fetch-Site", "", "Origin", "https://evil.example").problem(t, 403, "forbidden")
	}
}

// TestSessionCookie: signing in sets a session cookie with the right
// flags, which then authenticates portal requests; state-changing
// requests made with it must be same-origin; signing out ends it.
func TestSessionCookie(t *testing.T) {
	w := newWorld(t, newEnv)
	if err := w.srv.SignIn().SetPassword(context.Background(), w.id["member"], "member@test.example", goodPassword); err != nil {
		t.Fatal(err)
	}
	// A cookie planted before sign-in (session fixation) is not kept.
	planted := &http.Cookie{Name: signin.CookieName, Value: "ocs_planted-by-an-attacker"}
	r := browser{w: w, cookie: planted}.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "Member@test.example", "password": goodPassword})
	if r.status != 200 {
		t.Fatalf("sign-in: %d %s", r.status, r.body)
	}
	c := sessionCookie(t, r)
	if c.Value == planted.Value || !strings.HasPrefix(c.Value, "ocs_") || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.MaxAge <= 0 {
		t.Errorf("cookie %+v", c)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Error("the sign-in answer may be cached")
	}
	var si api.SignedIn
	r.json(t, &si)
	if si.Account.ID != w.id["member"] || !si.Session.Current {
		t.Errorf("signed in %+v", si)
	}
	b := browser{w: w, cookie: c}
	var me map[string]any
	b.do("GET", "/api/v1/me", nil).json(t, &me)
	if me["account"].(map[string]any)["id"] != w.id["member"] {
		t.Errorf("GET /me with the cookie: %v", me)
	}
	// Unsafe methods: same-origin (or no browser header at all) only.
	if r := b.do("POST", "/api/v1/me/tokens", map[string]any{"name": "from the browser"}); r.status != 201 {
		t.Errorf("same-origin POST with the cookie: %d %s", r.status, r.body)
	}
	b.do("POST", "/api/v1/me/tokens", map[string]any{"name": "csrf"}, "Sec-Fetch-Site", "cross-site").problem(t, 403, "forbidden")
	b.do("POST", "/api/v1/me/tokens", map[string]any{"name": "csrf"}, "Sec-Fetch-Site", "", "Origin", "https://evil.example").problem(t, 403, "forbidden")
	if r := b.do("GET", "/api/v1/me", nil, "Sec-Fetch-Site", "cross-site"); r.status != 200 {
		t.Errorf("a cross-site GET (a link) with the cookie: %d", r.status)
	}
	// A bearer token is never subject to the origin check (a browser
	// does not add it by itself), and wins over the cookie.
	if r := b.do("GET", "/api/v1/me", nil, "Authorization", "Bearer "+w.tok["outsider"]); r.status != 200 || !strings.Contains(string(r.body), w.id["outsider"]) {
		t.Errorf("bearer and cookie: %d %s", r.status, r.body)
	}
	// The sessions list marks this one.
	var sl api.SessionList
	b.do("GET", "/api/v1/auth/sessions", nil).json(t, &sl)
	if len(sl.Sessions) != 1 || !sl.Sessions[0].Current || sl.Sessions[0].ID != si.Session.ID {
		t.Errorf("sessions %+v", sl)
	}
	// Change the password: the other sessions end, this one stays.
	other := w.signIn("member@test.example", goodPassword)
	b.do("PUT", "/api/v1/auth/password", map[string]any{"current_password": "wrong one here", "password": "the newer passphrase"}).problem(t, 400, "invalid_argument")
	if r := b.do("PUT", "/api/v1/auth/password", map[string]any{"current_password": goodPassword, "password": "the newer passphrase"}); r.status != 204 {
		t.Fatalf("change password: %d %s", r.status, r.body)
	}
	other.do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated")
	if r := b.do("GET", "/api/v1/me", nil); r.status != 200 {
		t.Errorf("the session that changed the password ended: %d", r.status)
	}
	// Sign out: the cookie clears and the session no longer works.
	r = b.do("POST", "/api/v1/auth/sign-out", nil)
	if r.status != 204 || sessionCookie(t, r).MaxAge >= 0 {
		t.Errorf("sign-out: %d %v", r.status, r.header)
	}
	b.do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated")

	// Sign out everywhere.
	b1, b2 := w.signIn("member@test.example", "the newer passphrase"), w.signIn("member@test.example", "the newer passphrase")
	if r := b1.do("POST", "/api/v1/auth/sign-out-everywhere", nil); r.status != 204 {
		t.Errorf("sign out everywhere: %d", r.status)
	}
	b1.do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated")
	b2.do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated")

	// Disabling the account ends its sessions at once.
	b3 := w.signIn("member@test.example", "the newer passphrase")
	w.as("manager").want(200, "PUT", "/api/v1/accounts/"+w.id["member"]+"/status", map[string]any{"status": "disabled"}, nil)
	b3.do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated")
	w.as("manager").want(200, "PUT", "/api/v1/accounts/"+w.id["member"]+"/status", map[string]any{"status": "active"}, nil)
	b3.do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated") // and does not come back
}

// TestSecureCookie: behind an https public URL, cookies are Secure even
// on a plain-HTTP request (a proxy terminates TLS).
func TestSecureCookie(t *testing.T) {
	w := newWorld(t, func(t *testing.T, mutate ...func(*server.Config)) *env {
		return newEnv(t, append(mutate, func(c *server.Config) { c.SignIn.PublicHTTPS = true })...)
	})
	if err := w.srv.SignIn().SetPassword(context.Background(), w.id["member"], "member@test.example", goodPassword); err != nil {
		t.Fatal(err)
	}
	r := browser{w: w}.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "member@test.example", "password": goodPassword})
	if c := sessionCookie(t, r); !c.Secure {
		t.Errorf("cookie %+v is not Secure", c)
	}
}

// TestSignInRateLimit: failures slow the next attempts, 429 with
// Retry-After, for known and unknown e-mails alike.
func TestSignInRateLimit(t *testing.T) {
	w := newWorld(t, newEnv)
	anon := browser{w: w}
	if err := w.srv.SignIn().SetPassword(context.Background(), w.id["member"], "member@test.example", goodPassword); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"member@test.example", "nobody@test.example"} {
		// Delays double from one second after three failures: whatever
		// a hash costs on this machine, failures soon meet one (a test of
		// behaviour, not of timing).
		throttled := false
		for i := 0; i < 12 && !throttled; i++ {
			r := anon.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": email, "password": "wrong password"})
			switch {
			case r.status == 429:
				throttled = true
			case i < 3 || r.status == 401:
				r.problem(t, 401, "unauthenticated")
			}
		}
		if !throttled {
			t.Fatalf("%s: twelve failures in a row were never slowed", email)
		}
		// Even the right password waits.
		r := anon.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": email, "password": goodPassword}, "Accept-Language", "fr")
		p := r.problem(t, 429, "too_many_requests")
		if r.header.Get("Retry-After") == "" || !strings.Contains(p["detail"].(string), "secondes") {
			t.Errorf("%s: Retry-After %q, detail %v", email, r.header.Get("Retry-After"), p["detail"])
		}
	}
	// E-mail requests from one address are bounded too.
	var last response
	for range 10 {
		if last = anon.do("POST", "/api/v1/auth/password/reset", map[string]any{"email": "nobody@test.example"}); last.status != 202 {
			break
		}
	}
	last.problem(t, 429, "too_many_requests")
}

// TestInvitationAndRegistration: an account a delegated administrator
// creates gets a link to set its password; with --self-registration,
// anyone signs up and verifies the e-mail by setting the password.
func TestInvitationAndRegistration(t *testing.T) {
	w := newWorld(t, func(t *testing.T, mutate ...func(*server.Config)) *env {
		return newEnv(t, append(mutate, func(c *server.Config) { c.SignIn.SelfRegistration = true })...)
	})
	var m portal.Member
	w.as("orgadmin").want(201, "POST", "/api/v1/organisations/ign/members", map[string]any{"new_account": map[string]any{"email": "newcomer@test.example", "name": "Newcomer"}, "role": "registered"}, &m)
	// The notices API never shows the link.
	var nl api.NoticeList
	w.withToken(w.token("newcomer@test.example")).want(200, "GET", "/api/v1/me/notices", nil, &nl)
	for _, n := range nl.Notices {
		if strings.Contains(mustJSON(n), "token=") {
			t.Errorf("the notices API shows a link: %+v", n)
		}
	}
	anon := browser{w: w}
	if r := anon.do("POST", "/api/v1/auth/password/set", map[string]any{"token": w.linkToken(m.Account, portal.NoticeAccountCreated), "password": goodPassword}); r.status != 204 {
		t.Fatalf("invitation: %d %s", r.status, r.body)
	}
	w.signIn("newcomer@test.example", goodPassword)

	// Registration: same answer for a new, a pending and a taken e-mail.
	a := anon.do("POST", "/api/v1/auth/register", map[string]any{"email": "self@test.example", "name": "Self"})
	b := anon.do("POST", "/api/v1/auth/register", map[string]any{"email": "member@test.example", "name": "Impostor"})
	c := anon.do("POST", "/api/v1/auth/register", map[string]any{"email": "self@test.example", "name": "Self"})
	if a.status != 202 || b.status != 202 || c.status != 202 || string(a.body) != string(b.body) || string(a.body) != string(c.body) {
		t.Errorf("register: %d %s / %d %s / %d %s", a.status, a.body, b.status, b.body, c.status, c.body)
	}
	anon.do("POST", "/api/v1/auth/register", map[string]any{"email": "not an address", "name": "X"}).problem(t, 400, "invalid_argument")
	// Until the address is verified there is no account: nobody finds
	// it, and it cannot sign in.
	var found api.AccountList
	w.as("manager").want(200, "GET", "/api/v1/accounts?q=self", nil, &found)
	if len(found.Accounts) != 0 {
		t.Fatalf("an unverified registration is an account: %+v", found)
	}
	anon.do("POST", "/api/v1/auth/sign-in", map[string]any{"email": "self@test.example", "password": goodPassword}).problem(t, 401, "unauthenticated")
	if r := anon.do("POST", "/api/v1/auth/password/set", map[string]any{"token": w.linkToken("self@test.example", portal.NoticeVerifyEmail), "password": goodPassword}); r.status != 204 {
		t.Fatalf("verification: %d %s", r.status, r.body)
	}
	w.as("manager").want(200, "GET", "/api/v1/accounts?q=self", nil, &found)
	if len(found.Accounts) != 1 {
		t.Fatalf("verified: %+v", found)
	}
	w.signIn("self@test.example", goodPassword)
}
