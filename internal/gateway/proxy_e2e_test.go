package gateway_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
)

// mapWorld is the full chain: the real portal on SQLite (services,
// grants and keys made through its actions), the real Decider, and the
// real mapserv (testdata/octroi.map) as the upstream of two WMS services
// at one public path /wms: topo (layers roads and rivers, dataset
// IGNF_BD-TOPO) and cadastre (parcels and lakes, dataset IGNF_CADASTRE).
// alice holds grant g (topo only, expiring at exp) and a HASH key over
// it.
type mapWorld struct {
	*env
	upstream string // mapserv's URL
	grant    string
	key      string // alice's key secret
	bytes    *bytesLog
}

func newMapWorld(t *testing.T, exp *time.Time) *mapWorld {
	ms := httptest.NewServer(gateway.MapServerForTest(t))
	t.Cleanup(ms.Close)
	return newWorldAt(t, exp, ms.URL+"/cgi-bin/mapserv")
}

// newWorldAt is mapWorld with another upstream.
func newWorldAt(t testing.TB, exp *time.Time, upstream string) *mapWorld {
	return newWorldOf(t, exp, upstream, []portal.MapService{
		{ID: "topo", Dataset: "IGNF_BD-TOPO", Title: "Topo", Type: portal.ServiceWMS, Path: "/wms", Upstream: upstream, Layers: []string{"roads", "rivers"}, Available: true},
		{ID: "cadastre", Dataset: "IGNF_CADASTRE", Title: "Cadastre", Type: portal.ServiceWMS, Path: "/wms", Upstream: upstream, Layers: []string{"parcels", "lakes"}, Available: true},
	})
}

