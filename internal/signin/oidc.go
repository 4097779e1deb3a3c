package signin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/octroi/octroi/internal/portal"
)

// Single sign-on through an OpenID Connect provider (Keycloak,
// ProConnect, Dex…): the authorization code flow with PKCE, its state and
// nonce checked, the ID token verified against the provider's published
// keys (go-oidc fetches, caches and follows their rotation). The account is
// the one linked to the identity (issuer, subject); on an identity's first
// sign-in, when the platform trusts the provider's verified e-mails
// (OIDCConfig.MatchEmail), the account with the verified e-mail is linked.
// Nobody gets an account by signing in with a provider: accounts are made
// as usual, and then linked. The provider's groups may make the account a
// member of communities (groups.go).

// OIDCConfig configures one provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (its discovery document is at
	// Issuer/.well-known/openid-configuration).
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is octroi's callback as registered at the provider.
	RedirectURL string
	// MatchEmail links an identity's first sign-in to the account of its
	// verified e-mail.
	MatchEmail bool
	// Name is the provider's name as people know it (the sign-in
	// button's "Sign in with <Name>"); "" : a generic label.
	Name string
	// GroupsClaim names the claim holding the person's groups ("" : the
	// groups are not read); GroupCommunities maps groups to the
	// communities they make one a member of (see groups.go).
	GroupsClaim      string
	GroupCommunities map[string][]string
}

// OIDC signs people in through one provider. It is safe for concurrent
// use.
type OIDC struct {
	s        *Service
	cfg      OIDCConfig
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
	groups   GroupSyncer // with GroupsClaim
}

// NewOIDC reads the provider's discovery document (ctx may carry an
// *http.Client: see oidc.ClientContext) and returns the sign-in through it.
func (s *Service) NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("signin: OIDC needs an issuer, a client id and a redirect URL")
	}
	var groups GroupSyncer
	if cfg.GroupsClaim != "" {
		var ok bool
		if groups, ok = s.acc.(GroupSyncer); !ok {
			return nil, errors.New("signin: OIDC groups need accounts that sync communities (GroupSyncer)")
		}
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("signin: OIDC provider %s: %w", cfg.Issuer, err)
	}
	return &OIDC{s: s, cfg: cfg, provider: p, verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}), groups: groups,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL, Endpoint: p.Endpoint(),
			Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}}, nil
}

// Flow is what a sign-in through the provider remembers between Begin and
// Finish: the browser keeps it (FlowCookie), so that the callback proves
// it comes back to the browser that left.
type Flow struct{ State, Nonce, Verifier string }

// Encode writes f for the cookie.
func (f Flow) Encode() string { return f.State + "." + f.Nonce + "." + f.Verifier }

// DecodeFlow reads a flow written by Encode.
func DecodeFlow(s string) (Flow, bool) {
	p := strings.Split(s, ".")
	if len(p) != 3 || p[0] == "" || p[1] == "" || p[2] == "" {
		return Flow{}, false
	}
	return Flow{p[0], p[1], p[2]}, true
}

// Begin starts a sign-in: the provider's authorization URL to send the
// browser to, and the flow to keep.
func (o *OIDC) Begin() (string, Flow) {
	f := Flow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	return o.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), f
}

// Finish ends a sign-in at the callback: state is the callback's, checked
// against the flow's; code is exchanged with the PKCE verifier; the ID
// token is verified (signature, issuer, audience, expiry) and its nonce
// checked; then the identity's account gets a session, as SignIn gives.
// Failures are ErrUnauthenticated refusals ("signin.oidc_failed", or
// "signin.oidc_no_account" for an identity no account is linked to).
func (o *OIDC) Finish(ctx context.Context, f Flow, state, code string, c Client) (portal.Session, string, error) {
	failed := refuse(portal.ErrUnauthenticated, "signin.oidc_failed")
	if f.State == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 || code == "" {
		return portal.Session{}, "", failed
	}
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return portal.Session{}, "", fmt.Errorf("%w (exchanging the code: %v)", failed, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return portal.Session{}, "", fmt.Errorf("%w (verifying the ID token: %v)", failed, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return portal.Session{}, "", failed
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return portal.Session{}, "", fmt.Errorf("%w (claims: %v)", failed, err)
	}
	if claims.Email == "" && o.cfg.MatchEmail {
		// Many providers put the e-mail in the user info only; it must
		// be the same subject's.
		ui, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return portal.Session{}, "", fmt.Errorf("%w (user info: %v)", failed, err)
		}
		if ui.Subject != idt.Subject {
			return portal.Session{}, "", fmt.Errorf("%w (user info of subject %q, not %q)", failed, ui.Subject, idt.Subject)
		}
		claims.Email, claims.EmailVerified = ui.Email, ui.EmailVerified
	}
	acc, err := o.s.acc.SignInWithIdentity(ctx, idt.Issuer, idt.Subject, claims.Email, claims.EmailVerified, o.cfg.MatchEmail)
	if errors.Is(err, portal.ErrNotFound) {
		return portal.Session{}, "", refuse(portal.ErrUnauthenticated, "signin.oidc_no_account")
	}
	if err != nil {
		return portal.Session{}, "", err
	}
	if err := o.syncGroups(ctx, acc.ID, idt, tok); err != nil {
		return portal.Session{}, "", fmt.Errorf("%w (groups: %v)", failed, err)
	}
	now := o.s.now()
	ses, secret, err := o.s.acc.OpenSession(ctx, acc.ID, now.Add(o.s.absol), c.Address, c.UserAgent)
	if err != nil {
		return portal.Session{}, "", err
	}
	o.s.noteSeen(ses.ID, now)
	return ses, secret, nil
}
