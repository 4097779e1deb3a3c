package api_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/portal"
)

// keyWorld adds to the world a restricted WMS of IGNF_T at /wms/t (layer
// roads) and a grant on it to member, made by the editor through the
// portal, and returns the grant's id.
func (w *world) keyWorld() string {
	w.t.Helper()
	svc := w.srv.Portal().(*portal.Service)
	ctx := context.Background()
	if _, err := svc.MapServiceOf(ctx, w.id["editor"], "wms-t"); err == nil {
		gs, _, err := svc.MyGrants(ctx, w.id["member"], portal.GrantQuery{})
		if err != nil {
			w.t.Fatal(err)
		}
		for _, g := range gs {
			if g.Name == keysGrantName && slices.Contains(g.Services, "wms-t") {
				return g.ID
			}
		}
		w.t.Fatalf("member holds no grant on wms-t: %+v", gs)
	}
	if _, err := svc.CreateService(ctx, w.id["editor"], portal.MapService{ID: "wms-t", Dataset: "IGNF_T", Title: "T", Type: portal.ServiceWMS,
		Path: "/wms/t", Upstream: "http://127.0.0.1:1/mapserv", Layers: []string{"roads"}, Available: true}); err != nil {
		w.t.Fatal(err)
	}
	g, err := svc.CreateGrant(ctx, w.id["editor"], portal.Grant{Name: keysGrantName, Services: []string{"wms-t"}, Users: []string{w.id["member"]}})
	if err != nil {
		w.t.Fatal(err)
	}
	return g.ID
}

// memberKey creates a HASH key of member's opening wms-t, and returns it
// with its secret.
func (w *world) memberKey() (api.AccessKey, string) {
	w.t.Helper()
	g := w.keyWorld()
	var ck api.CreatedKey
	w.as("member").want(201, "POST", "/api/v1/me/keys", map[string]any{"name": w.uniq("k"), "type": "HASH",
		"accesses": []map[string]string{{"grant": g, "service": "wms-t"}}}, &ck)
	return ck.Key, ck.Secret
}

// keysGrantName names the grant keyWorld makes.
const keysGrantName = "Licence des clés"

var notMember = []string{"admin", "manager", "reader", "orgadmin", "editor", "outsider"}

func keyMatrixCases() []matrixCase {
	own := func(method, suffix string, body any) func(w *world) (string, string, any) {
		return func(w *world) (string, string, any) {
			k, _ := w.memberKey()
			return method, "/api/v1/me/keys/" + k.ID + suffix, body
		}
	}
	return []matrixCase{
		{op: "listMyKeys", allow: everyone, status: 200, req: get("/api/v1/me/keys")},
		{op: "createMyKey", allow: everyone, status: 201, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/me/keys", map[string]any{"name": w.uniq("k"), "type": "HASH"}
		}},
		// Someone else's key does not exist on the /me paths, even for an
		// administrator.
		{op: "getMyKey", allow: []string{"member"}, hidden: notMember, status: 200, req: own("GET", "", nil)},
		{op: "updateMyKey", allow: []string{"member"}, hidden: notMember, status: 200, write: true, req: own("PATCH", "", map[string]any{"status": "disabled"})},
		{op: "deleteMyKey", allow: []string{"member"}, hidden: notMember, status: 204, write: true, req: own("DELETE", "", nil)},
		{op: "regenerateMyKey", allow: []string{"member"}, hidden: notMember, status: 200, write: true, req: own("POST", "/secret", nil)},
		{op: "myKeyUsage", allow: []string{"member"}, hidden: notMember, status: 200, req: own("GET", "/usage", nil)},
		{op: "revokeKey", allow: []string{"admin", "member"}, hidden: []string{"manager", "reader", "orgadmin", "editor", "outsider"}, status: 200, write: true,
			req: func(w *world) (string, string, any) {
				k, _ := w.memberKey()
				return "POST", "/api/v1/keys/" + k.ID + "/revoke", nil
			}},
		// Every key of the platform: administrators only.
		{op: "listPlatformKeys", allow: []string{"admin"}, status: 200, req: func(w *world) (string, string, any) {
			w.memberKey()
			return "GET", "/api/v1/keys?q=k&limit=5", nil
		}},
		// A service of a searchable dataset: everyone sees it, its
		// producers read its usage.
		{op: "serviceUsage", allow: ignPubs, status: 200, req: func(w *world) (string, string, any) {
			w.keyWorld()
			return "GET", "/api/v1/services/wms-t/usage", nil
		}},
		{op: "explainGateway", allow: []string{"member", "editor", "orgadmin", "admin"}, status: 200, req: func(w *world) (string, string, any) {
			k, _ := w.memberKey()
			return "POST", "/api/v1/gateway/explain", map[string]any{"key": k.ID, "uri": "/wms/t?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads"}
		}},
	}
}

