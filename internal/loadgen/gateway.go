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
// octroi must answer (200, 401, 403…): every answer is verified.
type GatewayRequest struct {
	Status int
	Method string
	URI    string
	Header http.Header
}

// ReadGatewayRequests reads gateway requests, one a line: the expected
// status, the method, the URI, then any headers as "Name: value", all
// separated by tabs. Empty lines and lines starting with # are skipped.
//
//	200	GET	/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads	apikey: okey_…
//	401	GET	/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads
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
		g := GatewayRequest{Status: st, Method: f[1], URI: f[2], Header: http.Header{}}
		for _, h := range f[3:] {
			name, value, ok := strings.Cut(h, ":")
			if !ok || strings.TrimSpace(name) == "" {
				return nil, fmt.Errorf("line %d: header %q: want Name: value", n, h)
			}
			g.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		}
		out = append(out, g)
	}
	return out, sc.Err()
}

// gateway asks octroi's forward-auth about g as nginx would, and checks
// the status.
func (d *driver) gateway(ctx context.Context, g GatewayRequest, s *opStats) error {
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
	if resp.StatusCode != g.Status {
		s.mismatches++
		d.example("gateway %s %s: got %d (%s), want %d", g.Method, g.URI, resp.StatusCode, resp.Header.Get("X-Octroi-Reason"), g.Status)
	}
	return nil
}
