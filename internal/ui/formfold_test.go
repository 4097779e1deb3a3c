package ui_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The pages and maps forms refuse through the one mechanism of the other
// screens: the message beside the input it is about (id-err), the input
// marked invalid and described by it, in the reader's language, whichever
// it is.
func TestContentFormErrorsByTheirFieldInBothLanguages(t *testing.T) {
	s := newSite(t)
	lina, olivier := s.as(t, "lina.littoral"), s.as(t, "olivier.carto")
	long := strings.Repeat("é", 201)
	edit := url.Values{"title": {"Tableau"}, "body": {"Texte."}, "vis": {"ppri"}, "vis_title": {"Zones des PPRI"},
		"vis_dataset": {"REGION-SUD_PPRI"}, "new_title": {long}, "new_dataset": {"REGION-SUD_LYCEES"}}
	create := url.Values{"name": {"Houle"}, "icon": {long}, "owner": {"community:observatoire-littoral"}}
	for _, c := range []struct {
		who        site
		path       string
		form       url.Values
		field      string
		lang, says string
	}{
		// The title of the visualisation added: the portal names it by
		// its place in the list, which is the new title's input.
		{lina, dashboard + "/edit", edit, "new_title", "fr", "fait 201 caractères, la limite est de 200"},
		{lina, dashboard + "/edit", edit, "new_title", "en", "is 201 characters long, the limit is 200"},
		{olivier, "/maps", create, "icon", "fr", "fait 201 caractères"},
		{olivier, "/maps", create, "icon", "en", "is 201 characters long"},
	} {
		res, body := c.who.postIn(t, c.lang, c.path, c.form)
		if res.StatusCode != 400 || !invalidField(body, c.field) {
			t.Errorf("%s in %s: %d, %s not tied to its message\n%s", c.path, c.lang, res.StatusCode, c.field, body)
			continue
		}
		msg := regexp.MustCompile(`<p id="` + c.field + `-err" class="error-text" role="alert">([^<]*)</p>`).FindStringSubmatch(body)
		if msg == nil || !strings.Contains(html.UnescapeString(msg[1]), c.says) {
			t.Errorf("%s in %s: the message beside %s is %q, want it to say %q", c.path, c.lang, c.field, msg, c.says)
		}
		if strings.Contains(body, `id="form-error"`) {
			t.Errorf("%s in %s: a field's refusal also shown as the form's", c.path, c.lang)
		}
	}
}
