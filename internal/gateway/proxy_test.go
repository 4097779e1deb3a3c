package gateway

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// TestUpstreamURL: the key never reaches the upstream, and the upstream's
// own parameters win over the client's.
func TestUpstreamURL(t *testing.T) {
	up, _ := url.Parse("http://up:8080/cgi-bin/mapserv?map=/srv/topo.map")
	client, _ := url.ParseQuery("SERVICE=WMS&ApiKey=secret1&apikey=secret2&MAP=/etc/passwd&layers=a")
	got := upstreamURL(up, "", client)
	q := got.Query()
	if got.Host != "up:8080" || got.Path != "/cgi-bin/mapserv" {
		t.Errorf("got %s, want the upstream's host and path", got)
	}
	if strings.Contains(got.RawQuery, "secret") {
		t.Errorf("got %s: the key reaches the upstream", got)
	}
	if q.Get("map") != "/srv/topo.map" || q.Has("MAP") {
		t.Errorf("got %s: want the upstream's map only", got)
	}
	if q.Get("SERVICE") != "WMS" || q.Get("layers") != "a" {
		t.Errorf("got %s: want the client's other parameters", got)
	}
	bare, _ := url.Parse("http://up/cgi-bin/mapserv")
	if got := upstreamURL(bare, "", client); got.Query().Has("MAP") || got.Query().Has("map") {
		t.Errorf("got %s: a client picks the map file", got)
	}
	if got := upstreamURL(up, "/ortho/default/g/1/2/3.png", nil); got.Path != "/cgi-bin/mapserv/ortho/default/g/1/2/3.png" {
		t.Errorf("rest: got path %s", got.Path)
	}
}

func TestUpstreamOf(t *testing.T) {
	svcs := []Service{{ID: "a", Upstream: "http://a"}, {ID: "b", Upstream: "http://b"}}
	if got := upstreamOf(Decision{Services: []string{"b"}, Upstream: "http://a"}, svcs); got != "http://b" {
		t.Errorf("got %s, want the touched service's upstream http://b", got)
	}
}

// fixedDecider allows everything as account acc with key k.
type fixedDecider struct{}

func (fixedDecider) Decide(_ context.Context, in Input) Decision {
	return Decision{Status: 200, Account: "acc", Key: "k", Services: []string{"s"}, Upstream: "", Request: Request{Operation: "GetMap"}}
}

type fixedCatalog struct{ upstream string }

func (c fixedCatalog) ServicesAt(path string) ([]Service, string) {
	return []Service{{ID: "s", Path: "/wms", Upstream: c.upstream}}, strings.TrimPrefix(path, "/wms")
}

// TestProxyStripsHeaders: whatever carries the key or passes for octroi
// is removed before the upstream, which hears the decision's account and
// key instead; upstream cookies stay there.
func TestProxyStripsHeaders(t *testing.T) {
	var seen http.Header
	var seenQuery string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, seenQuery = r.Header.Clone(), r.URL.RawQuery
		http.SetCookie(w, &http.Cookie{Name: "octroi_session", Value: "x"})
		io.WriteString(w, "tile")
	}))
	defer up.Close()
	px := httptest.NewServer(&Proxy{Decider: fixedDecider{}, Catalog: fixedCatalog{up.URL + "/m"}})
	defer px.Close()
	req, _ := http.NewRequest("GET", px.URL+"/wms?SERVICE=WMS&apikey=secretq", nil)
	req.Header.Set("Apikey", "secreth")
	req.Header.Set("Authorization", "Basic c2VjcmV0Yjpw")
	req.Header.Set("X-My-Key", portal.KeySecretPrefix+"secretx")
	req.Header.Set("X-Octroi-Account", "admin")
	req.Header.Set("X-Octroi-Other", "forged")
	req.Header.Set("Cookie", "octroi_session=mine")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "hop")
	req.Header.Set("X-Forwarded-For", "6.6.6.6")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(resp.Cookies()) != 0 {
		t.Errorf("got %d with cookies %v, want 200 without the upstream's cookies", resp.StatusCode, resp.Cookies())
	}
	for name, vs := range seen {
		for _, v := range vs {
			if strings.Contains(v, "secret") || strings.Contains(v, "forged") || strings.Contains(v, "mine") || v == "hop" || strings.Contains(v, "6.6.6.6") {
				t.Errorf("the upstream got %s: %s", name, v)
			}
		}
	}
	if strings.Contains(seenQuery, "secret") {
		t.Errorf("the upstream got the key in its query: %s", seenQuery)
	}
	if seen.Get("X-Octroi-Account") != "acc" || seen.Get("X-Octroi-Key") != "k" {
		t.Errorf("the upstream got account %q key %q, want acc and k", seen.Get("X-Octroi-Account"), seen.Get("X-Octroi-Key"))
	}
}

