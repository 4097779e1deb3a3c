package ui_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

func TestMyGrantsScreen(t *testing.T) {
	s := newSite(t)
	_, body := s.as(t, "julie.candidate").get(t, "/me/grants")
	for _, want := range []string{"Licence Ouverte Etalab 2.0 — PPRI", "PPRI — WMS", "ppri_zonage", "donnees@region-sud.demo.octroi.dev", "no end date"} {
		if !strings.Contains(body, want) {
			t.Errorf("julie's grants lack %q", want)
		}
	}
	_, body = s.as(t, "olivier.carto").get(t, "/me/grants")
	if !strings.Contains(body, `class="state expired"`) {
		t.Error("olivier's ended grant is not marked expired")
	}
	if res, _ := s.get(t, "/me/grants"); res.StatusCode != 401 {
		t.Errorf("anonymous grants = %d, want 401", res.StatusCode)
	}
}

// TestRenewAGrant: an ended personal grant offers its renewal in one
// click; the request reaches the grantor's organisation as a renewal,
// and nobody may ask to renew a grant they do not hold.
func TestRenewAGrant(t *testing.T) {
	s := newSite(t)
	olivier := s.as(t, "olivier.carto")
	_, body := olivier.get(t, "/me/grants")
	m := regexp.MustCompile(`action="(/datasets/[^/"]+/request-access)">\s*<input type="hidden" name="renewal" value="([^"]+)">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("olivier's ended grant offers no renewal:\n%s", body)
	}
	// Julie's grant has no end: nothing to renew.
	if _, jb := s.as(t, "julie.candidate").get(t, "/me/grants"); strings.Contains(jb, `name="renewal"`) {
		t.Error("a grant without an end offers a renewal")
	}
	// Someone else cannot ask to renew olivier's grant.
	if res, _ := s.as(t, "julie.candidate").post(t, m[1], url.Values{"renewal": {m[2]}}); res.StatusCode != 404 {
		t.Errorf("renewing another's grant = %d, want 404", res.StatusCode)
	}
	if res, _ := s.post(t, m[1], url.Values{"renewal": {m[2]}}); res.StatusCode != 401 {
		t.Errorf("anonymous renewal = %d, want 401", res.StatusCode)
	}
	res, _ := olivier.post(t, m[1], url.Values{"renewal": {m[2]}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/access-requests?done=access_requested" {
		t.Fatalf("renewal = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	reqs, err := s.srv.Portal().(*portal.Service).AccessRequests(context.Background(), s.accounts["olivier.carto"], portal.AccessRequestQuery{Mine: true, Limit: 10})
	if err != nil || len(reqs) == 0 || reqs[len(reqs)-1].Renewal != m[2] || reqs[len(reqs)-1].Status != portal.AccessPending {
		t.Fatalf("olivier's requests after the renewal: %+v, %v", reqs, err)
	}
}

func TestAccessRequestFromAskToGrant(t *testing.T) {
	s := newSite(t)
	olivier := s.as(t, "olivier.carto")
	_, page := olivier.get(t, "/datasets/REGION-SUD_PPRI")
	if !strings.Contains(page, `action="/datasets/REGION-SUD_PPRI/request-access"`) {
		t.Fatalf("no request form for someone who may not download:\n%s", page)
	}
	res, _ := olivier.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{"message": {"Pour la voirie."}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/access-requests?done=access_requested" {
		t.Fatalf("request = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Paul publishes for region-sud: the request is in his inbox; Lina,
	// a registered member, may not decide it.
	paul := s.as(t, "paul.risques")
	_, inbox := paul.get(t, "/access-requests")
	// The newest request is listed last (ids sort in creation order).
	m := regexp.MustCompile(`action="/access-requests/([^/"]+)/decide"`).FindAllStringSubmatch(inbox, -1)
	if len(m) == 0 || !strings.Contains(inbox, "Pour la voirie.") {
		t.Fatalf("paul's inbox:\n%s", inbox)
	}
	id := m[len(m)-1][1]
	if res, _ := s.as(t, "lina.littoral").post(t, "/access-requests/"+id+"/decide", url.Values{"decision": {"accept"}}); res.StatusCode != 403 && res.StatusCode != 404 {
		t.Errorf("a registered member's decision = %d, want a refusal", res.StatusCode)
	}
	if res, body := paul.post(t, "/access-requests/"+id+"/decide", url.Values{"decision": {"accept"}, "name": {"Convention voirie"}, "expires": {"2099-12-31"}}); res.StatusCode != 303 {
		t.Fatalf("accept = %d\n%s", res.StatusCode, body)
	}
	_, body := olivier.get(t, "/me/grants")
	if !strings.Contains(body, "PPRI — WMS") {
		t.Errorf("olivier's grants after acceptance:\n%s", body)
	}
	_, body = olivier.get(t, "/access-requests")
	if !strings.Contains(body, "accepted") {
		t.Errorf("olivier's requests:\n%s", body)
	}
	if res, _ := s.post(t, "/datasets/REGION-SUD_PPRI/request-access", url.Values{}); res.StatusCode != 401 {
		t.Errorf("anonymous request = %d, want 401", res.StatusCode)
	}
}
