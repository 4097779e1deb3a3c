package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/signin"
)

// SignInConfig is how people sign in (package signin).
type SignInConfig struct {
	// SelfRegistration lets anyone create an account for their own e-mail
	// address (off by default: accounts are made by account managers and
	// delegated administrators).
	SelfRegistration bool
	// SessionIdleTimeout ends a browser session unused for that long;
	// SessionMaxAge ends it that long after sign-in whatever its use
	// (zero: the defaults of package signin).
	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration
	// PublicHTTPS: people reach the platform over https (its public URL),
	// so session cookies are Secure even behind a proxy that terminates
	// TLS.
	PublicHTTPS bool
	// OIDC is single sign-on through an OpenID Connect provider (none
	// when OIDC.Issuer is empty). Its discovery document is read at start.
	OIDC signin.OIDCConfig
	// TrustedProxies: comma-separated CIDR prefixes (or addresses) of
	// the reverse proxies whose X-Forwarded-For the sign-in limits per
	// address believe, as the gateway's (GatewayTrustedProxies) do; empty
	// (the default): none, the connection's peer is the client.
	TrustedProxies string
	// GroupCommunities maps the provider's groups (read from the claim
	// OIDC.GroupsClaim) to communities: comma-separated group=community
	// pairs (signin.ParseGroupCommunities); it fills
	// OIDC.GroupCommunities.
	GroupCommunities string
	// AccessTokenAudience: the audience the provider's access tokens
	// must carry for the gateway's OAUTH2 keys; empty: the token's own
	// client (the key's).
	AccessTokenAudience string
}

func (c SignInConfig) validate() error {
	switch {
	case c.SessionIdleTimeout < 0 || c.SessionMaxAge < 0:
		return errors.New("--session-idle-timeout and --session-max-age must be positive")
	case c.SessionIdleTimeout != 0 && c.SessionIdleTimeout < 5*time.Minute:
		// The last use of a session is recorded once a minute: an idle
		// timeout near that would end sessions in use on another node.
		return errors.New("--session-idle-timeout: at least 5m")
	case c.SessionIdleTimeout != 0 && c.SessionMaxAge != 0 && c.SessionMaxAge < c.SessionIdleTimeout:
		return errors.New("--session-max-age must be at least --session-idle-timeout")
	case c.OIDC.Issuer != "" && (c.OIDC.ClientID == "" || c.OIDC.RedirectURL == ""):
		return errors.New("--oidc-issuer needs --oidc-client-id and --oidc-redirect-url (https://<public host>/api/v1/auth/oidc/callback)")
	case c.OIDC.Issuer == "" && (c.OIDC.ClientID != "" || c.OIDC.ClientSecret != "" || c.OIDC.MatchEmail):
		return errors.New("--oidc-client-id, --oidc-client-secret and --oidc-match-email need --oidc-issuer")
	}
	switch m, err := signin.ParseGroupCommunities(c.GroupCommunities); {
	case err != nil:
		return fmt.Errorf("--oidc-group-communities: %w", err)
	case c.AccessTokenAudience != "" && c.OIDC.Issuer == "":
		return errors.New("--oauth2-audience needs --oidc-issuer")
	case c.OIDC.GroupsClaim != "" && c.OIDC.Issuer == "":
		return errors.New("--oidc-groups-claim needs --oidc-issuer")
	case len(m) > 0 && c.OIDC.GroupsClaim == "":
		return errors.New("--oidc-group-communities needs --oidc-groups-claim (the claim the provider puts the groups in)")
	}
	if _, err := gateway.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("--signin-trusted-proxies: %w", err)
	}
	return nil
}

// clientAddress is how the sign-in limits read a request's client
// address: through the gateway's rule for trusted proxies, over
// SignIn.TrustedProxies; nil when none are trusted (the peer is the
// client).
func (s *Server) clientAddress() func(*http.Request) string {
	t, err := gateway.ParseTrustedProxies(s.cfg.SignIn.TrustedProxies)
	if err != nil || len(t) == 0 {
		return nil // validate refused a bad list before the server started
	}
	proxies := gateway.TrustedProxies(t)
	return func(r *http.Request) string {
		if a := proxies.ClientOf(r); a.IsValid() {
			return a.String()
		}
		return signin.ClientOf(r).Address
	}
}

// newSignIn builds the sign-in service over the portal; the credentials
// cache holds the sessions (portal.KindSession). With a provider, its
// discovery document is read now: a server that cannot reach it does not
// start, rather than fail every single sign-on.
func (s *Server) newSignIn(ctx context.Context) (*signin.Service, *signin.OIDC, error) {
	svc, err := signin.New(signin.Config{
		Accounts:        s.portal,
		Sessions:        s.creds,
		IdleTimeout:     s.cfg.SignIn.SessionIdleTimeout,
		AbsoluteTimeout: s.cfg.SignIn.SessionMaxAge,
	})
	if err != nil || s.cfg.SignIn.OIDC.Issuer == "" {
		return svc, nil, err
	}
	oc := s.cfg.SignIn.OIDC
	if oc.GroupCommunities == nil {
		if oc.GroupCommunities, err = signin.ParseGroupCommunities(s.cfg.SignIn.GroupCommunities); err != nil {
			return nil, nil, err
		}
	}
	o, err := svc.NewOIDC(ctx, oc)
	return svc, o, err
}

// SignIn returns the sign-in service, or nil without the portal: for the
// web UI and the demo.
func (s *Server) SignIn() *signin.Service { return s.signin }

// apiSignIn gives the API the sign-in service and the portal's sessions.
func (s *Server) apiSignIn() api.SignInOptions {
	if s.signin == nil {
		return api.SignInOptions{}
	}
	o := api.SignInOptions{SignIn: s.signin, Sessions: s.portal, PublicHTTPS: s.publicHTTPS(), ClientAddress: s.clientAddress()}
	if s.oidc != nil {
		o.OIDC = s.oidc
	}
	return o
}

// publicHTTPS reports whether people reach the platform over https: told
// so (--secure-cookies), or its public URL (--public-url) says so.
func (s *Server) publicHTTPS() bool {
	return s.cfg.SignIn.PublicHTTPS || strings.HasPrefix(strings.ToLower(s.cfg.Mail.PublicURL), "https://")
}
