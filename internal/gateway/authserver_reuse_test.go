package gateway_test

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAuthServerReusesNothingVisible: on one connection, whose URI
// reader, header map and answer writer are reused from one request to
// the next, every answer is still the one net/http gives to the same
// request alone: languages that change and come back, a key then none,
// a query with more names then fewer, names spelt twice.
func TestAuthServerReusesNothingVisible(t *testing.T) {
	_, secret, _, netHTTP, lean := leanWorld(t)
	getMap := "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS="
	w := dialWire(t, lean)
	for i, hdr := range [][]string{
		{"X-Original-URI", getMap + "routes", "Accept-Language", "fr-FR,fr;q=0.9"},
		{"X-Original-URI", getMap + "routes", "Accept-Language", "fr-FR,fr;q=0.9"},
		{"X-Original-URI", getMap + "routes&apikey=" + secret + "&BBOX=1,2,3,4&WIDTH=256"},
		{"X-Original-URI", getMap + "routes"},
		{"X-Original-URI", getMap + "routes", "Accept-Language", "en"},
		{"X-Original-URI", getMap + "plan&LAYERS=routes&apikey=" + secret},
		{"X-Original-URI", getMap + "routes&apikey=" + secret},
		{"X-Original-URI", "/wms/ign?SERVICE=WMS&REQUEST=GetCapabilities", "Accept-Language", "fr"},
		{"X-Original-URI", getMap + "nope%2C&apikey=" + secret, "Accept-Language", "fr"},
		{"X-Original-URI", getMap + "routes"},
	} {
		raw := "GET /gateway/auth HTTP/1.1\r\nHost: auth\r\n"
		for j := 0; j+1 < len(hdr); j += 2 {
			raw += hdr[j] + ": " + hdr[j+1] + "\r\n"
		}
		w.send(raw + "\r\n")
		b, bBody := w.answer("GET")
		a, aBody := fetch(t, "GET", netHTTP+"/gateway/auth", hdr...)
		if a.StatusCode != b.StatusCode || string(aBody) != bBody {
			t.Fatalf("request %d %v:\nnet/http: %d %q\nlean: %d %q", i, hdr, a.StatusCode, aBody, b.StatusCode, bBody)
		}
		for _, h := range []http.Header{a.Header, b.Header} {
			h.Del("Date")
		}
		if !maps.EqualFunc(a.Header, b.Header, slices.Equal) {
			t.Errorf("request %d %v: headers differ:\nnet/http %v\nlean     %v", i, hdr, a.Header, b.Header)
		}
		if i == 2 && !strings.Contains(b.Header.Get("X-Octroi-Account"), "alice") {
			t.Errorf("request %d: not alice's: %v", i, b.Header)
		}
	}
}
