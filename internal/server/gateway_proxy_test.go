package server_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestGatewayAuthListener: --gateway-auth-addr serves forward-auth there
// (a refusal that names the reason, with the security headers) and
// nothing else; its refused heads are counted on /metrics; without the
// portal Serve refuses to start, naming the flag.
func TestGatewayAuthListener(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, true)
	cfg := portalConfig(dir)
	cfg.GatewayAuthAddr = freeAddr(t)
	srv, err := server.New(context.Background(), cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, stop, served := start(t, srv)
	defer func() { stop(); <-served }()
	req, _ := http.NewRequest("GET", "http://"+cfg.GatewayAuthAddr+"/gateway/auth", nil)
	req.Header.Set("X-Original-URI", "/nowhere?SERVICE=WMS")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("X-Octroi-Reason") != "no_service" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("forward-auth on its listener: %d %v", resp.StatusCode, resp.Header)
	}
	for _, path := range []string{"/api/v1/me", "/healthz", "/"} {
		resp, err := http.Get("http://" + cfg.GatewayAuthAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s on the forward-auth listener: %d, want 404", path, resp.StatusCode)
		}
	}
	c, err := net.Dial("tcp", cfg.GatewayAuthAddr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("GET /gateway/auth HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
	c.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rec := httptest.NewRecorder()
		srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		body := rec.Body.String()
		if strings.Contains(body, `octroi_gateway_auth_refused_heads_total{status="400"} 1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the refused head is not counted:\n%s", body)
		}
	}

	cfg2 := config(t.TempDir())
	cfg2.GatewayAuthAddr = freeAddr(t)
	st2 := openStore(t, t.TempDir(), true)
	if _, err := st2.WriteSchema(context.Background(), schemaText); err != nil {
		t.Fatal(err)
	}
	srv2, err := server.New(context.Background(), cfg2, st2, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv2.Serve(context.Background(), ln, nil); err == nil || !strings.Contains(err.Error(), "--gateway-auth-addr") {
		t.Errorf("without the portal: %v, want an error naming --gateway-auth-addr", err)
	}
}

// TestGatewayAuthUnixSocket: --gateway-auth-addr unix:/path serves
// forward-auth on a socket only its owner and group may use; a stale
// socket file is replaced, one in use is not taken over.
func TestGatewayAuthUnixSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "auth.sock")
	stale, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close() // the file stays, nobody answers
	st := openStore(t, dir, true)
	cfg := portalConfig(dir)
	cfg.GatewayAuthAddr = "unix:" + sock
	srv, err := server.New(context.Background(), cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, stop, served := start(t, srv)
	defer func() { stop(); <-served }()
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket: %v %v, want mode 0660", fi, err)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	defer hc.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "http://localhost/gateway/auth", nil)
	req.Header.Set("X-Original-URI", "/nowhere")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("X-Octroi-Reason") != "no_service" {
		t.Errorf("forward-auth over the socket: %d %v", resp.StatusCode, resp.Header)
	}
	// A second server on the same socket is refused while the first runs.
	cfg2 := portalConfig(t.TempDir())
	cfg2.GatewayAuthAddr = cfg.GatewayAuthAddr
	srv2, err := server.New(context.Background(), cfg2, openStore(t, t.TempDir(), true), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv2.Serve(context.Background(), ln, nil); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("a socket in use: %v, want a refusal", err)
	}
	for _, bad := range []string{"unix:relative.sock", "unix:"} {
		c := server.Default()
		c.GatewayAuthAddr = bad
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "absolute path") {
			t.Errorf("%q: %v, want a refusal", bad, err)
		}
	}
}
