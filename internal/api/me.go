package api

import "net/http"

func created(w http.ResponseWriter, v any) error { return writeJSON(w, http.StatusCreated, v) }

func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /api/v1/me: who the caller is.
func (a *api) getMe(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Portal.Profiles.Profile(r.Context(), actor(r), actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, meOut(p))
}

// GET /api/v1/me/tokens: the caller's personal tokens, without secrets.
func (a *api) listMyTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.Portal.PersonalTokens.Tokens(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, TokenList{Tokens: each(ts, tokenOut)})
}

// POST /api/v1/me/tokens: a new personal token; its secret is in this
// answer only (never logged, stored hashed).
func (a *api) createMyToken(w http.ResponseWriter, r *http.Request) error {
	var req CreateTokenRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t, secret, err := a.Portal.PersonalTokens.CreateToken(r.Context(), actor(r), req.Name, req.ExpiresAt)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return created(w, CreatedToken{Token: tokenOut(t), Secret: secret})
}

// DELETE /api/v1/me/tokens/{id}
func (a *api) revokeMyToken(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.PersonalTokens.RevokeToken(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// GET /api/v1/me/notices?cursor=&limit=
func (a *api) listMyNotices(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	ns, err := a.Portal.Notices.Notices(r.Context(), actor(r), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, NoticeList{Notices: each(ns, noticeOut), Cursor: nextCursor(len(ns), limit, func() string { return ns[len(ns)-1].ID })})
}

// GET /api/v1/me/join-requests?status=&cursor=&limit=: the caller's own
// join requests.
func (a *api) listMyJoinRequests(w http.ResponseWriter, r *http.Request) error {
	return a.joinRequests(w, r, "")
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
