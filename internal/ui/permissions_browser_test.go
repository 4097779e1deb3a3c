package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestGrantBeneficiariesAsYouType: a producer finds an account and a
// community as they type, ticks each (it joins the chosen ones and stays
// there through the next search), and adds the grant.
func TestGrantBeneficiariesAsYouType(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	paul := s.as(t, "paul.risques")
	olivier := s.accounts["olivier.carto"]
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(paul.URL + permsPath + "/new?service=sud-ppri"),
		chromedp.WaitReady(chromedp.CSS("#g-q")),
		chromedp.SetValue(chromedp.CSS("#g-name"), "Convention crue"),
		chromedp.SendKeys(chromedp.CSS("#g-q"), "olivier"),
		chromedp.WaitVisible(chromedp.CSS(`#found input[value="user:` + olivier + `"]`)),
		chromedp.Click(chromedp.CSS(`#found input[value="user:` + olivier + `"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#chosen input[value="user:` + olivier + `"]`)),
		setValue("g-q", ""),
		chromedp.SendKeys(chromedp.CSS("#g-q"), "littoral"),
		chromedp.WaitVisible(chromedp.CSS(`#found input[value="community:observatoire-littoral"]`)),
		chromedp.Click(chromedp.CSS(`#found input[value="community:observatoire-littoral"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#chosen input[value="community:observatoire-littoral"]`)),
		setValue("g-date", "2099-06-30"),
		chromedp.Click(chromedp.CSS(`button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	}
	for i, st := range steps {
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := chromedp.Do(sctx, st)
		cancel()
		if err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("form.stacked")))
			q, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#g-q")))
			t.Fatalf("step %d: %v (search %q)\n%s", i, err, q, html)
		}
	}
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Convention crue", "Olivier", "Observatoire du littoral", "Jun 30, 2099, 11:59 PM"} {
		if !strings.Contains(page, want) {
			t.Errorf("the new grant's page lacks %q:\n%s", want, page)
		}
	}
}

// setValue sets the value of the field of id as a script would, firing no
// event (chromedp.SetValue refuses an empty value).
func setValue(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](fmt.Sprintf("document.getElementById(%q).value = %q", id, value))(ctx, t)
		return err
	})
}
