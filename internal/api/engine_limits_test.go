package api_test

import (
	"net/http"
	"strings"
	"testing"
)

var limitsSchema = `definition user {}

caveat same(a list<string>, b list<string>) { ` + "a == b" + strings.Repeat(" || a == b", 19) + ` }

definition group {
	relation member: user | group#member
}

definition document {
	relation viewer: group#member | user with same
	permission view = viewer
}
`

// TestCostlyCaveatIsACaveatError: a caveat past its cost limit is refused
// as a caveat error that says what to change, not answered "no".
func TestCostlyCaveatIsACaveatError(t *testing.T) {
	e := newEnv(t)
	e.writeSchema(limitsSchema)
	token := e.touch("document:d#viewer@user:ann[same]")
	a := strings.Split(strings.Repeat("v,", 99_999)+"v", ",")
	b := append(append([]string(nil), a[:len(a)-1]...), "w")
	p := e.do("POST", "/api/v1/permissions/check", map[string]any{
		"resource": "document:d", "permission": "view", "subject": "user:ann",
		"context":     map[string]any{"a": a, "b": b},
		"consistency": map[string]any{"at_least_as_fresh": token},
	}).problem(t, http.StatusBadRequest, "caveat_error")
	if d, want := p["detail"].(string), "cost limit"; !strings.Contains(d, want) {
		t.Errorf("detail %q does not mention %q", d, want)
	}
}
