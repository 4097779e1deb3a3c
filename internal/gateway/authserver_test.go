package gateway_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
)

// leanWorld is realWorld with alice's key, served by both forward-auth
// servers.
func leanWorld(t *testing.T) (e *env, secret, keyID, netHTTP, lean string) {
	e = newEnv(t)
	g := realWorld(t, e, time.Now().Add(time.Hour))
	k, secret, err := e.svc.CreateKey(e.ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash,
		Accesses: []portal.AccessPair{{Grant: g.ID, Service: "topo-wms"}}})
	if err != nil {
		t.Fatal(err)
	}
	return e, secret, k.ID, forwardAuths[0].start(e, ""), forwardAuths[1].start(e, "")
}

// TestAuthServerAnswersAsNetHTTP: for allowed and refused requests, in
// both languages and for HEAD, the lean listener's answers carry the same
// status, headers and body as net/http's (but Date).
func TestAuthServerAnswersAsNetHTTP(t *testing.T) {
	_, secret, _, netHTTP, lean := leanWorld(t)
	getMap := "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS="
	for _, c := range []struct {
		name   string
		method string
		hdr    []string
	}{
		{"allowed", "GET", []string{"X-Original-URI", getMap + "routes&apikey=" + secret}},
		{"open", "GET", []string{"X-Original-URI", "/wms/ign?SERVICE=WMS&REQUEST=GetCapabilities"}},
		{"no key, in French", "GET", []string{"X-Original-URI", getMap + "routes", "Accept-Language", "fr-FR,fr;q=0.9"}},
		{"no key, HEAD", "HEAD", []string{"X-Original-URI", getMap + "routes"}},
		{"unknown key", "GET", []string{"X-Forwarded-Uri", getMap + "routes", "Apikey", "okey_nope"}},
		{"no grant", "GET", []string{"X-Original-URI", getMap + "plan,nope&apikey=" + secret}},
		{"no service", "GET", []string{"X-Original-URI", "/nothing-here?x=1"}},
		{"bad URI", "GET", []string{"X-Original-URI", "//evil/x"}},
		{"no URI", "GET", nil},
		{"a client's own identity", "GET", []string{"X-Original-URI", getMap + "routes", "X-Octroi-Account", "alice", "X-Octroi-Key", "k"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, aBody := fetch(t, c.method, netHTTP+"/gateway/auth", c.hdr...)
			b, bBody := fetch(t, c.method, lean+"/gateway/auth", c.hdr...)
			if a.StatusCode != b.StatusCode || string(aBody) != string(bBody) {
				t.Fatalf("net/http: %d %q\nlean: %d %q", a.StatusCode, aBody, b.StatusCode, bBody)
			}
			for _, h := range []http.Header{a.Header, b.Header} {
				if h.Get("Date") == "" {
					t.Errorf("no Date: %v", h)
				}
				h.Del("Date")
			}
			if !maps.EqualFunc(a.Header, b.Header, slices.Equal) {
				t.Errorf("headers differ:\nnet/http %v\nlean     %v", a.Header, b.Header)
			}
			if c.method == "HEAD" && len(bBody) != 0 {
				t.Errorf("a body to HEAD: %q", bBody)
			}
		})
	}
	res, body := fetch(t, "GET", lean+"/gateway/authx")
	if res.StatusCode != 404 || !strings.Contains(string(body), "/gateway/auth") {
		t.Errorf("another path: %d %s", res.StatusCode, body)
	}
}

// wire is a raw connection to a server: what a proxy writes, and the
// answers as net/http's client reads them.
type wire struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialWire(t *testing.T, base string) *wire {
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &wire{t: t, c: c, br: bufio.NewReader(c)}
}

func (w *wire) send(raw string) {
	if _, err := io.WriteString(w.c, raw); err != nil {
		w.t.Fatal(err)
	}
}