// TestGatewayThroughTheServer: a key made through the API opens its
// service at /gateway/auth, the answer names its owner and key, the usage
// is summed for the owner and the producer, and explain says why in both
// languages.
func TestGatewayThroughTheServer(t *testing.T) {
	w := newWorld(t, newEnv)
	k, secret := w.memberKey()
	uri := "/wms/t?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads&apikey=" + url.QueryEscape(secret)
	r := w.do("GET", "/gateway/auth", nil, "Authorization", "", "X-Original-URI", uri, "X-Octroi-Account", "admin")
	if r.status != 200 || r.header.Get("X-Octroi-Account") != w.id["member"] || r.header.Get("X-Octroi-Key") != k.ID {
		t.Fatalf("allowed: %d %v %s", r.status, r.header, r.body)
	}
	r = w.do("GET", "/gateway/auth", nil, "Authorization", "", "X-Original-URI", "/wms/t?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads")
	if r.status != 401 || r.header.Get("Www-Authenticate") == "" || r.header.Get("X-Octroi-Reason") != "no_key" {
		t.Fatalf("no key: %d %v", r.status, r.header)
	}
	// The owner disables the key: refused at once.
	w.as("member").want(200, "PATCH", "/api/v1/me/keys/"+k.ID, map[string]any{"status": "disabled"}, nil)
	r = w.do("GET", "/gateway/auth", nil, "Authorization", "", "X-Original-URI", uri)
	if r.status != 403 || r.header.Get("X-Octroi-Reason") != "key_disabled" {
		t.Fatalf("disabled: %d %v", r.status, r.header)
	}
	var ex api.GatewayExplanation
	w.as("editor").want(200, "POST", "/api/v1/gateway/explain", map[string]any{"key": k.ID, "uri": "/wms/t?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads"}, &ex)
	if ex.Allowed || ex.Reason != "key_disabled" || !strings.Contains(ex.WhyFR, "désactivée") || !strings.Contains(ex.WhyEN, "disabled") {
		t.Fatalf("explain: %+v", ex)
	}
	w.as("outsider").want(403, "POST", "/api/v1/gateway/explain", map[string]any{"key": k.ID, "uri": "/wms/t?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads"}, nil)
	w.as("outsider").want(403, "POST", "/api/v1/gateway/explain", map[string]any{"key": "nope", "uri": "/wms/t?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads"}, nil)
	w.as("member").want(400, "POST", "/api/v1/gateway/explain", map[string]any{"key": k.ID, "uri": "http://x/wms/t"}, nil)
	// Usage: written by the log's flush (every 2 s).
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ul api.UsageList
		w.as("member").want(200, "GET", "/api/v1/me/keys/"+k.ID+"/usage", nil, &ul)
		var pl api.UsageList
		w.as("editor").want(200, "GET", "/api/v1/services/wms-t/usage", nil, &pl)
		var allowed, refused int64
		for _, d := range ul.Days {
			allowed, refused = allowed+d.Allowed, refused+d.Refused
		}
		if allowed == 1 && refused == 1 && len(pl.Days) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("usage: %+v, producer's %+v", ul, pl)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Secrets never in a listing.
	r = w.as("member").do("GET", "/api/v1/me/keys", nil)
	if strings.Contains(string(r.body), secret) || strings.Contains(string(r.body), base64.RawURLEncoding.EncodeToString([]byte(secret))) {
		t.Fatal("a listing shows a secret")
	}
}

// TestPlatformKeysThroughTheAPI: an administrator lists every key with
// its owner, never a secret, searches, filters by owner and pages; the
// query is checked.
func TestPlatformKeysThroughTheAPI(t *testing.T) {
	w := newWorld(t, newEnv)
	_, secret := w.memberKey()
	k2, _ := w.memberKey()
	var l api.PlatformKeyList
	r := w.as("admin").want(200, "GET", "/api/v1/keys?owner="+w.id["member"], nil, &l)
	if strings.Contains(string(r.body), secret) {
		t.Fatal("the list holds a secret")
	}
	if len(l.Keys) != 2 || l.Keys[0].Key.Owner != w.id["member"] || l.Keys[0].OwnerEmail == "" || l.Keys[0].OwnerName == "" {
		t.Fatalf("member's keys: %+v", l)
	}
	w.as("admin").want(200, "GET", "/api/v1/keys?limit=1&owner="+w.id["member"], nil, &l)
	if len(l.Keys) != 1 || l.Cursor == "" {
		t.Fatalf("first page: %+v", l)
	}
	first := l.Keys[0].Key.ID
	w.as("admin").want(200, "GET", "/api/v1/keys?limit=1&owner="+w.id["member"]+"&cursor="+url.QueryEscape(l.Cursor), nil, &l)
	if len(l.Keys) != 1 || l.Keys[0].Key.ID == first {
		t.Fatalf("second page: %+v", l)
	}
	w.as("admin").want(200, "GET", "/api/v1/keys?q="+url.QueryEscape(k2.Name), nil, &l)
	if len(l.Keys) != 1 || l.Keys[0].Key.ID != k2.ID {
		t.Fatalf("search %q: %+v", k2.Name, l)
	}
	w.as("admin").want(400, "GET", "/api/v1/keys?owner=a/b", nil, nil)
	w.as("admin").want(400, "GET", "/api/v1/keys?nope=1", nil, nil)
	if r := w.do("GET", "/api/v1/keys", nil, "Authorization", ""); r.status != 401 {
		t.Errorf("anonymous list = %d, want 401", r.status)
	}
}
