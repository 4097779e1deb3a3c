package gateway_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
)

// A chain is one way to put the decision in front of the real mapserv:
// octroi's proxy mode, or a real nginx (auth_request) or Caddy
// (forward_auth) asking octroi's /gateway/auth. Each serves the WMS at
// base + "/wms".
type chain struct {
	name string
	base string
	// filters says whether capabilities are filtered (only the proxy
	// mode can rewrite a body).
	filters bool
}

// chains starts the three of them in front of w's mapserv.
func (w *mapWorld) chains(t *testing.T) []chain {
	auth := httptest.NewServer(&gateway.ForwardAuth{Decider: w.dec})
	t.Cleanup(auth.Close)
	up, err := url.Parse(w.upstream)
	if err != nil {
		t.Fatal(err)
	}
	authHost := strings.TrimPrefix(auth.URL, "http://")
	lean := strings.TrimPrefix(startAuthServer(t, &gateway.AuthServer{Auth: &gateway.ForwardAuth{Decider: w.dec}}), "http://")
	sock := t.TempDir() + "/auth.sock"
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(sock, 0o666) // nginx's worker runs as another user
	s := &gateway.AuthServer{Auth: &gateway.ForwardAuth{Decider: w.dec}}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return []chain{
		{"proxy", w.proxy(t).URL, true},
		{"nginx", startNginx(t, authHost, up.Host, false), false},
		{"caddy", startCaddy(t, authHost, up.Host), false},
		// the lean forward-auth listener, asked over kept-alive
		// HTTP/1.1 connections (nginx's fast configuration), over TCP
		// and over a Unix socket
		{"nginx-lean", startNginx(t, lean, up.Host, true), false},
		{"nginx-lean-unix", startNginx(t, "unix:"+sock, up.Host, true), false},
		{"caddy-lean-unix", startCaddy(t, "unix/"+sock, up.Host), false},
	}
}

// freePort returns a loopback port nobody listens on (for a moment).
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs a program until the test ends, and waits until addr
// accepts connections.
func start(t *testing.T, addr string, logFile string, name string, args ...string) {
	cmd := exec.Command(name, args...)
	out, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "HOME="+filepath.Dir(logFile), "XDG_DATA_HOME="+filepath.Dir(logFile), "XDG_CONFIG_HOME="+filepath.Dir(logFile))
	// A group of its own, killed whole at the end (nginx's workers,
	// MapProxy's reloader), and killed with the test binary if that dies
	// first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		out.Close()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile)
			t.Fatalf("%s does not listen on %s: %v\n%s", name, addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startNginx runs a real nginx at a free port: /wms goes to mapserv once
// octroi's forward-auth said yes (auth_request), with the account and
// key it named, never the client's. With keepalive, nginx asks over
// HTTP/1.1 connections it keeps (an upstream block with keepalive),
// rather than a new HTTP/1.0 connection per request.
func startNginx(t *testing.T, authHost, mapservHost string, keepalive bool) string {
	nginx := gateway.NeedForTest(t, "nginx", "/usr/sbin/nginx")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	addr := freePort(t)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	authTarget, authConn, upstream := authHost, "", ""
	if keepalive {
		authTarget = "octroi_auth"
		authConn = `proxy_http_version 1.1; proxy_set_header Connection "";`
		upstream = "upstream octroi_auth { server " + authHost + "; keepalive 8; }"
	}
	conf := fmt.Sprintf(`%[1]s
worker_processes 1;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  %[8]s
  server {
    listen %[3]s;
    location = /wms {
      auth_request /_octroi;
      auth_request_set $octroi_account $upstream_http_x_octroi_account;
      auth_request_set $octroi_key $upstream_http_x_octroi_key;
      proxy_set_header X-Octroi-Account $octroi_account;
      proxy_set_header X-Octroi-Key $octroi_key;
      proxy_pass http://%[5]s/cgi-bin/mapserv;
    }
    location = /_octroi {
      internal;
      proxy_pass http://%[6]s/gateway/auth;
      %[7]s
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`, user, dir, addr, authHost, mapservHost, authTarget, authConn, upstream)
	file := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, addr, filepath.Join(dir, "nginx.log"), nginx, "-c", file, "-p", dir)
	return "http://" + addr
}

// startCaddy runs a real Caddy at a free port: /wms goes to mapserv once
// octroi's forward-auth said yes (forward_auth), with the account and key
// it named (copy_headers).
func startCaddy(t *testing.T, authHost, mapservHost string) string {
	caddy := gateway.NeedForTest(t, "caddy")
	dir := t.TempDir()
	addr := freePort(t)
	conf := fmt.Sprintf(`{
	admin off
	auto_https off
	storage file_system %[1]s/storage
}
http://%[2]s {
	# route keeps the order: ask octroi first, then rewrite.
	route /wms {
		forward_auth %[3]s {
			uri /gateway/auth
			copy_headers X-Octroi-Account X-Octroi-Key
		}
		rewrite * /cgi-bin/mapserv?{query}
		reverse_proxy %[4]s
	}
	respond 404
}
`, dir, addr, authHost, mapservHost)
	file := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, addr, filepath.Join(dir, "caddy.log"), caddy, "run", "--config", file, "--adapter", "caddyfile")
	return "http://" + addr
}

