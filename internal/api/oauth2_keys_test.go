package api_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/signin"
	"github.com/octroi/octroi/internal/signin/oidctest"
)

// forgeSubject returns tok with its subject changed and its signature
// kept: what someone who holds a token of theirs would try.
func forgeSubject(t *testing.T, tok, sub string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("the provider's access token is no JWT: %q", tok)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	claims["sub"] = sub
	payload, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

// selfSigned signs tok's claims with a key of the forger's own, under the
// key id the provider uses: a signature no published key verifies.
func selfSigned(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var h struct {
		Kid string `json:"kid"`
	}
	_ = json.Unmarshal(header, &h)
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k, KeyID: h.Kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOAuth2KeysAtTheGateway: with an identity provider configured, a
// person who signed in through it once creates an OAUTH2 key bound to
// their identity there; the provider's real access tokens (JWTs signed
// with its published keys) then open, at forward-auth, the layers of the
// key's grants, including a grant only OAUTH2 keys may use, and nothing
// else; forged, expired and unbound tokens are refused with 401 and a
// Bearer challenge; the explanation says why, in French and English.
func TestOAuth2KeysAtTheGateway(t *testing.T) {
	const redirect = "http://octroi.test/api/v1/auth/oidc/callback"
	op := oidctest.Start(t, redirect)
	w := newWorld(t, func(t *testing.T, mutate ...func(*server.Config)) *env {
		return newEnv(t, append(mutate, func(c *server.Config) {
			c.SignIn.OIDC = signin.OIDCConfig{Issuer: op.Issuer, ClientID: "octroi", ClientSecret: "octroi-secret", RedirectURL: redirect, MatchEmail: true}
		})...)
	})
	ctx := context.Background()
	p := w.srv.Portal().(*portal.Service)
	var acc struct{ ID string }
	w.as("manager").want(201, "POST", "/api/v1/accounts", map[string]any{"email": oidctest.FirstEmail, "name": "Zitadel user"}, &acc)
	w.id["sso"], w.tok["sso"] = acc.ID, w.token(oidctest.FirstEmail)

	// Two services at /wms/o: parcels (granted, only through OAUTH2
	// keys) and rivers (not granted).
	for _, m := range []portal.MapService{
		{ID: "wms-o1", Dataset: "IGNF_T", Title: "O1", Type: portal.ServiceWMS, Path: "/wms/o", Upstream: "http://127.0.0.1:1/mapserv", Layers: []string{"parcels"}, Available: true},
		{ID: "wms-o2", Dataset: "IGNF_T", Title: "O2", Type: portal.ServiceWMS, Path: "/wms/o", Upstream: "http://127.0.0.1:1/mapserv", Layers: []string{"rivers"}, Available: true},
	} {
		if _, err := p.CreateService(ctx, w.id["editor"], m); err != nil {
			t.Fatal(err)
		}
	}
	g, err := p.CreateGrant(ctx, w.id["editor"], portal.Grant{Name: "Licence OAuth", Services: []string{"wms-o1"}, Users: []string{acc.ID}, OnlyOAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	keyReq := map[string]any{"name": "QGIS", "type": "OAUTH2", "oauth2_client_id": oidctest.JWTClient,
		"accesses": []map[string]string{{"grant": g.ID, "service": "wms-o1"}}}

	// Not linked to the provider yet: refused, saying to sign in through
	// it first, in both languages.
	for lang, word := range map[string]string{"en": "sign in through it once", "fr": "connectez-vous une fois"} {
		r := w.as("sso").w.do("POST", "/api/v1/me/keys", keyReq, "Authorization", "Bearer "+w.tok["sso"], "Accept-Language", lang)
		if pr := r.problem(t, 400, "invalid_argument"); !strings.Contains(pr["detail"].(string), word) {
			t.Errorf("%s: %v", lang, pr["detail"])
		}
	}
	ssoSignIn(t, w, redirect, oidctest.User(op.Issuer))
	var ck api.CreatedKey
	w.as("sso").want(201, "POST", "/api/v1/me/keys", keyReq, &ck)
	if ck.Secret != "" || ck.Key.OAuth2 == nil || ck.Key.OAuth2.Subject != oidctest.FirstSubject || ck.Key.OAuth2.Issuer != op.Issuer || ck.Key.OAuth2.ClientID != oidctest.JWTClient {
		t.Fatalf("the OAUTH2 key: %+v secret %q", ck.Key, ck.Secret)
	}

	tok := op.AccessToken(t, redirect, oidctest.User(op.Issuer))
	ask := func(layer, auth string) response {
		t.Helper()
		return w.do("GET", "/gateway/auth", nil, "Authorization", auth,
			"X-Original-URI", "/wms/o?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS="+layer+"&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=1&HEIGHT=1&FORMAT=image/png")
	}
	if r := ask("parcels", "Bearer "+tok); r.status != 200 || r.header.Get("X-Octroi-Key") != ck.Key.ID || r.header.Get("X-Octroi-Account") != acc.ID {
		t.Fatalf("a granted layer with the provider's token: %d %v %s", r.status, r.header, r.body)
	}
	if r := ask("parcels", "bearer  "+tok); r.status != 200 {
		t.Errorf("the scheme in lower case, two spaces: %d", r.status)
	}
	if r := ask("rivers", "Bearer "+tok); r.status != 403 || r.header.Get("X-Octroi-Reason") != gateway.ReasonLayerNotGranted {
		t.Errorf("a layer not granted: %d %v", r.status, r.header)
	}
	refused := func(what, auth, reason string) {
		t.Helper()
		r := ask("parcels", auth)
		if r.status != 401 || r.header.Get("X-Octroi-Reason") != reason || !strings.Contains(strings.Join(r.header.Values("Www-Authenticate"), "|"), `Bearer realm="octroi", error="invalid_token"`) {
			t.Errorf("%s: %d %v %s", what, r.status, r.header, r.body)
		}
		if r.header.Get("X-Octroi-Key") != "" || r.header.Get("X-Octroi-Account") != "" {
			t.Errorf("%s: names a key or an account: %v", what, r.header)
		}
	}
	refused("another subject, the signature kept", "Bearer "+forgeSubject(t, tok, oidctest.SecondSubject), gateway.ReasonBadToken)
	refused("signed by the forger's key", "Bearer "+selfSigned(t, tok), gateway.ReasonBadToken)
	refused("no token", "Bearer ", gateway.ReasonBadToken)
	refused("not a token", "Bearer a b", gateway.ReasonBadToken)
	refused("garbage", "Bearer "+strings.Repeat("x", 10), gateway.ReasonBadToken)
	op.SetTokenLifetime(time.Second)
	expired := op.AccessToken(t, redirect, oidctest.User(op.Issuer))
	op.SetTokenLifetime(0)
	time.Sleep(2 * time.Second) // its expiry (to the second) passes
	refused("expired", "Bearer "+expired, gateway.ReasonTokenExpired)
	// A valid token of someone bound to no key.
	other := op.AccessToken(t, redirect, oidctest.SecondUser)
	refused("a subject with no key", "Bearer "+other, gateway.ReasonUnknownSubject)

	// The OAUTH2 key's lookup (issuer, client, subject) is no secret:
	// presented as a HASH key, it is unknown.
	lookup := portal.OAuth2Lookup(op.Issuer, oidctest.JWTClient, oidctest.FirstSubject)
	if r := w.do("GET", "/gateway/auth", nil, "Authorization", "", "X-Original-URI", "/wms/o?SERVICE=WMS&REQUEST=GetMap&LAYERS=parcels&apikey="+url.QueryEscape(lookup)); r.status != 401 || r.header.Get("X-Octroi-Reason") != gateway.ReasonUnknownKey {
		t.Errorf("the lookup as an apikey: %d %v", r.status, r.header)
	}

	// The explanation, with the token: for its key's owner and the
	// service's producers, never for an outsider.
	uri := "/wms/o?SERVICE=WMS&REQUEST=GetMap&LAYERS=parcels"
	var ex api.GatewayExplanation
	w.as("sso").want(200, "POST", "/api/v1/gateway/explain", map[string]any{"key": "", "uri": uri, "token": tok}, &ex)
	if !ex.Allowed || ex.Key != ck.Key.ID {
		t.Errorf("explained for the owner: %+v", ex)
	}
	w.as("editor").want(200, "POST", "/api/v1/gateway/explain", map[string]any{"key": "", "uri": uri, "token": tok}, &ex)
	w.as("outsider").want(403, "POST", "/api/v1/gateway/explain", map[string]any{"key": "", "uri": uri, "token": tok}, nil)
	w.as("outsider").want(403, "POST", "/api/v1/gateway/explain", map[string]any{"key": "", "uri": uri, "token": expired}, nil)
	w.as("sso").want(400, "POST", "/api/v1/gateway/explain", map[string]any{"key": ck.Key.ID, "uri": uri, "token": tok}, nil)
	for _, c := range []struct {
		token, reason, en, fr string
	}{
		{forgeSubject(t, tok, oidctest.SecondSubject), gateway.ReasonBadToken, "not one this platform's identity provider issued", "n'est pas un jeton émis"},
		{expired, gateway.ReasonTokenExpired, "has expired", "a expiré"},
		{other, gateway.ReasonUnknownSubject, "no OAUTH2 access key", "aucune clé d'accès OAUTH2"},
	} {
		w.as("editor").want(200, "POST", "/api/v1/gateway/explain", map[string]any{"key": "", "uri": uri, "token": c.token}, &ex)
		if ex.Allowed || ex.Status != 401 || ex.Reason != c.reason || !strings.Contains(ex.WhyEN, c.en) || !strings.Contains(ex.WhyFR, c.fr) {
			t.Errorf("explained %s: %+v", c.reason, ex)
		}
	}
}
