package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// grantSections cuts the grants screen into its live and ended sections.
func grantSections(t *testing.T, body string) (live, ended string) {
	t.Helper()
	i, j := strings.Index(body, `<section aria-labelledby="live-h">`), strings.Index(body, `<section aria-labelledby="ended-h">`)
	if i < 0 || j < i {
		t.Fatalf("the grants screen has no live then ended sections:\n%s", body)
	}
	return body[i:j], body[j:]
}

// TestMyGrantsLiveAndEndedSections: a live grant (and one ending soon,
// with its badge) lands in the live section, an ended one in the ended
// section with its renewal; the headings are in the reader's language.
func TestMyGrantsLiveAndEndedSections(t *testing.T) {
	s := newSite(t)
	p := s.srv.Portal().(*portal.Service)
	olivier := s.accounts["olivier.carto"]
	// A live grant without end, beside the demo's ended one (Étude
	// inondations 2025) and the one ending soon through his community.
	if _, err := p.CreateGrant(context.Background(), s.accounts["paul.risques"], portal.Grant{Name: "Convention OSM 2026", Services: []string{"sud-ppri"}, Users: []string{olivier}}); err != nil {
		t.Fatal(err)
	}
	res, body := s.as(t, "olivier.carto").get(t, "/me/grants", "Accept-Language", "fr")
	if res.StatusCode != 200 {
		t.Fatalf("olivier's grants = %d", res.StatusCode)
	}
	wantIn(t, "the grants screen", body, `<h2 id="live-h">En cours</h2>`, `<h2 id="ended-h">Terminées</h2>`)
	live, ended := grantSections(t, body)
	wantIn(t, "the live section", live, "Convention OSM 2026", `class="state live"`, `class="state soon"`)
	wantIn(t, "the ended section", ended, "Étude inondations 2025", `class="state expired"`, `name="renewal"`, "Demander son renouvellement")
	for _, c := range []struct{ section, text, what string }{
		{live, "Étude inondations 2025", "the ended grant"},
		{live, `class="state expired"`, "an expired badge"},
		{ended, "Convention OSM 2026", "the live grant"},
		{ended, `class="state live"`, "a live badge"},
		{ended, `class="state soon"`, "a grant ending soon"},
	} {
		if strings.Contains(c.section, c.text) {
			t.Errorf("%s is in the wrong section", c.what)
		}
	}
	// Someone with live grants only: the ended section says there are none.
	_, body = s.as(t, "julie.candidate").get(t, "/me/grants", "Accept-Language", "en")
	live, ended = grantSections(t, body)
	wantIn(t, "julie's live section", live, "Licence Ouverte Etalab 2.0 — PPRI")
	wantIn(t, "julie's ended section", ended, "No ended grant.")
}
