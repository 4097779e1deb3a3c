package gateway_test

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
)

// BenchmarkAuthServerConn measures the server's side of one forward-auth
// request alone: one connection, in memory, that sends the same request
// b.N times, one at a time, and swallows the answers; no load generator,
// no system calls, no other goroutine on the path. Its allocs/op and
// ns/op are the listener's, the reader's and the decision's (with the
// usage log on), without the noise of the end-to-end benchmarks
// (BenchmarkForwardAuthLean).
func BenchmarkAuthServerConn(b *testing.B) {
	p := benchSetup(b)
	const uri = "/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=topo_routes&BBOX=1,2,3,4&WIDTH=256&HEIGHT=256"
	head := "GET /gateway/auth HTTP/1.1\r\nHost: auth\r\nX-Original-Method: GET\r\nX-Original-Uri: " + uri +
		"\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.7\r\n"
	for _, c := range []struct {
		name, req, status string
	}{
		{"allowed", head + "Apikey: " + p.secrets[0] + "\r\n\r\n", "HTTP/1.1 200 "},
		{"no_key", head + "Accept-Language: fr\r\n\r\n", "HTTP/1.1 401 "},
	} {
		b.Run(c.name, func(b *testing.B) {
			dec, _ := withUsageLog(b, p.e)
			s := &gateway.AuthServer{Auth: &gateway.ForwardAuth{Decider: dec}}
			conn := &loopConn{req: []byte(c.req), left: b.N, done: make(chan struct{})}
			conn.start.Add(1)
			ln := &oneConnListener{conn: conn, closed: make(chan struct{})}
			go s.Serve(ln)
			defer s.Close()
			b.ReportAllocs()
			b.ResetTimer()
			conn.start.Done()
			<-conn.done
			b.StopTimer()
			if !bytes.HasPrefix(conn.first, []byte(c.status)) {
				b.Fatalf("first answer %q, want %q...", conn.first, c.status)
			}
			if conn.answers != b.N {
				b.Fatalf("%d answers to %d requests", conn.answers, b.N)
			}
		})
	}
}

// loopConn is a connection that sends req left times, one request per
// Read, then ends; it keeps the first answer and counts the others
// (one Write per answer: the server flushes when nothing more is read).
type loopConn struct {
	req     []byte
	left    int
	start   sync.WaitGroup
	first   []byte
	answers int
	done    chan struct{}
	once    sync.Once
	started bool
}

func (c *loopConn) Read(p []byte) (int, error) {
	if !c.started {
		c.started = true
		c.start.Wait()
	}
	if c.left == 0 {
		return 0, io.EOF
	}
	c.left--
	return copy(p, c.req), nil
}

func (c *loopConn) Write(p []byte) (int, error) {
	if c.first == nil {
		c.first = append([]byte(nil), p...)
	}
	c.answers++
	return len(p), nil
}

func (c *loopConn) Close() error                       { c.once.Do(func() { close(c.done) }); return nil }
func (c *loopConn) LocalAddr() net.Addr                { return &net.UnixAddr{Name: "auth.sock", Net: "unix"} }
func (c *loopConn) RemoteAddr() net.Addr               { return &net.UnixAddr{Name: "@", Net: "unix"} }
func (c *loopConn) SetDeadline(t time.Time) error      { return nil }
func (c *loopConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *loopConn) SetWriteDeadline(t time.Time) error { return nil }

// oneConnListener accepts conn once, then waits to be closed.
type oneConnListener struct {
	conn     net.Conn
	accepted bool
	closed   chan struct{}
	once     sync.Once
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	if !l.accepted {
		l.accepted = true
		return l.conn, nil
	}
	<-l.closed
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error   { l.once.Do(func() { close(l.closed) }); return nil }
func (l *oneConnListener) Addr() net.Addr { return &net.UnixAddr{Name: "auth.sock", Net: "unix"} }
