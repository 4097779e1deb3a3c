package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// GatewayRequest is one forward-auth request of the gateway operation:
// the original request (method, URI, headers such as apikey or
// Authorization) a reverse proxy would ask octroi about, and the status
// octroi must answer (200, 401, 403…), and the answer headers it must
// carry (such as X-Octroi-Account and X-Octroi-Key, the identity the
// upstream is told): every answer is verified.
type GatewayRequest struct {
	Status int
	Method string
	URI    string
	Header http.Header
	// Expect are answer headers and their values; an empty value means
	// the header must be absent (a refusal names nobody to the
	// upstream).
	Expect http.Header
}

// ReadGatewayRequests reads gateway requests, one a line: the expected
// status, the method, the URI, then any headers as "Name: value", all
// separated by tabs; a field "=Name: value" is instead an answer header
// the answer must carry with that value ("=Name:" : must not carry).
// Empty lines and lines starting with # are skipped.
//
//	200	GET	/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads	apikey: okey_…	=X-Octroi-Key: 5f0c…
//	401	GET	/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads	=X-Octroi-Account:
func ReadGatewayRequests(r io.Reader) ([]GatewayRequest, error) {
	var out []GatewayRequest
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			return nil, fmt.Errorf("line %d: want status, method and URI separated by tabs", n)
		}
		st, err := strconv.Atoi(f[0])
		if err != nil || st < 200 || st > 599 {
			return nil, fmt.Errorf("line %d: status %q: want an HTTP status", n, f[0])
		}
		if !strings.HasPrefix(f[2], "/") {
			return nil, fmt.Errorf("line %d: URI %q: want a path with its query", n, f[2])
		}
		if strings.ContainsAny(f[1], " \r") || strings.ContainsAny(f[2], " \r") {
			return nil, fmt.Errorf("line %d: method and URI may not hold spaces", n)
		}
		g := GatewayRequest{Status: st, Method: f[1], URI: f[2], Header: http.Header{}, Expect: http.Header{}}
		for _, h := range f[3:] {
			into := g.Header
			if rest, ok := strings.CutPrefix(h, "="); ok {
				into, h = g.Expect, rest
			}
			name, value, ok := strings.Cut(h, ":")
			if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(h, "\r") {
				return nil, fmt.Errorf("line %d: header %q: want Name: value", n, h)
			}
			into.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		}
		if len(g.Expect) > maxExpect {
			return nil, fmt.Errorf("line %d: at most %d answer headers to verify", n, maxExpect)
		}
		out = append(out, g)
	}
	return out, sc.Err()
}

// gateway asks octroi's forward-auth about request i as nginx would, on
// worker w's connection, and checks the status and the expected headers.
func (d *driver) gateway(ctx context.Context, w, i int, s *opStats) error {
	g := d.cfg.GatewayRequests[i]
	if d.gw == nil {
		return d.gatewayNetHTTP(ctx, g, s)
	}
	rc := &d.gw.conns[w]
	a := &d.gw.answers[w]
	if err := rc.roundTrip(d.gw.reqs[i], d.gw.expect[i], d.cfg.Timeout, a); err != nil {
		return err
	}
	s.items++
	bad := a.status != g.Status
	for j, e := range d.gw.expect[i] {
		if a.got[j] != e.value || (e.value != "" && !a.present[j]) {
			bad = true
		}
	}
	if bad {
		s.mismatches++
		got := ""
		for j, e := range d.gw.expect[i] {
			got += fmt.Sprintf(" %s=%q (want %q)", e.name, a.got[j], e.value)
		}
		d.example("gateway %s %s: got %d (%s)%s, want %d", g.Method, g.URI, a.status, a.reason, got, g.Status)
	}
	return nil
}

// gatewayClient is the lean client's state: the requests' bytes and each
// worker's connection.
type gatewayClient struct {
	reqs    [][]byte
	expect  [][]expectation
	conns   []rawConn
	answers []rawAnswer
}

// newGatewayClient prepares the lean client for an http:// or unix:
// endpoint (nil for https://, which goes through net/http).
func newGatewayClient(cfg Config) (*gatewayClient, error) {
	if !strings.HasPrefix(cfg.Endpoint, "http://") && !strings.HasPrefix(cfg.Endpoint, unixPrefix) {
		return nil, nil
	}
	c := &gatewayClient{conns: make([]rawConn, cfg.Workers), answers: make([]rawAnswer, cfg.Workers)}
	for _, g := range cfg.GatewayRequests {
		network, addr, req, err := rawRequest(cfg.Endpoint, g)
		if err != nil {
			return nil, err
		}
		for w := range c.conns {
			c.conns[w].network, c.conns[w].addr = network, addr
		}
		var ex []expectation
		for name, vs := range g.Expect {
			ex = append(ex, expectation{name: []byte(name), value: vs[len(vs)-1]})
		}
		c.reqs, c.expect = append(c.reqs, req), append(c.expect, ex)
	}
	return c, nil
}

func (c *gatewayClient) close() {
	for i := range c.conns {
		c.conns[i].close()
	}
}

// gatewayNetHTTP is gateway through net/http (https:// endpoints).
func (d *driver) gatewayNetHTTP(ctx context.Context, g GatewayRequest, s *opStats) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", d.cfg.Endpoint+"/gateway/auth", nil)
	if err != nil {
		return err
	}
	for name, vs := range g.Header {
		req.Header[name] = vs
	}
	req.Header.Set("X-Original-Method", g.Method)
	req.Header.Set("X-Original-URI", g.URI)
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s.items++
	bad := resp.StatusCode != g.Status
	for name, vs := range g.Expect {
		if resp.Header.Get(name) != vs[len(vs)-1] {
			bad = true
		}
	}
	if bad {
		s.mismatches++
		d.example("gateway %s %s: got %d (%s) %v, want %d %v", g.Method, g.URI, resp.StatusCode, resp.Header.Get("X-Octroi-Reason"), resp.Header, g.Status, g.Expect)
	}
	return nil
}
