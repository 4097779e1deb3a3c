package signin

import (
	"net"
	"net/http"
	"time"
)

// CookieName is the session cookie's name.
const CookieName = "octroi_session"

// Cookie is the session cookie carrying secret for maxAge: HttpOnly (no
// script reads it), SameSite=Lax (other sites' pages do not send it with
// their forms and fetches, only with plain top-level links), Path=/ and no
// Domain (this host only), Secure when secure (the request came over TLS
// or the platform's public URL is https: see Secure).
func Cookie(secret string, maxAge time.Duration, secure bool) *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: secret, Path: "/", MaxAge: int(maxAge.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure}
}

// ClearCookie is the cookie that makes a browser forget its session.
func ClearCookie(secure bool) *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure}
}

// FromCookie returns the session secret a request carries, if any.
func FromCookie(r *http.Request) (string, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return "", false
	}
	return c.Value, true
}

// Secure reports whether cookies set in answer to r must be Secure: r came
// over TLS, or publicHTTPS (the platform's public URL is https, so that a
// TLS-terminating proxy in front does not make the cookie travel in
// clear).
func Secure(r *http.Request, publicHTTPS bool) bool { return r.TLS != nil || publicHTTPS }

// FlowCookieName is the cookie that keeps a single sign-on's flow (state,
// nonce, PKCE verifier) between leaving for the provider and coming back.
const FlowCookieName = "octroi_oidc"

// FlowCookie keeps f for ten minutes, sent back only to path (the
// callback's), HttpOnly and SameSite=Lax (the provider's redirect back is
// a top-level navigation, which Lax cookies go with).
func FlowCookie(f Flow, path string, secure bool) *http.Cookie {
	return &http.Cookie{Name: FlowCookieName, Value: f.Encode(), Path: path, MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure}
}

// ClearFlowCookie forgets the flow.
func ClearFlowCookie(path string, secure bool) *http.Cookie {
	return &http.Cookie{Name: FlowCookieName, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure}
}

// ClientOf is what the sign-in limits know of r when no trusted proxy
// says otherwise: the connection's peer address and the user agent.
func ClientOf(r *http.Request) Client {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	return Client{Address: addr, UserAgent: r.UserAgent()}
}
