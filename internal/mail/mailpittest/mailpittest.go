// Package mailpittest starts a real SMTP server for tests: mailpit
// (github.com/axllent/mailpit, installed by .ci/run with go install), on
// free loopback ports, with its HTTP API to read what arrived. A test
// that needs it skips when the mailpit binary is missing, and fails
// instead when the environment variable CI is set, so that CI never passes
// by skipping.
package mailpittest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/testbin"
)

// Options choose how the server listens.
type Options struct {
	// TLS: "" or "none" (plain SMTP), "starttls" (STARTTLS required) or
	// "tls" (implicit TLS), with a certificate generated for 127.0.0.1.
	TLS string
	// User and Password, when set, are required of clients (PLAIN or
	// LOGIN); over plain SMTP mailpit then allows them unencrypted.
	User, Password string
	// AllowedRecipients, when set, is a regular expression: recipients
	// that do not match are refused (550), as a bad address is.
	AllowedRecipients string
}

// Server is a running mailpit.
type Server struct {
	// SMTP is the SMTP address (127.0.0.1:port), API the HTTP API's base
	// URL.
	SMTP string
	API  string
	// RootCAs trusts the generated certificate (nil without TLS).
	RootCAs *x509.CertPool
	t       testing.TB
}

// Binary returns the path of the mailpit binary: on PATH, or where go
// install puts it.
func Binary() (string, error) {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, nil
	}
	dirs := []string{os.Getenv("GOBIN")}
	if gp := os.Getenv("GOPATH"); gp != "" {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, "mailpit")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("mailpit is not installed (go install github.com/axllent/mailpit@v1.33.1)")
}

// Start starts mailpit for t and stops it when t ends. It skips t
// without mailpit, or fails it when CI is set.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		testbin.Unavailable(t, "mailpittest: %v", err)
	}
	dir := t.TempDir()
	s := &Server{t: t}
	args := []string{"--database", filepath.Join(dir, "mailpit.db"), "--smtp-disable-rdns", "--disable-version-check", "--enable-chaos"}
	switch o.TLS {
	case "", "none":
	case "starttls", "tls":
		cert, key, pool := selfSigned(t, dir)
		s.RootCAs = pool
		args = append(args, "--smtp-tls-cert", cert, "--smtp-tls-key", key)
		if o.TLS == "tls" {
			args = append(args, "--smtp-require-tls")
		} else {
			args = append(args, "--smtp-require-starttls")
		}
	default:
		t.Fatalf("mailpittest: TLS %q", o.TLS)
	}
	if o.User != "" {
		f := filepath.Join(dir, "smtp-auth")
		if err := os.WriteFile(f, []byte(o.User+":"+o.Password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--smtp-auth-file", f)
		if o.TLS == "" || o.TLS == "none" {
			args = append(args, "--smtp-auth-allow-insecure")
		}
	}
	if o.AllowedRecipients != "" {
		args = append(args, "--smtp-allowed-recipients", o.AllowedRecipients)
	}
	// Ports are picked free and then bound by mailpit: another process may
	// take one in between, so a failed start tries new ports.
	for try := 0; ; try++ {
		smtp, api := freePort(t), freePort(t)
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin, append(args, "--smtp", smtp, "--listen", api)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatalf("mailpittest: starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		s.SMTP, s.API = smtp, "http://"+api
		if s.ready(exited) {
			t.Cleanup(func() {
				cancel()
				<-exited
			})
			return s
		}
		cancel()
		<-exited
		if try == 4 {
			t.Fatalf("mailpittest: mailpit did not start: %s", out.String())
		}
	}
}

// ready waits until both the API answers and the SMTP port accepts.
func (s *Server) ready(exited <-chan struct{}) bool {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		resp, err := http.Get(s.API + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if c, err := net.DialTimeout("tcp", s.SMTP, time.Second); err == nil {
				c.Close()
				if resp.StatusCode == http.StatusOK {
					return true
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// selfSigned writes a certificate and key for 127.0.0.1 and localhost and
// returns their files and a pool that trusts the certificate.
func selfSigned(t testing.TB, dir string) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// Address is a mailbox of a message.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Message is a message as mailpit's API lists it, with its bodies once
// read (Messages reads them).
type Message struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
	Text      string    `json:"Text"`
	HTML      string    `json:"HTML"`
	// Headers holds the message's headers (read by Messages).
	Headers map[string][]string `json:"-"`
}

// Messages returns every message that arrived, oldest first, with their
// bodies and headers.
func (s *Server) Messages() []Message {
	s.t.Helper()
	var list struct {
		Messages []Message `json:"messages"`
	}
	s.get("/api/v1/messages?limit=10000", &list)
	out := make([]Message, 0, len(list.Messages))
	for i := len(list.Messages) - 1; i >= 0; i-- { // the API lists newest first
		var m Message
		s.get("/api/v1/message/"+list.Messages[i].ID, &m)
		m.Headers = map[string][]string{}
		s.get("/api/v1/message/"+list.Messages[i].ID+"/headers", &m.Headers)
		out = append(out, m)
	}
	return out
}

// Chaos sets mailpit's failure triggers: the SMTP code (0: none) it
// answers to every RCPT TO (recipient) or MAIL FROM (sender), with
// probability 100.
func (s *Server) Chaos(sender, recipient int) {
	s.t.Helper()
	trig := func(code int) map[string]int {
		if code == 0 {
			return map[string]int{"ErrorCode": 451, "Probability": 0}
		}
		return map[string]int{"ErrorCode": code, "Probability": 100}
	}
	body, _ := json.Marshal(map[string]any{"Sender": trig(sender), "Recipient": trig(recipient), "Authentication": trig(0)})
	req, _ := http.NewRequest(http.MethodPut, s.API+"/api/v1/chaos", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("mailpittest: setting chaos: %s", resp.Status)
	}
}

func (s *Server) get(path string, into any) {
	s.t.Helper()
	resp, err := http.Get(s.API + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("mailpittest: GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		s.t.Fatalf("mailpittest: GET %s: %v", path, err)
	}
}

// WaitFor waits until n messages have arrived (or fails t after a
// minute) and returns them.
func (s *Server) WaitFor(n int) []Message {
	s.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var list struct {
			Total int `json:"messages_count"`
		}
		s.get("/api/v1/messages?limit=1", &list)
		if list.Total >= n {
			return s.Messages()
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("mailpittest: %d messages arrived, want %d", list.Total, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ToList returns the addresses of m's recipients, comma-separated.
func (m Message) ToList() string {
	var as []string
	for _, a := range m.To {
		as = append(as, a.Address)
	}
	return strings.Join(as, ",")
}
