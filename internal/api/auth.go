package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
	"github.com/octroi/octroi/internal/signin"
)

// Signing in: /api/v1/auth/…
//
// People sign in with their e-mail and password (POST /auth/sign-in),
// which answers with a session cookie (see package signin); every portal
// endpoint then takes that cookie instead of a bearer token. A request
// with both acts as the bearer token. Browsers send cookies by
// themselves, so every state-changing request authenticated by the cookie,
// and every /auth/ request that can sign someone in or send an e-mail, must
// come from the platform's own pages: http.CrossOriginProtection checks
// Sec-Fetch-Site and Origin and refuses the others (403 forbidden).
//
// With a provider (serve --oidc-issuer), GET /auth/oidc/start and its
// callback sign in through it (auth_oidc.go, package signin's OIDC).
//
// Anonymous callers may: sign in (with a password or through the
// provider), ask for a password reset, register (when the platform allows
// it), and set a password with a link's token.
// Their answers never tell whether an e-mail has an account (sign-in says
// "wrong e-mail or password"; reset and registration answer 202
// whatever the e-mail), and failures are slowed per e-mail and address and
// per address (429 with Retry-After).

// SignIn is what the /auth endpoints and the session cookie need;
// *signin.Service implements it.
type SignIn interface {
	SignIn(ctx context.Context, email, password string, c signin.Client) (portal.Session, string, error)
	Authenticate(ctx context.Context, secret string) (portal.Account, string, error)
	SignOut(ctx context.Context, secret string) error
	SetPasswordWithLink(ctx context.Context, link, password string) (portal.Account, error)
	ChangePassword(ctx context.Context, actor, keep, current, password string, c signin.Client) error
	RequestPasswordReset(ctx context.Context, email string, c signin.Client) error
	Register(ctx context.Context, email, name string, c signin.Client) error
	AbsoluteTimeout() time.Duration
}

// Sessions are an account's browser sessions, as their owner sees them.
type Sessions interface {
	Sessions(ctx context.Context, actor, account string) ([]portal.Session, error)
	CloseSession(ctx context.Context, actor, id string) error
	CloseSessions(ctx context.Context, actor, account, except string) (int, error)
}

// SignInOptions configure signing in; without SignIn the /auth endpoints
// answer 503 and session cookies are ignored.
type SignInOptions struct {
	SignIn   SignIn
	Sessions Sessions
	// PublicHTTPS: the platform's public URL is https, so cookies are
	// Secure even when a proxy in front terminates TLS.
	PublicHTTPS bool
	// ClientAddress returns a request's client address, for throttling
	// and the sessions list (nil: the connection's peer). Behind a reverse
	// proxy, make it read the proxy's header only for the proxy's address.
	ClientAddress func(*http.Request) string
	// OIDC is single sign-on (nil: none; its endpoints answer 404).
	OIDC OIDC
}

func (a *api) authTable() []Route {
	anon := func(method, path, op string, h handlerFunc) Route {
		return Route{Method: method, Path: Prefix + path, Operation: op, audience: anyone, h: a.needSignIn(a.sameOrigin(h))}
	}
	p := func(method, path, op string, h handlerFunc) Route {
		return Route{Method: method, Path: Prefix + path, Operation: op, audience: people, h: a.needSignIn(h)}
	}
	return append(a.oidcTable(),
		anon("POST", "/auth/sign-in", "signIn", a.signIn),
		anon("POST", "/auth/sign-out", "signOut", a.signOut),
		anon("POST", "/auth/password/reset", "requestPasswordReset", a.requestPasswordReset),
		anon("POST", "/auth/password/set", "setPasswordWithLink", a.setPasswordWithLink),
		anon("POST", "/auth/register", "register", a.register),
		p("PUT", "/auth/password", "changePassword", a.changePassword),
		p("GET", "/auth/sessions", "listMySessions", a.listMySessions),
		p("DELETE", "/auth/sessions/{id}", "closeMySession", a.closeMySession),
		p("POST", "/auth/sign-out-everywhere", "signOutEverywhere", a.signOutEverywhere),
	)
}

// needSignIn answers 503 when the server signs nobody in.
func (a *api) needSignIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.SignIn.SignIn == nil {
			return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Msg: "this server signs nobody in (it runs without the portal)"}
		}
		return h(w, r)
	}
}

