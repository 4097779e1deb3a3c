package ui_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// The interface is used on a phone and on a wide screen. Every screen of
// the list the accessibility test visits is laid out at both widths in a
// real Chromium, and what makes a page hard to use there fails the test:
// a page wider than the screen (one scrolls sideways to read it), a
// control smaller than 24×24 CSS pixels (WCAG 2.2, 2.5.8 Target Size
// (Minimum)), two controls drawn over each other.

// phone is a small phone held upright: 375×740 CSS pixels, two device
// pixels per CSS pixel, as a mobile browser (which honours the page's
// viewport meta) with touch.
func phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(375, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
}

// phoneShot is the phone at one device pixel per CSS pixel: the same
// layout, for the screenshots, which cost four times less to draw and
// encode than at two (CI writes them at every run).
func phoneShot() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
}

// wide is a desktop's full-HD screen.
func wide() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(1920, 1080)
}

// layoutProblems is run on the page open; it returns what is wrong with
// its layout, one sentence each. Controls are links, buttons, form fields
// and anything focusable; those not drawn (hidden inputs, closed details,
// the visually-hidden pattern's 1px boxes, the skip link parked off
// screen until focused) are not targets. The one exception to the size is
// WCAG's own "inline" one: a link inside a run of text, whose height is
// the text's line.
const layoutProblems = `(() => {
  const out = [];
  const se = document.scrollingElement, vw = se.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
    (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "") +
    (el.getAttribute("href") ? "[href=" + el.getAttribute("href") + "]" : "") +
    (el.textContent.trim() ? " «" + el.textContent.trim().slice(0, 30) + "»" : "") +
    (el.parentElement ? " in " + el.parentElement.tagName.toLowerCase() + (el.parentElement.className && typeof el.parentElement.className === "string" ? "." + el.parentElement.className.trim().split(/\s+/).join(".") : "") : "");
  if (se.scrollWidth > vw) {
    // the elements that stick out, deepest first
    const over = [...document.body.querySelectorAll("*")].filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > vw + 0.5 &&
        ![...el.children].some(c => c.getBoundingClientRect().right > vw + 0.5);
    });
    out.push("the page scrolls sideways (" + se.scrollWidth + "px wide on a " + vw + "px screen), because of " +
      over.slice(0, 4).map(el => name(el) + " (right edge " + Math.round(el.getBoundingClientRect().right) + ")").join(", "));
  }
  const sel = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  const targets = [...document.querySelectorAll(sel)].filter(el => {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && r.right > 0 && cs.visibility !== "hidden";
  });
  const inline = el => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const p = el.parentElement;
    let rest = "";
    for (const n of p.childNodes) if (n !== el) rest += n.textContent;
    return rest.replace(/[\s·|,]/g, "").length > 0;
  };
  for (const el of targets) {
    const r = el.getBoundingClientRect();
    if ((r.width < 23.5 || r.height < 23.5) && !inline(el)) {
      out.push(name(el) + " is " + r.width.toFixed(1) + "×" + r.height.toFixed(1) + "px, under 24×24");
    }
  }
  // a link that wraps is drawn as one box per line: those boxes are what
  // may overlap, not the rectangle around them all
  const boxes = targets.map(el => [...el.getClientRects()]);
  const overlap = (p, q) => {
    for (const ra of p) for (const rb of q) {
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 0.5 && h > 0.5) return w.toFixed(1) + "×" + h.toFixed(1) + "px";
    }
    return "";
  };
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      const a = targets[i], b = targets[j];
      if (a.contains(b) || b.contains(a)) continue;
      const by = overlap(boxes[i], boxes[j]);
      if (by) out.push(name(a) + " and " + name(b) + " overlap by " + by);
    }
  }
  return out;
})()`

// TestScreensFitAPhoneAndAWideScreen lays every screen out on a phone
// (375 CSS pixels, mobile emulation) and on a 1920×1080 screen, in both
// languages (the words' lengths differ): no screen scrolls sideways, no
// control is under 24×24 CSS pixels, none overlaps another. With
// OCTROI_SCREENSHOTS set it also writes each screen as a phone shows it.
func TestScreensFitAPhoneAndAWideScreen(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	screens := browserScreens(t, s)
	for _, lang := range []string{"en", "fr"} {
		// Cookies are kept per host, whatever the port: the language is
		// chosen once for every site of the list.
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/static/octroi.css"), chooseLanguage(lang)); err != nil {
			t.Fatal(err)
		}
		for i, sc := range screens {
			steps := []chromedp.Action[chromedp.Void]{
				phone(),
				chromedp.Navigate(sc.base + sc.path),
				chromedp.WaitReady(chromedp.CSS("main")),
			}
			steps = append(steps, sc.then...)
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatalf("%s %s (%d steps): %v", lang, sc.path, len(sc.then), err)
			}
			if got := pageLang(t, ctx); got != lang {
				t.Fatalf("%s %s: the page is in %q", lang, sc.path, got)
			}
			for _, width := range []struct {
				name   string
				resize chromedp.Action[chromedp.Void]
			}{{"phone", nil}, {"wide", wide()}} {
				if width.resize != nil {
					if err := chromedp.Do(ctx, width.resize); err != nil {
						t.Fatal(err)
					}
				}
				where := fmt.Sprintf("%s, %s %s (%d steps)", width.name, lang, sc.path, len(sc.then))
				for _, p := range layoutOf(t, ctx) {
					t.Errorf("%s: %s", where, p)
				}
				if width.name == "phone" {
					shoot(t, ctx, fmt.Sprintf("phone-%s-%02d-%s", lang, i, shotName(sc.path)), phoneShot())
				}
			}
		}
	}
}

// layoutOf runs layoutProblems on the page open in ctx.
func layoutOf(t *testing.T, ctx context.Context) []string {
	t.Helper()
	ps, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](layoutProblems))
	if err != nil {
		t.Fatalf("layout: %v", err)
	}
	return ps
}

// pageLang is the language of the page open in ctx.
func pageLang(t *testing.T, ctx context.Context) string {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil {
		t.Fatal(err)
	}
	return l
}
