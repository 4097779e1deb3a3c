package api_test

import (
	"testing"

	"github.com/octroi/octroi/internal/api"
)

// TestAuditRequestID: the request id of a change (the client's plain
// X-Request-ID, or one the server makes) is answered in X-Request-ID and
// recorded in the change's audit entry; a forged one (too long, or with
// characters that could fake a log line) is replaced.
func TestAuditRequestID(t *testing.T) { forEachStore(t, testAuditRequestID) }

func testAuditRequestID(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	rename := func(title string, headers ...string) string {
		t.Helper()
		r := w.do("PUT", "/api/v1/datasets/IGNF_T", map[string]any{"title": title}, append([]string{"Authorization", "Bearer " + w.tok["editor"]}, headers...)...)
		if r.status != 200 {
			t.Fatalf("rename: %d %s", r.status, r.body)
		}
		return r.header.Get("X-Request-ID")
	}
	kept := rename("One", "X-Request-ID", "trace-abc.1")
	made := rename("Two")
	forged := rename("Three", "X-Request-ID", "a level=ERROR")
	if kept != "trace-abc.1" || made == "" || forged == "" || forged == "a level=ERROR" {
		t.Fatalf("answered request ids: %q, %q, %q", kept, made, forged)
	}
	var al api.AuditList
	w.as("admin").want(200, "GET", "/api/v1/audit?resource=dataset:IGNF_T", nil, &al)
	var got []string
	for _, e := range al.Entries {
		if e.Action == "dataset.update" {
			got = append(got, e.RequestID)
		}
	}
	if len(got) != 3 || got[0] != kept || got[1] != made || got[2] != forged {
		t.Errorf("audit request ids %q, want %q", got, []string{kept, made, forged})
	}
}

// TestAuditManagers: GET /audit without a resource answers a delegated
// administrator the entries of their organisation and its datasets, and
// none of another organisation's; someone who manages nothing gets 403,
// and so does a manager naming a resource they do not manage.
func TestAuditManagers(t *testing.T) { forEachStore(t, testAuditManagers) }

func testAuditManagers(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	other, _ := w.fresh()
	w.as("admin").want(201, "POST", "/api/v1/organisations", map[string]any{"id": "other", "name": "Other", "type": "other", "first_admin": other}, nil)
	var al api.AuditList
	w.as("orgadmin").want(200, "GET", "/api/v1/audit?limit=1000", nil, &al)
	got := map[string]bool{}
	for _, e := range al.Entries {
		got[e.Resource] = true
	}
	if !got["organisation:ign"] || !got["dataset:IGNF_T"] || len(got) != 2 {
		t.Errorf("the delegated admin of ign reads the entries of %v, want organisation:ign and dataset:IGNF_T", got)
	}
	w.as("outsider").do("GET", "/api/v1/audit", nil).problem(t, 403, "forbidden")
	w.as("orgadmin").do("GET", "/api/v1/audit?resource=organisation:other", nil).problem(t, 403, "forbidden")
}
