package api_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
)

// TestOpenAPIMatchesRouter proves that the document and the router list
// exactly the same operations, with the same operationIds, and that every
// $ref of the document resolves.
func TestOpenAPIMatchesRouter(t *testing.T) {
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	raw := api.OpenAPI()
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi version %q, want 3.1.0", doc.OpenAPI)
	}
	var inDoc, inRouter []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path+" "+op["operationId"].(string))
		}
	}
	for _, r := range api.Routes() {
		inRouter = append(inRouter, r.Method+" "+r.Path+" "+r.Operation)
	}
	slices.Sort(inDoc)
	slices.Sort(inRouter)
	if !slices.Equal(inDoc, inRouter) {
		t.Errorf("operations differ:\ndocument: %q\nrouter:   %q", inDoc, inRouter)
	}

	var all map[string]any
	json.Unmarshal(raw, &all)
	for _, ref := range regexp.MustCompile(`"\$ref": "#/([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		var node any = all
		for _, part := range strings.Split(ref[1], "/") {
			m, ok := node.(map[string]any)
			if !ok || m[part] == nil {
				t.Errorf("$ref #/%s does not resolve", ref[1])
				break
			}
			node = m[part]
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/openapi.json", nil, "Authorization", "")
	if r.status != 200 || string(r.body) != string(api.OpenAPI()) {
		t.Errorf("GET /api/v1/openapi.json without token: status %d, want 200 and the document", r.status)
	}
}