// TestChains: every chain answers as the issue says, in front of the real
// mapserv.
func TestChains(t *testing.T) {
	w := newMapWorld(t, nil)
	key := "&apikey=" + url.QueryEscape(w.key)
	for _, c := range w.chains(t) {
		t.Run(c.name, func(t *testing.T) {
			caps := c.base + "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
			resp, _ := get(t, caps)
			if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("capabilities without a key: got %d (WWW-Authenticate %q), want 401 with a challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
			resp, body := get(t, caps+key)
			if resp.StatusCode != 200 {
				t.Fatalf("capabilities with the key: got %d, want 200: %.300s", resp.StatusCode, body)
			}
			names := wmsLayerNames(t, body)
			if c.filters && strings.Join(names, ",") != "roads,rivers" {
				t.Errorf("capabilities with the key list %q, want roads and rivers", names)
			}
			if !c.filters && len(names) < 4 {
				t.Errorf("capabilities through forward-auth list %q, want mapserv's document", names)
			}
			resp, body = get(t, c.base+"/wms?"+wmsGetMap+"roads"+key)
			isPNG(t, resp, body)
			resp, body = get(t, c.base+"/wms?"+wmsGetMap+"parcels"+key)
			if resp.StatusCode != 403 {
				t.Errorf("GetMap on a layer the key does not open: got %d, want 403: %.300s", resp.StatusCode, body)
			}
			// mapserv's own CGI interface behind an allowed REQUEST draws
			// every layer: refused (nginx turns the 400 into a 500).
			resp, _ = get(t, c.base+"/wms?REQUEST=GetCapabilities&mode=map"+key)
			if resp.StatusCode < 400 {
				t.Errorf("mode=map behind GetCapabilities: got %d %s, want a refusal", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			resp, _ = get(t, c.base+"/wms?"+wmsGetMap+"roads&apikey=nope")
			if resp.StatusCode != 401 {
				t.Errorf("GetMap with an unknown key: got %d, want 401", resp.StatusCode)
			}
		})
	}
}

// refusedWithin polls u until it is refused (403), and reports how long
// after since that took; it fails past a deadline.
func refusedWithin(t *testing.T, u string, since time.Time) time.Duration {
	t.Helper()
	for {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 403 {
			return time.Since(since)
		}
		if time.Since(since) > 10*time.Second {
			t.Fatalf("still %d after %s", resp.StatusCode, time.Since(since))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestChainsExpiryAndKillSwitch: once the grant expires, and once the
// service is made unavailable, every chain refuses. How soon is logged
// (the target is within a second, about 20 ms on a quiet machine); the
// test fails only past refusedWithin's bound, so that a loaded machine
// does not fail it.
func TestChainsExpiryAndKillSwitch(t *testing.T) {
	w := newMapWorld(t, nil)
	chains := w.chains(t)
	// A legend of a layer whose service the key opens: answered by
	// mapserv when allowed, by octroi alone when refused.
	path := "/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&FORMAT=image/png&SLD_VERSION=1.1.0&LAYER=roads&apikey=" + url.QueryEscape(w.key)
	for _, c := range chains {
		if resp, body := get(t, c.base+path); resp.StatusCode != 200 {
			t.Fatalf("%s before the expiry: got %d, want 200: %.300s", c.name, resp.StatusCode, body)
		}
	}
	// The grant expires two seconds from now (set once the chains are
	// up, so that a slow start cannot pass the expiry first).
	exp := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	if _, err := w.svc.UpdateGrant(w.ctx, "carol", w.grant, portal.GrantChange{SetExpires: true, Expires: &exp}); err != nil {
		t.Fatal(err)
	}
	for _, c := range chains {
		if resp, body := get(t, c.base+path); resp.StatusCode != 200 && time.Now().Before(exp) {
			t.Fatalf("%s before the expiry: got %d, want 200: %.300s", c.name, resp.StatusCode, body)
		}
	}
	time.Sleep(time.Until(exp))
	for _, c := range chains {
		d := refusedWithin(t, c.base+path, exp)
		t.Logf("%s: refused %s after the grant expired", c.name, d)
	}

	// The kill switch, on a fresh world whose grant does not expire.
	w = newMapWorld(t, nil)
	chains = w.chains(t)
	path = "/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&FORMAT=image/png&SLD_VERSION=1.1.0&LAYER=roads&apikey=" + url.QueryEscape(w.key)
	for _, c := range chains {
		if resp, body := get(t, c.base+path); resp.StatusCode != 200 {
			t.Fatalf("%s before the kill switch: got %d, want 200: %.300s", c.name, resp.StatusCode, body)
		}
	}
	m, err := w.svc.MapServiceOf(w.ctx, "carol", "topo")
	if err != nil {
		t.Fatal(err)
	}
	m.Available = false
	if _, err := w.svc.UpdateService(w.ctx, "carol", m); err != nil {
		t.Fatal(err)
	}
	off := time.Now()
	for _, c := range chains {
		d := refusedWithin(t, c.base+path, off)
		t.Logf("%s: refused %s after the service was made unavailable", c.name, d)
	}
}
