package gateway

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// OAUTH2 access keys: a client presents `Authorization: Bearer <access
// token>`, a token of the platform's identity provider. The Decider's
// Tokens verifies it locally (signature against the provider's published
// keys held in memory, issuer, audience, expiry: see package signin's
// AccessTokens), and the key is the OAUTH2 key bound to the token's
// issuer, client and subject (portal.OAuth2Lookup), found in memory like
// any other. Only OAUTH2 keys open grants marked only_oauth (keyOpens).
//
// Refusals, all 401 with a Bearer challenge (RFC 6750's invalid_token):
// a token that is malformed, badly signed or for another issuer or
// audience (bad_token, and also when the platform has no provider), an
// expired one (token_expired), a valid one that no OAUTH2 key is bound
// to (unknown_subject).

// Reason codes of bearer tokens.
const (
	ReasonBadToken       = "bad_token"       // 401
	ReasonTokenExpired   = "token_expired"   // 401
	ReasonUnknownSubject = "unknown_subject" // 401
)

// Token is what a verified access token says.
type Token struct {
	Issuer, Subject, Client string
}

// ErrTokenExpired is what a TokenVerifier returns (wrapped or not) for a
// token whose expiry has passed; any other error is a bad token.
var ErrTokenExpired = errors.New("gateway: access token expired")

// TokenVerifier verifies bearer access tokens without a network call
// once it holds the provider's keys.
type TokenVerifier interface {
	VerifyAccessToken(ctx context.Context, raw string) (Token, error)
}

// maxBearer bounds a token's length: a JWT of a provider is a few
// kilobytes at most, and nothing longer is parsed.
const maxBearer = 16 << 10

// ParseBearer reads an Authorization header of scheme Bearer (RFC 6750:
// the scheme, in any case, one or more spaces, a b64token); ok is false
// for another scheme or a malformed token.
func ParseBearer(auth string) (token string, ok bool) {
	const scheme = "bearer"
	if len(auth) <= len(scheme) || !strings.EqualFold(auth[:len(scheme)], scheme) || auth[len(scheme)] != ' ' {
		return "", false
	}
	token = strings.TrimLeft(auth[len(scheme):], " ")
	if token == "" || len(token) > maxBearer {
		return "", false
	}
	end := len(token)
	for end > 0 && token[end-1] == '=' {
		end--
	}
	if end == 0 {
		return "", false
	}
	for i := 0; i < end; i++ {
		c := token[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return "", false
		}
	}
	return token, true
}

// isBearer reports whether auth uses the Bearer scheme, well formed or
// not.
func isBearer(auth string) bool {
	return len(auth) >= 6 && strings.EqualFold(auth[:6], "bearer") && (len(auth) == 6 || auth[6] == ' ')
}

// bearerKey finds the OAUTH2 key of a bearer token valid at now, or
// says why not.
func (d *Decider) bearerKey(ctx context.Context, auth string, now time.Time) (*portal.LiveKey, *Decision) {
	refuse := func(reason string, why messages.Message) (*portal.LiveKey, *Decision) {
		r := refusal(http.StatusUnauthorized, reason, why)
		return nil, &r
	}
	raw, ok := ParseBearer(auth)
	if !ok {
		return refuse(ReasonBadToken, messages.New("gateway.bad_token"))
	}
	if d.Tokens == nil {
		return refuse(ReasonBadToken, messages.New("gateway.no_token_provider"))
	}
	t, err := d.Tokens.VerifyAccessToken(ctx, raw)
	switch {
	case errors.Is(err, ErrTokenExpired):
		return refuse(ReasonTokenExpired, messages.New("gateway.token_expired"))
	case err != nil:
		return refuse(ReasonBadToken, messages.New("gateway.bad_token"))
	}
	k, err := d.Keys.LookupKey(portal.OAuth2Lookup(t.Issuer, t.Client, t.Subject), now)
	if err != nil || k.Type != portal.KeyOAuth2 {
		return refuse(ReasonUnknownSubject, messages.New("gateway.unknown_subject", messages.Quote(t.Subject), messages.Quote(t.Client)))
	}
	return k, nil
}

// TokenKey returns the OAUTH2 key a bearer token (the token alone, not
// the header) opens with, or the refusal: for the explanation, which
// must authorize the asker for the key before explaining.
func (d *Decider) TokenKey(ctx context.Context, raw string) (*portal.LiveKey, *Decision) {
	return d.bearerKey(ctx, "Bearer "+raw, d.now())
}

// ExplainToken decides in as if it presented the bearer token raw,
// without recording usage.
func (d *Decider) ExplainToken(ctx context.Context, in Input, raw string) Decision {
	return d.decideWith(ctx, in, func() (*portal.LiveKey, *Decision) { return d.TokenKey(ctx, raw) }, full)
}

// bearerReason reports whether reason is a bearer token's refusal (its
// 401 carries a Bearer challenge).
func bearerReason(reason string) bool {
	return reason == ReasonBadToken || reason == ReasonTokenExpired || reason == ReasonUnknownSubject
}
