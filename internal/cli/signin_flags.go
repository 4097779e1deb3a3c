package cli

import "github.com/octroi/octroi/internal/server"

// signInFlags are the flags of signing in (serve).
func signInFlags(ef *envFlags, c *server.SignInConfig) {
	ef.Bool(&c.SelfRegistration, "self-registration", "OCTROI_SELF_REGISTRATION", "let anyone create an account for their own e-mail address, verified by a link sent to it (off: account managers and delegated administrators create accounts)")
	ef.Duration(&c.SessionIdleTimeout, "session-idle-timeout", "OCTROI_SESSION_IDLE_TIMEOUT", "a browser session unused for this long ends (0: 2h)")
	ef.Duration(&c.SessionMaxAge, "session-max-age", "OCTROI_SESSION_MAX_AGE", "a browser session ends this long after sign-in, used or not (0: 168h)")
	ef.String(&c.OIDC.Issuer, "oidc-issuer", "OCTROI_OIDC_ISSUER", "`URL` of an OpenID Connect provider to sign in through (Keycloak, ProConnect, Dex…; empty: none)")
	ef.String(&c.OIDC.ClientID, "oidc-client-id", "OCTROI_OIDC_CLIENT_ID", "octroi's client id at the provider")
	ef.String(&c.OIDC.ClientSecret, "oidc-client-secret", "OCTROI_OIDC_CLIENT_SECRET", "octroi's client secret at the provider, never logged; prefer the environment to the command line")
	ef.String(&c.OIDC.RedirectURL, "oidc-redirect-url", "OCTROI_OIDC_REDIRECT_URL", "the callback registered at the provider: https://<public host>/api/v1/auth/oidc/callback")
	ef.Bool(&c.OIDC.MatchEmail, "oidc-match-email", "OCTROI_OIDC_MATCH_EMAIL", "on an identity's first sign-in, link it to the account of the e-mail the provider says it verified (trust the provider's verification)")
	ef.String(&c.OIDC.Name, "oidc-name", "OCTROI_OIDC_NAME", "the provider's name on the sign-in page's button, \"Sign in with <name>\" (ProConnect, Keycloak…; empty: \"your organisation's account\")")
	ef.String(&c.OIDC.GroupsClaim, "oidc-groups-claim", "OCTROI_OIDC_GROUPS_CLAIM", "the claim of the provider's ID token (or user info) that lists a person's groups, like groups or realm_access.roles; with --oidc-group-communities, each sign-in through the provider brings the person's membership of the mapped communities in line with it (empty: groups are not read)")
	ef.String(&c.GroupCommunities, "oidc-group-communities", "OCTROI_OIDC_GROUP_COMMUNITIES", "comma-separated group=community pairs: a person in the group is made a participant of the community at sign-in through the provider, and is removed when no longer in it (only memberships the groups gave are ever removed; memberships given by hand stay)")
	ef.String(&c.AccessTokenAudience, "oauth2-audience", "OCTROI_OAUTH2_AUDIENCE", "the audience the identity provider's access tokens must carry for the gateway to take them as OAUTH2 keys (Authorization: Bearer; verified locally against the provider's published keys); empty: the token's own client, which must be the key's")
	ef.String(&c.TrustedProxies, "signin-trusted-proxies", "OCTROI_SIGNIN_TRUSTED_PROXIES", "comma-separated `CIDRs` of the reverse proxies whose X-Forwarded-For the sign-in limits per address believe (the gateway's rule); empty: none, the connection's peer is the client and X-Forwarded-For is ignored")
	ef.Bool(&c.PublicHTTPS, "secure-cookies", "OCTROI_SECURE_COOKIES", "mark session cookies Secure even on plain-HTTP requests: set it when a proxy in front serves the platform over https (requests that arrive over TLS always get Secure cookies)")
}
