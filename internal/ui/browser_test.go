package ui_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/octroi/octroi/internal/testbin"
)

// axePath is where .ci/run installs axe-core (npm install -g axe-core);
// OCTROI_AXE_JS names another copy.
func axePath(t *testing.T) string {
	if p := os.Getenv("OCTROI_AXE_JS"); p != "" {
		return testbin.File(t, p, "OCTROI_AXE_JS")
	}
	root := "/usr/lib/node_modules"
	if out, err := exec.Command("npm", "root", "-g").Output(); err == nil {
		root = strings.TrimSpace(string(out))
	}
	return testbin.File(t, root+"/axe-core/axe.min.js", "npm install -g axe-core")
}

// browser starts a headless Chromium for t and returns a context that
// drives one tab of it.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := testbin.Find(t, "chromium", "chromium-browser", "google-chrome")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelT(); cancel(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx
}

// axeResult is the part of axe-core's results the test reads.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// TestScreensHaveNoSeriousAccessibilityViolation runs axe-core (WCAG 2.1
// A and AA rules) on every screen, in both languages, in a real headless
// Chromium: no serious or critical violation is allowed.
func TestScreensHaveNoSeriousAccessibilityViolation(t *testing.T) {
	axe, err := os.ReadFile(axePath(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	s := newSite(t)
	screens := []string{"/", "/datasets/REGION-SUD_PPRI", "/datasets/NOPE"}
	for _, lang := range []string{"en", "fr"} {
		for _, path := range screens {
			err := chromedp.Do(ctx,
				chromedp.Navigate(s.URL+"/static/octroi.css"),
				chooseLanguage(lang),
				chromedp.Navigate(s.URL+path),
				chromedp.WaitReady(chromedp.CSS("main")),
				chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := chromedp.Evaluate[any](string(axe))(ctx, t)
					return err
				}),
			)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, path, err)
			}
			raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s %s: axe: %v", lang, path, err)
			}
			var res axeResult
			if err := json.Unmarshal([]byte(raw), &res); err != nil {
				t.Fatal(err)
			}
			for _, v := range res.Violations {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s %s: %s (%s): %s, on %v", lang, path, v.ID, v.Impact, v.Help, v.Nodes)
				}
			}
		}
	}
}

// TestLanguageSwitchInABrowser: the switch is a plain form, so a keyboard
// and a browser without scripts reach it; after it the page speaks the
// other language.
func TestLanguageSwitchInABrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/datasets/REGION-SUD_PPRI"),
		chromedp.WaitReady(chromedp.CSS("main")),
		chromedp.Click(chromedp.CSS(`form.lang button[value="fr"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] main`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("h2").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if h2 != "Ce que vous pouvez faire" {
		t.Errorf("after the switch the heading is %q", h2)
	}
}

// chooseLanguage sets the switch's cookie on the page open, as the
// switch would.
func chooseLanguage(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](`document.cookie = "octroi_lang=`+lang+`; path=/"`)(ctx, t)
		return err
	})
}
