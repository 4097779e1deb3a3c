package api_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
)

// TestPageAudience: pages are read by anonymous visitors (public pages
// only), people, and front-ends acting for a person with an operator
// token; the account parameter is the operator's alone.
func TestPageAudience(t *testing.T) { forEachStore(t, testPageAudience) }

func testPageAudience(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	w.content()
	w.as("editor").want(201, "POST", "/api/v1/pages", map[string]any{"id": "home", "title": "Accueil", "owner": "ign", "public": true}, nil)
	list := func(r response) []string {
		t.Helper()
		var l api.PageList
		r.json(t, &l)
		var ids []string
		for _, p := range l.Pages {
			ids = append(ids, p.ID)
		}
		return ids
	}
	op := "Bearer " + testToken
	for _, tc := range []struct {
		auth, query string
		status      int
		want        string
	}{
		{"", "", 200, "home"},
		{"Bearer " + w.tok["outsider"], "", 200, "home"},
		{"Bearer " + w.tok["member"], "", 200, "home pg"},
		{op, "", 200, "home"},
		{op, "?account=" + w.id["member"], 200, "home pg"},
		{op, "?account=nobody", 404, ""},
		{"", "?account=" + w.id["member"], 403, ""},
		{"Bearer " + w.tok["outsider"], "?account=" + w.id["member"], 403, ""},
		{"Bearer oct_nope", "", 401, ""},
	} {
		r := w.do("GET", "/api/v1/pages"+tc.query, nil, "Authorization", tc.auth)
		if r.status != tc.status {
			t.Errorf("%q %s: %d %s, want %d", tc.auth, tc.query, r.status, r.body, tc.status)
			continue
		}
		if tc.status == 200 {
			if got := strings.Join(list(r), " "); got != tc.want {
				t.Errorf("%q %s: pages %q, want %q", tc.auth, tc.query, got, tc.want)
			}
		}
	}
	if r := w.do("GET", "/api/v1/pages/home", nil, "Authorization", ""); r.status != 200 {
		t.Errorf("anonymous on a public page: %d %s", r.status, r.body)
	}
	w.do("GET", "/api/v1/pages/pg", nil, "Authorization", "").problem(t, 404, "not_found")
}

// TestPageRenderLoads: a page shows to whoever may view it, and each
// visualisation says whether it loads: only when the viewer may consult
// its dataset; a dataset the viewer may not even find is not named.
func TestPageRenderLoads(t *testing.T) { forEachStore(t, testPageRenderLoads) }

