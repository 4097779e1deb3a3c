package api

import (
	"net/http"

	"github.com/octroi/octroi/internal/portal"
)

// POST /api/v1/accounts (account managers and administrators)
func (a *api) createAccount(w http.ResponseWriter, r *http.Request) error {
	var req CreateAccountRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	acc, err := a.Portal.Accounts.CreateAccount(r.Context(), actor(r), req.account())
	if err != nil {
		return err
	}
	return created(w, accountOut(acc))
}

// GET /api/v1/accounts?cursor=&limit=&q=
func (a *api) listAccounts(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	if q := r.URL.Query().Get("q"); q != "" {
		// A search's cursor is its own (a position in the matches).
		as, next, err := a.Portal.Accounts.SearchAccountsPage(r.Context(), actor(r), q, after, limit)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, AccountList{Accounts: each(as, accountOut), Cursor: next})
	}
	as, err := a.Portal.Accounts.Accounts(r.Context(), actor(r), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, AccountList{Accounts: each(as, accountOut), Cursor: nextCursor(len(as), limit, func() string { return as[len(as)-1].ID })})
}

// GET /api/v1/accounts/{id}
func (a *api) getAccount(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.Portal.Accounts.Account(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accountOut(acc))
}

// PUT /api/v1/accounts/{id}/status: disable or re-enable an account.
func (a *api) setAccountStatus(w http.ResponseWriter, r *http.Request) error {
	var req AccountStatusRequest
	if err := decodeUpdate(r, &req, hintID, fieldHint{"platform_roles", "set them with PUT /api/v1/accounts/{id}/platform-roles"}); err != nil {
		return err
	}
	acc, err := a.Portal.Accounts.SetAccountStatus(r.Context(), actor(r), r.PathValue("id"), req.Status)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accountOut(acc))
}

// PUT /api/v1/accounts/{id}/platform-roles: replaces the account's
// platform roles.
func (a *api) setPlatformRoles(w http.ResponseWriter, r *http.Request) error {
	var req PlatformRolesRequest
	if err := decodeUpdate(r, &req, hintID, fieldHint{"status", "disable or re-enable the account with PUT /api/v1/accounts/{id}/status"}); err != nil {
		return err
	}
	roles := req.PlatformRoles
	if roles == nil {
		roles = []portal.PlatformRole{}
	}
	acc, err := a.Portal.Accounts.SetPlatformRoles(r.Context(), actor(r), r.PathValue("id"), roles)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accountOut(acc))
}
