package loadgen

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{
		"http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.1.2.3", "http://[::1]:8080",
		"https://localhost:8443", "http://LOCALHOST", "unix:/run/octroi/auth.sock",
	} {
		if _, err := CheckLoopback(ok); err != nil {
			t.Errorf("CheckLoopback(%q) = %v, want accepted", ok, err)
		}
	}
	for _, bad := range []string{
		"http://10.0.0.1:8080", "http://192.168.1.1", "http://[2001:db8::1]", "http://0.0.0.0:8080",
		"http://example.com", "http://localhost.example.com", "http://127.0.0.1.nip.io",
	} {
		if _, err := CheckLoopback(bad); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("CheckLoopback(%q) = %v, want ErrNotLoopback", bad, err)
		}
	}
	for _, bad := range []string{"127.0.0.1:8080", "ftp://127.0.0.1", "http://%zz", "unix:auth.sock", "unix:"} {
		if _, err := CheckLoopback(bad); err == nil {
			t.Errorf("CheckLoopback(%q) accepted, want an error", bad)
		}
	}
	cfg := Defaults()
	cfg.Endpoint = "unix:/run/octroi/auth.sock"
	if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "gateway operation") {
		t.Errorf("a unix: endpoint with the default mix and load: %v, want a refusal", err)
	}
	cfg.Load, cfg.Mix = false, Mix{OpGateway: 1}
	if err := cfg.validate(); err != nil {
		t.Errorf("a unix: endpoint for the gateway operation: %v", err)
	}
	if got, _ := CheckLoopback("http://127.0.0.1:8080/"); got != "http://127.0.0.1:8080" {
		t.Errorf("CheckLoopback trims to %q, want http://127.0.0.1:8080", got)
	}
}

// TestDialGuard: whatever the URL said, the client connects only to
// loopback addresses.
func TestDialGuard(t *testing.T) {
	if err := dialLoopbackOnly("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("dial guard refused 127.0.0.1: %v", err)
	}
	if err := dialLoopbackOnly("tcp6", "[::1]:80", nil); err != nil {
		t.Errorf("dial guard refused ::1: %v", err)
	}
	for _, a := range []string{"192.0.2.1:80", "[2001:db8::1]:80", "0.0.0.0:80"} {
		if err := dialLoopbackOnly("tcp", a, nil); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("dial guard on %s: %v, want ErrNotLoopback", a, err)
		}
	}
	d := net.Dialer{Control: dialLoopbackOnly}
	if _, err := d.DialContext(context.Background(), "tcp", "192.0.2.1:9"); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("dialing 192.0.2.1: %v, want ErrNotLoopback before any packet", err)
	}
	if _, err := NewHTTPClient(1).Get("http://192.0.2.1:9/"); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("the HTTP client fetching from 192.0.2.1: %v, want ErrNotLoopback", err)
	}
}

func TestParseStatus(t *testing.T) {
	status := "Name:\toctroi\nVmPeak:\t  900 kB\nVmHWM:\t  350000 kB\nVmRSS:\t  123456 kB\nThreads:\t8\n"
	rss, hwm, err := parseStatus(bufio.NewScanner(strings.NewReader(status)))
	if err != nil || rss != 123456 || hwm != 350000 {
		t.Errorf("parseStatus = %d, %d, %v; want 123456, 350000, nil", rss, hwm, err)
	}
	if _, _, err := parseStatus(bufio.NewScanner(strings.NewReader("Name:\tkthreadd\n"))); err == nil {
		t.Error("parseStatus without VmRSS: no error")
	}
}
