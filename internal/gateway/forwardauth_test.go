package gateway_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
)

// realWorld builds services and grants through the portal (as producers
// do), for the gateway's own catalog and grant memory: /wms/ign serves
// topo (routes, batiments; restricted) and plan (open); carol (delegated
// administrator of ign) grants topo to alice until end.
func realWorld(t *testing.T, e *env, end time.Time) portal.Grant {
	t.Helper()
	e.world(time.Now().Add(time.Hour)) // accounts, organisation, dataset
	ctx := e.ctx
	for _, m := range []portal.MapService{
		{ID: "topo-wms", Dataset: "IGNF_BD-TOPO", Title: "BD TOPO", Type: portal.ServiceWMS, Path: "/wms/ign", Upstream: "http://127.0.0.1:1/mapserv", Layers: []string{"routes", "batiments"}, Available: true},
		{ID: "plan-wms", Dataset: "IGNF_BD-TOPO", Title: "Plan", Type: portal.ServiceWMS, Path: "/wms/ign", Upstream: "http://127.0.0.1:1/mapserv", Layers: []string{"plan"}, Open: true, Available: true},
	} {
		if _, err := e.svc.CreateService(ctx, "carol", m); err != nil {
			t.Fatal(err)
		}
	}
	g, err := e.svc.CreateGrant(ctx, "carol", portal.Grant{Name: "Licence", Services: []string{"topo-wms"}, Users: []string{"alice"}, Expires: &end})
	if err != nil {
		t.Fatal(err)
	}
	e.dec.Catalog = gateway.PortalCatalog{Services: e.svc}
	e.dec.Grants = e.svc
	return g
}

// forwardAuths are the two ways forward-auth is served, each started
// over e's decider with trusted proxies: through net/http (the main
// listener's /gateway/auth) and by the lean listener of its own
// (AuthServer). Both must answer alike.
var forwardAuths = []struct {
	name  string
	start func(e *env, trusted string) string // the base URL
}{
	{"net/http", func(e *env, trusted string) string {
		srv := httptest.NewServer(&gateway.ForwardAuth{Decider: e.dec, Trusted: trustedProxies(trusted)})
		e.t.Cleanup(srv.Close)
		return srv.URL
	}},
	{"AuthServer", func(e *env, trusted string) string {
		return startAuthServer(e.t, &gateway.AuthServer{Auth: &gateway.ForwardAuth{Decider: e.dec, Trusted: trustedProxies(trusted)}})
	}},
}

func trustedProxies(s string) []netip.Prefix {
	p, err := gateway.ParseTrustedProxies(s)
	if err != nil {
		panic(err)
	}
	return p
}

// startAuthServer serves s on a loopback port until the test ends, and
// returns its base URL.
func startAuthServer(t testing.TB, s *gateway.AuthServer) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v, want ErrServerClosed", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// eachForwardAuth runs test against each of forwardAuths.
func eachForwardAuth(t *testing.T, test func(t *testing.T, start func(e *env, trusted string) string)) {
	for _, f := range forwardAuths {
		t.Run(f.name, func(t *testing.T) { test(t, f.start) })
	}
}

func ask(t *testing.T, base string, hdr ...string) (*http.Response, map[string]any) {
	t.Helper()
	res, raw := fetch(t, "GET", base+"/gateway/auth", hdr...)
	var body map[string]any
	if res.StatusCode != http.StatusOK {
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("%d without a problem body: %v", res.StatusCode, err)
		}
	}
	return res, body
}

func TestForwardAuth(t *testing.T) { eachForwardAuth(t, testForwardAuth) }

