package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
)

const testUpstream = "http://127.0.0.1:8081/cgi-bin/mapserv?map=/etc/octroi/demo.map"

// freshService adds a restricted WMS to dataset (by its editor) at a path
// of its own, and returns its id.
func (w *world) freshService(dataset string) string {
	w.t.Helper()
	var s api.Service
	w.as("editor").want(201, "POST", "/api/v1/services", map[string]any{"dataset": dataset, "title": "WMS", "type": "wms",
		"path": "/wms/" + w.uniq("p"), "upstream": testUpstream, "layers": []string{"a", "b"}, "available": true}, &s)
	return s.ID
}

// freshGrant grants a fresh service of IGNF_T to the outsider.
func (w *world) freshGrant() string {
	w.t.Helper()
	var g api.Grant
	w.as("editor").want(201, "POST", "/api/v1/grants", map[string]any{"name": "Licence", "services": []string{w.freshService("IGNF_T")}, "users": []string{w.id["outsider"]}}, &g)
	return g.ID
}

// freshDataset publishes a dataset of ign (default level given) with one
// restricted service.
func (w *world) freshDataset(level string) string {
	w.t.Helper()
	id := w.uniq("IGNF_S")
	w.as("editor").want(201, "POST", "/api/v1/datasets", map[string]any{"id": id, "title": "S", "owner": "ign", "default_level": level}, nil)
	w.freshService(id)
	return id
}

// freshRequest: the outsider asks for access to a fresh dataset.
func (w *world) freshRequest() string {
	w.t.Helper()
	var r api.AccessRequest
	w.as("outsider").want(201, "POST", "/api/v1/access-requests", map[string]any{"dataset": w.freshDataset("search"), "message": "please"}, &r)
	return r.ID
}

