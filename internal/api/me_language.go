package api

import "net/http"

// PUT /api/v1/me/language: the language of the caller's e-mails.
func (a *api) setMyLanguage(w http.ResponseWriter, r *http.Request) error {
	var req LanguageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	acc, err := a.Portal.Profiles.SetLanguage(r.Context(), actor(r), actor(r), req.Language)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accountOut(acc))
}
