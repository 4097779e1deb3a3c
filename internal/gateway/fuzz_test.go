package gateway

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func FuzzInputFromURI(f *testing.F) {
	for _, s := range []string{"/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=a,b", "/a/../b?x=%zz", "//evil/x", "http://x/y", "/x?a=1;b=2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		in, err := InputFromURI("GET", uri)
		if err != nil {
			return
		}
		if !strings.HasPrefix(in.Path, "/") || strings.HasPrefix(uri, "//") {
			t.Fatalf("%q read as path %q", uri, in.Path)
		}
	})
}

func FuzzBasic(f *testing.F) {
	f.Add("Basic dXNlcjpwYXNz")
	f.Add("basic Og==")
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, auth string) {
		u, p, ok := parseBasic(auth)
		r := &http.Request{Header: http.Header{"Authorization": {auth}}}
		u2, p2, ok2 := r.BasicAuth()
		if ok != ok2 || (ok && (u != u2 || p != p2)) {
			t.Fatalf("%q: %q %q %v, net/http says %q %q %v", auth, u, p, ok, u2, p2, ok2)
		}
	})
}

// FuzzClientOf: whatever X-Forwarded-For says, an untrusted peer is the
// client, and a trusted peer's client is one of the header's addresses
// or the peer itself, never a trusted proxy named after an untrusted hop.
func FuzzClientOf(f *testing.F) {
	f.Add("192.0.2.7, 10.0.0.1", "10.0.0.2:1234")
	f.Add("garbage, 192.0.2.7", "10.0.0.2:1234")
	f.Add("192.0.2.7", "198.51.100.1:80")
	f.Add("[2001:db8::1]:443, 10.0.0.1", "[::1]:80")
	trusted, _ := ParseTrustedProxies("10.0.0.0/8, ::1")
	fa := &ForwardAuth{Trusted: trusted}
	f.Fuzz(func(t *testing.T, xff, remote string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{HeaderForwardedFor: {xff}}}
		got := fa.clientOf(r)
		peer := peerAddr(remote)
		if !peer.IsValid() || !fa.trusted(peer) {
			if got != peer {
				t.Fatalf("untrusted peer %s: client %s", peer, got)
			}
			return
		}
		if got == peer {
			return
		}
		found := false
		for _, h := range strings.Split(xff, ",") {
			if a := parseHop(strings.TrimSpace(h)); a == got {
				found = true
			}
		}
		if !found || got == (netip.Addr{}) {
			t.Fatalf("client %s is in neither %q nor the peer", got, xff)
		}
	})
}
