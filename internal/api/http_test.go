package api_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/server"
)

// stallStreams loads a large lookup (40,000 results of 200-byte ids for
// user:big, one for user:small) and starts n clients that ask for it as
// NDJSON and never read; they are closed when the test ends.
func stallStreams(t *testing.T, e *env, n int) {
	t.Helper()
	e.writeSchema(testSchema)
	var b strings.Builder
	long := strings.Repeat("x", 200)
	for i := range 40000 {
		fmt.Fprintf(&b, "document:%s%d#viewer@user:big\n", long, i)
	}
	b.WriteString("document:one#viewer@user:small\n")
	e.ok("POST", "/api/v1/relationships/import", b.String(), nil)
	host := strings.TrimPrefix(e.url, "http://")
	body := `{"resource_type":"document","permission":"view","subject":"user:big","consistency":{"fully_consistent":true}}`
	for range n {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.(*net.TCPConn).SetReadBuffer(4096)
		fmt.Fprintf(c, "POST /api/v1/permissions/lookup-resources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nAccept: application/x-ndjson\r\nContent-Length: %d\r\n\r\n%s", testToken, len(body), body)
	}
}

// TestStalledStreamReaders: clients that stop reading a large NDJSON
// lookup do not hold up the other streamed lookups: the computation slot
// is given back before writing. The write timeout is the default (30s),
// longer than the check's deadline, so the slot is what is tested.
func TestStalledStreamReaders(t *testing.T) {
	e := newEnv(t)
	stallStreams(t, e, runtime.GOMAXPROCS(0)+2) // more than there are slots
	client := &http.Client{Timeout: 20 * time.Second}
	req, _ := http.NewRequest("POST", e.url+"/api/v1/permissions/lookup-resources",
		strings.NewReader(`{"resource_type":"document","permission":"view","subject":"user:small","consistency":{"fully_consistent":true}}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Accept", "application/x-ndjson")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("a 1-result streamed lookup while readers stall: %v, want an answer", err)
	}
	sc := bufio.NewScanner(resp.Body)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	resp.Body.Close()
	if len(lines) != 1 || !strings.Contains(lines[0], `"resource_id":"one"`) {
		t.Errorf("1-result streamed lookup: got %q, want the one line of document one", lines)
	}
}

// TestStalledStreamsCut: the write deadline cuts streams whose clients
// stopped reading, and they are counted and logged as 499 (client
// closed), at debug level, not as internal errors.
func TestStalledStreamsCut(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.WriteTimeout = 500 * time.Millisecond })
	const stalled = 2
	stallStreams(t, e, stalled)
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := e.ok("GET", "/metrics", nil, nil)
		n := metricValue(string(r.body), `octroi_http_requests_total{code="499",operation="lookupResources"}`)
		if n >= stalled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %v lookups counted 499, want %d (the stalled readers, cut by the write deadline)", n, stalled)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if errs := e.logs.lines("level=ERROR"); len(errs) > 0 {
		t.Errorf("clients that stopped reading were logged as errors: %q", errs)
	}
	if got := e.logs.lines("msg=request", "operation=lookupResources", "status=499"); len(got) != stalled {
		t.Errorf("got %d request lines with status=499, want %d", len(got), stalled)
	}
}

// metricValue reads one sample of a Prometheus text exposition (0 when
// absent).
func metricValue(text, sample string) float64 {
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// TestNullBody: a JSON null body is refused, not taken as {}; an empty
// body still is {}.
func TestNullBody(t *testing.T) {
	e := newEnv(t)
	e.writeSchema(testSchema)
	for _, body := range []string{"null", " \n null", "null {}"} {
		p := e.do("POST", "/api/v1/permissions/check", body).problem(t, 400, "invalid_json")
		if !strings.Contains(p["detail"].(string), "null") {
			t.Errorf("body %q: got detail %q, want it to name null", body, p["detail"])
		}
	}
	// Another body starting with n is the decoder's syntax error.
	if p := e.do("POST", "/api/v1/permissions/check", "nope").problem(t, 400, "invalid_json"); strings.Contains(p["detail"].(string), "JSON null") {
		t.Errorf(`body "nope": got detail %q, want a syntax error`, p["detail"])
	}
	w := newWorld(t, newEnv)
	w.do("POST", "/api/v1/catalogue/filter", "null", "Authorization", "").problem(t, 400, "invalid_json")
	// Empty: every field missing, refused for the missing field.
	p := e.do("POST", "/api/v1/permissions/check", "").problem(t, 400, "invalid_argument")
	if !strings.Contains(p["detail"].(string), "resource") {
		t.Errorf("empty body: got detail %q, want it to name the missing resource", p["detail"])
	}
}

// TestSecurityHeaders: every answer, success, problem or stream, API or
// health, carries the headers that keep browsers from sniffing, framing or
// leaking referrers, and a CSP that allows nothing.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	e.writeSchema(testSchema)
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	}
	for _, c := range []struct {
		method, path string
		body         any
		headers      []string
	}{
		{"GET", "/api/v1/openapi.json", nil, nil},
		{"GET", "/api/v1/schema", nil, nil},
		{"GET", "/api/v1/schema", nil, []string{"Authorization", ""}},
		{"GET", "/api/v1/nope", nil, nil},
		{"GET", "/healthz", nil, nil},
		{"GET", "/metrics", nil, nil},
		{"POST", "/api/v1/permissions/lookup-resources", map[string]any{"resource_type": "document", "permission": "view", "subject": "user:tom"}, []string{"Accept", "application/x-ndjson"}},
	} {
		r := e.do(c.method, c.path, c.body, c.headers...)
		for h, v := range want {
			if got := r.header.Get(h); got != v {
				t.Errorf("%s %s (status %d): got %s %q, want %q", c.method, c.path, r.status, h, got, v)
			}
		}
	}
}
