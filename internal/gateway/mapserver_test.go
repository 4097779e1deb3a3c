package gateway

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/testbin"
)

// update regenerates the capabilities fixtures in testdata from the real
// mapserv: go test ./internal/gateway -run TestMapServerFixtures -update
var update = flag.Bool("update", false, "regenerate testdata fixtures from the real mapserv")

// need returns the path of program (found on the PATH or at one of
// paths), or skips t, failing it when CI is set (see testbin).
func need(t testing.TB, program string, paths ...string) string {
	t.Helper()
	return testbin.Find(t, append([]string{program}, paths...)...)
}

// mapserver is Debian's real mapserv, run as a CGI program for each request
// and serving testdata/octroi.map (inline features: no data files). The
// map comes from the environment, never from the client.
func mapserver(t testing.TB) http.Handler {
	t.Helper()
	path := need(t, "mapserv", "/usr/lib/cgi-bin/mapserv")
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return &cgi.Handler{
		Path: path,
		Dir:  dir,
		// The script is at the upstream path: no PATH_INFO, which
		// MapServer 8 would read as a map name (OGC API routes).
		Root: "/cgi-bin/mapserv",
		Env: []string{
			"MAPSERVER_CONFIG_FILE=" + filepath.Join(dir, "mapserver.conf"),
			"MS_MAPFILE=" + filepath.Join(dir, "octroi.map"),
		},
	}
}

// The fixtures: capabilities documents as mapserv writes them, served at
// http://127.0.0.1:8081/cgi-bin/mapserv (the Host the fixture requests
// carry).
var fixtures = []struct{ file, query string }{
	{"wms-1.1.1.xml", "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1"},
	{"wms-1.3.0.xml", "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"},
	{"wfs-2.0.0.xml", "SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0"},
	{"wfs-1.1.0.xml", "SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.1.0"},
}

const fixtureUpstream = "http://127.0.0.1:8081/cgi-bin/mapserv"

// TestMapServerFixtures rewrites what the installed mapserv writes today
// (live) as TestCapabilitiesMapServer rewrites the fixtures, and says
// when the fixtures differ from it (another MapServer version): then
// regenerate them with -update.
func TestMapServerFixtures(t *testing.T) {
	h := mapserver(t)
	for _, f := range fixtures {
		req := httptest.NewRequest("GET", fixtureUpstream+"?"+f.query, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%s: mapserv answered %d: %s", f.query, rec.Code, rec.Body)
		}
		file := filepath.Join("testdata", f.file)
		if *update {
			if err := os.WriteFile(file, rec.Body.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		checkMapServerRewrite(t, f.file, rec.Body.Bytes())
		if want, err := os.ReadFile(file); err != nil || !bytes.Equal(rec.Body.Bytes(), want) {
			t.Logf("%s: the installed mapserv's answer differs from %s: regenerate it with -update", f.query, file)
		}
	}
}

// The WMTS and TMS fixtures, as MapProxy (testdata/mapproxy.yaml) writes them at
// http://127.0.0.1:8082: MapServer serves neither.
var wmtsFixtures = []struct{ file, path, query, upstreamPath string }{
	{"wmts-1.0.0.xml", "/wmts/1.0.0/WMTSCapabilities.xml", "", "/wmts"},
	{"wmts-kvp-1.0.0.xml", "/service", "SERVICE=WMTS&REQUEST=GetCapabilities", "/service"},
	{"tms-1.0.0.xml", "/tms/1.0.0/", "", "/tms"},
}

const (
	wmtsUpstream    = "http://127.0.0.1:8082/wmts"
	wmtsKVPUpstream = "http://127.0.0.1:8082/service"
	tmsUpstream     = "http://127.0.0.1:8082/tms"
)

// TestMapProxyFixtures is TestMapServerFixtures for the WMTS and TMS
// documents.
func TestMapProxyFixtures(t *testing.T) {
	need(t, "mapproxy-util")
	for _, f := range wmtsFixtures {
		cmd := exec.Command("/usr/bin/python3", "testdata/mapproxy_get.py", "testdata/mapproxy.yaml", f.path, f.query)
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		file := filepath.Join("testdata", f.file)
		if *update {
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// The live document is filtered as the fixture is.
		var out bytes.Buffer
		rw := Rewrite{Public: "https://p/x", Upstream: "http://127.0.0.1:8082" + f.upstreamPath, Usable: func(l string) bool { return l == "ortho" }}
		if err := rw.Capabilities(&out, bytes.NewReader(got)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out.Bytes(), []byte("ortho")) || bytes.Contains(out.Bytes(), []byte("secret")) || bytes.Contains(out.Bytes(), []byte("127.0.0.1")) {
			t.Errorf("%s: the live document, rewritten, still names secret or the upstream, or lost ortho:\n%s", f.path, out.Bytes())
		}
		if want, err := os.ReadFile(file); err != nil || !bytes.Equal(got, want) {
			t.Logf("%s: the installed MapProxy's answer differs from %s: regenerate it with -update", f.path, file)
		}
	}
}