// crossOrigin is the CSRF check of browser requests (Go's
// CrossOriginProtection: Sec-Fetch-Site, else Origin against Host; safe
// methods always pass).
var crossOrigin = http.NewCrossOriginProtection()

func checkOrigin(r *http.Request) error {
	if err := crossOrigin.Check(r); err != nil {
		return say(http.StatusForbidden, CodeForbidden, "signin.cross_origin")
	}
	return nil
}

func (a *api) sameOrigin(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := checkOrigin(r); err != nil {
			return err
		}
		return h(w, r)
	}
}

// sessionKey holds the id of the session a request authenticated with.
type sessionKey struct{}

func sessionOf(r *http.Request) string {
	s, _ := r.Context().Value(sessionKey{}).(string)
	return s
}

// bySession authenticates a portal request by its session cookie (no
// bearer token): the cookie's account acts, and an unsafe method must
// come from the platform's own pages. ok is false when the request has no
// cookie (or the server signs nobody in).
func (a *api) bySession(w http.ResponseWriter, r *http.Request) (_ *http.Request, ok bool, _ error) {
	secret, has := signin.FromCookie(r)
	if !has || a.SignIn.SignIn == nil {
		return r, false, nil
	}
	if err := checkOrigin(r); err != nil {
		return r, true, err
	}
	acc, id, err := a.SignIn.SignIn.Authenticate(r.Context(), secret)
	if err != nil {
		if errors.Is(err, portal.ErrUnauthenticated) {
			// The browser forgets a session that no longer works.
			http.SetCookie(w, signin.ClearCookie(a.secure(r)))
		}
		return r, true, err
	}
	logAs(w, acc.ID)
	r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, id))
	return actingAs(r, acc.ID), true, nil
}

func (a *api) secure(r *http.Request) bool { return signin.Secure(r, a.SignIn.PublicHTTPS) }

func (a *api) client(r *http.Request) signin.Client {
	c := signin.ClientOf(r)
	if a.SignIn.ClientAddress != nil {
		c.Address = a.SignIn.ClientAddress(r)
	}
	return c
}

// throttledError answers a throttled caller 429 with Retry-After.
func throttledError(w http.ResponseWriter, err error) error {
	var te *signin.ThrottledError
	if !errors.As(err, &te) {
		return err
	}
	w.Header().Set("Retry-After", strconv.Itoa(te.RetryAfter))
	return &Error{Status: http.StatusTooManyRequests, Code: CodeTooManyRequests, Msg: te.Refusal.Msg.In(messages.English), FR: te.Refusal.Msg.In(messages.French), Err: err}
}

// SignInRequest is the body of POST /auth/sign-in.
type SignInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// SignedIn answers a sign-in: the account and its new session (whose
// secret is in the cookie only).
type SignedIn struct {
	Account Account `json:"account"`
	Session Session `json:"session"`
}

