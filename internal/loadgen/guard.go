package loadgen

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrNotLoopback is wrapped by the errors of CheckLoopback and of the dial
// guard: this machine may only load-test itself.
var ErrNotLoopback = errors.New("not a loopback address")

// CheckLoopback parses endpoint and refuses it unless it is an http(s) URL
// whose host is a loopback IP (127.0.0.0/8, ::1) or "localhost". It
// returns the endpoint without a trailing slash. Names are checked again
// when connecting (see NewHTTPClient), so a "localhost" that resolves
// elsewhere is refused too.
func CheckLoopback(endpoint string) (string, error) {
	if path, ok := strings.CutPrefix(endpoint, unixPrefix); ok {
		// a socket file is of this machine by nature
		if !strings.HasPrefix(path, "/") {
			return "", fmt.Errorf("endpoint %q: want unix: and the absolute path of a socket, such as unix:/run/octroi/auth.sock", endpoint)
		}
		return endpoint, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("endpoint %q: want an http:// or https:// URL such as http://127.0.0.1:8080 (or unix:/path of a forward-auth socket)", endpoint)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return "", fmt.Errorf("endpoint host %s: %w: octroi bench only load-tests this machine (use 127.0.0.1 or [::1])", host, ErrNotLoopback)
		}
	} else if !strings.EqualFold(host, "localhost") {
		return "", fmt.Errorf("endpoint host %q: %w: octroi bench only load-tests this machine (use 127.0.0.1 or [::1])", host, ErrNotLoopback)
	}
	return strings.TrimRight(endpoint, "/"), nil
}

// unixPrefix starts an endpoint that is a Unix socket (a forward-auth
// listener's, gateway operation only), as nginx writes one.
const unixPrefix = "unix:"

// dialLoopbackOnly refuses, at connect time, any address that is not a
// loopback IP: the last line of defence whatever a name resolved to.
func dialLoopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("connecting to %s: %w: octroi bench only load-tests this machine", address, ErrNotLoopback)
	}
	return nil
}

// NewHTTPClient returns a keep-alive client that keeps enough idle
// connections for conns concurrent requests to one host and connects only
// to loopback addresses. Requests are bounded by their contexts, not by a
// client timeout, so that a long streamed lookup is not cut.
func NewHTTPClient(conns int) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: dialLoopbackOnly}
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil, // never through a proxy: the target is this machine
		DialContext:         d.DialContext,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}}
}
