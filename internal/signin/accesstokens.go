package signin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// Access tokens of the identity provider, for the gateway's OAUTH2 keys.
//
// AccessTokens verifies a bearer access token the provider issued as a
// signed JWT (RFC 9068 style) LOCALLY: signature against the provider's
// published keys (its JWKS, found through its discovery document), issuer,
// audience, expiry and not-before. The keys are fetched at start, then
// again every RefreshEvery, and when a token names a key id that is not
// among them (the provider rotated its keys), but never more often than
// once per MinRefresh and never on the caller's path: the token that
// names an unknown key is refused, and the next ones, once the new keys
// have arrived, are accepted. A decision thus never waits on the network,
// and nobody can make octroi hammer the provider by sending tokens with
// made-up key ids.
//
// Opaque (non-JWT) access tokens are not accepted: checking them means
// asking the provider (introspection) at each request.

// Errors of Verify: ErrTokenExpired for a token whose expiry has passed,
// ErrTokenInvalid for any other refusal (malformed, bad signature, another
// issuer or audience, no subject).
var (
	ErrTokenExpired = errors.New("access token expired")
	ErrTokenInvalid = errors.New("access token invalid")
)

// AccessTokenConfig configures AccessTokens.
type AccessTokenConfig struct {
	// Issuer is the provider's issuer URL (the same as sign-in's).
	Issuer string
	// Audience, when set, must be among a token's audiences (the
	// gateway's resource identifier, as configured at the provider);
	// empty: the token's own client (client_id or azp) must be.
	Audience string
	// RefreshEvery is how often the keys are fetched again (0: 10m);
	// MinRefresh the least time between two fetches (0: 30s).
	RefreshEvery, MinRefresh time.Duration
	// Client fetches the discovery document and keys (nil:
	// http.DefaultClient).
	Client *http.Client
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// AccessToken is what a verified token says: who (the subject at the
// issuer) and for which client.
type AccessToken struct {
	Issuer, Subject, Client string
	Expiry                  time.Time
}

// AccessTokens verifies access tokens. It is safe for concurrent use.
type AccessTokens struct {
	cfg      AccessTokenConfig
	jwksURL  string
	verifier *oidc.IDTokenVerifier
	keys     atomic.Pointer[jose.JSONWebKeySet]

	mu        sync.Mutex
	lastFetch time.Time
	fetching  bool
	// Fetches counts the key set's fetches (for tests and metrics).
	Fetches atomic.Int64

	// verified remembers the tokens verified lately (by their hash), so
	// that a client's many requests with one token pay for its signature
	// once: a map emptied when full and whenever the published keys
	// change (a withdrawn key's tokens are then checked again, and
	// refused).
	cacheMu  sync.Mutex
	verified map[[32]byte]AccessToken
	keyGen   int64 // counts changes of the keys, under cacheMu
}

// maxVerified bounds the verified tokens remembered.
const maxVerified = 10000

// asymmetric are the signature algorithms accepted: a provider's keys
// are public, so a symmetric one (HS256) would let anyone sign.
var asymmetric = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}

// NewAccessTokens reads the provider's discovery document and its keys;
// an error when either cannot be read.
func NewAccessTokens(ctx context.Context, cfg AccessTokenConfig) (*AccessTokens, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("signin: access tokens need an issuer")
	}
	if cfg.RefreshEvery <= 0 {
		cfg.RefreshEvery = 10 * time.Minute
	}
	if cfg.MinRefresh <= 0 {
		cfg.MinRefresh = 30 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, cfg.Client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("signin: OIDC provider %s: %w", cfg.Issuer, err)
	}
	var meta struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKS == "" {
		return nil, fmt.Errorf("signin: OIDC provider %s publishes no jwks_uri", cfg.Issuer)
	}
	a := &AccessTokens{cfg: cfg, jwksURL: meta.JWKS}
	a.verifier = oidc.NewVerifier(cfg.Issuer, a, &oidc.Config{SkipClientIDCheck: true, SupportedSigningAlgs: asymmetric, Now: cfg.Now})
	if err := a.fetch(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Run fetches the keys every RefreshEvery until ctx ends.
func (a *AccessTokens) Run(ctx context.Context) {
	t := time.NewTicker(a.cfg.RefreshEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = a.fetch(ctx) // the keys in hand stay until a fetch succeeds
		}
	}
}

