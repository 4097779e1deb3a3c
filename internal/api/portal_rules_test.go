package api_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/portal"
)

// TestDefaultLevelDryRun: ?dry_run=true (or "dry_run": true) previews the
// new default level as the bulk endpoint does, and writes nothing.
func TestDefaultLevelDryRun(t *testing.T) {
	w := newWorld(t, newEnv)
	ed := w.as("editor")
	w.as("admin").want(200, "PUT", "/api/v1/datasets/IGNF_T/access/community/c1", map[string]any{"level": "consult"}, nil) // c1 is private
	for _, c := range []struct {
		path string
		body map[string]any
	}{
		{"/api/v1/datasets/IGNF_T/default-level?dry_run=true", map[string]any{"level": "download"}},
		{"/api/v1/datasets/IGNF_T/default-level", map[string]any{"level": "download", "dry_run": true}},
	} {
		var dl api.DefaultLevelResponse
		ed.want(200, "PUT", c.path, c.body, &dl)
		if !dl.DryRun || dl.Dataset.DefaultLevel != "download" || len(dl.Changes) != 1 || dl.Changes[0].Group.ID != "c1" {
			t.Errorf("%s %v: %+v", c.path, c.body, dl)
		}
		var ds api.Dataset
		ed.want(200, "GET", "/api/v1/datasets/IGNF_T", nil, &ds)
		var at api.AccessTable
		ed.want(200, "GET", "/api/v1/datasets/IGNF_T/access?kind=community", nil, &at)
		if ds.DefaultLevel != "search" || len(at.Rows) != 1 || at.Rows[0].SpecificLevel == nil {
			t.Errorf("%s %v wrote: default %s, rows %+v", c.path, c.body, ds.DefaultLevel, at.Rows)
		}
	}
	ed.do("PUT", "/api/v1/datasets/IGNF_T/default-level?dry_run=maybe", map[string]any{"level": "download"}).problem(t, 400, "invalid_argument")
	var dl api.DefaultLevelResponse
	ed.want(200, "PUT", "/api/v1/datasets/IGNF_T/default-level", map[string]any{"level": "download"}, &dl)
	if dl.DryRun || dl.Dataset.DefaultLevel != "download" {
		t.Errorf("the real run: %+v", dl)
	}
}

// TestPrivateCommunityHiddenFromAccessTable: the editor, who gets 404 for
// GET /communities/c1, does not find c1 in the access table either, until
// it holds a level on the dataset.
func TestPrivateCommunityHiddenFromAccessTable(t *testing.T) {
	w := newWorld(t, newEnv)
	ed := w.as("editor")
	ed.do("GET", "/api/v1/communities/c1", nil).problem(t, 404, "not_found")
	var at api.AccessTable
	ed.want(200, "GET", "/api/v1/datasets/IGNF_T/access?kind=community", nil, &at)
	if len(at.Rows) != 0 || at.Total != 0 {
		t.Errorf("the editor's table lists %+v", at)
	}
	w.as("admin").want(200, "PUT", "/api/v1/datasets/IGNF_T/access/community/c1", map[string]any{"level": "consult"}, nil)
	ed.want(200, "GET", "/api/v1/datasets/IGNF_T/access?kind=community", nil, &at)
	if len(at.Rows) != 1 || at.Rows[0].Group.ID != "c1" {
		t.Errorf("with a level, the editor's table lists %+v", at)
	}
}

// TestUpdatesRefuseFieldsNotApplied: a PUT answers a field it would not
// apply with a 400 that names it and says how to do it instead, on every
// PUT of the portal; nothing is written.
func TestUpdatesRefuseFieldsNotApplied(t *testing.T) {
	w := newWorld(t, newEnv)
	id, _ := w.fresh()
	for _, c := range []struct {
		as, path string
		body     map[string]any
		field    string
		how      string
	}{
		{"member", "/api/v1/communities/c1", map[string]any{"name": "C", "supervisor": id}, "supervisor", "never changes"},
		{"member", "/api/v1/communities/c1", map[string]any{"name": "C", "id": "c1"}, "id", "the one in the path"},
		{"member", "/api/v1/communities/c1", map[string]any{"name": "C", "id": "c2"}, "id", "the one in the path"},
		{"member", "/api/v1/communities/c1/members/" + w.id["member"], map[string]any{"role": "participant", "account": id}, "account", "({account})"},
		{"orgadmin", "/api/v1/organisations/ign", map[string]any{"name": "IGN", "type": "state_service", "id": "ign2"}, "id", "the one in the path"},
		{"orgadmin", "/api/v1/organisations/ign/members/" + w.id["member"], map[string]any{"role": "editor", "account": id}, "account", "({account})"},
		{"editor", "/api/v1/datasets/IGNF_T", map[string]any{"title": "T", "owner": "other"}, "owner", "never changes"},
		{"editor", "/api/v1/datasets/IGNF_T", map[string]any{"title": "T", "default_level": "download"}, "default_level", "PUT /api/v1/datasets/{id}/default-level"},
		{"editor", "/api/v1/datasets/IGNF_T/default-level", map[string]any{"level": "search", "mode": "merge"}, "mode", "does not change it"},
		{"editor", "/api/v1/datasets/IGNF_T/access/org_group/g1", map[string]any{"level": "consult", "dry_run": true}, "dry_run", "access/bulk"},
		{"admin", "/api/v1/accounts/" + id + "/status", map[string]any{"status": "disabled", "platform_roles": []string{}}, "platform_roles", "platform-roles"},
		{"admin", "/api/v1/accounts/" + id + "/platform-roles", map[string]any{"platform_roles": []string{}, "status": "active"}, "status", "/status"},
		{"admin", "/api/v1/org-groups/g1/organisations", map[string]any{"organisations": []string{"ign"}, "name": "G"}, "name", "does not change it"},
	} {
		p := w.as(c.as).do("PUT", c.path, c.body).problem(t, 400, "invalid_argument")
		detail, _ := p["detail"].(string)
		if !strings.Contains(detail, `"`+c.field+`"`) || !strings.Contains(detail, c.how) {
			t.Errorf("PUT %s %v: %q, want it to name %s and say %q", c.path, c.body, detail, c.field, c.how)
		}
	}
	var cm portal.Community
	w.as("member").want(200, "GET", "/api/v1/communities/c1", nil, &cm)
	if cm.Name != "Community one" || cm.Supervisor != w.id["member"] {
		t.Errorf("a refused update wrote: %+v", cm)
	}
	// At creation, the creator is the supervisor: naming someone else is
	// refused rather than ignored.
	p := w.as("outsider").do("POST", "/api/v1/communities", map[string]any{"name": "X", "supervisor": id}).problem(t, 400, "invalid_argument")
	if d, _ := p["detail"].(string); !strings.Contains(d, "supervisor") {
		t.Errorf("POST /communities with another supervisor: %q", d)
	}
	w.as("outsider").want(201, "POST", "/api/v1/communities", map[string]any{"name": "X", "supervisor": w.id["outsider"]}, nil)
}
