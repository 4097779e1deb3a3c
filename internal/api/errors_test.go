package api_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/server"
)

func TestErrors(t *testing.T) { forEachStore(t, testErrors) }

// goType matches a Go type name such as api.LevelRequest or []portal.GroupRef.
var goType = regexp.MustCompile(`\b(api|portal|store|engine|tuple)\.[A-Z]`)

func testErrors(t *testing.T, mk envMaker) {
	e := mk(t, func(c *server.Config) { c.MaxRequestBytes = 2048; c.MaxBatch = 3 })
	// Before any schema: writes and checks say to write one.
	e.do("POST", "/api/v1/permissions/check", map[string]any{"resource": "document:a", "permission": "view", "subject": "user:tom"}).
		problem(t, 409, "no_schema")
	e.do("GET", "/api/v1/schema", nil).problem(t, 409, "no_schema")
	e.writeSchema(testSchema)
	e.touch("document:a#owner@user:tom")

	tests := []struct {
		name          string
		method, path  string
		body          any
		headers       []string
		status        int
		code          string
		detailHas     string
		wantAuthChall bool
	}{
		{"no token", "GET", "/api/v1/schema", nil, []string{"Authorization", ""}, 401, "unauthenticated", "missing bearer token", true},
		{"bad token", "GET", "/api/v1/schema", nil, []string{"Authorization", "Bearer nope"}, 401, "unauthenticated", "invalid", true},
		{"basic auth", "GET", "/api/v1/schema", nil, []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401, "unauthenticated", "bearer", true},
		{"unknown route", "GET", "/api/v1/nope", nil, nil, 404, "not_found", "/api/v1/nope", false},
		{"outside api", "GET", "/", nil, nil, 404, "not_found", "", false},
		{"wrong method", "DELETE", "/api/v1/schema", nil, nil, 405, "method_not_allowed", "GET or PUT", false},
		{"bad json", "POST", "/api/v1/permissions/check", "{", nil, 400, "invalid_json", "", false},
		{"unknown field", "POST", "/api/v1/permissions/check", `{"resource":"document:a","permision":"view"}`, nil, 400, "invalid_json", "permision", false},
		{"wrong type", "POST", "/api/v1/permissions/check", `{"resource":1}`, nil, 400, "invalid_json", "resource", false},
		{"not an object", "POST", "/api/v1/permissions/check", `[1]`, nil, 400, "invalid_json", "the body: expected an object, got array", false},
		{"array field given a string", "POST", "/api/v1/permissions/check-bulk", `{"items":"x"}`, nil, 400, "invalid_json", `field "items": expected an array, got string`, false},
		{"bad object", "POST", "/api/v1/permissions/check", map[string]any{"resource": "document", "permission": "view", "subject": "user:tom"}, nil, 400, "invalid_argument", "resource", false},
		{"missing subject", "POST", "/api/v1/permissions/check", map[string]any{"resource": "document:a", "permission": "view"}, nil, 400, "invalid_argument", "subject is required", false},
		{"unknown type", "POST", "/api/v1/permissions/check", map[string]any{"resource": "folder:a", "permission": "view", "subject": "user:tom"}, nil, 400, "unknown_type", "folder", false},
		{"unknown permission", "POST", "/api/v1/permissions/check", map[string]any{"resource": "document:a", "permission": "delete", "subject": "user:tom"}, nil, 400, "unknown_relation", "delete", false},
		{"bad token value", "POST", "/api/v1/permissions/check", map[string]any{"resource": "document:a", "permission": "view", "subject": "user:tom", "consistency": map[string]any{"at_least_as_fresh": "garbage"}}, nil, 400, "invalid_argument", "consistency token", false},
		{"two consistencies", "POST", "/api/v1/permissions/check", map[string]any{"resource": "document:a", "permission": "view", "subject": "user:tom", "consistency": map[string]any{"fully_consistent": true, "minimize_latency": true}}, nil, 400, "invalid_argument", "only one", false},
		{"too large", "POST", "/api/v1/permissions/check", `{"resource":"` + strings.Repeat("a", 4000) + `"}`, nil, 413, "too_large", "2048", false},
		{"invalid relationship", "POST", "/api/v1/relationships/write", map[string]any{"updates": []any{
			map[string]any{"operation": "touch", "relationship": "document:a#viewer@user:ann"},
			map[string]any{"operation": "touch", "relationship": "document:a#owner@group:eng#member"}}}, nil, 400, "invalid_relationship", "update 1", false},
		{"permission written", "POST", "/api/v1/relationships/write", map[string]any{"updates": []any{
			map[string]any{"operation": "touch", "relationship": "document:a#view@user:ann"}}}, nil, 400, "invalid_relationship", "is a permission", false},
		{"bad operation", "POST", "/api/v1/relationships/write", map[string]any{"updates": []any{
			map[string]any{"operation": "upsert", "relationship": "document:a#viewer@user:ann"}}}, nil, 400, "invalid_argument", "upsert", false},
		{"text form error", "POST", "/api/v1/relationships/write", map[string]any{"updates": []any{
			map[string]any{"operation": "touch", "relationship": "document:a#viewer"}}}, nil, 400, "invalid_argument", "column", false},
		{"batch limit", "POST", "/api/v1/relationships/write", map[string]any{"updates": []any{
			map[string]any{"operation": "touch", "relationship": "document:a#viewer@user:a"},
			map[string]any{"operation": "touch", "relationship": "document:a#viewer@user:b"},
			map[string]any{"operation": "touch", "relationship": "document:a#viewer@user:c"},
			map[string]any{"operation": "touch", "relationship": "document:a#viewer@user:d"}}}, nil, 400, "invalid_argument", "limit is 3", false},
		{"already exists", "POST", "/api/v1/relationships/write", map[string]any{"updates": []any{
			map[string]any{"operation": "create", "relationship": "document:a#owner@user:tom"}}}, nil, 409, "already_exists", "document:a#owner@user:tom", false},
		{"precondition", "POST", "/api/v1/relationships/write", map[string]any{
			"updates":       []any{map[string]any{"operation": "touch", "relationship": "document:a#viewer@user:ann"}},
			"preconditions": []any{map[string]any{"operation": "must_not_match", "filter": map[string]any{"resource_type": "document", "relation": "owner"}}}}, nil, 409, "precondition_failed", "must not match", false},
		{"delete without type", "POST", "/api/v1/relationships/delete", map[string]any{"filter": map[string]any{}}, nil, 400, "invalid_argument", "resource_type", false},
		{"schema syntax", "PUT", "/api/v1/schema", map[string]any{"schema": "definition user {\n  relation x: \n}"}, nil, 422, "schema_invalid", "2:12", false},
		{"bad cursor", "POST", "/api/v1/permissions/lookup-resources", map[string]any{"resource_type": "document", "permission": "view", "subject": "user:tom", "cursor": "xyz"}, nil, 400, "invalid_cursor", "cursor", false},
		{"bad subject cursor", "POST", "/api/v1/permissions/lookup-subjects", map[string]any{"resource": "document:a", "permission": "view", "subject_type": "user", "cursor": "xyz"}, nil, 400, "invalid_cursor", "cursor", false},
		{"bulk limit", "POST", "/api/v1/permissions/check-bulk", map[string]any{"items": []any{map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}}, nil, 400, "invalid_argument", "limit is 3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, tt.body, tt.headers...)
			p := r.problem(t, tt.status, tt.code)
			if d, _ := p["detail"].(string); !strings.Contains(d, tt.detailHas) {
				t.Errorf("detail %q does not mention %q", d, tt.detailHas)
			} else if goType.MatchString(d) {
				t.Errorf("detail %q shows a Go type name", d)
			}
			if got := r.header.Get("WWW-Authenticate") != ""; got != tt.wantAuthChall {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tt.wantAuthChall)
			}
		})
	}

	t.Run("schema errors have line and column", func(t *testing.T) {
		p := e.do("PUT", "/api/v1/schema", map[string]any{"schema": "definition user {}\ndefinition doc {\n  relation v: nobody\n}\n"}).problem(t, 422, "schema_invalid")
		errs, _ := p["errors"].([]any)
		if len(errs) == 0 {
			t.Fatalf("no errors listed: %v", p)
		}
		first := errs[0].(map[string]any)
		if first["line"] != float64(3) || first["column"] == nil {
			t.Errorf("first error %v, want line 3 with a column", first)
		}
	})
	t.Run("405 lists allowed methods", func(t *testing.T) {
		r := e.do("DELETE", "/api/v1/schema", nil)
		if got := r.header.Get("Allow"); got != "GET, PUT" {
			t.Errorf("Allow %q, want GET, PUT", got)
		}
	})
	t.Run("no internal detail", func(t *testing.T) {
		r := e.do("POST", "/api/v1/relationships/write", map[string]any{"updates": []any{
			map[string]any{"operation": "create", "relationship": "document:a#owner@user:tom"}}})
		for _, leak := range []string{"sqlite", "SQL", "UNIQUE", ".go:"} {
			if strings.Contains(string(r.body), leak) {
				t.Errorf("problem leaks %q: %s", leak, r.body)
			}
		}
	})
	t.Run("health endpoints need no token, metrics an operator's", func(t *testing.T) {
		for _, c := range []struct {
			path, auth string
			status     int
		}{
			{"/healthz", "", 200}, {"/readyz", "", 200},
			{"/metrics", "", 401}, {"/metrics", "Bearer oct_not-a-token", 401}, {"/metrics", "Bearer " + testToken, 200},
		} {
			if r := e.do("GET", c.path, nil, "Authorization", c.auth); r.status != c.status {
				t.Errorf("GET %s with %q: got %d, want %d; body %s", c.path, c.auth, r.status, c.status, r.body)
			}
		}
	})
}
