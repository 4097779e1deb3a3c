package api_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
)

// TestRefusalsSpeakPlainly: a refused action says, in the caller's
// language, what was refused and who may do it, without engine notation.
func TestRefusalsSpeakPlainly(t *testing.T) { forEachStore(t, testRefusalsSpeakPlainly) }

func testRefusalsSpeakPlainly(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	put := func(lang string) map[string]any {
		r := w.do("PUT", "/api/v1/datasets/IGNF_T/default-level", map[string]any{"level": "consult"},
			"Authorization", "Bearer "+w.tok["member"], "Accept-Language", lang)
		if got := r.header.Get("Content-Language"); got != map[string]string{"": "en", "fr-FR": "fr"}[lang] {
			t.Errorf("Accept-Language %q: Content-Language %q", lang, got)
		}
		return r.problem(t, 403, "forbidden")
	}
	for _, tt := range []struct{ lang, title, detail string }{
		{"", "Not allowed", "You may not configure access to dataset IGNF_T (editors and delegated administrators of its organisation)."},
		{"fr-FR", "Action non autorisée", "Vous ne pouvez pas configurer l'accès au jeu de données IGNF_T (éditeurs et administrateurs délégués de son organisation)."},
	} {
		p := put(tt.lang)
		if p["title"] != tt.title || p["detail"] != tt.detail {
			t.Errorf("Accept-Language %q:\ngot  %q %q\nwant %q %q", tt.lang, p["title"], p["detail"], tt.title, tt.detail)
		}
	}
}

// TestDisabledAccountIsToldSo: the token of a disabled account is refused
// with a 401 that says the account is disabled (the token itself is good),
// not "invalid or revoked".
func TestDisabledAccountIsToldSo(t *testing.T) { forEachStore(t, testDisabledAccountIsToldSo) }

func testDisabledAccountIsToldSo(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	w.as("manager").want(200, "PUT", "/api/v1/accounts/"+w.id["outsider"]+"/status", map[string]any{"status": "disabled"}, nil)
	for _, tt := range []struct{ lang, detail string }{
		{"en", "this token's account is disabled: an account manager can enable it again"},
		{"fr", "le compte de ce jeton est désactivé : un gestionnaire des comptes peut le réactiver"},
	} {
		r := w.do("GET", "/api/v1/me", nil, "Authorization", "Bearer "+w.tok["outsider"], "Accept-Language", tt.lang)
		if p := r.problem(t, 401, "unauthenticated"); p["detail"] != tt.detail {
			t.Errorf("%s: detail %q, want %q", tt.lang, p["detail"], tt.detail)
		}
	}
	w.do("GET", "/api/v1/me", nil, "Authorization", "Bearer oct_nope").problem(t, 401, "unauthenticated")
}

// TestUnknownQueryParameters: a query parameter the operation does not take
// is refused, never ignored: ?dry_run=true on an operation without a
// preview must not write.
func TestUnknownQueryParameters(t *testing.T) { forEachStore(t, testUnknownQueryParameters) }

func testUnknownQueryParameters(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	path := "/api/v1/datasets/IGNF_T/access/organisation/ign"
	p := w.as("editor").do("PUT", path+"?dry_run=true", map[string]any{"level": "download"}).problem(t, 400, "invalid_argument")
	if d, _ := p["detail"].(string); !strings.Contains(d, `"dry_run"`) {
		t.Errorf("detail %q does not name the parameter", d)
	}
	var at api.AccessTable
	w.as("editor").want(200, "GET", "/api/v1/datasets/IGNF_T/access?kind=organisation", nil, &at)
	for _, r := range at.Rows {
		if r.Group.ID == "ign" && r.SpecificLevel != nil {
			t.Errorf("the refused request wrote a level: %+v", r)
		}
	}
	// Declared parameters still pass; one the operation lacks does not.
	w.as("editor").want(200, "GET", "/api/v1/datasets/IGNF_T/access?kind=organisation&sort=name", nil, nil)
	w.as("editor").do("GET", "/api/v1/me?verbose=1", nil).problem(t, 400, "invalid_argument")
}

// TestAuthenticationRefusalsInFrench: the API's own refusals come from the
// catalogue too, in the caller's language.
func TestAuthenticationRefusalsInFrench(t *testing.T) {
	forEachStore(t, testAuthenticationRefusalsInFrench)
}

func testAuthenticationRefusalsInFrench(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	for _, tt := range []struct {
		path, token string
		status      int
		code, fr    string
	}{
		{"/api/v1/me", "", 401, "unauthenticated", "jeton manquant : envoyez Authorization: Bearer <jeton>"},
		{"/api/v1/me", "oct_nope", 401, "unauthenticated", "jeton invalide ou révoqué"},
		{"/api/v1/schema", w.tok["member"], 403, "forbidden", "les jetons personnels n'ouvrent que les points d'accès du portail"},
		{"/api/v1/me?x=1", w.tok["member"], 400, "invalid_argument", "paramètre de requête « x » : cette opération n'en prend aucun"},
	} {
		h := []string{"Accept-Language", "fr", "Authorization", ""} // no token
		if tt.token != "" {
			h[3] = "Bearer " + tt.token
		}
		p := w.do("GET", tt.path, nil, h...).problem(t, tt.status, tt.code)
		if d, _ := p["detail"].(string); !strings.HasPrefix(d, tt.fr) {
			t.Errorf("GET %s: detail %q, want it to start with %q", tt.path, d, tt.fr)
		}
	}
}
