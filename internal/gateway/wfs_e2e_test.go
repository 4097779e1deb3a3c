package gateway_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
)

// TestProxyWFS: WFS 2.0 through the proxy in front of the real mapserv:
// capabilities list only the key's feature types, GetFeature on one of
// them gives its features, on another type (by TYPENAMES or by
// RESOURCEID) 403, and the WMS on the same map server is not reachable
// through the WFS service.
func TestProxyWFS(t *testing.T) {
	ms := httptest.NewServer(gateway.MapServerForTest(t))
	t.Cleanup(ms.Close)
	up := ms.URL + "/cgi-bin/mapserv"
	w := newWorldOf(t, nil, up, []portal.MapService{
		{ID: "topo-wfs", Dataset: "IGNF_BD-TOPO", Title: "Topo WFS", Type: portal.ServiceWFS, Path: "/wfs", Upstream: up, Layers: []string{"roads", "rivers"}, Available: true},
		{ID: "cadastre-wfs", Dataset: "IGNF_CADASTRE", Title: "Cadastre WFS", Type: portal.ServiceWFS, Path: "/wfs", Upstream: up, Layers: []string{"parcels", "lakes"}, Available: true},
	})
	px := w.proxy(t)
	base := px.URL + "/wfs?SERVICE=WFS&VERSION=2.0.0&apikey=" + url.QueryEscape(w.key)

	resp, body := get(t, base+"&REQUEST=GetCapabilities")
	if resp.StatusCode != 200 {
		t.Fatalf("capabilities: got %d: %.300s", resp.StatusCode, body)
	}
	var caps struct {
		Names []string `xml:"FeatureTypeList>FeatureType>Name"`
	}
	if err := xml.Unmarshal(body, &caps); err != nil {
		t.Fatal(err)
	}
	if want := []string{"ms:roads", "ms:rivers"}; !slices.Equal(caps.Names, want) {
		t.Errorf("capabilities list %q, want %q", caps.Names, want)
	}

	resp, body = get(t, base+"&REQUEST=GetFeature&TYPENAMES=ms:roads&OUTPUTFORMAT=geojson")
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &fc) != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 1 {
		t.Errorf("GetFeature on roads: got %d %.300s, want its one feature in GeoJSON", resp.StatusCode, body)
	}
	for _, q := range []string{"&REQUEST=GetFeature&TYPENAMES=ms:parcels", "&REQUEST=GetFeature&RESOURCEID=parcels.1", "&REQUEST=GetFeature&TYPENAMES=ms:roads,ms:lakes"} {
		if resp, body := get(t, base+q); resp.StatusCode != 403 {
			t.Errorf("%s: got %d, want 403: %.300s", q, resp.StatusCode, body)
		}
	}
	wms := px.URL + "/wfs?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=roads&CRS=EPSG:3857&BBOX=0,0,100,100&WIDTH=8&HEIGHT=8&FORMAT=image/png&STYLES=&apikey=" + url.QueryEscape(w.key)
	if resp, body := get(t, wms); resp.StatusCode != 400 {
		t.Errorf("a WMS request to the WFS service: got %d, want 400: %.300s", resp.StatusCode, body)
	}
}
