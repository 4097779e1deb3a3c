package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestMyCommunitiesComeInPages: someone in more communities than a page
// sees a page of them on the communities screen, the next through a link,
// and on "my account" the first ones and a link to all of them; a cursor
// that is not a community id is refused.
func TestMyCommunitiesComeInPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	p := s.srv.Portal().(*portal.Service)
	lina := s.accounts["lina.littoral"]
	for i := range 53 {
		if _, err := p.CreateCommunity(ctx, lina, portal.Community{ID: fmt.Sprintf("zz-veille-%02d", i), Name: fmt.Sprintf("Veille %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := p.Profile(ctx, lina, lina)
	if err != nil {
		t.Fatal(err)
	}
	n := len(all.Communities)
	as := s.as(t, "lina.littoral")
	seen, path := 0, "/communities"
	for pages := 0; ; pages++ {
		res, body := as.get(t, path, "Accept-Language", "en")
		if res.StatusCode != 200 || pages > 5 {
			t.Fatalf("%s = %d", path, res.StatusCode)
		}
		mine := body[strings.Index(body, `id="mine-h"`):strings.Index(body, `id="all-h"`)]
		seen += strings.Count(mine, ">Veille ")
		i := strings.Index(body, `href="/communities?mine_after=`)
		if i < 0 {
			break
		}
		path = strings.ReplaceAll(body[i+len(`href="`):i+strings.Index(body[i:], `" rel`)], "&amp;", "&")
	}
	if seen != 53 {
		t.Errorf("the pages showed %d of lina's 53 new communities", seen)
	}
	_, body := as.get(t, "/me", "Accept-Language", "en")
	if !strings.Contains(body, fmt.Sprintf("All my communities (%d)", n)) || !strings.Contains(body, "Veille 00") || strings.Contains(body, "Veille 52") {
		t.Errorf("my account does not show the first communities and a link to all %d:\n%s", n, body)
	}
	res, body := as.get(t, "/communities?mine_after="+url.QueryEscape("x/y"), "Accept-Language", "en")
	if res.StatusCode != 400 || !strings.Contains(body, "after") {
		t.Errorf("a bad cursor = %d\n%s", res.StatusCode, body)
	}
}