func grantMatrixCases() []matrixCase {
	notIgn := []string{"manager", "reader", "member"}
	allBut := func(role string) []string {
		return slices.DeleteFunc(slices.Clone(roles), func(r string) bool { return r == role })
	}
	return []matrixCase{
		{op: "createService", allow: ignPubs, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/services", map[string]any{"dataset": "IGNF_T", "title": "S", "type": "wms", "path": "/wms/" + w.uniq("m"), "upstream": testUpstream, "layers": []string{"x"}}
		}},
		{op: "listServices", allow: everyone, status: 200, req: get("/api/v1/services?dataset=IGNF_T")},
		{op: "getService", allow: everyone, status: 200, req: func(w *world) (string, string, any) {
			return "GET", "/api/v1/services/" + w.freshService("IGNF_T"), nil
		}},
		// A service of a private dataset does not exist for whoever may
		// not search the dataset.
		{op: "getService", allow: []string{"admin", "reader", "orgadmin", "editor", "member"}, hidden: []string{"manager", "outsider"}, status: 200, req: func(w *world) (string, string, any) {
			var s api.Service
			w.as("editor").want(201, "POST", "/api/v1/services", map[string]any{"dataset": w.freshDatasetOnly("private"), "title": "D", "type": "download", "path": "/dl/" + w.uniq("d"), "upstream": "https://example.org/d.zip"}, &s)
			return "GET", "/api/v1/services/" + s.ID, nil
		}},
		{op: "updateService", allow: ignPubs, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/services/" + w.freshService("IGNF_T"), map[string]any{"title": "New", "type": "wms", "path": "/wms/" + w.uniq("u"), "upstream": testUpstream, "layers": []string{"a"}, "available": false}
		}},
		{op: "deleteService", allow: ignPubs, status: 204, write: true, req: func(w *world) (string, string, any) {
			return "DELETE", "/api/v1/services/" + w.freshService("IGNF_T"), nil
		}},

		{op: "createGrant", allow: ignPubs, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/grants", map[string]any{"name": "L", "services": []string{w.freshService("IGNF_T")}, "users": []string{w.id["outsider"]}, "communities": []string{"c1"}}
		}},
		{op: "listGrants", allow: everyone, status: 200, req: get("/api/v1/grants?state=live&expiring_within_days=30")},
		{op: "getGrant", allow: []string{"editor", "orgadmin", "admin", "outsider"}, hidden: notIgn, status: 200, req: func(w *world) (string, string, any) {
			return "GET", "/api/v1/grants/" + w.freshGrant(), nil
		}},
		// The beneficiary sees the grant, and may not change it.
		{op: "updateGrant", allow: ignPubs, hidden: notIgn, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PATCH", "/api/v1/grants/" + w.freshGrant(), map[string]any{"name": "Renamed", "expires": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
		}},
		{op: "deleteGrant", allow: ignPubs, hidden: notIgn, status: 204, write: true, req: func(w *world) (string, string, any) {
			return "DELETE", "/api/v1/grants/" + w.freshGrant(), nil
		}},
		{op: "listMyGrants", allow: everyone, status: 200, req: get("/api/v1/me/grants?state=expired")},
		// Only a personal beneficiary gives a grant up: to anyone else it
		// is not theirs.
		{op: "renounceGrant", allow: []string{"outsider"}, hidden: allBut("outsider"), status: 204, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/me/grants/" + w.freshGrant() + "/renounce", nil
		}},

		{op: "requestAccess", allow: everyone, status: 201, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/access-requests", map[string]any{"dataset": w.freshDataset("search"), "message": "please"}
		}},
		// A private product does not exist for whoever may not search it.
		{op: "requestAccess", allow: []string{"admin", "reader", "orgadmin", "editor", "member"}, hidden: []string{"manager", "outsider"}, status: 201, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/access-requests", map[string]any{"dataset": w.freshDataset("private")}
		}},
		{op: "listAccessRequests", allow: everyone, status: 200, req: get("/api/v1/access-requests?status=pending")},
		{op: "listAccessRequests", allow: ignPubs, status: 200, req: get("/api/v1/access-requests?organisation=ign")},
		{op: "getAccessRequest", allow: []string{"editor", "orgadmin", "admin", "outsider"}, hidden: notIgn, status: 200, req: func(w *world) (string, string, any) {
			return "GET", "/api/v1/access-requests/" + w.freshRequest(), nil
		}},
		// Its author may not decide it.
		{op: "decideAccessRequest", allow: ignPubs, hidden: notIgn, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/access-requests/" + w.freshRequest() + "/decision", map[string]any{"decision": "accept", "expires": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
		}},
		{op: "cancelAccessRequest", allow: []string{"outsider"}, hidden: allBut("outsider"), status: 200, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/access-requests/" + w.freshRequest() + "/cancel", nil
		}},
		{op: "listMyAccessRequests", allow: everyone, status: 200, req: get("/api/v1/me/access-requests?status=pending")},
	}
}

// freshDatasetOnly publishes a dataset of ign without services.
func (w *world) freshDatasetOnly(level string) string {
	w.t.Helper()
	id := w.uniq("IGNF_O")
	w.as("editor").want(201, "POST", "/api/v1/datasets", map[string]any{"id": id, "title": "O", "owner": "ign", "default_level": level}, nil)
	return id
}

// TestGrantsEndToEnd: a producer publishes a service and grants it with an
// expiry; the beneficiary sees it in their view, with its producer; an
// access request is accepted into a grant; a second request for the same is
// answered at once; bad input is refused naming the field.
func TestGrantsEndToEnd(t *testing.T) { forEachStore(t, testGrantsEndToEnd) }

