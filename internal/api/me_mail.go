package api

import (
	"net/http"

	"github.com/octroi/octroi/internal/portal"
)

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

// GET /api/v1/me/mail-preferences
func (a *api) getMyMailPreferences(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Portal.Profiles.Profile(r.Context(), actor(r), actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mailPreferencesOut(p.Account))
}

// PUT /api/v1/me/mail-preferences: the notice kinds the caller does not
// want by e-mail.
func (a *api) setMyMailPreferences(w http.ResponseWriter, r *http.Request) error {
	var req MailPreferencesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	acc, err := a.Portal.Profiles.SetMailOff(r.Context(), actor(r), actor(r), req.Off)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mailPreferencesOut(acc))
}

func mailPreferencesOut(a portal.Account) MailPreferences {
	return MailPreferences{Optional: nonNil(portal.OptionalMailKinds()), Off: nonNil(a.MailOff)}
}
