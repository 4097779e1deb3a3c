package cli

import "github.com/octroi/octroi/internal/server"

// signInFlags are the flags of signing in (serve).
func signInFlags(ef *envFlags, c *server.SignInConfig) {
	ef.Bool(&c.SelfRegistration, "self-registration", "OCTROI_SELF_REGISTRATION", "let anyone create an account for their own e-mail address, verified by a link sent to it (off: account managers and delegated administrators create accounts)")
	ef.Duration(&c.SessionIdleTimeout, "session-idle-timeout", "OCTROI_SESSION_IDLE_TIMEOUT", "a browser session unused for this long ends (0: 2h)")
	ef.Duration(&c.SessionMaxAge, "session-max-age", "OCTROI_SESSION_MAX_AGE", "a browser session ends this long after sign-in, used or not (0: 168h)")
	ef.Bool(&c.PublicHTTPS, "secure-cookies", "OCTROI_SECURE_COOKIES", "mark session cookies Secure even on plain-HTTP requests: set it when a proxy in front serves the platform over https (requests that arrive over TLS always get Secure cookies)")
}
