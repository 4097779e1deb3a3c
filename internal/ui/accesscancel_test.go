package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestCancelledRequestIsToldToItsAuthor: a request cancelled because its
// dataset, or the community it was for, was deleted says so in its
// author's requests and notices, in both languages, naming what was
// deleted; nobody else reads that notice, and an anonymous visitor reads
// no notices at all.
func TestCancelledRequestIsToldToItsAuthor(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	p := s.srv.Portal().(*portal.Service)
	olivier, chloe := s.as(t, "olivier.carto"), s.as(t, "chloe.recherche")
	if res, _ := olivier.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"message": {"Pour la voirie."}}); res.StatusCode != 303 {
		t.Fatalf("olivier's request = %d", res.StatusCode)
	}
	// Chloe asks for a community she made, which she then deletes.
	if _, err := p.CreateCommunity(ctx, s.accounts["chloe.recherche"], portal.Community{ID: "etude-crues", Name: "Étude des crues"}); err != nil {
		t.Fatal(err)
	}
	if res, body := chloe.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"form": {"demande"}, "services": {"sud-ppri"},
		"community": {"etude-crues"}}); res.StatusCode != 303 {
		t.Fatalf("chloe's request = %d\n%s", res.StatusCode, body)
	}
	if err := p.DeleteCommunity(ctx, s.accounts["chloe.recherche"], "etude-crues"); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteDataset(ctx, s.accounts["alice.martin"], "REGION-SUD_PPRI"); err != nil {
		t.Fatal(err)
	}

	_, en := olivier.get(t, "/me/notices", "Accept-Language", "en")
	wantIn(t, "olivier's notices", en, "was cancelled: the dataset was deleted.", `href="/access-requests"`)
	_, fr := olivier.get(t, "/me/notices", "Accept-Language", "fr")
	wantIn(t, "olivier's notices in French", fr, "a été annulée : le jeu de données a été supprimé.")
	_, reqs := olivier.get(t, "/access-requests", "Accept-Language", "en")
	wantIn(t, "olivier's requests", reqs, "cancelled : the dataset was deleted")
	_, reqs = olivier.get(t, "/access-requests", "Accept-Language", "fr")
	wantIn(t, "olivier's requests in French", reqs, "annulée : le jeu de données a été supprimé")

	_, en = chloe.get(t, "/me/notices", "Accept-Language", "en")
	wantIn(t, "chloe's notices", en, "for the community Étude des crues was cancelled: the community was deleted.")
	_, fr = chloe.get(t, "/me/notices", "Accept-Language", "fr")
	wantIn(t, "chloe's notices in French", fr, "pour la communauté Étude des crues a été annulée : la communauté a été supprimée.")
	_, reqs = chloe.get(t, "/access-requests", "Accept-Language", "en")
	wantIn(t, "chloe's requests", reqs, "the community it was for was deleted")

	// Paul decided such requests; the notices are the authors' only.
	if _, body := s.as(t, "paul.risques").get(t, "/me/notices", "Accept-Language", "en"); strings.Contains(body, "was cancelled") {
		t.Error("someone else reads the author's notice")
	}
	if res, body := s.get(t, "/me/notices"); (res.StatusCode != 401 && res.StatusCode != 303) || strings.Contains(body, "was cancelled") {
		t.Errorf("anonymous notices = %d", res.StatusCode)
	}
}
