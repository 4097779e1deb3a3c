package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
	"github.com/octroi/octroi/internal/signin"
)

// The screens of signing in: sign in and out, choose a password with a
// link an e-mail brought (invitation, reset), ask for a reset, and one's
// browser sessions. Sessions are package signin's; the cookie is its.

// SignIn is what these screens need of package signin.
type SignIn interface {
	SignIn(ctx context.Context, email, password string, c signin.Client) (portal.Session, string, error)
	Authenticate(ctx context.Context, secret string) (portal.Account, string, error)
	SignOut(ctx context.Context, secret string) error
	SetPasswordWithLink(ctx context.Context, link, password string) (portal.Account, error)
	RequestPasswordReset(ctx context.Context, email string, c signin.Client) error
	AbsoluteTimeout() time.Duration
}

// Sessions is what the sessions screen needs of the portal.
type Sessions interface {
	Sessions(ctx context.Context, actor, account string) ([]portal.Session, error)
	CloseSession(ctx context.Context, actor, id string) error
	CloseSessions(ctx context.Context, actor, account, except string) (int, error)
}

// SessionActor is a Config.Actor that reads the session cookie: the
// account of a live session, else an anonymous visitor (an ended or
// unknown session is no error: its reader signs in again).
func SessionActor(s SignIn) func(*http.Request) (string, error) {
	return func(r *http.Request) (string, error) {
		secret, ok := signin.FromCookie(r)
		if !ok {
			return "", nil
		}
		a, id, err := s.Authenticate(r.Context(), secret)
		if err != nil {
			return "", nil
		}
		noteSession(r, id)
		return a.ID, nil
	}
}

// signInView is the sign-in form, with what went wrong.
type signInView struct {
	Email, Next, Error string
	Done               string
	OIDC               bool
	OIDCName           string
}

func (u *ui) signInPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	return u.showSignIn(w, v, http.StatusOK, signInView{Next: localPath(q.Get("next")), Done: doneKey(q.Get("done")), OIDC: u.cfg.OIDC, OIDCName: u.cfg.OIDCName})
}

func (u *ui) showSignIn(w http.ResponseWriter, v *view, status int, s signInView) error {
	v.Title = messages.New("ui.signin.title").In(v.Lang)
	v.Data = s
	return u.render(w, status, "signin", v)
}

// signIn checks the form and opens a session: the cookie is always a new
// one (a cookie planted before is never kept), and the reader goes back
// where they were going. A refusal shows the form again with the reason,
// which never says whether the e-mail has an account.
func (u *ui) signIn(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := readForm(r); err != nil {
		return err
	}
	email, next := r.PostForm.Get("email"), localPath(r.PostForm.Get("next"))
	_, secret, err := u.cfg.SignIn.SignIn(r.Context(), email, r.PostForm.Get("password"), u.client(r))
	if err != nil {
		e := problem.From(err)
		var te *signin.ThrottledError
		if errors.As(err, &te) {
			w.Header().Set("Retry-After", strconv.Itoa(te.RetryAfter))
			e.Status = http.StatusTooManyRequests
		}
		if e.Status >= 500 {
			return err
		}
		return u.showSignIn(w, v, e.Status, signInView{Email: email, Next: next, Error: e.Msg.In(v.Lang), OIDC: u.cfg.OIDC, OIDCName: u.cfg.OIDCName})
	}
	http.SetCookie(w, signin.Cookie(secret, u.cfg.SignIn.AbsoluteTimeout(), signin.Secure(r, u.cfg.PublicHTTPS)))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// signOut ends this browser's session.
func (u *ui) signOut(w http.ResponseWriter, r *http.Request, v *view) error {
	if secret, ok := signin.FromCookie(r); ok {
		if err := u.cfg.SignIn.SignOut(r.Context(), secret); err != nil && !errors.Is(err, portal.ErrUnauthenticated) {
			return err
		}
	}
	http.SetCookie(w, signin.ClearCookie(signin.Secure(r, u.cfg.PublicHTTPS)))
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// setPasswordPage asks for a password for the link an e-mail brought
// (portal.LinkPath?token=…). The page's address holds a secret: it is
// never sent on as a referrer.
func (u *ui) setPasswordPage(w http.ResponseWriter, r *http.Request, v *view) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	v.Title = messages.New("ui.password.title").In(v.Lang)
	v.Data = struct{ Token, Error string }{r.URL.Query().Get("token"), ""}
	return u.render(w, http.StatusOK, "password", v)
}

func (u *ui) setPassword(w http.ResponseWriter, r *http.Request, v *view) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	if err := readForm(r); err != nil {
		return err
	}
	token, pw := r.PostForm.Get("token"), r.PostForm.Get("password")
	fail := func(status int, msg string) error {
		v.Title = messages.New("ui.password.title").In(v.Lang)
		v.Data = struct{ Token, Error string }{token, msg}
		return u.render(w, status, "password", v)
	}
	if pw != r.PostForm.Get("confirm") {
		return fail(http.StatusBadRequest, messages.New("ui.password.mismatch").In(v.Lang))
	}
	if _, err := u.cfg.SignIn.SetPasswordWithLink(r.Context(), token, pw); err != nil {
		e := problem.From(err)
		if e.Status >= 500 {
			return err
		}
		return fail(e.Status, e.Msg.In(v.Lang))
	}
	http.Redirect(w, r, "/sign-in?done=password_set", http.StatusSeeOther)
	return nil
}