func testForwardAuth(t *testing.T, start func(e *env, trusted string) string) {
	e := newEnv(t)
	g := realWorld(t, e, time.Now().Add(time.Hour))
	k, secret, err := e.svc.CreateKey(e.ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash,
		Filters:  portal.KeyFilters{IPAllow: []string{"192.0.2.0/24", "127.0.0.1"}},
		Accesses: []portal.AccessPair{{Grant: g.ID, Service: "topo-wms"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := start(e, "")
	uri := "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS=routes&apikey=" + secret

	// nginx: X-Original-*.
	res, _ := ask(t, srv, "X-Original-URI", uri, "X-Original-Method", "GET")
	if res.StatusCode != 200 || res.Header.Get("X-Octroi-Account") != "alice" || res.Header.Get("X-Octroi-Key") != k.ID {
		t.Fatalf("nginx allowed: %d %v", res.StatusCode, res.Header)
	}
	// Traefik, Caddy: X-Forwarded-*.
	res, _ = ask(t, srv, "X-Forwarded-Uri", uri, "X-Forwarded-Method", "GET", "X-Forwarded-Host", "maps.example.org", "X-Forwarded-Proto", "https")
	if res.StatusCode != 200 {
		t.Fatalf("traefik allowed: %d", res.StatusCode)
	}
	// X-Original-URI wins over a client's own X-Forwarded-Uri, which nginx
	// passes through.
	res, _ = ask(t, srv, "X-Original-URI", "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS=routes", "X-Forwarded-Uri", uri)
	if res.StatusCode != 401 {
		t.Fatalf("X-Forwarded-Uri beat X-Original-URI: %d", res.StatusCode)
	}
	// No key: 401, with challenges and a reason.
	res, body := ask(t, srv, "X-Original-URI", "/wms/ign?SERVICE=WMS&REQUEST=GetCapabilities&LAYERS=routes", "Accept-Language", "fr")
	if res.StatusCode != 401 || len(res.Header.Values("WWW-Authenticate")) == 0 || res.Header.Get("X-Octroi-Reason") != gateway.ReasonNoKey ||
		body["code"] != gateway.ReasonNoKey || !strings.Contains(body["detail"].(string), "clé d'accès") {
		t.Fatalf("no key: %d %v %v", res.StatusCode, res.Header, body)
	}
	// Capabilities without a key: the open layer is there, so allowed.
	res, _ = ask(t, srv, "X-Original-URI", "/wms/ign?SERVICE=WMS&REQUEST=GetCapabilities")
	if res.StatusCode != 200 || res.Header.Get("X-Octroi-Account") != "" {
		t.Fatalf("open capabilities: %d %v", res.StatusCode, res.Header)
	}
	// A layer of no grant: 403 with the reason.
	res, body = ask(t, srv, "X-Original-URI", "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS=nope", "apikey", secret)
	if res.StatusCode != 403 || res.Header.Get("X-Octroi-Reason") != gateway.ReasonUnknownLayer || body["status"].(float64) != 403 {
		t.Fatalf("unknown layer: %d %v", res.StatusCode, body)
	}
	// No URI: 400.
	res, _ = ask(t, srv)
	if res.StatusCode != 400 {
		t.Fatalf("no URI: %d", res.StatusCode)
	}
	res, _ = ask(t, srv, "X-Original-URI", "http://evil/wms/ign")
	if res.StatusCode != 400 {
		t.Fatalf("absolute URI: %d", res.StatusCode)
	}
}

// TestForwardAuthForgedHeaders: what an anonymous caller can do with each
// header it controls.
func TestForwardAuthForgedHeaders(t *testing.T) { eachForwardAuth(t, testForwardAuthForgedHeaders) }

func testForwardAuthForgedHeaders(t *testing.T, start func(e *env, trusted string) string) {
	e := newEnv(t)
	g := realWorld(t, e, time.Now().Add(time.Hour))
	_, secret, err := e.svc.CreateKey(e.ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash,
		Filters:  portal.KeyFilters{IPAllow: []string{"192.0.2.0/24"}},
		Accesses: []portal.AccessPair{{Grant: g.ID, Service: "topo-wms"}}})
	if err != nil {
		t.Fatal(err)
	}
	uri := "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS=routes"

	// Untrusted peer (no trusted proxies): X-Forwarded-For is ignored, the
	// peer 127.0.0.1 is outside the allow-list.
	srv := start(e, "")
	res, _ := ask(t, srv, "X-Original-URI", uri, "apikey", secret, "X-Forwarded-For", "192.0.2.7")
	if res.StatusCode != 403 || res.Header.Get("X-Octroi-Reason") != gateway.ReasonIPRefused {
		t.Fatalf("forged X-Forwarded-For believed: %d %s", res.StatusCode, res.Header.Get("X-Octroi-Reason"))
	}
	// Naming an account or a key in the answer's headers changes nothing.
	for _, h := range []string{"X-Octroi-Account", "X-Octroi-Key", "X-Remote-User", "X-Forwarded-User"} {
		res, _ = ask(t, srv, "X-Original-URI", uri, h, "alice")
		if res.StatusCode != 401 || res.Header.Get("X-Octroi-Account") != "" {
			t.Fatalf("%s: alice impersonated: %d", h, res.StatusCode)
		}
	}
	// A trusted proxy: its X-Forwarded-For is read right to left, skipping
	// trusted hops; what the client prepended is not reached.
	trusted := start(e, "127.0.0.0/8, 10.0.0.0/8")
	res, _ = ask(t, trusted, "X-Original-URI", uri, "apikey", secret, "X-Forwarded-For", "198.51.100.9, 192.0.2.7, 10.1.2.3")
	if res.StatusCode != 200 {
		t.Fatalf("trusted proxy's client: %d %s", res.StatusCode, res.Header.Get("X-Octroi-Reason"))
	}
	res, _ = ask(t, trusted, "X-Original-URI", uri, "apikey", secret, "X-Forwarded-For", "192.0.2.7, 198.51.100.9")
	if res.StatusCode != 403 {
		t.Fatalf("a client-prepended address was believed: %d", res.StatusCode)
	}
	res, _ = ask(t, trusted, "X-Original-URI", uri, "apikey", secret, "X-Forwarded-For", "192.0.2.7, garbage")
	if res.StatusCode != 403 {
		t.Fatalf("a garbled hop was skipped: %d", res.StatusCode)
	}
	// The method: a forged one cannot widen anything (only GET and HEAD
	// are map requests).
	res, _ = ask(t, srv, "X-Original-URI", uri, "X-Original-Method", "POST", "apikey", secret)
	if res.StatusCode != 400 {
		t.Fatalf("POST: %d", res.StatusCode)
	}
}

// TestForwardAuthFollowsGrants: with the portal's own services and
// grants, a grant's expiry is reported with its date, and switching the
// service off refuses at once.
func TestForwardAuthFollowsGrants(t *testing.T) {
	e := newEnv(t)
	end := time.Now().Add(1500 * time.Millisecond)
	g := realWorld(t, e, end)
	_, secret, err := e.svc.CreateKey(e.ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash,
		Accesses: []portal.AccessPair{{Grant: g.ID, Service: "topo-wms"}}})
	if err != nil {
		t.Fatal(err)
	}
	in := func() gateway.Input {
		i, err := gateway.InputFromURI("GET", "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS=routes,plan&apikey="+secret)
		if err != nil {
			t.Fatal(err)
		}
		i.Header, i.Client = http.Header{}, netip.MustParseAddr("192.0.2.1")
		return i
	}
	if d := e.dec.Decide(e.ctx, in()); d.Status != 200 || d.Grants[0] != g.ID {
		t.Fatalf("before expiry: %+v", d)
	}
	time.Sleep(time.Until(end) + 100*time.Millisecond)
	d := e.dec.Decide(e.ctx, in())
	if d.Status != 403 || d.Reason != gateway.ReasonGrantExpired || !strings.Contains(d.Why.In("en"), g.Expires.UTC().Format(time.RFC3339)) {
		t.Fatalf("after expiry: %d %s %s", d.Status, d.Reason, d.Why.In("en"))
	}
}

// TestOnlyOAuthGrant: a grant usable only through OAUTH2 keys cannot be
// put in another key, and if one holds it anyway (the grant became
// only_oauth later) the gateway refuses saying so.
func TestOnlyOAuthGrant(t *testing.T) {
	e := newEnv(t)
	g := realWorld(t, e, time.Now().Add(time.Hour))
	_, secret, err := e.svc.CreateKey(e.ctx, "alice", portal.KeySpec{Name: "k", Type: portal.KeyHash, Accesses: []portal.AccessPair{{Grant: g.ID, Service: "topo-wms"}}})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := e.svc.UpdateGrant(e.ctx, "carol", g.ID, portal.GrantChange{OnlyOAuth: &yes}); err != nil {
		t.Fatal(err)
	}
	i, _ := gateway.InputFromURI("GET", "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS=routes")
	i.Header = http.Header{"Apikey": {secret}}
	if d := e.dec.Decide(e.ctx, i); d.Status != 403 || d.Reason != gateway.ReasonOnlyOAuth {
		t.Fatalf("only_oauth grant through a HASH key: %d %s", d.Status, d.Reason)
	}
	_, _, err = e.svc.CreateKey(e.ctx, "alice", portal.KeySpec{Name: "k2", Type: portal.KeyHash, Accesses: []portal.AccessPair{{Grant: g.ID, Service: "topo-wms"}}})
	if !errors.Is(err, portal.ErrInvalid) {
		t.Fatalf("a HASH key took an only_oauth grant: %v", err)
	}
}
