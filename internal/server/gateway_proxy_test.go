package server_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/server"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestGatewayProxyListener: --gateway-addr serves the proxy mode there,
// and nothing else: octroi's own API is not reachable on it.
func TestGatewayProxyListener(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, true)
	cfg := portalConfig(dir)
	cfg.GatewayAddr = freeAddr(t)
	srv, err := server.New(context.Background(), cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, stop, served := start(t, srv)
	defer func() { stop(); <-served }()
	for _, path := range []string{"/wms?SERVICE=WMS&REQUEST=GetCapabilities", "/api/v1/me", "/gateway/auth"} {
		resp, err := http.Get("http://" + cfg.GatewayAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 || resp.Header.Get("X-Octroi-Reason") != "no_service" {
			t.Errorf("%s: got %d (reason %q), want 404 no_service", path, resp.StatusCode, resp.Header.Get("X-Octroi-Reason"))
		}
	}
}

// TestGatewayAddrNeedsPortal: without the portal there is nothing to
// decide on, and Serve says so rather than serve nothing.
func TestGatewayAddrNeedsPortal(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, true)
	if _, err := st.WriteSchema(context.Background(), schemaText); err != nil {
		t.Fatal(err)
	}
	cfg := config(dir)
	cfg.GatewayAddr = freeAddr(t)
	srv, err := server.New(context.Background(), cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Serve(context.Background(), ln, nil)
	if err == nil || !strings.Contains(err.Error(), "--gateway-addr") {
		t.Errorf("got %v, want an error naming --gateway-addr", err)
	}
}

// TestGatewayPublicURLChecked: a public URL that is not scheme://host is
// refused at start.
func TestGatewayPublicURLChecked(t *testing.T) {
	for _, u := range []string{"maps.example.org", "ftp://maps.example.org", "https://maps.example.org/wms", "https://maps.example.org?x=1"} {
		cfg := server.Default()
		cfg.GatewayPublicURL = u
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "gateway public URL") {
			t.Errorf("%q: got %v, want a refusal", u, err)
		}
	}
	cfg := server.Default()
	cfg.GatewayPublicURL = "https://maps.example.org"
	if err := cfg.Validate(); err != nil {
		t.Errorf("a valid public URL: got %v", err)
	}
}
