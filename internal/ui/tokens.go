package ui

import (
	"context"
	"net/http"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// Tokens is what the personal tokens screen needs of the domain.
type Tokens interface {
	CreateToken(ctx context.Context, actor, name string, expires *time.Time) (portal.Token, string, error)
	Tokens(ctx context.Context, actor string) ([]portal.Token, error)
	RevokeToken(ctx context.Context, actor, tokenID string) error
}

// tokensView is the personal tokens screen: the reader's tokens, and the
// secret of the one just created, shown this once.
type tokensView struct {
	Tokens []portal.Token
	Secret string
	Done   string
}

func (u *ui) tokens(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.showTokens(w, r, v, "", doneKey(r.URL.Query().Get("done")))
}

func (u *ui) showTokens(w http.ResponseWriter, r *http.Request, v *view, secret, done string) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ts, err := u.cfg.Tokens.Tokens(r.Context(), v.Actor)
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.tokens.title").In(v.Lang)
	v.Data = tokensView{ts, secret, done}
	return u.render(w, http.StatusOK, "tokens", v)
}

// tokenAction creates a token (and shows its secret once, in the answer
// itself: never in a redirection's URL) or revokes one.
func (u *ui) tokenAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	switch r.PathValue("action") {
	case "create":
		var expires *time.Time
		if s := r.PostFormValue("expires"); s != "" {
			d, err := u.parseDay(s)
			if err != nil {
				return problem.New(problem.CodeInvalidArgument, messages.New("ui.tokens.bad_date", "expires"))
			}
			expires = &d
		}
		_, secret, err := u.cfg.Tokens.CreateToken(r.Context(), v.Actor, r.PostFormValue("name"), expires)
		if err != nil {
			return err
		}
		// The secret must not be kept by the browser's cache or history.
		w.Header().Set("Cache-Control", "no-store")
		return u.showTokens(w, r, v, secret, "ui.tokens.created")
	case "revoke":
		if err := u.cfg.Tokens.RevokeToken(r.Context(), v.Actor, r.PostFormValue("token")); err != nil {
			return err
		}
		http.Redirect(w, r, "/me/tokens?done=token_revoked", http.StatusSeeOther)
		return nil
	}
	return errNotFound
}
