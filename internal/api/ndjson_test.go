package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/octroi/octroi/internal/engine"
)

// TestNDJSONResourceLines: the hand-written lines are exactly what the JSON
// encoder would write, and ids that need escaping take the encoder's path.
func TestNDJSONResourceLines(t *testing.T) {
	results := []engine.LookupResult{
		{ID: "IGNF_BD-TOPO", Result: engine.HasPermission},
		{ID: "a/b|c=d+e", Result: engine.HasPermission},
		{ID: `quote"back\slash`, Result: engine.HasPermission},
		{ID: "é", Result: engine.HasPermission},
		{ID: "doc", Result: engine.Conditional, Missing: []string{"ip"}},
	}
	rec := httptest.NewRecorder()
	nd := newNDJSON(rec, "")
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	for _, r := range results {
		if err := nd.resource(r); err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(LookupResource{ResourceID: r.ID, Result: r.Result.String(), Missing: r.Missing}); err != nil {
			t.Fatal(err)
		}
	}
	if err := nd.flush(); err != nil {
		t.Fatal(err)
	}
	if got := rec.Body.String(); got != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got, want.String())
	}
}