// resetPage asks for the e-mail of an account whose password is
// forgotten; the answer is the same whether it has an account or not.
func (u *ui) resetPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = messages.New("ui.reset.title").In(v.Lang)
	v.Data = struct{ Sent bool }{false}
	return u.render(w, http.StatusOK, "reset", v)
}

func (u *ui) reset(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := u.cfg.SignIn.RequestPasswordReset(r.Context(), r.PostFormValue("email"), u.client(r)); err != nil {
		var te *signin.ThrottledError
		if errors.As(err, &te) {
			w.Header().Set("Retry-After", strconv.Itoa(te.RetryAfter))
		}
		return err
	}
	v.Title = messages.New("ui.reset.title").In(v.Lang)
	v.Data = struct{ Sent bool }{true}
	return u.render(w, http.StatusOK, "reset", v)
}

// sessions lists the reader's browser sessions, this one marked.
func (u *ui) sessions(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ss, err := u.cfg.Sessions.Sessions(r.Context(), v.Actor, v.Actor)
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.sessions.title").In(v.Lang)
	v.Data = struct {
		Sessions []portal.Session
		Current  string
		Done     string
	}{ss, u.currentSession(r), doneKey(r.URL.Query().Get("done"))}
	return u.render(w, http.StatusOK, "sessions", v)
}

// currentSession is the id of the session r came with, "" without one.
func (u *ui) currentSession(r *http.Request) string {
	if id, ok := notedSession(r); ok {
		return id
	}
	secret, ok := signin.FromCookie(r)
	if !ok {
		return ""
	}
	_, id, err := u.cfg.SignIn.Authenticate(r.Context(), secret)
	if err != nil {
		return ""
	}
	return id
}

// sessionAction ends one session, or every other one.
func (u *ui) sessionAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	switch r.PathValue("action") {
	case "end":
		if err := u.cfg.Sessions.CloseSession(r.Context(), v.Actor, r.PostFormValue("session")); err != nil {
			return err
		}
	case "end-others":
		if _, err := u.cfg.Sessions.CloseSessions(r.Context(), v.Actor, v.Actor, u.currentSession(r)); err != nil {
			return err
		}
	default:
		return errNotFound
	}
	http.Redirect(w, r, "/me/sessions?done=sessions_ended", http.StatusSeeOther)
	return nil
}

// signInURL is where an anonymous reader of path is sent to sign in.
func signInURL(path string) string { return "/sign-in?next=" + url.QueryEscape(path) }

// client is what the sign-in limits know of r: its address (through the
// trusted proxies' rule when the server has one) and user agent.
func (u *ui) client(r *http.Request) signin.Client {
	c := signin.ClientOf(r)
	if u.cfg.ClientAddress != nil {
		c.Address = u.cfg.ClientAddress(r)
	}
	return c
}
