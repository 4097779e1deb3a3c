package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// manyCommunities makes local supervise n more communities, "Groupe
// d'étude NN".
func manyCommunities(t *testing.T, s site, local string, n int) {
	t.Helper()
	p := s.srv.Portal().(*portal.Service)
	for i := range n {
		if _, err := p.CreateCommunity(context.Background(), s.accounts[local], portal.Community{ID: fmt.Sprintf("etude-%02d", i), Name: fmt.Sprintf("Groupe d'étude %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

var ownerOption = regexp.MustCompile(`<option value="(community|organisation):`)

// TestMapOwnerChoiceIsBounded: someone in many roles is offered at most
// twenty as the owner of a new map, with a search by name that works
// without JavaScript (a GET form) and folds accents; a map is still made
// for a role the list did not show, and still refused for a role that is
// not the reader's; an anonymous visitor gets no form.
func TestMapOwnerChoiceIsBounded(t *testing.T) {
	s := newSite(t)
	manyCommunities(t, s, "olivier.carto", 30)
	olivier := s.as(t, "olivier.carto")
	_, body := olivier.get(t, "/maps", "Accept-Language", "en")
	if n := len(ownerOption.FindAllString(body, -1)); n != 20 {
		t.Errorf("%d owners offered, want 20", n)
	}
	wantIn(t, "the maps screen", body, `<form method="get" action="/maps" role="search"`, `name="oq"`, "20 shown of your 3")
	_, body = olivier.get(t, "/maps?oq="+url.QueryEscape("ÉTUDE-2"), "Accept-Language", "fr")
	if n := len(ownerOption.FindAllString(body, -1)); n != 10 {
		t.Errorf("%d owners for \"ÉTUDE-2\", want the ten of 20-29", n)
	}
	wantIn(t, "the search", body, `value="community:etude-29"`, `value="ÉTUDE-2"`, "10 affichés sur vos")
	if strings.Contains(body, `value="community:etude-01"`) {
		t.Error("the search shows a role it does not match")
	}
	// A role not shown, chosen by its value, is the portal's to judge.
	res, _ := olivier.post(t, "/maps", url.Values{"name": {"Étude"}, "icon": {"wave"}, "owner": {"community:etude-29"}})
	if res.StatusCode != 303 {
		t.Errorf("a map for a role not shown = %d", res.StatusCode)
	}
	if res, _ := olivier.post(t, "/maps", url.Values{"name": {"X"}, "owner": {"organisation:ign"}}); res.StatusCode != 403 {
		t.Errorf("a map for a role not the reader's = %d", res.StatusCode)
	}
	if res, _ := s.post(t, "/maps", url.Values{"name": {"X"}, "owner": {"community:etude-29"}}); res.StatusCode != 401 {
		t.Errorf("anonymous map = %d", res.StatusCode)
	}
	// Few roles: no search, every one shown.
	_, body = s.as(t, "lina.littoral").get(t, "/maps")
	if strings.Contains(body, `name="oq"`) {
		t.Error("a search offered to someone with few roles")
	}
}

// TestRequestCommunityChoiceIsBounded: the access request page offers at
// most twenty of the communities the reader manages, with a search by
// name (a GET form); the one chosen in a refused form stays offered; a
// request for a community the reader does not manage is refused.
func TestRequestCommunityChoiceIsBounded(t *testing.T) {
	s := newSite(t)
	manyCommunities(t, s, "chloe.recherche", 30)
	chloe := s.as(t, "chloe.recherche")
	const page = "/demande-acces/REGION-SUD_PPRI"
	radio := regexp.MustCompile(`<input type="radio" name="community" value="[^"]+"`)
	_, body := chloe.get(t, page, "Accept-Language", "en")
	if n := len(radio.FindAllString(body, -1)); n != 20 {
		t.Errorf("%d communities offered, want 20", n)
	}
	wantIn(t, "the request page", body, `<form method="get" action="/demande-acces/REGION-SUD_PPRI" role="search"`, `name="cq"`)
	_, body = chloe.get(t, page+"?cq=etude-07", "Accept-Language", "en")
	if n := len(radio.FindAllString(body, -1)); n != 1 || !strings.Contains(body, `value="etude-07"`) {
		t.Errorf("the search for etude-07 offers %d", n)
	}
	// Refused (no service chosen): the community chosen stays, checked.
	res, body := chloe.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"form": {"demande"}, "community": {"etude-29"}})
	if res.StatusCode != 400 || !strings.Contains(body, `value="etude-29" id="for-c-etude-29" checked`) {
		t.Errorf("refused form = %d, the community chosen lost", res.StatusCode)
	}
	res, _ = chloe.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"form": {"demande"}, "services": {"sud-ppri"}, "community": {"etude-29"}})
	if res.StatusCode != 303 {
		t.Errorf("a request for a community not shown = %d", res.StatusCode)
	}
	res, _ = s.as(t, "olivier.carto").post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"form": {"demande"}, "services": {"sud-ppri"}, "community": {"etude-28"}})
	refused(t, "a community the reader does not manage", res.StatusCode)
	if res, _ := s.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"form": {"demande"}, "services": {"sud-ppri"}, "community": {"etude-28"}}); res.StatusCode != 401 {
		t.Errorf("anonymous request = %d", res.StatusCode)
	}
}