// newWorldOf is mapWorld with other services (of datasets IGNF_BD-TOPO
// and IGNF_CADASTRE): alice's grant and key open the first.
func newWorldOf(t testing.TB, exp *time.Time, upstream string, services []portal.MapService) *mapWorld {
	e := newEnv(t)
	w := &mapWorld{env: e, upstream: upstream, bytes: &bytesLog{}}
	ctx, svc := e.ctx, e.svc
	admin, _, err := svc.Bootstrap(ctx, "admin@example.org", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"alice", "carol"} {
		if _, err := svc.CreateAccount(ctx, admin.ID, portal.Account{ID: id, Email: id + "@example.org", Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateOrganisation(ctx, admin.ID, portal.Organisation{ID: "ign", Name: "IGN", Type: portal.OrgStateService}, "carol"); err != nil {
		t.Fatal(err)
	}
	for _, ds := range []string{"IGNF_BD-TOPO", "IGNF_CADASTRE"} {
		if _, err := svc.CreateDataset(ctx, "carol", portal.Dataset{ID: ds, Title: ds, Owner: "ign", Default: portal.LevelPrivate}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range services {
		if _, err := svc.CreateService(ctx, "carol", m); err != nil {
			t.Fatal(err)
		}
	}
	g, err := svc.CreateGrant(ctx, "carol", portal.Grant{Name: "Licence ouverte", Services: []string{services[0].ID}, Users: []string{"alice"}, Expires: exp})
	if err != nil {
		t.Fatal(err)
	}
	w.grant = g.ID
	_, secret, err := svc.CreateKey(ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash, Accesses: []portal.AccessPair{{Grant: g.ID, Service: services[0].ID}}})
	if err != nil {
		t.Fatal(err)
	}
	w.key = secret
	e.dec.Parse = gateway.ParseOGC
	e.dec.Catalog = gateway.PortalCatalog{Services: svc}
	return w
}

// bytesLog is the usage log's AddBytes, recorded.
type bytesLog struct {
	mu  sync.Mutex
	sum map[string]int64 // by key
}

func (b *bytesLog) AddBytes(_ time.Time, d gateway.Decision, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sum == nil {
		b.sum = map[string]int64{}
	}
	b.sum[d.Key] += n
}

func (b *bytesLog) of(key string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sum[key]
}

func (w *mapWorld) proxy(t testing.TB) *httptest.Server {
	p := &gateway.Proxy{Decider: w.dec, Catalog: gateway.PortalCatalog{Services: w.svc}, Usage: w.bytes}
	s := httptest.NewServer(p)
	t.Cleanup(s.Close)
	return s
}

const wmsGetMap = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:3857&BBOX=0,0,100,100&WIDTH=64&HEIGHT=64&FORMAT=image/png&LAYERS="

func get(t *testing.T, u string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return fetch(t, "GET", u, header...)
}

// fetch asks u with method and headers (name, value, name, value…) and
// reads the whole answer.
func fetch(t *testing.T, method, u string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// wmsLayerNames reads the names of the layers a WMS capabilities
// document lists.
func wmsLayerNames(t *testing.T, doc []byte) []string {
	t.Helper()
	var names []string
	d := xml.NewDecoder(bytes.NewReader(doc))
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("not a capabilities document: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if n := len(stack); n >= 2 && stack[n-1] == "Name" && stack[n-2] == "Layer" {
				names = append(names, string(tok))
			}
		}
	}
}

func isPNG(t *testing.T, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("got %d %s, want 200 image/png: %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if _, err := png.Decode(bytes.NewReader(body)); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
}

// TestProxyFullChain: proxy mode in front of the real mapserv, decided by
// the real Decider over the real portal.
func TestProxyFullChain(t *testing.T) {
	w := newMapWorld(t, nil)
	px := w.proxy(t)
	caps := px.URL + "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"

	t.Run("capabilities without a key", func(t *testing.T) {
		resp, body := get(t, caps)
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("got %d (WWW-Authenticate %q), want 401 with a challenge: %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	})
	t.Run("capabilities with the key: only its layers", func(t *testing.T) {
		resp, body := get(t, caps+"&apikey="+url.QueryEscape(w.key))
		if resp.StatusCode != 200 {
			t.Fatalf("got %d, want 200: %s", resp.StatusCode, body)
		}
		if got, want := wmsLayerNames(t, body), []string{"roads", "rivers"}; !slices.Equal(got, want) {
			t.Errorf("listed %q, want %q", got, want)
		}
		if !bytes.Contains(body, []byte(`xlink:href="`+px.URL+`/wms?apikey=`+url.QueryEscape(w.key)+`&amp;"`)) {
			t.Errorf("the service URLs do not point at the proxy with the key:\n%s", body)
		}
		if bytes.Contains(body, []byte(w.upstream)) || bytes.Contains(body, []byte("parcels")) {
			t.Errorf("the document leaks the upstream or a hidden layer:\n%s", body)
		}
	})
	t.Run("capabilities with the key in a header: no key in URLs", func(t *testing.T) {
		resp, body := get(t, caps, "Apikey", w.key)
		if resp.StatusCode != 200 || bytes.Contains(body, []byte("apikey=")) {
			t.Errorf("got %d, want 200 without the key in URLs:\n%s", resp.StatusCode, body)
		}
	})
	t.Run("getmap on a granted layer", func(t *testing.T) {
		before := w.bytes.of(aliceKeyID(t, w))
		resp, body := get(t, px.URL+"/wms?"+wmsGetMap+"roads&apikey="+url.QueryEscape(w.key))
		isPNG(t, resp, body)
		// The usage log hears of the bytes when the answer ends.
		deadline := time.Now().Add(2 * time.Second)
		for w.bytes.of(aliceKeyID(t, w))-before != int64(len(body)) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := w.bytes.of(aliceKeyID(t, w)) - before; got != int64(len(body)) {
			t.Errorf("usage log got %d bytes, want %d", got, len(body))
		}
	})
	t.Run("getmap on another layer", func(t *testing.T) {
		for _, layers := range []string{"parcels", "roads,parcels", "hydro", "octroi"} {
			resp, body := get(t, px.URL+"/wms?"+wmsGetMap+layers+"&apikey="+url.QueryEscape(w.key))
			if resp.StatusCode != 403 || resp.Header.Get("X-Octroi-Reason") == "" {
				t.Errorf("LAYERS=%s: got %d (reason %q), want 403 with a reason: %s", layers, resp.StatusCode, resp.Header.Get("X-Octroi-Reason"), body)
			}
		}
	})
	t.Run("a request the gateway cannot bound, in French", func(t *testing.T) {
		resp, body := get(t, px.URL+"/wms?"+wmsGetMap+"roads&SLD_BODY=x&apikey="+url.QueryEscape(w.key), "Accept-Language", "fr-FR")
		if resp.StatusCode != 400 || !bytes.Contains(body, []byte("SLD_BODY n'est pas permis")) {
			t.Errorf("got %d %s, want 400 saying in French that SLD_BODY is not allowed", resp.StatusCode, body)
		}
	})
	t.Run("refusal in French", func(t *testing.T) {
		resp, body := get(t, px.URL+"/wms?"+wmsGetMap+"parcels&apikey="+url.QueryEscape(w.key), "Accept-Language", "fr")
		if resp.StatusCode != 403 || resp.Header.Get("Content-Language") != "fr" || !bytes.Contains(body, []byte("Accès refusé")) {
			t.Errorf("got %d %q: %s, want 403 in French", resp.StatusCode, resp.Header.Get("Content-Language"), body)
		}
	})
}

func aliceKeyID(t *testing.T, w *mapWorld) string {
	t.Helper()
	keys, err := w.svc.Keys(context.Background(), "alice")
	if err != nil || len(keys) == 0 {
		t.Fatalf("alice's keys: %v %v", keys, err)
	}
	return keys[0].ID
}
