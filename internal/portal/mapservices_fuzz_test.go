package portal

import (
	"net/url"
	"path"
	"strings"
	"testing"
)

// FuzzServicePath: a path the portal accepts is clean (what the gateway
// compares byte for byte with a request's path), absolute, of unreserved
// URL characters, and outside octroi's own paths.
func FuzzServicePath(f *testing.F) {
	for _, s := range []string{"/wms/ign", "/", "", "/a/../b", "/a//b", "/a/", "/api/x", "/apix", "/wms/é", "/a?b", "/%2e%2e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if checkServicePath("path", p) != nil {
			return
		}
		if path.Clean(p) != p || !strings.HasPrefix(p, "/") || p == "/" || len(p) > maxPath {
			t.Fatalf("accepted %q, which is not a clean absolute path", p)
		}
		if u, err := url.Parse(p); err != nil || u.Path != p || u.RawQuery != "" || u.EscapedPath() != p {
			t.Fatalf("accepted %q, which a URL does not carry as is", p)
		}
		for _, r := range reservedPaths {
			if p == r || strings.HasPrefix(p, r+"/") {
				t.Fatalf("accepted %q, under octroi's own %s", p, r)
			}
		}
	})
}

// FuzzUpstream: an upstream the portal accepts is an http or https URL
// with a host, without credentials nor fragment.
func FuzzUpstream(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8081/cgi-bin/mapserv?map=/etc/octroi/demo.map", "https://u:p@x/", "ftp://x/", "http://", "http://x/#f", " http://x/ "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := checkUpstream("upstream", s)
		if err != nil {
			return
		}
		x, perr := url.Parse(u)
		if perr != nil || (x.Scheme != "http" && x.Scheme != "https") || x.Host == "" || x.User != nil || x.Fragment != "" {
			t.Fatalf("accepted %q", s)
		}
	})
}