// fetch reads the key set and keeps it.
func (a *AccessTokens) fetch(ctx context.Context) error {
	a.Fetches.Add(1)
	a.mu.Lock()
	a.lastFetch = a.cfg.Now()
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.jwksURL, nil)
	if err != nil {
		return err
	}
	resp, err := a.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("signin: the provider's keys %s: %w", a.jwksURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("signin: the provider's keys %s: %s", a.jwksURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("signin: the provider's keys %s: %w", a.jwksURL, err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return fmt.Errorf("signin: the provider's keys %s: %w", a.jwksURL, err)
	}
	old := a.keys.Swap(&set)
	if old != nil {
		was, _ := json.Marshal(old)
		now, _ := json.Marshal(&set)
		if bytes.Equal(was, now) {
			return nil
		}
	}
	a.cacheMu.Lock()
	a.verified = nil
	a.keyGen++
	a.cacheMu.Unlock()
	return nil
}

// refreshSoon fetches the keys in the background, unless a fetch is under
// way or happened less than MinRefresh ago.
func (a *AccessTokens) refreshSoon() {
	a.mu.Lock()
	if a.fetching || a.cfg.Now().Sub(a.lastFetch) < a.cfg.MinRefresh {
		a.mu.Unlock()
		return
	}
	a.fetching = true
	a.mu.Unlock()
	go func() {
		_ = a.fetch(context.Background())
		a.mu.Lock()
		a.fetching = false
		a.mu.Unlock()
	}()
}

// VerifySignature implements oidc.KeySet over the keys in memory.
func (a *AccessTokens) VerifySignature(_ context.Context, jwt string) ([]byte, error) {
	algs := make([]jose.SignatureAlgorithm, len(asymmetric))
	for i, s := range asymmetric {
		algs[i] = jose.SignatureAlgorithm(s)
	}
	jws, err := jose.ParseSignedCompact(jwt, algs) // a JWT is compact
	if err != nil || len(jws.Signatures) != 1 {
		return nil, errors.New("malformed token")
	}
	kid := jws.Signatures[0].Header.KeyID
	known := false
	if set := a.keys.Load(); set != nil {
		for _, k := range set.Keys {
			if kid != "" && k.KeyID != kid {
				continue
			}
			known = true
			if k.Use != "" && k.Use != "sig" {
				continue
			}
			if payload, err := jws.Verify(k); err == nil {
				return payload, nil
			}
		}
	}
	if !known {
		a.refreshSoon() // perhaps a key the provider has just published
		return nil, fmt.Errorf("no published key of the provider has the id %q", kid)
	}
	return nil, errors.New("the signature does not match the provider's key")
}

// Verify checks raw, a bearer access token, and says whose it is.
func (a *AccessTokens) Verify(ctx context.Context, raw string) (AccessToken, error) {
	h := sha256.Sum256([]byte(raw))
	a.cacheMu.Lock()
	got, ok := a.verified[h]
	gen := a.keyGen
	a.cacheMu.Unlock()
	if ok {
		if !got.Expiry.After(a.cfg.Now()) {
			return AccessToken{}, fmt.Errorf("%w (at %s)", ErrTokenExpired, got.Expiry.UTC().Format(time.RFC3339))
		}
		return got, nil
	}
	got, err := a.verify(ctx, raw)
	if err != nil {
		return AccessToken{}, err
	}
	a.cacheMu.Lock()
	if a.keyGen == gen { // not verified with keys since replaced
		if a.verified == nil || len(a.verified) >= maxVerified {
			a.verified = map[[32]byte]AccessToken{}
		}
		a.verified[h] = got
	}
	a.cacheMu.Unlock()
	return got, nil
}

func (a *AccessTokens) verify(ctx context.Context, raw string) (AccessToken, error) {
	t, err := a.verifier.Verify(ctx, raw)
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return AccessToken{}, fmt.Errorf("%w (at %s)", ErrTokenExpired, expired.Expiry.UTC().Format(time.RFC3339))
	case err != nil:
		return AccessToken{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	var claims struct {
		ClientID string `json:"client_id"`
		AZP      string `json:"azp"`
	}
	if err := t.Claims(&claims); err != nil {
		return AccessToken{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	client := claims.ClientID
	if client == "" {
		client = claims.AZP
	}
	aud := a.cfg.Audience
	if aud == "" {
		aud = client
	}
	switch {
	case t.Subject == "" || client == "":
		return AccessToken{}, fmt.Errorf("%w: no subject or no client", ErrTokenInvalid)
	case !slices.Contains(t.Audience, aud):
		return AccessToken{}, fmt.Errorf("%w: audience %q, not %q", ErrTokenInvalid, t.Audience, aud)
	}
	return AccessToken{Issuer: t.Issuer, Subject: t.Subject, Client: client, Expiry: t.Expiry}, nil
}
