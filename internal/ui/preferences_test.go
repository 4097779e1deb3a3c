package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// TestPreferencesSetTheAccountsLanguageAndEmails: an account chooses the
// language of its pages and e-mails and the e-mails it does without; the
// portal holds the choice, the switch follows it, and every page of a
// browser that has not used the switch is in the account's language.
func TestPreferencesSetTheAccountsLanguageAndEmails(t *testing.T) {
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	res, body := lina.get(t, "/me/preferences", "Accept-Language", "fr")
	if res.StatusCode != 200 {
		t.Fatalf("preferences = %d\n%s", res.StatusCode, body)
	}
	for _, k := range portal.OptionalMailKinds() {
		if !strings.Contains(body, `id="m-`+k+`" name="mail" value="`+k+`" checked`) {
			t.Errorf("e-mail %s is not offered, checked:\n%s", k, body)
		}
	}
	if _, me := lina.get(t, "/me"); !strings.Contains(me, `href="/me/preferences"`) {
		t.Error("my account does not lead to the preferences")
	}

	wanted := url.Values{"language": {"en"}}
	for _, k := range portal.OptionalMailKinds() {
		if k != "grant.expiring" && k != "join_request.created" {
			wanted.Add("mail", k)
		}
	}
	res, _ = lina.post(t, "/me/preferences", wanted)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/me/preferences?done=saved" {
		t.Fatalf("save = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie string
	for _, c := range res.Cookies() {
		if c.Name == "octroi_lang" {
			cookie = c.Value
		}
	}
	if cookie != "en" {
		t.Errorf("the switch was not set to the language saved: %q", cookie)
	}
	a, err := s.srv.Portal().(*portal.Service).Account(context.Background(), s.accounts["lina.littoral"], s.accounts["lina.littoral"])
	if err != nil {
		t.Fatal(err)
	}
	if a.Language != "en" || !slices.Equal(a.MailOff, []string{"grant.expiring", "join_request.created"}) {
		t.Errorf("the account holds language %q, e-mails off %v", a.Language, a.MailOff)
	}

	// A browser asking for French, without the switch: the account's
	// language. With the switch: the switch's.
	_, body = lina.get(t, "/me/preferences?done=saved", "Accept-Language", "fr")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, say(messages.English, "ui.prefs.saved")) {
		t.Errorf("a page without the switch is not in the account's language:\n%s", body)
	}
	if strings.Contains(body, `id="m-grant.expiring" name="mail" value="grant.expiring" checked`) || !strings.Contains(body, `value="en" lang="en" selected`) {
		t.Errorf("the preferences do not show what was saved:\n%s", body)
	}
	if _, body := lina.get(t, "/", "Accept-Language", "fr", "Cookie", "octroi_lang=fr"); !strings.Contains(body, `<html lang="fr">`) {
		t.Error("the switch's choice does not win over the account's language")
	}
	// An account without a language of its own: the browser's.
	if _, body := s.as(t, "paul.risques").get(t, "/", "Accept-Language", "fr"); !strings.Contains(body, `<html lang="fr">`) {
		t.Error("an account without a language does not get the browser's")
	}
}

// TestPreferencesRefusals: bad input is refused beside its field in the
// reader's language and nothing is saved; an anonymous visitor and a
// disabled account may not use the screen; no field of the form reaches
// another account.
func TestPreferencesRefusals(t *testing.T) {
	s := newSite(t)
	p := s.srv.Portal().(*portal.Service)
	lina := s.as(t, "lina.littoral")
	id := s.accounts["lina.littoral"]
	for _, c := range []struct {
		form  url.Values
		field string
		want  messages.Message
	}{
		{url.Values{"language": {"de"}}, "p-language", messages.New("invalid.language", "language", messages.Quote("de"))},
		{url.Values{"language": {"en"}, "mail": {"account.created"}}, "p-mail",
			messages.New("invalid.mail_kind", "mail", messages.Quote("account.created"), strings.Join(portal.OptionalMailKinds(), ", "))},
	} {
		res, body := lina.post(t, "/me/preferences", c.form)
		if res.StatusCode != 400 {
			t.Errorf("%v = %d, want 400", c.form, res.StatusCode)
		}
		for _, want := range []string{`id="` + c.field + `-err"`, strings.ReplaceAll(c.want.In(messages.English), `"`, "&#34;")} {
			if !strings.Contains(body, want) {
				t.Errorf("%v: the page lacks %q:\n%s", c.form, want, body)
			}
		}
		if c.field == "p-language" && !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%v: the field is not marked invalid", c.form)
		}
		a, _ := p.Account(context.Background(), id, id)
		if a.Language != "" || len(a.MailOff) != 0 {
			t.Errorf("%v: saved anyway: %q %v", c.form, a.Language, a.MailOff)
		}
	}
	// In French for a French reader.
	req, _ := http.NewRequest("POST", lina.URL+"/me/preferences", strings.NewReader("language=de"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr")
	if _, body := lina.do(t, req); !strings.Contains(body, messages.New("invalid.language", "language", messages.Quote("de")).In(messages.French)) {
		t.Errorf("a French reader's refusal is not in French:\n%s", body)
	}

	for _, c := range []struct {
		who          site
		method, path string
		want         int
		form         url.Values
	}{
		{s, "GET", "/me/preferences", 401, nil},
		{s, "POST", "/me/preferences", 401, url.Values{"language": {"en"}}},
		{s.as(t, "denis.desactive"), "GET", "/me/preferences", 403, nil},
		{s.as(t, "denis.desactive"), "POST", "/me/preferences", 403, url.Values{"language": {"en"}}},
	} {
		var code int
		if c.method == "GET" {
			res, _ := c.who.get(t, c.path)
			code = res.StatusCode
		} else {
			res, _ := c.who.post(t, c.path, c.form)
			code = res.StatusCode
		}
		if code != c.want {
			t.Errorf("%s %s by %s = %d, want %d", c.method, c.path, c.who.URL, code, c.want)
		}
	}
	if a, _ := p.Account(context.Background(), s.accounts["alice.martin"], s.accounts["denis.desactive"]); a.Language != "" {
		t.Errorf("a disabled account changed its language: %q", a.Language)
	}

	// Naming another account in the form changes only one's own.
	paul := s.accounts["paul.risques"]
	res, _ := lina.post(t, "/me/preferences", url.Values{"language": {"en"}, "id": {paul}, "account": {paul}})
	if res.StatusCode != 303 {
		t.Fatalf("save = %d", res.StatusCode)
	}
	if a, _ := p.Account(context.Background(), paul, paul); a.Language != "" || len(a.MailOff) != 0 {
		t.Errorf("Lina's form changed Paul's account: %q %v", a.Language, a.MailOff)
	}
}

// TestEveryOptionalEmailIsNamed: each kind of e-mail one may turn off has
// its words on the preferences screen, in both languages (a kind added to
// the portal without them would show as a key).
func TestEveryOptionalEmailIsNamed(t *testing.T) {
	for _, k := range portal.OptionalMailKinds() {
		key := messages.Key("ui.prefs.kind." + k)
		if !messages.Has(key) {
			t.Errorf("e-mail kind %s has no words (%s)", k, key)
			continue
		}
		if en, fr := say(messages.English, string(key)), say(messages.French, string(key)); en == "" || fr == "" || en == fr {
			t.Errorf("%s: %q / %q", key, en, fr)
		}
	}
}
