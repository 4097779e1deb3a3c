package ui_test

import (
	"strings"
	"testing"
)

// whyPath explains Toulon's level on the PPRI: download, through the
// group of organisations « Communes du Var », above the default consult.
const whyPath = "/datasets/REGION-SUD_PPRI/access/why/organisation/toulon"

func TestAccessTableLinksEachLevelToItsWhy(t *testing.T) {
	s := newSite(t)
	editor := s.as(t, "paul.risques")
	_, body := editor.get(t, "/datasets/REGION-SUD_PPRI/access?kind=organisation&name=toulon")
	if row := rowOf(body, "organisation:toulon"); !strings.Contains(row, `href="`+whyPath+`"`) {
		t.Fatalf("Toulon's row has no why link:\n%s", row)
	}
	for _, c := range []struct{ lang, summary, source, decides, back string }{
		{"en", "gets the level download on dataset “Plans de prévention du risque inondation”", "the group of organisations Communes du Var, which has the specific level download", "gives the effective level", "Back to the access table"},
		{"fr", "obtient le niveau « téléchargement » sur le jeu de données « Plans de prévention du risque inondation »", "groupe d&#39;organisations Communes du Var, qui a le niveau particulier « téléchargement »", "donne le niveau effectif", "Retour au tableau d&#39;accès"},
	} {
		res, body := editor.get(t, whyPath, "Cookie", "octroi_lang="+c.lang)
		if res.StatusCode != 200 {
			t.Fatalf("%s: why screen = %d\n%s", c.lang, res.StatusCode, body)
		}
		for _, want := range []string{c.summary, c.source, c.decides, c.back, `href="/datasets/REGION-SUD_PPRI/access"`, "level-consult"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the why screen lacks %q:\n%s", c.lang, want, body)
			}
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "%!") {
			t.Errorf("%s: inline script or a broken message:\n%s", c.lang, body)
		}
	}
}

func TestAccessWhyRefusesWhoMayNotConfigure(t *testing.T) {
	s := newSite(t)
	if res, _ := s.get(t, whyPath); res.StatusCode != 401 {
		t.Errorf("anonymous why screen = %d, want 401", res.StatusCode)
	}
	other := s.as(t, "sophie.voirie") // sees the dataset, may not configure it
	if res, body := other.get(t, whyPath); res.StatusCode != 403 || strings.Contains(body, "Communes du Var") {
		t.Errorf("outsider's why screen = %d, want 403 saying nothing of the levels", res.StatusCode)
	}
	if res, _ := other.get(t, "/datasets/GEOCONSEIL_BRUIT/access/why/organisation/toulon"); res.StatusCode != 404 {
		t.Errorf("outsider's why screen of a private dataset = %d, want 404", res.StatusCode)
	}
	editor := s.as(t, "paul.risques")
	for path, want := range map[string]int{
		"/datasets/REGION-SUD_PPRI/access/why/organisation/nope": 404,
		"/datasets/REGION-SUD_PPRI/access/why/user/paul.risques": 400,
	} {
		if res, _ := editor.get(t, path); res.StatusCode != want {
			t.Errorf("%s = %d, want %d", path, res.StatusCode, want)
		}
	}
}