func testGrantsEndToEnd(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	var s api.Service
	w.as("editor").want(201, "POST", "/api/v1/services", map[string]any{"id": "ign-wms", "dataset": "IGNF_T", "title": "WMS IGN", "type": "wms",
		"path": "/wms/ign", "upstream": testUpstream, "layers": []string{"routes", "batiments"}, "available": true}, &s)
	var dflt api.Service
	w.as("editor").want(201, "POST", "/api/v1/services", map[string]any{"dataset": "IGNF_T", "title": "Default", "type": "wmts",
		"path": "/wmts/ign", "upstream": testUpstream, "layers": []string{"plan"}}, &dflt)
	if !dflt.Available || dflt.Open {
		t.Errorf("a new service is available and restricted unless said otherwise: %+v", dflt)
	}
	if s.Organisation != "ign" || len(s.Layers) != 2 {
		t.Errorf("service: %+v", s)
	}
	// Bad input names its field, in both languages.
	p := w.as("editor").do("POST", "/api/v1/services", map[string]any{"dataset": "IGNF_T", "title": "x", "type": "wms", "path": "/wms/x",
		"upstream": "ftp://example.org", "layers": []string{"a"}}).problem(t, 400, "invalid_argument")
	if d, _ := p["detail"].(string); !strings.Contains(d, "upstream") {
		t.Errorf("bad upstream: %v", p)
	}
	w.as("editor").do("POST", "/api/v1/services", map[string]any{"dataset": "IGNF_T", "title": "x", "type": "wms", "path": "/wms/ign",
		"upstream": testUpstream, "layers": []string{"routes"}}).problem(t, 409, "conflict")
	exp := time.Now().Add(5 * 24 * time.Hour).UTC().Truncate(time.Second)
	var g api.Grant
	w.as("editor").want(201, "POST", "/api/v1/grants", map[string]any{"name": "Licence IGN", "services": []string{"ign-wms"},
		"users": []string{w.id["outsider"]}, "expires": exp.Add(300 * time.Millisecond).Format(time.RFC3339Nano)}, &g)
	if g.Expires == nil || !g.Expires.Equal(exp) || g.Grantor != "ign" {
		t.Errorf("grant: %+v", g)
	}
	w.as("editor").do("POST", "/api/v1/grants", map[string]any{"name": "x", "services": []string{"ign-wms"},
		"expires": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}).problem(t, 400, "invalid_argument")
	var mine api.HeldGrantList
	w.as("outsider").want(200, "GET", "/api/v1/me/grants", nil, &mine)
	if len(mine.Grants) != 1 || mine.Grants[0].Grant.ID != g.ID || mine.Grants[0].Producer.Name != "IGN" || mine.Grants[0].State != "live" ||
		len(mine.Grants[0].Opens) != 1 || mine.Grants[0].Opens[0].Path != "/wms/ign" {
		t.Errorf("outsider's grants: %+v", mine)
	}
	var prod api.GrantList
	w.as("orgadmin").want(200, "GET", "/api/v1/grants?expiring_within_days=7&service=ign-wms", nil, &prod)
	if len(prod.Grants) != 1 {
		t.Errorf("expiring within 7 days: %+v", prod)
	}
	w.as("orgadmin").want(200, "GET", "/api/v1/grants?expiring_within_days=1", nil, &prod)
	if len(prod.Grants) != 0 {
		t.Errorf("expiring within a day: %+v", prod)
	}
	w.as("orgadmin").do("GET", "/api/v1/grants?expiring_within_days=soon", nil).problem(t, 400, "invalid_argument")
	w.as("orgadmin").do("GET", "/api/v1/grants?owner=ign", nil).problem(t, 400, "invalid_argument")
	// A change of expiry and beneficiaries.
	id := g.ID
	g = api.Grant{} // decoding keeps what the answer omits
	w.as("editor").want(200, "PATCH", "/api/v1/grants/"+id, map[string]any{"no_expiry": true, "add_communities": []string{"c1"}}, &g)
	if g.Expires != nil || !slices.Equal(g.Communities, []string{"c1"}) {
		t.Errorf("after PATCH: %+v", g)
	}
	w.as("editor").do("PATCH", "/api/v1/grants/"+g.ID, map[string]any{"users": []string{}}).problem(t, 400, "invalid_argument")

	// An access request, accepted into a grant for the member's
	// community; asking again is answered at once.
	var other api.Service
	w.as("editor").want(201, "POST", "/api/v1/services", map[string]any{"dataset": "IGNF_T", "title": "WMS 2", "type": "wms",
		"path": "/wms/ign", "upstream": testUpstream, "layers": []string{"hydro"}, "available": true}, &other)
	var ar api.AccessRequest
	fresh, tok := w.fresh()
	w.withToken(tok).want(201, "POST", "/api/v1/access-requests", map[string]any{"dataset": "IGNF_T", "services": []string{other.ID}, "message": "Bonjour"}, &ar)
	if ar.Status != "pending" || ar.Account != fresh {
		t.Errorf("request: %+v", ar)
	}
	var inbox api.AccessRequestList
	w.as("editor").want(200, "GET", "/api/v1/access-requests?status=pending", nil, &inbox)
	if len(inbox.AccessRequests) != 1 || inbox.AccessRequests[0].ID != ar.ID {
		t.Errorf("inbox: %+v", inbox)
	}
	w.as("editor").do("POST", "/api/v1/access-requests/"+ar.ID+"/decision", map[string]any{"decision": "maybe"}).problem(t, 400, "invalid_argument")
	w.as("editor").want(200, "POST", "/api/v1/access-requests/"+ar.ID+"/decision", map[string]any{"decision": "accept", "name": "Licence hydro"}, &ar)
	if ar.Status != "accepted" || ar.Grant == "" {
		t.Errorf("accepted: %+v", ar)
	}
	w.withToken(tok).want(201, "POST", "/api/v1/access-requests", map[string]any{"dataset": "IGNF_T", "services": []string{other.ID}}, &ar)
	if ar.Status != "already_granted" {
		t.Errorf("asking again: %+v", ar)
	}
	var myReqs api.AccessRequestList
	w.withToken(tok).want(200, "GET", "/api/v1/me/access-requests", nil, &myReqs)
	if len(myReqs.AccessRequests) != 2 {
		t.Errorf("my requests: %+v", myReqs)
	}
	// Deleting the service: the grant, which covered it alone, goes with
	// it (portal/grantempty.go).
	w.as("editor").want(204, "DELETE", "/api/v1/services/ign-wms", nil, nil)
	w.as("editor").do("GET", "/api/v1/grants/"+g.ID, nil).problem(t, 404, "not_found")
}

