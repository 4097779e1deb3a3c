package gateway_test

import (
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// grants is what the grants work tells the gateway about a grant.
type grants map[string]*time.Time

func (g grants) GrantInfo(id string) (*time.Time, bool, bool) {
	end, ok := g[id]
	return end, false, ok
}

func in(path, query string, hdr ...string) gateway.Input {
	q, err := url.ParseQuery(query)
	if err != nil {
		panic(err)
	}
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Add(hdr[i], hdr[i+1])
	}
	return gateway.Input{Method: "GET", Path: path, Query: q, Header: h, Client: netip.MustParseAddr("192.0.2.7")}
}

func getMap(layers string) string {
	return "SERVICE=WMS&REQUEST=GetMap&LAYERS=" + url.QueryEscape(layers)
}

const getCaps = "SERVICE=WMS&REQUEST=GetCapabilities"

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

type want struct {
	status int
	reason string
}

func expect(t *testing.T, e *env, name string, i gateway.Input, w want) gateway.Decision {
	t.Helper()
	d := e.dec.Decide(e.ctx, i)
	if d.Status != w.status || d.Reason != w.reason {
		t.Errorf("%s: got %d %s (%s), want %d %s", name, d.Status, d.Reason, d.Why.In(messages.English), w.status, w.reason)
	}
	if d.Why.IsZero() {
		t.Errorf("%s: no words for why", name)
	}
	return d
}

