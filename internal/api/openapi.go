package api

import (
	_ "embed"
	"encoding/json"
	"github.com/octroi/octroi/internal/messages"
	"net/http"
	"slices"
	"strings"
)

// openAPIDoc is the OpenAPI 3.1 description of every route of Handler; a
// test keeps the two in step.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the embedded OpenAPI document (a copy).
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }

// GET /api/v1/openapi.json
func (a *api) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDoc)
	return err
}

// queryParams lists, per operationId, the query parameters the document
// declares. A parameter an operation does not take is refused rather than
// ignored: ignoring ?dry_run=true on an operation without a preview would
// write what the caller meant to preview.
var queryParams = func() map[string][]string {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		panic("api: the embedded OpenAPI document does not parse: " + err.Error())
	}
	type param struct{ Name, In string }
	out := map[string][]string{}
	for _, item := range doc.Paths {
		var shared []param
		if raw, ok := item["parameters"]; ok {
			_ = json.Unmarshal(raw, &shared)
		}
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op struct {
				OperationID string  `json:"operationId"`
				Parameters  []param `json:"parameters"`
			}
			_ = json.Unmarshal(raw, &op)
			names := []string{}
			for _, p := range append(op.Parameters, shared...) {
				if p.In == "query" {
					names = append(names, p.Name)
				}
			}
			out[op.OperationID] = names
		}
	}
	return out
}()

// checkQuery refuses a query parameter that the operation does not take.
func checkQuery(op string, r *http.Request) error {
	takes, known := queryParams[op]
	if !known {
		return nil
	}
	for name := range r.URL.Query() {
		if !slices.Contains(takes, name) {
			if len(takes) == 0 {
				return say(http.StatusBadRequest, CodeInvalidArgument, "api.query_none", messages.Quote(name))
			}
			return say(http.StatusBadRequest, CodeInvalidArgument, "api.query_only", messages.Quote(name), strings.Join(takes, ", "))
		}
	}
	return nil
}
