package api_test

import (
	"testing"
)

func TestSchemaWriteCheckLookup(t *testing.T) { forEachStore(t, testSchemaWriteCheckLookup) }

func testSchemaWriteCheckLookup(t *testing.T, mk envMaker) {
	e := mk(t)
	e.writeSchema(testSchema)
	var sr struct{ Schema, ConsistencyToken string }
	e.ok("GET", "/api/v1/schema", nil, &sr)
	if sr.Schema != testSchema {
		t.Errorf("schema read back %q, want %q", sr.Schema, testSchema)
	}
	e.touch("document:readme#viewer@group:eng#member", "group:eng#member@user:tom", "document:plan#owner@user:tom")
	for _, c := range []struct{ res, perm, subj, want string }{
		{"document:readme", "view", "user:tom", "has_permission"},
		{"document:readme", "edit", "user:tom", "no_permission"},
		{"document:plan", "view", "user:tom", "has_permission"},
		{"document:plan", "view", "user:ann", "no_permission"},
	} {
		if got := e.check(c.res, c.perm, c.subj, nil); got != c.want {
			t.Errorf("check %s#%s@%s = %s, want %s", c.res, c.perm, c.subj, got, c.want)
		}
	}
	var lr struct {
		Resources []struct {
			ResourceID string `json:"resource_id"`
		}
	}
	e.ok("POST", "/api/v1/permissions/lookup-resources", map[string]any{"resource_type": "document", "permission": "view", "subject": "user:tom"}, &lr)
	if len(lr.Resources) != 2 {
		t.Errorf("lookup-resources found %v, want plan and readme", lr.Resources)
	}
	var ls struct {
		Subjects []struct{ Subject string }
	}
	e.ok("POST", "/api/v1/permissions/lookup-subjects", map[string]any{"resource": "document:readme", "permission": "view", "subject_type": "user"}, &ls)
	if len(ls.Subjects) != 1 || ls.Subjects[0].Subject != "user:tom" {
		t.Errorf("lookup-subjects found %v, want user:tom", ls.Subjects)
	}
}
