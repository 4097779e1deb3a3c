package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestContentSearchAsYouType: on a page's security tab and a map's share
// dialog, typing lists the people and groups found without leaving the
// page (the same page the forms load without scripts).
func TestContentSearchAsYouType(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	paul := s.as(t, "paul.risques")
	for _, c := range []struct{ path, input, typed, wait string }{
		{"/pages/tableau-de-bord-inondations/security", "#q", "olivier", `#found-users input[name="holder"]`},
		{"/pages/tableau-de-bord-inondations/security", "#gq", "hyè", `#found-groups input[value="organisation:hyeres"]`},
		{"/maps/crues-du-var/share", "#gq", "hyè", `#found-groups form:has(input[value="organisation:hyeres"]) button`},
	} {
		err := chromedp.Do(ctx,
			chromedp.Navigate(paul.URL+c.path),
			chromedp.WaitReady(chromedp.CSS(c.input)),
			chromedp.SendKeys(chromedp.CSS(c.input), c.typed),
			chromedp.WaitVisible(chromedp.CSS(c.wait)),
		)
		if err != nil {
			t.Fatalf("%s %s: %v", c.path, c.input, err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(loc, "q=") {
			t.Errorf("the search left the page: %s", loc)
		}
	}
}

// TestMapLastOwnerInABrowser: source 004's warning made a rule: the only
// owner of a map asks to stop sharing with itself, and the dialog says
// why not, by its row, in the reader's language.
func TestMapLastOwnerInABrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	lina := s.as(t, "lina.littoral")
	err := chromedp.Do(ctx,
		chromedp.Navigate(lina.URL+"/static/octroi.css"),
		chooseLanguage("fr"),
		chromedp.Navigate(lina.URL+"/maps/trait-de-cote/share"),
		chromedp.WaitReady(chromedp.CSS("main")),
		chromedp.Click(chromedp.CSS(`tr:has(input[value="community:observatoire-littoral"]) input[value="remove"] + button`)),
		chromedp.WaitVisible(chromedp.CSS(`tr:has(input[value="community:observatoire-littoral"]) #share-error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#share-error").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "dernier propriétaire") {
		t.Errorf("the refusal says %q", msg)
	}
}

// TestPageMadePrivateAndSharedInABrowser: source 003 as its producer
// does it, with a keyboard and a mouse: the dashboard made public, then
// private again, then opened to one person found as one types; that
// person views it, an outsider still does not.
func TestPageMadePrivateAndSharedInABrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	paul := s.as(t, "paul.risques")
	const sec = "/pages/tableau-de-bord-inondations/security"
	err := chromedp.Do(ctx,
		chromedp.Navigate(paul.URL+sec),
		chromedp.WaitReady(chromedp.CSS("#p-public")),
		chromedp.Click(chromedp.CSS("#p-public")),
		chromedp.Click(chromedp.CSS(`form[action$="/security/policy"] button`)),
		chromedp.WaitReady(chromedp.CSS(`#p-public[checked]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := s.get(t, "/pages/tableau-de-bord-inondations"); res.StatusCode != 200 {
		t.Fatalf("made public, anonymous = %d", res.StatusCode)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#p-private")),
		chromedp.Click(chromedp.CSS(`form[action$="/security/policy"] button`)),
		chromedp.WaitReady(chromedp.CSS(`#p-private[checked]`)),
		chromedp.SendKeys(chromedp.CSS("#q"), "olivier"),
		chromedp.WaitVisible(chromedp.CSS(`#found-users input[name="holder"]`)),
		chromedp.Click(chromedp.CSS(`#found-users input[name="holder"]`)),
		chromedp.Click(chromedp.CSS(`#found-users button.primary`)),
		// his row, once the tab is back
		chromedp.WaitReady(chromedp.CSS(`form[action$="/security/remove"] input[value="user:`+s.accounts["olivier.carto"]+`"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := s.get(t, "/pages/tableau-de-bord-inondations"); res.StatusCode != 404 {
		t.Errorf("made private again, anonymous = %d", res.StatusCode)
	}
	if res, _ := s.as(t, "olivier.carto").get(t, "/pages/tableau-de-bord-inondations"); res.StatusCode != 200 {
		t.Errorf("shared with Olivier, he gets %d", res.StatusCode)
	}
	if res, _ := s.as(t, "raphael.relief").get(t, "/pages/tableau-de-bord-inondations"); res.StatusCode != 404 {
		t.Errorf("an outsider gets %d", res.StatusCode)
	}
}
