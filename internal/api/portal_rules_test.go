package api_test

import (
	"testing"

	"github.com/octroi/octroi/internal/api"
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
