package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// The preferences of "my account": the account's language (of its pages
// and of its e-mails) and the e-mails it does without (the notices
// themselves stay on /me/notices). Every page of a signed-in reader who
// has not chosen a language with the switch is in the account's language;
// saving the preferences also sets the switch to the language saved, so
// that a choice made earlier in this browser does not hide it.

// Preferences is what the preferences screen needs of the domain; each
// method lets an account read and change itself.
type Preferences interface {
	Account(ctx context.Context, actor, id string) (portal.Account, error)
	SetLanguage(ctx context.Context, actor, id, lang string) (portal.Account, error)
	SetMailOff(ctx context.Context, actor, id string, off []string) (portal.Account, error)
}

// prefsView is the preferences screen.
type prefsView struct {
	Language  messages.Lang // selected: the account's, else the page's
	Languages []messages.Lang
	Kinds     []mailChoice
	Done      string
	Err       fieldError
}

// mailChoice is one kind of e-mail the account may turn off, and whether
// it gets it.
type mailChoice struct {
	Kind string
	On   bool
}

func (u *ui) preferences(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	a, err := u.cfg.Notices.Account(r.Context(), v.Actor, v.Actor)
	if err != nil {
		return err
	}
	d := prefsView{Language: messages.Lang(a.Language), Kinds: mailChoices(a.MailOff)}
	if r.URL.Query().Get("done") == "saved" {
		d.Done = "ui.prefs.saved"
	}
	return u.showPreferences(w, v, d)
}

func (u *ui) showPreferences(w http.ResponseWriter, v *view, d prefsView) error {
	if !slices.Contains(messages.Langs, d.Language) {
		d.Language = v.Lang
	}
	d.Languages = messages.Langs
	v.Title = messages.New("ui.prefs.title").In(v.Lang)
	v.Data = d
	return u.render(w, d.Err.status(), "preferences", v)
}

// mailChoices are the kinds of e-mail one may turn off, each on unless
// off holds it.
func mailChoices(off []string) []mailChoice {
	var out []mailChoice
	for _, k := range portal.OptionalMailKinds() {
		out = append(out, mailChoice{k, !slices.Contains(off, k)})
	}
	return out
}

// savePreferences saves the language and the e-mails wanted (the boxes
// checked; the kinds left unchecked are turned off). What cannot be saved
// is shown beside its field with what was chosen, and nothing is saved.
func (u *ui) savePreferences(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	wanted := r.PostForm["mail"]
	optional := portal.OptionalMailKinds()
	var off []string
	for _, k := range optional {
		if !slices.Contains(wanted, k) {
			off = append(off, k)
		}
	}
	lang := r.PostFormValue("language")
	again := func(e fieldError) error {
		return u.showPreferences(w, v, prefsView{Language: messages.Lang(lang), Kinds: mailChoices(off), Err: e})
	}
	for _, k := range wanted {
		if !slices.Contains(optional, k) {
			return again(badField(v.Lang, r, "prefs", "p-mail", "invalid.mail_kind", "mail", messages.Quote(k), strings.Join(optional, ", ")))
		}
	}
	ctx := r.Context()
	if _, err := u.cfg.Notices.SetLanguage(ctx, v.Actor, v.Actor, lang); err != nil {
		if fe, ok := refusal(err, v.Lang, r, "prefs", formFields{"": "p-language", "language": "p-language"}); ok {
			return again(fe)
		}
		return err
	}
	if _, err := u.cfg.Notices.SetMailOff(ctx, v.Actor, v.Actor, off); err != nil {
		if fe, ok := refusal(err, v.Lang, r, "prefs", formFields{"": "p-mail", "mail_off": "p-mail"}); ok {
			return again(fe)
		}
		return err
	}
	keepLanguage(w, r, messages.Lang(lang))
	http.Redirect(w, r, "/me/preferences?done=saved", http.StatusSeeOther)
	return nil
}

// keepLanguage remembers lang as this browser's choice for a year, as the
// switch does.
func keepLanguage(w http.ResponseWriter, r *http.Request, lang messages.Lang) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(lang), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// accountLanguage puts the page in the signed-in reader's account's
// language, when they have not chosen one with the switch (the switch is
// the latest word) and the account has one. A failure to read the account
// leaves the language as it was: the screen itself says what is wrong
// with the account, if anything.
func (u *ui) accountLanguage(r *http.Request, v *view) {
	if v.Actor == "" {
		return
	}
	if c, err := r.Cookie(langCookie); err == nil && slices.Contains(messages.Langs, messages.Lang(c.Value)) {
		return
	}
	a, err := u.cfg.Notices.Account(r.Context(), v.Actor, v.Actor)
	if err == nil && slices.Contains(messages.Langs, messages.Lang(a.Language)) {
		v.Lang = messages.Lang(a.Language)
	}
}
