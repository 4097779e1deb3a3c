package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
)

// TestMapLayerAndDanglingResources: on the demo, a map's editor adding a
// layer its service does not expose is refused with a 400 naming the
// field and the layer in the caller's language; a layer the service stops
// exposing leaves the map at once.
func TestMapLayerAndDanglingResources(t *testing.T) {
	forEachStore(t, testMapLayerAndDanglingResources)
}

func testMapLayerAndDanglingResources(t *testing.T, mk envMaker) {
	e := mk(t, portalOn)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	accounts, _, err := e.srv.LoadDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok := demoTokens(accounts)
	w := &world{env: e}
	paul := caller{w, tok["paul.risques"]}

	var m api.Map
	paul.want(200, "GET", "/api/v1/maps/crues-du-var", nil, &m)
	rs := append(m.Resources, api.MapResource{Kind: "service", ID: "sud-ocsol", Layer: "ocsol_2021"})
	for _, tt := range []struct{ lang, want string }{
		{"en", `resources[2] layer: service "sud-ocsol" exposes no layer "ocsol_2021"`},
		{"fr", `resources[2] layer : le service « sud-ocsol » n'expose pas de couche « ocsol_2021 »`},
	} {
		r := w.do("PUT", "/api/v1/maps/crues-du-var/resources", map[string]any{"resources": rs},
			"Authorization", "Bearer "+tok["paul.risques"], "Accept-Language", tt.lang)
		if p := r.problem(t, 400, "invalid_argument"); !strings.HasPrefix(p["detail"].(string), tt.want) {
			t.Errorf("%s: detail %q, want it to start with %q", tt.lang, p["detail"], tt.want)
		}
	}
	rs[2].Layer = "ocsol_2020"
	paul.want(200, "PUT", "/api/v1/maps/crues-du-var/resources", map[string]any{"resources": rs}, &m)
	if len(m.Resources) != 3 || m.Resources[2].Layer != "ocsol_2020" {
		t.Fatalf("resources %+v", m.Resources)
	}
	// The service stops exposing the layer: the map stops showing it.
	var s api.Service
	paul.want(200, "GET", "/api/v1/services/sud-ocsol", nil, &s)
	paul.want(200, "PUT", "/api/v1/services/sud-ocsol", map[string]any{"title": s.Title, "type": s.Type, "path": s.Path, "upstream": s.Upstream,
		"layers": []string{"ocsol_2018"}, "open": s.Open, "available": s.Available}, nil)
	paul.want(200, "GET", "/api/v1/maps/crues-du-var", nil, &m)
	if len(m.Resources) != 2 {
		t.Errorf("after the layer went: %+v", m.Resources)
	}
}
