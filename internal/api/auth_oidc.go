package api

import (
	"context"
	"net/http"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/signin"
)

// OIDC is single sign-on through an OpenID Connect provider;
// *signin.OIDC implements it.
type OIDC interface {
	Begin() (string, signin.Flow)
	Finish(ctx context.Context, f signin.Flow, state, code string, c signin.Client) (portal.Session, string, error)
}

// oidcPath is where the flow cookie goes back to.
const oidcPath = Prefix + "/auth/oidc"

func (a *api) oidcTable() []Route {
	r := func(path, op string, h handlerFunc) Route {
		return Route{Method: "GET", Path: Prefix + path, Operation: op, audience: anyone, h: a.needOIDC(h)}
	}
	return []Route{
		r("/auth/oidc/start", "startSingleSignOn", a.startSingleSignOn),
		r("/auth/oidc/callback", "finishSingleSignOn", a.finishSingleSignOn),
	}
}

func (a *api) needOIDC(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.SignIn.OIDC == nil {
			return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Msg: "this server has no single sign-on (serve --oidc-issuer)"}
		}
		return h(w, r)
	}
}

// GET /api/v1/auth/oidc/start: off to the provider, with the flow in a
// cookie.
func (a *api) startSingleSignOn(w http.ResponseWriter, r *http.Request) error {
	u, f := a.SignIn.OIDC.Begin()
	http.SetCookie(w, signin.FlowCookie(f, oidcPath, a.secure(r)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

// GET /api/v1/auth/oidc/callback: back from the provider. The flow cookie
// must be there and match (a callback the browser did not start is
// refused); the session cookie is set and the browser goes to the
// platform's home page.
func (a *api) finishSingleSignOn(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, signin.ClearFlowCookie(oidcPath, a.secure(r)))
	var f signin.Flow
	if c, err := r.Cookie(signin.FlowCookieName); err == nil {
		f, _ = signin.DecodeFlow(c.Value)
	}
	q := r.URL.Query()
	if q.Get("error") != "" {
		return say(http.StatusUnauthorized, CodeUnauthenticated, "signin.oidc_failed")
	}
	ses, secret, err := a.SignIn.OIDC.Finish(r.Context(), f, q.Get("state"), q.Get("code"), a.client(r))
	if err != nil {
		return err
	}
	logAs(w, ses.Account)
	http.SetCookie(w, signin.Cookie(secret, a.SignIn.SignIn.AbsoluteTimeout(), a.secure(r)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/", http.StatusFound)
	return nil
}