func testPageRenderLoads(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	w.as("editor").want(201, "POST", "/api/v1/datasets", map[string]any{"id": "IGNF_C", "title": "Open", "owner": "ign", "default_level": "consult"}, nil)
	w.as("editor").want(201, "POST", "/api/v1/datasets", map[string]any{"id": "IGNF_P", "title": "Private", "owner": "ign", "default_level": "private"}, nil)
	w.as("editor").want(201, "POST", "/api/v1/pages", map[string]any{"id": "charts", "title": "Graphiques", "body": "Du texte", "owner": "ign", "public": true,
		"visualisations": []map[string]any{{"id": "open", "dataset": "IGNF_C"}, {"id": "search", "dataset": "IGNF_T"}, {"id": "private", "dataset": "IGNF_P"}}}, nil)
	for _, tc := range []struct{ who, want string }{
		{"", "open=IGNF_C+ search=IGNF_T private="},
		{"outsider", "open=IGNF_C+ search=IGNF_T private="},
		{"member", "open=IGNF_C+ search=IGNF_T+ private=IGNF_P+"},
		{"reader", "open=IGNF_C+ search=IGNF_T+ private=IGNF_P+"},
	} {
		auth := ""
		if tc.who != "" {
			auth = "Bearer " + w.tok[tc.who]
		}
		r := w.do("GET", "/api/v1/pages/charts", nil, "Authorization", auth)
		var p api.RenderedPage
		r.json(t, &p)
		if r.status != 200 || p.Body != "Du texte" {
			t.Fatalf("%q: %d %s", tc.who, r.status, r.body)
		}
		var got []string
		for _, v := range p.Visualisations {
			s := v.ID + "=" + v.Dataset
			if v.Load {
				s += "+"
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q: %q, want %q", tc.who, strings.Join(got, " "), tc.want)
		}
	}
}

// TestContentRefusalsSayWhy: the invariants of pages and maps are refused
// with a message, in French and English, that says why.
func TestContentRefusalsSayWhy(t *testing.T) { forEachStore(t, testContentRefusalsSayWhy) }

func testContentRefusalsSayWhy(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	w.content()
	for _, tc := range []struct {
		who, method, path string
		body              any
		status            int
		code, en, fr      string
	}{
		{"member", "PUT", "/api/v1/maps/mp/shares/community/c1", map[string]any{"level": "read"}, 409, "conflict",
			"a map never loses its last owner", "une carte ne perd jamais son dernier propriétaire"},
		{"member", "PUT", "/api/v1/maps/mp/shares/community/c1", map[string]any{"level": nil}, 409, "conflict",
			"a map never loses its last owner", "une carte ne perd jamais son dernier propriétaire"},
		{"editor", "PUT", "/api/v1/pages/pg/members/user/" + w.id["member"], map[string]any{"view": false}, 400, "invalid_argument",
			"cannot be removed alone", "ne peut pas être retirée seule"},
		{"outsider", "POST", "/api/v1/maps", map[string]any{"name": "M"}, 400, "invalid_argument", "owner is required", "owner est obligatoire"},
		{"member", "PUT", "/api/v1/maps/mp/shares/organisation/ign", map[string]any{"level": "admin"}, 400, "invalid_argument", "want read, write, owner", "il faut read, write, owner"},
		{"member", "PUT", "/api/v1/maps/mp/shares/user/" + w.id["outsider"], map[string]any{"level": "read"}, 400, "invalid_argument", "want community, organisation", "il faut community, organisation"},
		// The outsider may view pg once added, edit it once given edit,
		// and still not add what they may not consult.
		{"outsider", "PUT", "/api/v1/pages/pg", map[string]any{"title": "T", "visualisations": []map[string]any{{"id": "v1"}, {"id": "v2", "dataset": "IGNF_T"}}}, 403, "forbidden",
			"only what you may consult yourself", "que ce que vous pouvez consulter vous-même"},
	} {
		if tc.who == "outsider" && tc.method == "PUT" {
			w.as("editor").want(200, "PUT", "/api/v1/pages/pg/members/user/"+w.id["outsider"], map[string]any{"edit": true}, nil)
		}
		for _, lang := range []string{"en", "fr"} {
			r := w.do(tc.method, tc.path, tc.body, "Authorization", "Bearer "+w.tok[tc.who], "Accept-Language", lang)
			p := r.problem(t, tc.status, tc.code)
			want := map[string]string{"en": tc.en, "fr": tc.fr}[lang]
			if d, _ := p["detail"].(string); !strings.Contains(d, want) {
				t.Errorf("%s %s (%s): detail %q, want it to say %q", tc.method, tc.path, lang, d, want)
			}
		}
	}
	// Nothing was lost: c1 still owns mp.
	var shares api.MapShareList
	w.as("member").want(200, "GET", "/api/v1/maps/mp/shares", nil, &shares)
	if len(shares.Shares) != 2 || shares.Shares[1].Level != "owner" {
		t.Errorf("shares after the refusals: %+v", shares.Shares)
	}
}

// TestMeContentRoles: /me says which content roles the caller holds, and
// through which group.
func TestMeContentRoles(t *testing.T) { forEachStore(t, testMeContentRoles) }

func testMeContentRoles(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	w.content() // c1 (member's community) creates maps
	w.as("admin").want(200, "PUT", "/api/v1/content-roles/page_viewer/user/"+w.id["member"], nil, nil)
	var me api.Me
	w.as("member").want(200, "GET", "/api/v1/me", nil, &me)
	var got []string
	for _, g := range me.ContentRoles {
		s := string(g.Role)
		if g.Via != nil {
			s += " via " + string(g.Via.Kind) + ":" + g.Via.ID
		}
		got = append(got, s)
	}
	if want := "page_viewer map_creator via community:c1"; strings.Join(got, " ") != want {
		t.Errorf("content roles %q, want %q", strings.Join(got, " "), want)
	}
	w.as("outsider").want(200, "GET", "/api/v1/me", nil, &me)
	if me.ContentRoles == nil || len(me.ContentRoles) != 0 {
		t.Errorf("outsider's content roles: %#v, want []", me.ContentRoles)
	}
}
