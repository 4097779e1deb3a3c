package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/server"
)

// serve runs a server of cfg (over a fresh store of the tests' schema in
// cfg.DataDir) on 127.0.0.1 until the test ends and returns its base URL.
func serve(t *testing.T, cfg server.Config) string {
	t.Helper()
	st := openStore(t, cfg.DataDir, true)
	if _, err := st.WriteSchema(context.Background(), schemaText); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	url, stop, served := start(t, srv)
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return url
}

// start runs srv.Serve on a fresh 127.0.0.1 listener, once it accepts
// requests; stop starts its shutdown, and served receives what Serve
// returns.
func start(t *testing.T, srv *server.Server) (url string, stop func(), served <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done, ready := make(chan error, 1), make(chan struct{})
	go func() { done <- srv.Serve(ctx, ln, func(string) { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	}
	return "http://" + ln.Addr().String(), stop, done
}

// get sends GET path with an optional bearer token, with a deadline far
// above what a healthy server needs.
func get(t *testing.T, url, token string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := &http.Client{Timeout: 20 * time.Second}
	resp, err := c.Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

// stall opens a raw connection that sends a request's headers and half of
// its body, then nothing.
func stall(t *testing.T, base, path, token string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	auth := ""
	if token != "" {
		auth = "Authorization: Bearer " + token + "\r\n"
	}
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"resource\":", path, auth)
	return c
}

// TestStalledBodiesDoNotBlockOthers: clients that send half a body and
// stall (with a token or none, on the API or on /healthz) are cut off after
// the body timeout, so that the connections they hold come back and a
// check still answers. The connection bound stands for the process's
// open-file limit, which is what ran out: with no body timeout the
// stalled clients hold every slot and the check waits until its deadline.
func TestStalledBodiesDoNotBlockOthers(t *testing.T) {
	cfg := config(t.TempDir())
	cfg.MaxConns = 50
	cfg.BodyTimeout = 300 * time.Millisecond
	base := serve(t, cfg)
	for i := range 200 {
		switch i % 3 {
		case 0:
			stall(t, base, "/api/v1/permissions/check", "secret")
		case 1:
			stall(t, base, "/api/v1/permissions/check", "")
		case 2:
			stall(t, base, "/healthz", "")
		}
	}
	body := `{"resource":"doc:a","permission":"view","subject":"user:tom"}`
	req, _ := http.NewRequest("POST", base+"/api/v1/permissions/check", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer secret")
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("check while 200 clients stall: %v, want an answer", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("check while 200 clients stall: got status %d, want 200", resp.StatusCode)
	}
	if resp, err := get(t, base+"/metrics", "secret"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/metrics while clients stall: %v %v, want 200", resp, err)
	}
}

// TestStalledBodyAnswered408: a stalled body gets 408 request_timeout,
// then the connection is closed.
func TestStalledBodyAnswered408(t *testing.T) {
	cfg := config(t.TempDir())
	cfg.BodyTimeout = 200 * time.Millisecond
	base := serve(t, cfg)
	c := stall(t, base, "/api/v1/permissions/check", "secret")
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	all, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the answer to a stalled body: %v (no answer, connection not closed)", err)
	}
	status, _, _ := strings.Cut(string(all), "\r\n")
	if status != "HTTP/1.1 408 Request Timeout" || !strings.Contains(string(all), `"code":"request_timeout"`) {
		t.Errorf("got %q, want a 408 request_timeout problem", all)
	}
}

// TestMaxConnsPerIP: an address with its bound of connections open gets
// its next one closed at once; the others keep theirs.
func TestMaxConnsPerIP(t *testing.T) {
	cfg := config(t.TempDir())
	cfg.MaxConnsPerIP = 2
	base := serve(t, cfg)
	addr := strings.TrimPrefix(base, "http://")
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	over, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer over.Close()
	over.SetReadDeadline(time.Now().Add(20 * time.Second))
	if n, err := over.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Errorf("third connection of one address: read %d bytes, %v; want it closed", n, err)
	}
	// The held ones still work.
	fmt.Fprint(held[0], "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	held[0].SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := bufio.NewReader(held[0]).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
		t.Errorf("a held connection: got %q, %v; want 200", line, err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestMetricsListener: with --metrics-addr, /metrics is served there
// without a token, and no longer on the API port; the metrics listener
// serves nothing else. Every answer carries the security headers.
func TestMetricsListener(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := free.Addr().String()
	free.Close()
	cfg := config(t.TempDir())
	cfg.MetricsAddr = maddr
	base := serve(t, cfg)
	for _, c := range []struct {
		url, token string
		status     int
	}{
		{"http://" + maddr + "/metrics", "", 200},
		{"http://" + maddr + "/api/v1/schema", "secret", 404},
		{base + "/metrics", "secret", 404},
		{base + "/metrics", "", 401},
		{base + "/healthz", "", 200},
	} {
		resp, err := get(t, c.url, c.token)
		if err != nil {
			t.Fatalf("GET %s: %v", c.url, err)
		}
		if resp.StatusCode != c.status {
			t.Errorf("GET %s with %q: got status %d, want %d", c.url, c.token, resp.StatusCode, c.status)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: got X-Content-Type-Options %q, want nosniff", c.url, got)
		}
	}
}

// TestImportMayTakeLongerThanBodyTimeout: an import's body may take any
// time as long as it never pauses for the body timeout.
func TestImportMayTakeLongerThanBodyTimeout(t *testing.T) {
	cfg := config(t.TempDir())
	cfg.BodyTimeout = time.Second
	base := serve(t, cfg)
	pr, pw := io.Pipe()
	go func() {
		for i := range 15 { // 1.5s in all, in pauses of a tenth of the timeout
			fmt.Fprintf(pw, "doc:d%d#viewer@user:tom\n", i)
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", base+"/api/v1/relationships/import", pr)
	req.Header.Set("Authorization", "Bearer secret")
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"imported":15`) {
		t.Errorf("slow but steady import: got %d %s, want 200 with 15 imported", resp.StatusCode, b)
	}
}

// TestMetricsOnAPIPort: without --metrics-addr, /metrics on the API port
// takes an operator token, like the low-level API, and is as open as it
// with --no-auth.
func TestMetricsOnAPIPort(t *testing.T) {
	for _, c := range []struct {
		noAuth bool
		token  string
		status int
	}{
		{false, "", 401}, {false, "wrong", 401}, {false, "secret", 200}, {true, "", 200},
	} {
		cfg := config(t.TempDir())
		cfg.NoAuth = c.noAuth
		resp, err := get(t, serve(t, cfg)+"/metrics", c.token)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != c.status {
			t.Errorf("--no-auth=%v, token %q: got status %d, want %d", c.noAuth, c.token, resp.StatusCode, c.status)
		}
	}
}