// TestGrantRefusalsSpeakPlainly: refusals on services and grants say, in
// the caller's language, what was refused and who may.
func TestGrantRefusalsSpeakPlainly(t *testing.T) { forEachStore(t, testGrantRefusalsSpeakPlainly) }

func testGrantRefusalsSpeakPlainly(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	id := w.freshService("IGNF_T")
	for _, tt := range []struct{ lang, detail string }{
		{"en", "You may not manage service " + id + " (editors and delegated administrators of its organisation)."},
		{"fr", "Vous ne pouvez pas gérer le service " + id + " (éditeurs et administrateurs délégués de son organisation)."},
	} {
		r := w.do("DELETE", "/api/v1/services/"+id, nil, "Authorization", "Bearer "+w.tok["member"], "Accept-Language", tt.lang)
		if p := r.problem(t, 403, "forbidden"); p["detail"] != tt.detail {
			t.Errorf("%s: %q, want %q", tt.lang, p["detail"], tt.detail)
		}
	}
	g := w.freshGrant()
	for _, tt := range []struct{ lang, detail string }{
		{"en", "You may not manage grant " + g + " (editors and delegated administrators of its grantor organisation)."},
		{"fr", "Vous ne pouvez pas gérer la permission " + g + " (éditeurs et administrateurs délégués de l'organisation qui l'accorde)."},
	} {
		r := w.do("DELETE", "/api/v1/grants/"+g, nil, "Authorization", "Bearer "+w.tok["outsider"], "Accept-Language", tt.lang)
		if p := r.problem(t, 403, "forbidden"); p["detail"] != tt.detail {
			t.Errorf("%s: %q, want %q", tt.lang, p["detail"], tt.detail)
		}
	}
	// Bad input names the field in both languages.
	for _, tt := range []struct{ lang, want string }{{"en", "path"}, {"fr", "chemin absolu"}} {
		r := w.do("POST", "/api/v1/services", map[string]any{"dataset": "IGNF_T", "title": "x", "type": "wms", "path": "wms", "upstream": testUpstream, "layers": []string{"a"}},
			"Authorization", "Bearer "+w.tok["editor"], "Accept-Language", tt.lang)
		if p := r.problem(t, 400, "invalid_argument"); !strings.Contains(p["detail"].(string), tt.want) {
			t.Errorf("%s: %q", tt.lang, p["detail"])
		}
	}
}