func (w *wire) answer(method string) (*http.Response, string) {
	w.t.Helper()
	res, err := http.ReadResponse(w.br, &http.Request{Method: method})
	if err != nil {
		w.t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return res, string(b)
}

// closed says whether the server closed the connection (within a while).
func (w *wire) closed() bool {
	w.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := w.br.ReadByte()
	return err == io.EOF
}

// TestAuthServerWire: pipelined requests are answered in order; HEAD has
// no body; a head the reader refuses is answered with what is wrong and
// closes the connection, so that nothing after it is read as a request
// (a smuggled one); HTTP/1.0 and Connection: close close after the
// answer.
func TestAuthServerWire(t *testing.T) {
	_, secret, keyID, _, lean := leanWorld(t)
	uri := "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS=routes"

	w := dialWire(t, lean)
	w.send("GET /gateway/auth HTTP/1.1\r\nHost: a\r\nX-Original-URI: " + uri + "\r\napikey: " + secret + "\r\n\r\n" +
		"HEAD /gateway/auth HTTP/1.1\r\nHost: a\r\nX-Original-URI: " + uri + "\r\n\r\n" +
		"GET /gateway/auth HTTP/1.1\r\nHost: a\r\nX-Original-URI: " + uri + "\r\n\r\n")
	if res, _ := w.answer("GET"); res.StatusCode != 200 || res.Header.Get(gateway.HeaderKey) != keyID {
		t.Fatalf("first pipelined: %d %v", res.StatusCode, res.Header)
	}
	if res, body := w.answer("HEAD"); res.StatusCode != 401 || body != "" || res.ContentLength <= 0 {
		t.Fatalf("HEAD: %d, length %d, body %q", res.StatusCode, res.ContentLength, body)
	}
	if res, body := w.answer("GET"); res.StatusCode != 401 || !strings.Contains(body, "no_key") {
		t.Fatalf("third pipelined: %d %q", res.StatusCode, body)
	}

	// A request that would carry a body, followed by what a smuggler
	// hopes is read as a request of its own.
	smuggled := "GET /gateway/auth HTTP/1.1\r\nHost: a\r\nX-Original-URI: " + uri + "\r\napikey: " + secret + "\r\n\r\n"
	for _, c := range []struct{ name, raw, want string }{
		{"chunked", "GET /gateway/auth HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, "carries no body"},
		{"a length", "POST /gateway/auth HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd" + smuggled, "carries no body"},
		{"both", "POST /gateway/auth HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, "carries no body"},
		{"bare LF", "GET /gateway/auth HTTP/1.1\nHost: a\n\n" + smuggled, "CR LF"},
		{"obs-fold", "GET /gateway/auth HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n" + smuggled, "folding"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := dialWire(t, lean)
			w.send(c.raw)
			res, body := w.answer("GET")
			if res.StatusCode != 400 || !strings.Contains(body, c.want) || !res.Close {
				t.Fatalf("%d %q %v, want 400 saying %q and closing", res.StatusCode, body, res.Header, c.want)
			}
			if !w.closed() {
				t.Fatal("the connection stays open after a refused head: what follows could be read as a request")
			}
		})
	}

	for _, raw := range []string{
		"GET /gateway/auth HTTP/1.0\r\nX-Original-URI: " + uri + "\r\n\r\n",
		"GET /gateway/auth HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Original-URI: " + uri + "\r\n\r\n",
	} {
		w := dialWire(t, lean)
		w.send(raw)
		if res, _ := w.answer("GET"); res.StatusCode != 401 {
			t.Fatalf("%q: %d", raw, res.StatusCode)
		}
		if !w.closed() {
			t.Fatalf("%q: the connection stays open", raw)
		}
	}
	// HTTP/1.0 with keep-alive stays open.
	w = dialWire(t, lean)
	w.send("GET /gateway/auth HTTP/1.0\r\nConnection: keep-alive\r\nX-Original-URI: " + uri + "\r\n\r\n")
	w.answer("GET")
	w.send("GET /gateway/auth HTTP/1.0\r\nX-Original-URI: " + uri + "\r\n\r\n")
	if res, _ := w.answer("GET"); res.StatusCode != 401 {
		t.Fatalf("second request on a kept HTTP/1.0 connection: %d", res.StatusCode)
	}
}

// TestAuthServerTimeoutsAndShutdown: a client that sends half a head is
// cut off after HeaderTimeout; Shutdown closes idle connections at once
// and lets a request in hand finish; Serve returns ErrServerClosed.
func TestAuthServerTimeoutsAndShutdown(t *testing.T) {
	e := newEnv(t)
	realWorld(t, e, time.Now().Add(time.Hour))
	s := &gateway.AuthServer{Auth: &gateway.ForwardAuth{Decider: e.dec}, HeaderTimeout: 300 * time.Millisecond, IdleTimeout: time.Minute}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	base := "http://" + ln.Addr().String()

	slow := dialWire(t, base)
	slow.send("GET /gateway/auth HTTP/1.1\r\nHost: a\r\n")
	start := time.Now()
	if !slow.closed() {
		t.Fatal("half a head kept the connection past HeaderTimeout")
	}
	t.Logf("half a head cut off after %s (HeaderTimeout 300ms)", time.Since(start).Round(time.Millisecond))

	idle := dialWire(t, base)
	idle.send("GET /gateway/auth HTTP/1.1\r\nHost: a\r\n\r\n")
	idle.answer("GET")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if !idle.closed() {
		t.Fatal("an idle connection outlived Shutdown")
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
}

// TestAuthServerReadDeadlines: the server sets a read deadline only
// where a read may wait, and still: a connection that sends nothing is
// closed after IdleTimeout, not before; the half of a head pipelined
// behind a whole one (its first byte came with the request before it)
// is cut off after HeaderTimeout.
func TestAuthServerReadDeadlines(t *testing.T) {
	e := newEnv(t)
	realWorld(t, e, time.Now().Add(time.Hour))
	const idleTime, headTime = 2 * time.Second, 200 * time.Millisecond
	s := &gateway.AuthServer{Auth: &gateway.ForwardAuth{Decider: e.dec}, HeaderTimeout: headTime, IdleTimeout: idleTime}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	defer s.Close()
	base := "http://" + ln.Addr().String()

	idle := dialWire(t, base)
	start := time.Now()
	if !idle.closed() {
		t.Fatal("a connection that sends nothing outlived IdleTimeout")
	}
	if took := time.Since(start); took < idleTime-100*time.Millisecond {
		t.Fatalf("a connection that sends nothing closed after %s, before IdleTimeout (%s)", took, idleTime)
	}

	half := dialWire(t, base)
	half.send("GET /gateway/auth HTTP/1.1\r\nHost: a\r\n\r\nGET /gateway/auth HTTP/1.1\r\nHost: a\r\n")
	start = time.Now()
	// The whole head is answered at once, without waiting for the half
	// behind it.
	half.c.SetReadDeadline(time.Now().Add(headTime / 2))
	if res, body := half.answer("GET"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "bad_request") {
		t.Fatalf("the whole head before half a head (no original URI): %d %q", res.StatusCode, body)
	}
	half.c.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.Copy(io.Discard, half.br); err != nil {
		t.Fatalf("half a pipelined head kept the connection: %v", err)
	}
	if took := time.Since(start); took > idleTime*3/4 {
		t.Fatalf("half a pipelined head cut off after %s: HeaderTimeout (%s) not applied", took, headTime)
	}
}

// TestAuthServerUnixSocket: over a Unix socket, the peer counts as
// 127.0.0.1: its X-Forwarded-For is believed only when 127.0.0.1 is a
// trusted proxy, so that a key's IP filter sees the proxy's client then,
// and the local process otherwise.
func TestAuthServerUnixSocket(t *testing.T) {
	e := newEnv(t)
	g := realWorld(t, e, time.Now().Add(time.Hour))
	_, secret, err := e.svc.CreateKey(e.ctx, "alice", portal.KeySpec{Name: "qgis", Type: portal.KeyHash,
		Filters:  portal.KeyFilters{IPAllow: []string{"192.0.2.0/24"}},
		Accesses: []portal.AccessPair{{Grant: g.ID, Service: "topo-wms"}}})
	if err != nil {
		t.Fatal(err)
	}
	ask := func(trusted string) *http.Response {
		sock := t.TempDir() + "/auth.sock"
		ln, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		s := &gateway.AuthServer{Auth: &gateway.ForwardAuth{Decider: e.dec, Trusted: trustedProxies(trusted)}}
		go s.Serve(ln)
		defer s.Close()
		hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
		defer hc.CloseIdleConnections()
		req, _ := http.NewRequest("GET", "http://localhost/gateway/auth", nil)
		req.Header.Set("X-Original-URI", "/wms/ign?SERVICE=WMS&REQUEST=GetMap&LAYERS=routes&apikey="+secret)
		req.Header.Set("X-Forwarded-For", "192.0.2.7")
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := ask(""); res.StatusCode != 403 || res.Header.Get(gateway.HeaderReason) != gateway.ReasonIPRefused {
		t.Errorf("untrusted socket peer: %d %s, want 403 ip_refused (X-Forwarded-For ignored)", res.StatusCode, res.Header.Get(gateway.HeaderReason))
	}
	if res := ask("127.0.0.1"); res.StatusCode != 200 {
		t.Errorf("socket peer trusted as 127.0.0.1: %d %s, want 200", res.StatusCode, res.Header.Get(gateway.HeaderReason))
	}
}
