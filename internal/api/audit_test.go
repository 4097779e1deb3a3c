package api_test

import (
	"encoding/json"
	"strings"
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

// TestAuditFiltersAndOrder: action families, resource types and newest
// first, paged by cursor and exported; a filter only narrows what the
// caller may read (a delegated administrator asking for every
// organisation gets theirs).
func TestAuditFiltersAndOrder(t *testing.T) { forEachStore(t, testAuditFiltersAndOrder) }

func testAuditFiltersAndOrder(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	other, _ := w.fresh()
	w.as("admin").want(201, "POST", "/api/v1/organisations", map[string]any{"id": "other", "name": "Other", "type": "other", "first_admin": other}, nil)
	admin := w.as("admin")
	var all, desc api.AuditList
	admin.want(200, "GET", "/api/v1/audit?limit=1000", nil, &all)
	admin.want(200, "GET", "/api/v1/audit?limit=1000&order=desc", nil, &desc)
	if n := len(all.Entries); n < 3 || len(desc.Entries) != n || desc.Entries[0].Seq != all.Entries[n-1].Seq || desc.Entries[n-1].Seq != all.Entries[0].Seq {
		t.Fatalf("order=desc: %d entries, want the %d of asc reversed", len(desc.Entries), n)
	}
	// Paging newest first.
	var p1, p2 api.AuditList
	admin.want(200, "GET", "/api/v1/audit?limit=2&order=desc", nil, &p1)
	admin.want(200, "GET", "/api/v1/audit?limit=2&order=desc&cursor="+p1.Cursor, nil, &p2)
	if len(p1.Entries) != 2 || len(p2.Entries) != 2 || p2.Entries[0].Seq != desc.Entries[2].Seq {
		t.Errorf("pages newest first: %+v then %+v", p1.Entries, p2.Entries)
	}
	var orgs api.AuditList
	admin.want(200, "GET", "/api/v1/audit?limit=1000&resource_type=organisation&action=organisation.member", nil, &orgs)
	if len(orgs.Entries) == 0 {
		t.Fatal("no organisation.member entries")
	}
	for _, e := range orgs.Entries {
		if !strings.HasPrefix(e.Resource, "organisation:") || !strings.HasPrefix(e.Action, "organisation.member.") {
			t.Errorf("resource_type=organisation&action=organisation.member kept %s %s", e.Action, e.Resource)
		}
	}
	// The delegated administrator of ign: every organisation is ign's.
	var mine api.AuditList
	w.as("orgadmin").want(200, "GET", "/api/v1/audit?limit=1000&resource_type=organisation&order=desc", nil, &mine)
	for _, e := range mine.Entries {
		if e.Resource != "organisation:ign" {
			t.Errorf("orgadmin read %s through resource_type", e.Resource)
		}
	}
	if len(mine.Entries) == 0 {
		t.Error("orgadmin reads none of ign's entries")
	}
	w.as("outsider").do("GET", "/api/v1/audit?resource_type=organisation", nil).problem(t, 403, "forbidden")
	w.as("orgadmin").do("GET", "/api/v1/audit?resource=organisation:other&order=desc", nil).problem(t, 403, "forbidden")
	admin.do("GET", "/api/v1/audit?order=newest", nil).problem(t, 400, "invalid_argument")
	// The export newest first: every entry, in the same order.
	nd := w.do("GET", "/api/v1/audit?order=desc", nil, "Authorization", "Bearer "+w.tok["admin"], "Accept", "application/x-ndjson")
	if nd.status != 200 {
		t.Fatalf("export: %d %s", nd.status, nd.body)
	}
	lines := strings.Split(strings.TrimSpace(string(nd.body)), "\n")
	if len(lines) < len(desc.Entries) {
		t.Fatalf("export: %d lines, want at least %d", len(lines), len(desc.Entries))
	}
	var first api.AuditEntry
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Seq < desc.Entries[0].Seq {
		t.Errorf("export's first line %s (%v), want the newest entry", lines[0], err)
	}
}
