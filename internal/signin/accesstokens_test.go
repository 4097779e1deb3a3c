package signin

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/octroi/octroi/internal/signin/oidctest"
)

const tokenRedirect = "http://octroi.test/cb"

// signWith signs the claims of tok again with key, under kid.
func signWith(t *testing.T, tok string, key *rsa.PrivateKey, kid string) string {
	t.Helper()
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	return signClaims(t, payload, key, kid)
}

func signClaims(t *testing.T, payload []byte, key *rsa.PrivateKey, kid string) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAccessTokensOfARealProvider: the provider's JWT access tokens are
// verified from the keys fetched once at start; no verification, good
// or bad, fetches them again, but for a token naming a key id the
// provider has not published, which fetches them at most once per
// MinRefresh, in the background; expiry and audience are checked.
func TestAccessTokensOfARealProvider(t *testing.T) {
	op := oidctest.Start(t, tokenRedirect)
	ctx := context.Background()
	var now atomic.Pointer[time.Time]
	clock := func() time.Time {
		if n := now.Load(); n != nil {
			return *n
		}
		return time.Now()
	}
	at, err := NewAccessTokens(ctx, AccessTokenConfig{Issuer: op.Issuer, MinRefresh: time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	tok := op.AccessToken(t, tokenRedirect, oidctest.User(op.Issuer))
	for range 200 {
		got, err := at.Verify(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != oidctest.FirstSubject || got.Client != oidctest.JWTClient || got.Issuer != op.Issuer {
			t.Fatalf("verified %+v", got)
		}
	}
	forger, _ := rsa.GenerateKey(rand.Reader, 2048)
	var h struct {
		Kid string `json:"kid"`
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	_ = json.Unmarshal(hdr, &h)
	for range 100 {
		if _, err := at.Verify(ctx, signWith(t, tok, forger, h.Kid)); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("a forged signature under the provider's key id: %v", err)
		}
	}
	if n := at.Fetches.Load(); n != 1 {
		t.Fatalf("%d fetches of the keys for verifications with the keys in hand, want 1 (at start)", n)
	}
	// Within MinRefresh of the last fetch, an unknown key id fetches
	// nothing; past it, one fetch for any number of such tokens.
	for range 20 {
		if _, err := at.Verify(ctx, signWith(t, tok, forger, "made-up")); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("an unknown key id: %v", err)
		}
	}
	if n := at.Fetches.Load(); n != 1 {
		t.Fatalf("%d fetches within MinRefresh, want 1", n)
	}
	past := time.Now().Add(2 * time.Hour)
	now.Store(&past)
	for range 100 {
		if _, err := at.Verify(ctx, signWith(t, tok, forger, "made-up")); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("an unknown key id: %v", err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for at.Fetches.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := at.Fetches.Load(); n != 2 {
		t.Errorf("%d fetches after 100 tokens of an unknown key id, want 2 (one refresh per MinRefresh)", n)
	}

	if _, err := at.Verify(ctx, tok); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("two hours later: %v", err)
	}
	now.Store(nil)

	strict, err := NewAccessTokens(ctx, AccessTokenConfig{Issuer: op.Issuer, Audience: "https://gateway.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strict.Verify(ctx, tok); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("a token for another audience: %v", err)
	}
	if _, err := at.Verify(ctx, "not.a.token"); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("garbage: %v", err)
	}
}

// TestAccessTokensFollowKeyRotation: when the provider publishes a new key
// and signs with it, the first token naming it fetches the keys again (in
// the background) and the next ones are accepted; the provider is a
// minimal discovery document and JWKS, since the real provider of the
// other tests cannot rotate its keys.
func TestAccessTokensFollowKeyRotation(t *testing.T) {
	k1, _ := rsa.GenerateKey(rand.Reader, 2048)
	k2, _ := rsa.GenerateKey(rand.Reader, 2048)
	var published atomic.Pointer[jose.JSONWebKeySet]
	published.Store(&jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k1.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/auth", "token_endpoint": srv.URL + "/token",
			"jwks_uri": srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(published.Load()) })
	ctx := context.Background()
	at, err := NewAccessTokens(ctx, AccessTokenConfig{Issuer: srv.URL, MinRefresh: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := json.Marshal(map[string]any{"iss": srv.URL, "sub": "s1", "aud": []string{"qgis"}, "client_id": "qgis", "exp": time.Now().Add(time.Hour).Unix()})
	if _, err := at.Verify(ctx, signClaims(t, claims, k1, "k1")); err != nil {
		t.Fatal(err)
	}
	published.Store(&jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k2.PublicKey, KeyID: "k2", Algorithm: "RS256", Use: "sig"}}})
	rotated := signClaims(t, claims, k2, "k2")
	if _, err := at.Verify(ctx, rotated); err == nil {
		t.Fatal("a token of a key not yet fetched was accepted at once")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err = at.Verify(ctx, rotated); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("the new key never came: %v", err)
	}
	if _, err := at.Verify(ctx, signClaims(t, claims, k1, "k1")); err == nil {
		t.Error("a token of the withdrawn key is still accepted")
	}
	// No client, or the token's client not in its audience.
	for _, c := range []map[string]any{
		{"iss": srv.URL, "sub": "s1", "aud": []string{"qgis"}, "exp": time.Now().Add(time.Hour).Unix()},
		{"iss": srv.URL, "sub": "s1", "aud": []string{"other"}, "azp": "qgis", "exp": time.Now().Add(time.Hour).Unix()},
		{"iss": "http://elsewhere", "sub": "s1", "aud": []string{"qgis"}, "azp": "qgis", "exp": time.Now().Add(time.Hour).Unix()},
		{"iss": srv.URL, "sub": "s1", "aud": []string{"qgis"}, "azp": "qgis"},
	} {
		b, _ := json.Marshal(c)
		if _, err := at.Verify(ctx, signClaims(t, b, k2, "k2")); err == nil {
			t.Errorf("accepted %v", c)
		}
	}
}

// BenchmarkVerifyAccessToken: a real provider's token, verified from the
// keys in memory: the first time (signature checked), and again (the
// verified tokens remembered).
func BenchmarkVerifyAccessToken(b *testing.B) {
	op := oidctest.Start(b, tokenRedirect)
	ctx := context.Background()
	tok := op.AccessToken(b, tokenRedirect, oidctest.User(op.Issuer))
	b.Run("signature", func(b *testing.B) {
		at, err := NewAccessTokens(ctx, AccessTokenConfig{Issuer: op.Issuer})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := at.verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("remembered", func(b *testing.B) {
		at, err := NewAccessTokens(ctx, AccessTokenConfig{Issuer: op.Issuer})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := at.Verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
