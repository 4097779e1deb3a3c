package server

import (
	"context"
	"errors"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/signin"
)

// OAUTH2 access keys at the gateway: with an identity provider
// (--oidc-issuer), the gateway takes its bearer access tokens, verified
// against its published keys (signin.AccessTokens, fetched at start and
// kept fresh by Start), for the OAUTH2 keys bound to their subjects.

// setupAccessTokens reads the provider's keys and gives the gateway its
// token verifier; nothing without a provider.
func (s *Server) setupAccessTokens(ctx context.Context) error {
	if s.gw == nil || s.cfg.SignIn.OIDC.Issuer == "" {
		return nil
	}
	at, err := signin.NewAccessTokens(ctx, signin.AccessTokenConfig{Issuer: s.cfg.SignIn.OIDC.Issuer, Audience: s.cfg.SignIn.AccessTokenAudience})
	if err != nil {
		return err
	}
	s.tokens = at
	s.gw.decider.Tokens = tokenVerifier{at}
	return nil
}

// tokenVerifier is signin.AccessTokens as the gateway asks for it.
type tokenVerifier struct{ at *signin.AccessTokens }

func (v tokenVerifier) VerifyAccessToken(ctx context.Context, raw string) (gateway.Token, error) {
	t, err := v.at.Verify(ctx, raw)
	if errors.Is(err, signin.ErrTokenExpired) {
		return gateway.Token{}, gateway.ErrTokenExpired
	}
	if err != nil {
		return gateway.Token{}, err
	}
	return gateway.Token{Issuer: t.Issuer, Subject: t.Subject, Client: t.Client}, nil
}