// Session is a browser session, without its secret.
type Session struct {
	ID        string     `json:"id"`
	Created   time.Time  `json:"created"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	Address   string     `json:"address,omitempty"`
	UserAgent string     `json:"user_agent,omitempty"`
	// Current marks the session of the request.
	Current bool `json:"current,omitempty"`
}

func sessionOut(s portal.Session, current string) Session {
	return Session{ID: s.ID, Created: s.Created, LastUsed: s.LastUsed, ExpiresAt: s.ExpiresAt, Address: s.Address, UserAgent: s.UserAgent, Current: s.ID == current}
}

// SessionList is the caller's sessions.
type SessionList struct {
	Sessions []Session `json:"sessions"`
}

// PasswordResetRequest is the body of POST /auth/password/reset.
type PasswordResetRequest struct {
	Email string `json:"email"`
}

// SetPasswordRequest is the body of POST /auth/password/set: a link's
// token and the new password.
type SetPasswordRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// ChangePasswordRequest is the body of PUT /auth/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	Password        string `json:"password"`
}

// RegisterRequest is the body of POST /auth/register.
type RegisterRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// Accepted answers a request whose outcome is not told (an e-mail may be
// on its way).
type Accepted struct {
	Message string `json:"message"`
}

// POST /api/v1/auth/sign-in: a session cookie for a good e-mail and
// password. The session is new at every sign-in (a cookie planted before
// is never promoted: no session fixation).
func (a *api) signIn(w http.ResponseWriter, r *http.Request) error {
	var req SignInRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ses, secret, err := a.SignIn.SignIn.SignIn(r.Context(), req.Email, req.Password, a.client(r))
	if err != nil {
		return throttledError(w, err)
	}
	logAs(w, ses.Account)
	acc, _, err := a.SignIn.SignIn.Authenticate(r.Context(), secret)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, signin.Cookie(secret, a.SignIn.SignIn.AbsoluteTimeout(), a.secure(r)))
	return writeJSON(w, http.StatusOK, SignedIn{Account: accountOut(acc), Session: sessionOut(ses, ses.ID)})
}

// POST /api/v1/auth/sign-out: ends the cookie's session (if any) and
// clears the cookie. Always 204.
func (a *api) signOut(w http.ResponseWriter, r *http.Request) error {
	if secret, ok := signin.FromCookie(r); ok {
		if err := a.SignIn.SignIn.SignOut(r.Context(), secret); err != nil {
			return err
		}
	}
	http.SetCookie(w, signin.ClearCookie(a.secure(r)))
	return noContent(w)
}

// POST /api/v1/auth/password/reset: sends a reset link to the e-mail's
// account, if any. Always 202, but 429 for an address asking too often.
func (a *api) requestPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var req PasswordResetRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := a.SignIn.SignIn.RequestPasswordReset(r.Context(), req.Email, a.client(r)); err != nil {
		return throttledError(w, err)
	}
	return a.accepted(w, r)
}

func (a *api) accepted(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusAccepted, Accepted{Message: messages.New("signin.request_accepted").In(problem.Lang(r))})
}

// POST /api/v1/auth/password/set: sets the password of a link's account
// (an invitation, a reset, a registration's e-mail verification). 204; the
// link is used up and the account's sessions end.
func (a *api) setPasswordWithLink(w http.ResponseWriter, r *http.Request) error {
	var req SetPasswordRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if _, err := a.SignIn.SignIn.SetPasswordWithLink(r.Context(), req.Token, req.Password); err != nil {
		return err
	}
	return noContent(w)
}

// POST /api/v1/auth/register: signs someone up when the platform allows
// it (403 otherwise): a link to set a password goes to the e-mail. Always
// 202 for a well-formed request, taken e-mail or not.
func (a *api) register(w http.ResponseWriter, r *http.Request) error {
	var req RegisterRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := a.SignIn.SignIn.Register(r.Context(), req.Email, req.Name, a.client(r)); err != nil {
		return throttledError(w, err)
	}
	return a.accepted(w, r)
}

// PUT /api/v1/auth/password: the caller changes its password, giving the
// current one; its other sessions end.
func (a *api) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req ChangePasswordRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := a.SignIn.SignIn.ChangePassword(r.Context(), actor(r), sessionOf(r), req.CurrentPassword, req.Password, a.client(r)); err != nil {
		return throttledError(w, err)
	}
	return noContent(w)
}

// GET /api/v1/auth/sessions: the caller's open sessions.
func (a *api) listMySessions(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.SignIn.Sessions.Sessions(r.Context(), actor(r), actor(r))
	if err != nil {
		return err
	}
	cur := sessionOf(r)
	return writeJSON(w, http.StatusOK, SessionList{Sessions: each(ss, func(s portal.Session) Session { return sessionOut(s, cur) })})
}

// DELETE /api/v1/auth/sessions/{id}: closes one of the caller's sessions.
func (a *api) closeMySession(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.SignIn.Sessions.CloseSession(r.Context(), actor(r), id); err != nil {
		return err
	}
	if id == sessionOf(r) {
		http.SetCookie(w, signin.ClearCookie(a.secure(r)))
	}
	return noContent(w)
}

// POST /api/v1/auth/sign-out-everywhere: closes every session of the
// caller, this one included.
func (a *api) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.SignIn.Sessions.CloseSessions(r.Context(), actor(r), actor(r), ""); err != nil {
		return err
	}
	http.SetCookie(w, signin.ClearCookie(a.secure(r)))
	return noContent(w)
}
