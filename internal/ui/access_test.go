package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// post sends a form as a browser on this site would.
func (s site) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return s.do(t, req)
}

func TestAccessScreenPreviewsThenApplies(t *testing.T) {
	s := newSite(t)
	editor := s.as(t, "paul.risques")
	res, body := editor.get(t, "/datasets/REGION-SUD_PPRI/access?kind=organisation&name=cerege")
	if res.StatusCode != 200 {
		t.Fatalf("access screen = %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, `value="organisation:cerege"`) || strings.Contains(body, `value="community:`) {
		t.Fatalf("the filter is not applied:\n%s", body)
	}
	// The dataset page leads there for whoever may configure access.
	if _, page := editor.get(t, "/datasets/REGION-SUD_PPRI"); !strings.Contains(page, `href="/datasets/REGION-SUD_PPRI/access"`) {
		t.Error("the dataset page has no link to the access screen for its editor")
	}
	form := url.Values{"group": {"organisation:cerege"}, "action": {"grant"}, "level": {"download"}, "mode": {"merge"}}
	res, body = editor.post(t, "/datasets/REGION-SUD_PPRI/access/bulk", form)
	if res.StatusCode != 200 || !strings.Contains(body, `name="confirm" value="1"`) {
		t.Fatalf("preview = %d\n%s", res.StatusCode, body)
	}
	// The preview changed nothing.
	_, body = editor.get(t, "/datasets/REGION-SUD_PPRI/access?kind=organisation&name=cerege")
	if strings.Contains(rowOf(body, "organisation:cerege"), "level-download") {
		t.Fatal("the preview applied the change")
	}
	form.Set("confirm", "1")
	res, _ = editor.post(t, "/datasets/REGION-SUD_PPRI/access/bulk", form)
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/datasets/REGION-SUD_PPRI/access?done=1") {
		t.Fatalf("apply = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = editor.get(t, "/datasets/REGION-SUD_PPRI/access?kind=organisation&name=cerege")
	if !strings.Contains(rowOf(body, "organisation:cerege"), "level-download") {
		t.Errorf("after the change CEREGE's row is:\n%s", rowOf(body, "organisation:cerege"))
	}
}

func TestAccessScreenRefusesWhoMayNotConfigure(t *testing.T) {
	s := newSite(t)
	// Anonymous: sign in first.
	if res, _ := s.get(t, "/datasets/REGION-SUD_PPRI/access"); res.StatusCode != 401 {
		t.Errorf("anonymous access screen = %d, want 401", res.StatusCode)
	}
	// Someone of another organisation sees the dataset but may not
	// configure it; the forms are refused just the same, and nothing
	// changes.
	other := s.as(t, "sophie.voirie")
	if res, _ := other.get(t, "/datasets/REGION-SUD_PPRI/access"); res.StatusCode != 403 {
		t.Errorf("outsider's access screen = %d, want 403", res.StatusCode)
	}
	form := url.Values{"group": {"organisation:cerege"}, "action": {"grant"}, "level": {"download"}, "mode": {"merge"}, "confirm": {"1"}}
	if res, _ := other.post(t, "/datasets/REGION-SUD_PPRI/access/bulk", form); res.StatusCode != 403 {
		t.Errorf("outsider's bulk change = %d, want 403", res.StatusCode)
	}
	if res, _ := other.post(t, "/datasets/REGION-SUD_PPRI/access/default", url.Values{"level": {"download"}, "confirm": {"1"}}); res.StatusCode != 403 {
		t.Errorf("outsider's default level = %d, want 403", res.StatusCode)
	}
	// A private dataset's screen does not reveal it exists.
	if res, _ := other.get(t, "/datasets/GEOCONSEIL_BRUIT/access"); res.StatusCode != 404 {
		t.Errorf("outsider's access screen of a private dataset = %d, want 404", res.StatusCode)
	}
}

func TestAccessFormsSayWhatIsWrong(t *testing.T) {
	s := newSite(t)
	editor := s.as(t, "paul.risques")
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"action": {"grant"}, "level": {"download"}}, "select at least one group"},
		{url.Values{"group": {"toulon"}, "action": {"grant"}, "level": {"download"}}, "does not name a group"},
		{url.Values{"group": {"organisation:cerege"}, "action": {"grant"}, "level": {"everything"}}, "choose a level"},
		{url.Values{"group": {"organisation:cerege"}}, "choose an action"},
	} {
		res, body := editor.post(t, "/datasets/REGION-SUD_PPRI/access/bulk", c.form)
		if res.StatusCode != 400 || !strings.Contains(body, c.want) {
			t.Errorf("%v = %d, want 400 saying %q:\n%s", c.form, res.StatusCode, c.want, body)
		}
	}
	if res, body := editor.get(t, "/datasets/REGION-SUD_PPRI/access?level=high"); res.StatusCode != 400 || !strings.Contains(body, "level") {
		t.Errorf("bad filter = %d\n%s", res.StatusCode, body)
	}
}

// rowOf returns the table row of the group key in body.
func rowOf(body, key string) string {
	i := strings.Index(body, `value="`+key+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</tr>")
	return body[i : i+j]
}
