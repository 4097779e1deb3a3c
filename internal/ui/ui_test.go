package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/ui"
)

// site is octroi serving the demo platform, as `serve --demo` does.
type site struct {
	*httptest.Server
	srv      *server.Server
	accounts map[string]string // demo e-mail's local part → account id
	password string            // every active demo account's
}

func newSite(t testing.TB) site { t.Helper(); return newSiteWith(t, nil) }

// newSiteWith is newSite with a configuration changed by mutate.
func newSiteWith(t testing.TB, mutate func(*server.Config)) site {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.Open(ctx, filepath.Join(dir, "octroi.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := server.Default()
	cfg.DataDir = dir
	cfg.PollInterval = 50 * time.Millisecond
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := server.New(ctx, cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start(ctx)
	demo, _, err := srv.LoadDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids, pw := map[string]string{}, ""
	for _, a := range demo {
		ids[strings.TrimSuffix(a.Email, "@demo.octroi.dev")] = a.ID
		if a.Password != "" {
			pw = a.Password
		}
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		cancel()
		st.Close()
	})
	return site{ts, srv, ids, pw}
}

// as returns the interface as the demo account local@demo.octroi.dev
// sees it once signed in: the same pages over the same portal, with that
// reader.
func (s site) as(t *testing.T, local string) site {
	t.Helper()
	id, ok := s.accounts[local]
	if !ok {
		t.Fatalf("no demo account %s", local)
	}
	p := s.srv.Portal().(*portal.Service)
	h := ui.Handler(ui.Config{Catalogue: p, Access: p, Members: p, People: p, Tokens: p, Notices: p, Sessions: p, Grants: p, Permissions: p, Keys: p, KeyStates: s.srv.UIKeyStates(), Audit: p, OrgGroups: p, CommunityAdmin: p, Pages: p, Maps: p, OrgAdmin: p, Actor: func(*http.Request) (string, error) { return id, nil }})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return site{ts, s.srv, s.accounts, s.password}
}

// get fetches path with headers (name, value pairs) and returns the
// answer and its body.
func (s site) get(t *testing.T, path string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return s.do(t, req)
}

func (s site) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestCatalogueShowsWhatTheVisitorMayFind(t *testing.T) {
	s := newSite(t)
	res, body := s.get(t, "/")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// A dataset whose default level is download, one that can only be
	// found, and a private one that must not show at all.
	for _, want := range []string{`href="/datasets/AMP_PLUI"`, `href="/datasets/AMP_VOIRIE"`, "find it only"} {
		if !strings.Contains(body, want) {
			t.Errorf("catalogue lacks %q", want)
		}
	}
	if strings.Contains(body, "GEOCONSEIL_BRUIT") {
		t.Error("the catalogue shows a private dataset to an anonymous visitor")
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

func TestDatasetPageSaysWhatTheVisitorMayDo(t *testing.T) {
	s := newSite(t)
	_, body := s.get(t, "/datasets/REGION-SUD_PPRI", "Accept-Language", "fr-FR,fr;q=0.9")
	for _, want := range []string{`<html lang="fr">`, "Vous pouvez consulter ce jeu de données.", "Vous ne pouvez pas télécharger ce jeu de données."} {
		if !strings.Contains(body, want) {
			t.Errorf("dataset page lacks %q", want)
		}
	}
	// An anonymous visitor has no "why" links: the explain service
	// answers for an account.
	if strings.Contains(body, "/why/") {
		t.Error("an anonymous visitor is offered a why link")
	}
}

func TestPrivateAndUnknownPagesAnswerNotFoundPages(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/datasets/GEOCONSEIL_BRUIT", "/datasets/NOPE", "/no/such/page"} {
		res, body := s.get(t, path)
		if res.StatusCode != 404 || !strings.Contains(body, "<main") || !strings.Contains(body, "not_found") {
			t.Errorf("GET %s = %d, want a 404 page in the layout:\n%s", path, res.StatusCode, body)
		}
	}
	// The private dataset's page says nothing more than an unknown one's.
	_, private := s.get(t, "/datasets/GEOCONSEIL_BRUIT")
	if strings.Contains(private, "Étude de bruit") {
		t.Error("the 404 page of a private dataset shows its title")
	}
	res, _ := s.get(t, "/datasets/REGION-SUD_PPRI/why/download")
	if res.StatusCode != 401 {
		t.Errorf("anonymous why = %d, want 401", res.StatusCode)
	}
}

func TestLanguageSwitchStaysOnTheSite(t *testing.T) {
	s := newSite(t)
	post := func(form url.Values, hdr ...string) *http.Response {
		req, _ := http.NewRequest("POST", s.URL+"/lang", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, _ := s.do(t, req)
		return res
	}
	res := post(url.Values{"lang": {"fr"}, "back": {"/datasets/AMP_PLUI"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/datasets/AMP_PLUI" {
		t.Fatalf("switch = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "octroi_lang" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "fr" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("language cookie = %+v", cookie)
	}
	// The cookie wins over the browser's language.
	_, body := s.get(t, "/", "Cookie", "octroi_lang=fr", "Accept-Language", "en")
	if !strings.Contains(body, "Jeux de données") {
		t.Error("the chosen language is not used")
	}
	// Wherever a hostile form says to go back to, the answer stays here.
	for _, back := range []string{"//evil.example/", "/\\evil.example", "https://evil.example/", "evil", "/ok\r\nSet-Cookie: x=1", ""} {
		res := post(url.Values{"lang": {"en"}, "back": {back}})
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("back %q: redirected to %q", back, loc)
		}
	}
	if res := post(url.Values{"lang": {"de"}}); res.StatusCode != 400 {
		t.Errorf("unknown language = %d, want 400", res.StatusCode)
	}
	// A form posted from another site is refused.
	if res := post(url.Values{"lang": {"fr"}}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != 403 {
		t.Errorf("cross-site switch = %d, want 403", res.StatusCode)
	}
}

func TestAPIAndMetricsStayWhereTheyWere(t *testing.T) {
	s := newSite(t)
	res, body := s.get(t, "/api/v1/nope")
	if res.StatusCode != 404 || !strings.Contains(res.Header.Get("Content-Type"), "problem+json") {
		t.Errorf("GET /api/v1/nope = %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if res, _ := s.get(t, "/metrics"); res.StatusCode != 401 {
		t.Errorf("GET /metrics without a token = %d, want 401", res.StatusCode)
	}
	res, _ = s.get(t, "/static/octroi.css")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("GET /static/octroi.css = %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

// TestEveryTemplateKeyIsInTheCatalogue: a key a template names but the
// catalogue lacks would show as "!(key)" on a page.
func TestEveryTemplateKeyIsInTheCatalogue(t *testing.T) {
	files, _ := filepath.Glob("templates/*.html")
	key := regexp.MustCompile(`\bt "([^"]+)"`)
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !messages.Has(messages.Key(m[1])) {
				t.Errorf("%s: key %q is not in the catalogue", f, m[1])
			}
		}
	}
	if seen < 10 {
		t.Errorf("found %d keys in the templates: has the scan lost its way?", seen)
	}
}