// TestProxyUpstreamDown: an upstream that does not answer is a 502
// problem, in the client's language.
func TestProxyUpstreamDown(t *testing.T) {
	up := httptest.NewServer(http.NotFoundHandler())
	upURL := up.URL
	up.Close()
	px := httptest.NewServer(&Proxy{Decider: fixedDecider{}, Catalog: fixedCatalog{upURL}, Transport: &http.Transport{ResponseHeaderTimeout: time.Second}})
	defer px.Close()
	req, _ := http.NewRequest("GET", px.URL+"/wms?SERVICE=WMS", nil)
	req.Header.Set("Accept-Language", "fr")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || !strings.Contains(string(body), "serveur cartographique") || strings.Contains(string(body), "127.0.0.1") {
		t.Errorf("got %d %s, want 502 in French without the upstream's address", resp.StatusCode, body)
	}
}

type capsDecider struct{}

func (capsDecider) Decide(_ context.Context, in Input) Decision {
	return Decision{Status: 200, Services: []string{"s"}, Request: Request{Protocol: "WMS", Operation: "GetCapabilities"}, Usable: func(string) bool { return false }}
}

// TestProxyCapabilitiesNotXML: a capabilities answer the rewriter cannot
// read (not XML, or compressed) never reaches the client unfiltered.
func TestProxyCapabilitiesNotXML(t *testing.T) {
	for _, tt := range []struct{ contentType, encoding string }{
		{"application/json", ""},
		{"text/xml", "br"}, // gzip the transport undoes itself
	} {
		up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tt.contentType)
			if tt.encoding != "" {
				w.Header().Set("Content-Encoding", tt.encoding)
			}
			io.WriteString(w, "<Layer><Name>secret</Name></Layer>")
		}))
		px := httptest.NewServer(&Proxy{Decider: capsDecider{}, Catalog: fixedCatalog{up.URL}})
		resp, err := http.Get(px.URL + "/wms?SERVICE=WMS&REQUEST=GetCapabilities")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 502 || strings.Contains(string(body), "secret") {
			t.Errorf("%s %s: got %d %s, want 502 without the document", tt.contentType, tt.encoding, resp.StatusCode, body)
		}
		px.Close()
		up.Close()
	}
}

// TestProxyStreams: an answer reaches the client as the upstream writes
// it, never held whole (the upstream waits for the client to have read
// the first part before writing the rest).
func TestProxyStreams(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		io.WriteString(w, "first part;")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, "second part")
	}))
	defer up.Close()
	px := httptest.NewServer(&Proxy{Decider: fixedDecider{}, Catalog: fixedCatalog{up.URL}})
	defer px.Close()
	resp, err := http.Get(px.URL + "/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=a")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("first part;"))
	got := make(chan error, 1)
	go func() { _, err := io.ReadFull(resp.Body, first); got <- err }()
	select {
	case err := <-got:
		if err != nil || string(first) != "first part;" {
			t.Fatalf("got %q, %v", first, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first part did not arrive before the upstream finished: the proxy holds answers")
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "second part" {
		t.Errorf("got %q, want the second part", rest)
	}
}
