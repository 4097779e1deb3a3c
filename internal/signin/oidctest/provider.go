package oidctest

import (
	"context"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The subjects of the example users (their ids at the provider).
const (
	FirstSubject  = "id1"
	SecondSubject = "id2"
)

// JWTClient is a second client of the provider, whose access tokens are
// signed JWTs (the provider's own keys, published at its JWKS), as a
// desktop GIS client registered at a platform's provider receives them.
const (
	JWTClient       = "qgis"
	JWTClientSecret = "qgis-secret"
)

// GroupsClaim is the claim the provider puts the groups in.
const GroupsClaim = "groups"

// OP is a running provider.
type OP struct {
	Issuer string
	mu     sync.Mutex
	groups map[string][]string
	// life, when not zero, is the lifetime of the access tokens issued
	// from now on.
	life time.Duration
	// userInfoOnly: the groups are in the user info, not the ID token.
	userInfoOnly bool
}

// GroupsInUserInfoOnly makes the provider put the groups claim in its
// user info answers only, not in ID tokens, as some providers do.
func (o *OP) GroupsInUserInfoOnly(only bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.userInfoOnly = only
}

// SetTokenLifetime sets the lifetime of the access tokens the provider
// issues from now on (0: its own, five minutes); a short one gives a
// token that soon expires, as a client that keeps one too long holds.
// (Not negative: the token response would say so, and clients refuse
// it.)
func (o *OP) SetTokenLifetime(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.life = d
}

// CreateAccessToken is the provider's, with the lifetime SetTokenLifetime
// set.
func (s *groupStorage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	id, exp, err := s.Storage.CreateAccessToken(ctx, req)
	s.op.mu.Lock()
	life := s.op.life
	s.op.mu.Unlock()
	if err == nil && life != 0 {
		exp = time.Now().Add(life)
	}
	return id, exp, err
}

// SetGroups sets the groups the provider says subject belongs to, in its
// ID tokens and user info from now on (nil: no groups claim at all).
func (o *OP) SetGroups(subject string, groups []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.groups[subject] = groups
}

func (o *OP) groupsOf(subject string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.groups[subject]
}

// groupStorage is the example provider's storage with two additions a
// real deployment configures at its provider: a groups claim, and a
// client whose access tokens are JWTs. Everything else (sign-in, codes,
// tokens, signatures, keys) is the provider's own.
type groupStorage struct {
	*storage.Storage
	op *OP
}

func (s *groupStorage) addGroups(info *oidc.UserInfo, subject string) {
	if g := s.op.groupsOf(subject); g != nil {
		info.AppendClaims(GroupsClaim, g)
	}
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *groupStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	s.op.mu.Lock()
	only := s.op.userInfoOnly
	s.op.mu.Unlock()
	if !only {
		s.addGroups(info, req.GetSubject())
	}
	return nil
}

// SetUserinfoFromToken fills the user info endpoint's answer.
func (s *groupStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	s.addGroups(info, subject)
	return nil
}

// GetClientByClientID gives JWTClient JWT access tokens.
func (s *groupStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil || id != JWTClient {
		return c, err
	}
	return jwtClient{c}, nil
}

type jwtClient struct{ op.Client }

func (jwtClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }

// AccessToken signs user in at the provider as JWTClient, through the
// authorization code flow, and returns the access token it issues (a JWT
// signed with the provider's keys).
func (o *OP) AccessToken(t testing.TB, redirect, user string) string {
	t.Helper()
	ctx := context.Background()
	p, err := gooidc.NewProvider(ctx, o.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	c := oauth2.Config{ClientID: JWTClient, ClientSecret: JWTClientSecret, RedirectURL: redirect, Endpoint: p.Endpoint(), Scopes: []string{gooidc.ScopeOpenID}}
	verifier := oauth2.GenerateVerifier()
	q := Login(t, c.AuthCodeURL("state-"+user, oauth2.S256ChallengeOption(verifier)), redirect, user, Password)
	tok, err := c.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}