func TestDecide(t *testing.T) {
	e := newEnv(t)
	e.world(time.Now().Add(time.Hour))
	svc, ctx := e.svc, e.ctx
	k, secret, err := svc.CreateKey(ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash,
		Accesses: []portal.AccessPair{{Grant: "g1", Service: "topo"}, {Grant: "g1", Service: "off"}}})
	if err != nil {
		t.Fatal(err)
	}
	kb, pass, err := svc.CreateKey(ctx, "bob", portal.KeySpec{Name: "basic", Type: portal.KeyBasic, UserName: "bob-qgis",
		Accesses: []portal.AccessPair{{Grant: "g2", Service: "topo"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, hsecret, err := svc.CreateKey(ctx, "alice", portal.KeySpec{Name: "header", Type: portal.KeyHeader, Header: "X-Api-Key",
		Accesses: []portal.AccessPair{{Grant: "g1", Service: "topo"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, fsecret, err := svc.CreateKey(ctx, "alice", portal.KeySpec{Name: "filtered", Type: portal.KeyHash,
		Filters: portal.KeyFilters{IPAllow: []string{"192.0.2.0/24", "2001:db8::/32"}, IPDeny: []string{"192.0.2.66", "2001:db8:bad::/48"},
			Referers: []string{"https://*.example.org/*"}, UserAgents: []string{"QGIS*", "*GDAL*"}},
		Accesses: []portal.AccessPair{{Grant: "g1", Service: "topo"}}})
	if err != nil {
		t.Fatal(err)
	}
	ok, open := want{200, ""}, want{200, gateway.ReasonOpen}
	d := expect(t, e, "open layer, no key", in("/wms", getMap("ortho")), open)
	if d.Account != "" || d.Key != "" {
		t.Errorf("open decision names %s/%s", d.Account, d.Key)
	}
	expect(t, e, "no service", in("/elsewhere", getMap("ortho")), want{404, gateway.ReasonNoService})
	expect(t, e, "no request", in("/wms", "SERVICE=WMS"), want{400, gateway.ReasonBadRequest})
	expect(t, e, "restricted, no key", in("/wms", getMap("topo_routes")), want{401, gateway.ReasonNoKey})
	expect(t, e, "restricted and open, no key", in("/wms", getMap("ortho,topo_bati")), want{401, gateway.ReasonNoKey})
	expect(t, e, "unavailable, no key", in("/wms", getMap("off_layer")), want{403, gateway.ReasonServiceUnavailable})
	d = expect(t, e, "capabilities, no key", in("/wms", getCaps), open)
	if !d.Usable("ortho") || d.Usable("topo_routes") || d.Usable("off_layer") {
		t.Error("capabilities without a key list more than the open layers")
	}
	d = expect(t, e, "granted layer", in("/wms", getMap("topo_routes"), "apikey", secret, "Referer", "https://evil.example.com/"), ok)
	if d.Account != "alice" || d.Key != k.ID || len(d.Grants) != 1 || d.Grants[0] != "g1" || d.Upstream == "" {
		t.Errorf("decision %+v", d)
	}
	expect(t, e, "apikey header", in("/wms", getMap("topo_routes,ortho"), "Apikey", secret), ok)
	expect(t, e, "apikey parameter", in("/wms", getMap("topo_routes")+"&apikey="+url.QueryEscape(secret)), ok)
	d = expect(t, e, "capabilities with a key", in("/wms", getCaps, "apikey", secret), ok)
	if !d.Usable("ortho") || !d.Usable("topo_bati") || d.Usable("off_layer") {
		t.Error("capabilities with a key: wrong layers")
	}
	expect(t, e, "unknown layer", in("/wms", getMap("nope"), "apikey", secret), want{403, gateway.ReasonUnknownLayer})
	// Without a key, an unknown layer looks like any restricted one: no
	// way to learn which layer names exist.
	expect(t, e, "unknown layer, no key", in("/wms", getMap("nope")), want{401, gateway.ReasonNoKey})
	expect(t, e, "unknown and open layers, no key", in("/wms", getMap("ortho,nope")), want{401, gateway.ReasonNoKey})
	expect(t, e, "unknown layer, unknown key", in("/wms", getMap("nope"), "apikey", "okey_x"), want{401, gateway.ReasonUnknownKey})
	expect(t, e, "unavailable service", in("/wms", getMap("off_layer"), "apikey", secret), want{403, gateway.ReasonServiceUnavailable})
	expect(t, e, "unknown key", in("/wms", getMap("topo_routes"), "apikey", "okey_nope"), want{401, gateway.ReasonUnknownKey})
	// Without an identity provider, no bearer token is taken (OAUTH2 keys: oauth2.go).
	expect(t, e, "bearer", in("/wms", getMap("topo_routes"), "Authorization", "Bearer x"), want{401, gateway.ReasonBadToken})
	d = expect(t, e, "basic", in("/wms", getMap("topo_routes"), "Authorization", basic("bob-qgis", pass)), ok)
	if d.Key != kb.ID || d.Account != "bob" {
		t.Errorf("basic decision %+v", d)
	}
	expect(t, e, "basic, wrong user", in("/wms", getMap("topo_routes"), "Authorization", basic("alice", pass)), want{401, gateway.ReasonUnknownKey})
	expect(t, e, "basic password as apikey", in("/wms", getMap("topo_routes"), "apikey", pass), want{401, gateway.ReasonUnknownKey})
	expect(t, e, "hash secret in basic", in("/wms", getMap("topo_routes"), "Authorization", basic("alice", secret)), want{401, gateway.ReasonUnknownKey})
	expect(t, e, "header key", in("/wms", getMap("topo_routes"), "X-Api-Key", hsecret), ok)
	expect(t, e, "header key as apikey", in("/wms", getMap("topo_routes"), "apikey", hsecret), want{401, gateway.ReasonKeyWrongChannel})
	expect(t, e, "header key in another header", in("/wms", getMap("topo_routes"), "X-Other", hsecret), want{401, gateway.ReasonKeyWrongChannel})
	expect(t, e, "hash key in a header", in("/wms", getMap("topo_routes"), "X-Api-Key", secret), want{401, gateway.ReasonKeyWrongChannel})

	// Filters.
	good := []string{"apikey", fsecret, "Referer", "https://maps.example.org/carte", "User-Agent", "QGIS/3.34"}
	expect(t, e, "filters pass", in("/wms", getMap("topo_routes"), good...), ok)
	i := in("/wms", getMap("topo_routes"), good...)
	i.Client = netip.MustParseAddr("198.51.100.1")
	expect(t, e, "outside the allow-list", i, want{403, gateway.ReasonIPRefused})
	i.Client = netip.MustParseAddr("192.0.2.66")
	expect(t, e, "in the deny-list", i, want{403, gateway.ReasonIPRefused})
	i.Client = netip.MustParseAddr("2001:db8::5")
	expect(t, e, "IPv6 allowed", i, ok)
	i.Client = netip.MustParseAddr("2001:db8:bad::5")
	expect(t, e, "IPv6 denied", i, want{403, gateway.ReasonIPRefused})
	i.Client = netip.MustParseAddr("::ffff:192.0.2.7")
	expect(t, e, "IPv4-mapped", i, ok)
	i.Client = netip.Addr{}
	d = expect(t, e, "unknown client", i, want{403, gateway.ReasonIPRefused})
	if got := d.Why.In(messages.English); !strings.Contains(got, "could not be read") {
		t.Errorf("unknown client: why %q does not say the address could not be read", got)
	}
	// A deny-list alone fails closed too: an address that cannot be read
	// might be one it keeps out.
	_, dsecret, err := svc.CreateKey(ctx, "alice", portal.KeySpec{Name: "deny-only", Type: portal.KeyHash,
		Filters:  portal.KeyFilters{IPDeny: []string{"192.0.2.66"}},
		Accesses: []portal.AccessPair{{Grant: "g1", Service: "topo"}}})
	if err != nil {
		t.Fatal(err)
	}
	i = in("/wms", getMap("topo_routes"), "apikey", dsecret)
	i.Client = netip.MustParseAddr("198.51.100.1")
	expect(t, e, "deny-list, other client", i, ok)
	i.Client = netip.MustParseAddr("192.0.2.66")
	expect(t, e, "deny-list, denied client", i, want{403, gateway.ReasonIPRefused})
	i.Client = netip.Addr{}
	d = expect(t, e, "deny-list, unknown client", i, want{403, gateway.ReasonIPRefused})
	if got := d.Why.In(messages.French); !strings.Contains(got, "n'a pas pu être lue") {
		t.Errorf("deny-list, unknown client: why %q does not say the address could not be read", got)
	}
	// Without IP filters, the address does not matter.
	i = in("/wms", getMap("topo_routes"), "apikey", secret)
	i.Client = netip.Addr{}
	expect(t, e, "no IP filter, unknown client", i, ok)
	expect(t, e, "no referer", in("/wms", getMap("topo_routes"), "apikey", fsecret, "User-Agent", "QGIS/3.34"), want{403, gateway.ReasonRefererRefused})
	expect(t, e, "other referer", in("/wms", getMap("topo_routes"), "apikey", fsecret, "Referer", "https://example.org.evil.com/x", "User-Agent", "QGIS"), want{403, gateway.ReasonRefererRefused})
	expect(t, e, "user agent mid-pattern", in("/wms", getMap("topo_routes"), "apikey", fsecret, "Referer", "HTTPS://A.EXAMPLE.ORG/", "User-Agent", "curl GDAL/3.8"), ok)
	expect(t, e, "other user agent", in("/wms", getMap("topo_routes"), "apikey", fsecret, "Referer", "https://a.example.org/", "User-Agent", "curl/8"), want{403, gateway.ReasonUserAgentRefused})

	// Disabled, revoked, deleted.
	st := portal.KeyDisabled
	if _, err := svc.UpdateKey(ctx, "alice", k.ID, portal.KeyChange{Status: &st}); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "disabled key", in("/wms", getMap("topo_routes"), "apikey", secret), want{403, gateway.ReasonKeyDisabled})
	st = portal.KeyActive
	if _, err := svc.UpdateKey(ctx, "alice", k.ID, portal.KeyChange{Status: &st}); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "enabled again", in("/wms", getMap("topo_routes"), "apikey", secret), ok)
	if _, err := svc.RevokeKey(ctx, e.admin, kb.ID); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "revoked key", in("/wms", getMap("topo_routes"), "Authorization", basic("bob-qgis", pass)), want{403, gateway.ReasonKeyRevoked})
	if err := svc.DeleteKey(ctx, "bob", kb.ID); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "deleted key", in("/wms", getMap("topo_routes"), "Authorization", basic("bob-qgis", pass)), want{401, gateway.ReasonUnknownKey})
}

// TestDecideFollowsRights: a key never opens more than its owner may use,
// at once.
func TestDecideFollowsRights(t *testing.T) {
	e := newEnv(t)
	end := time.Now().Add(time.Hour)
	e.world(end)
	e.dec.Grants = grants{"g1": &end, "g2": nil}
	svc, ctx := e.svc, e.ctx
	_, secret, err := svc.CreateKey(ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash, Accesses: []portal.AccessPair{{Grant: "g1", Service: "topo"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, bsecret, err := svc.CreateKey(ctx, "bob", portal.KeySpec{Name: "qgis", Type: portal.KeyHash, Accesses: []portal.AccessPair{{Grant: "g2", Service: "topo"}}})
	if err != nil {
		t.Fatal(err)
	}
	req := func(s string) gateway.Input { return in("/wms", getMap("topo_routes"), "apikey", s) }
	expect(t, e, "alice", req(secret), want{200, ""})
	expect(t, e, "bob", req(bsecret), want{200, ""})

	// The grant no longer covers the service (bob still holds it).
	e.write(store.Delete, "service:topo#grant@grant:g2")
	expect(t, e, "grant no longer covers", req(bsecret), want{403, gateway.ReasonLayerNotGranted})
	e.write(store.Touch, "service:topo#grant@grant:g2")
	// The grant is taken from bob.
	e.write(store.Delete, "grant:g2#beneficiary_user@user:bob")
	expect(t, e, "grant removed", req(bsecret), want{403, gateway.ReasonGrantNotHeld})

	// The service is switched off, then on.
	e.write(store.Delete, "service:topo#available@user:*")
	expect(t, e, "service off", req(secret), want{403, gateway.ReasonServiceUnavailable})
	e.write(store.Touch, "service:topo#available@user:*")
	expect(t, e, "service on", req(secret), want{200, ""})

	// alice leaves the community the grant was made to.
	if err := svc.RemoveCommunityMember(ctx, "bob", "club", "alice"); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "community left", req(secret), want{403, gateway.ReasonGrantNotHeld})
	if _, err := svc.InviteCommunityMember(ctx, "bob", "club", "alice", portal.CommunityParticipant); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AnswerCommunityInvitation(ctx, "alice", "club", true); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "back in the community", req(secret), want{200, ""})

	// The owner is disabled, then enabled.
	if _, err := svc.SetAccountStatus(ctx, e.admin, "alice", portal.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "owner disabled", req(secret), want{403, gateway.ReasonOwnerDisabled})
	if _, err := svc.SetAccountStatus(ctx, e.admin, "alice", portal.AccountActive); err != nil {
		t.Fatal(err)
	}

	// The grant expires: refused, saying when.
	past := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	e.write(store.Touch, "grant:g1#beneficiary_community@community:club[expiration:"+past.Format(time.RFC3339)+"]")
	e.dec.Grants = grants{"g1": &past}
	d := expect(t, e, "grant expired", req(secret), want{403, gateway.ReasonGrantExpired})
	if got := d.Why.In(messages.French); !strings.Contains(got, past.Format(time.RFC3339)) {
		t.Errorf("expiry not dated: %s", got)
	}
}
