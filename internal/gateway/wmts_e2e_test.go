package gateway_test

import (
	"bytes"
	"encoding/xml"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
)

// startMapProxy runs a real MapProxy (mapproxy-util serve-develop) with
// testdata/mapproxy.yaml, its WMS sources pointed at mapserv.
func startMapProxy(t *testing.T, mapservURL string) string {
	util := gateway.NeedForTest(t, "mapproxy-util")
	conf, err := os.ReadFile("testdata/mapproxy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf = bytes.ReplaceAll(conf, []byte("http://127.0.0.1:8081/cgi-bin/mapserv"), []byte(mapservURL))
	conf = bytes.ReplaceAll(conf, []byte("/tmp/octroi-mapproxy-cache"), []byte(filepath.Join(dir, "cache")))
	file := filepath.Join(dir, "mapproxy.yaml")
	if err := os.WriteFile(file, conf, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	start(t, addr, filepath.Join(dir, "mapproxy.log"), util, "serve-develop", "-b", addr, file)
	return "http://" + addr
}

// TestProxyWMTS: WMTS through the proxy mode in front of a real MapProxy
// (itself in front of the real mapserv): REST capabilities list only the
// key's layer with templates under the proxy carrying the key, a tile
// fetched from that template is a PNG, the other layer's tile is 403.
func TestProxyWMTS(t *testing.T) {
	ms := httptest.NewServer(gateway.MapServerForTest(t))
	t.Cleanup(ms.Close)
	mp := startMapProxy(t, ms.URL+"/cgi-bin/mapserv")
	w := newWorldOf(t, nil, mp+"/wmts", []portal.MapService{
		{ID: "ortho", Dataset: "IGNF_BD-TOPO", Title: "Ortho", Type: portal.ServiceWMTS, Path: "/wmts", Upstream: mp + "/wmts", Layers: []string{"ortho"}, Available: true},
		{ID: "secret", Dataset: "IGNF_CADASTRE", Title: "Secret", Type: portal.ServiceWMTS, Path: "/wmts", Upstream: mp + "/wmts", Layers: []string{"secret"}, Available: true},
	})
	px := w.proxy(t)
	key := "apikey=" + url.QueryEscape(w.key)

	if resp, _ := get(t, px.URL+"/wmts/1.0.0/WMTSCapabilities.xml"); resp.StatusCode != 401 {
		t.Errorf("capabilities without a key: got %d, want 401", resp.StatusCode)
	}
	resp, body := get(t, px.URL+"/wmts/1.0.0/WMTSCapabilities.xml?"+key)
	if resp.StatusCode != 200 {
		t.Fatalf("capabilities: got %d, want 200: %.300s", resp.StatusCode, body)
	}
	var caps struct {
		Layers []struct {
			Identifier  string `xml:"Identifier"`
			ResourceURL []struct {
				Template string `xml:"template,attr"`
			} `xml:"ResourceURL"`
		} `xml:"Contents>Layer"`
	}
	if err := xml.Unmarshal(body, &caps); err != nil {
		t.Fatal(err)
	}
	if len(caps.Layers) != 1 || caps.Layers[0].Identifier != "ortho" || len(caps.Layers[0].ResourceURL) == 0 {
		t.Fatalf("capabilities list %+v, want ortho alone with its template:\n%s", caps.Layers, body)
	}
	tmpl := caps.Layers[0].ResourceURL[0].Template
	if !strings.HasPrefix(tmpl, px.URL+"/wmts/ortho/") || !strings.HasSuffix(tmpl, "?"+key) {
		t.Fatalf("template %s, want it under the proxy with the key", tmpl)
	}
	tile := strings.NewReplacer("{TileMatrixSet}", "webmercator", "{TileMatrix}", "01", "{TileCol}", "0", "{TileRow}", "0").Replace(tmpl)
	resp, body = get(t, tile)
	isPNG(t, resp, body)

	other := strings.Replace(tile, "/wmts/ortho/", "/wmts/secret/", 1)
	if resp, body := get(t, other); resp.StatusCode != 403 {
		t.Errorf("%s: got %d, want 403: %.300s", other, resp.StatusCode, body)
	}
}
