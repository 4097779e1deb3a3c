package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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

// serveWith sends a request through the server's handler under ctx, as a
// client whose connection ended (or whose deadline passed) would.
func (e *env) serveWith(ctx context.Context, path string, body any) response {
	e.t.Helper()
	j, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	req := httptest.NewRequestWithContext(ctx, "POST", path, bytes.NewReader(j))
	req.Header.Set("Authorization", "Bearer "+testToken)
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// TestEndedRequestsStopTheEngine: a check over a document shared with a
// group of 3,000 groups stops when the request ends, and is answered as an
// ended request (499, logged only) or a timeout (504), not as a result.
func TestEndedRequestsStopTheEngine(t *testing.T) {
	e := newEnv(t)
	e.writeSchema(limitsSchema)
	for b := range 3 {
		rels := make([]string, 0, 1000)
		for i := range 1000 {
			rels = append(rels, fmt.Sprintf("group:root#member@group:g%d#member", b*1000+i))
		}
		e.touch(rels...)
	}
	token := e.touch("document:d#viewer@group:root#member")
	doc := map[string]any{"resource": "document:d", "permission": "view", "subject": "user:nobody"}
	// Once the index has it all, the requests below read it as it is.
	if got := e.check("document:d", "view", "user:nobody", map[string]any{"at_least_as_fresh": token}); got != "no_permission" {
		t.Fatalf("with a live request: got %s, want no_permission", got)
	}

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	for _, c := range []struct {
		name   string
		ctx    context.Context
		status int
		code   string
	}{
		{"canceled", canceled, 499, "client_closed_request"},
		{"expired", expired, http.StatusGatewayTimeout, "timeout"},
	} {
		for _, r := range []struct {
			path string
			body any
		}{
			{"/api/v1/permissions/check", doc},
			{"/api/v1/permissions/check-bulk", map[string]any{"items": []any{doc}}},
			{"/api/v1/permissions/explain", doc},
			{"/api/v1/permissions/expand", map[string]any{"resource": "document:d", "permission": "view"}},
		} {
			t.Run(c.name+r.path, func(t *testing.T) {
				e.serveWith(c.ctx, r.path, r.body).problem(t, c.status, c.code)
			})
		}
	}
}

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
