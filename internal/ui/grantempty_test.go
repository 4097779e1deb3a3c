package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestGrantDeletedWithItsLastServiceIsToldToItsBeneficiaries: a grant
// whose last service is deleted is deleted with it (portal/grantempty.go):
// its producer no longer lists it, its beneficiary no longer holds it and
// reads why in their notices, in both languages; nobody else is told.
func TestGrantDeletedWithItsLastServiceIsToldToItsBeneficiaries(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	p := s.srv.Portal().(*portal.Service)
	paul := s.accounts["paul.risques"] // publishes for region-sud
	g, err := p.CreateGrant(ctx, paul, portal.Grant{Name: "Licence PPRI seule", Services: []string{"sud-ppri"}, Users: []string{s.accounts["olivier.carto"]}})
	if err != nil {
		t.Fatal(err)
	}
	olivier := s.as(t, "olivier.carto")
	if _, body := olivier.get(t, "/me/grants", "Accept-Language", "en"); !strings.Contains(body, "Licence PPRI seule") {
		t.Fatal("the grant is not among olivier's")
	}
	if err := p.DeleteService(ctx, paul, "sud-ppri"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.GrantOf(ctx, paul, g.ID); err == nil {
		t.Fatal("the grant left covering nothing is still there")
	}
	_, body := olivier.get(t, "/me/grants", "Accept-Language", "en")
	if strings.Contains(body, "Licence PPRI seule") {
		t.Error("olivier still holds the deleted grant")
	}
	_, en := olivier.get(t, "/me/notices", "Accept-Language", "en")
	wantIn(t, "olivier's notices", en, "Grant Licence PPRI seule of organisation Région Provence-Alpes-Côte d&#39;Azur was deleted: every service it covered was deleted", `href="/me/grants"`)
	_, fr := olivier.get(t, "/me/notices", "Accept-Language", "fr")
	wantIn(t, "olivier's notices in French", fr, "La permission Licence PPRI seule de l&#39;organisation Région Provence-Alpes-Côte d&#39;Azur a été supprimée")
	if _, body := s.as(t, "paul.risques").get(t, "/organisations/region-sud/permissions", "Accept-Language", "en"); strings.Contains(body, "Licence PPRI seule") {
		t.Error("the producer still lists the deleted grant")
	}
	for _, who := range []string{"paul.risques", "chloe.recherche"} {
		if _, body := s.as(t, who).get(t, "/me/notices", "Accept-Language", "en"); strings.Contains(body, "Licence PPRI seule") {
			t.Errorf("%s was told", who)
		}
	}
	if res, body := s.get(t, "/me/notices"); (res.StatusCode != 401 && res.StatusCode != 303) || strings.Contains(body, "Licence PPRI seule") {
		t.Errorf("anonymous notices = %d", res.StatusCode)
	}
}
