package server

import (
	"net"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// limitListener bounds the connections open at once (max), and those of
// one remote address (perIP, 0: no bound). It waits for a free slot
// before accepting, so that connections beyond max wait in the kernel's
// backlog and are served in turn, instead of the process running out of
// files; a connection over its address's bound is closed at once, so one
// address cannot take every slot.
type limitListener struct {
	net.Listener
	slots   chan struct{}
	perIP   int
	closed  chan struct{}
	once    sync.Once
	refused prometheus.Counter

	mu   sync.Mutex
	open map[string]int // remote host → open connections
}

func newLimitListener(ln net.Listener, max, perIP int, refused prometheus.Counter) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, max), perIP: perIP,
		closed: make(chan struct{}), refused: refused, open: map[string]int{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.closed:
			return nil, net.ErrClosed
		}
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.slots
			return nil, err
		}
		host := remoteHost(c)
		if l.admit(host) {
			return &limitedConn{Conn: c, l: l, host: host}, nil
		}
		c.Close()
		<-l.slots
		l.refused.Inc()
	}
}

// admit counts a connection of host, unless host has perIP open already.
func (l *limitListener) admit(host string) bool {
	if l.perIP <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[host] >= l.perIP {
		return false
	}
	l.open[host]++
	return true
}

func (l *limitListener) release(host string) {
	if l.perIP > 0 {
		l.mu.Lock()
		if l.open[host]--; l.open[host] <= 0 {
			delete(l.open, host)
		}
		l.mu.Unlock()
	}
	<-l.slots
}

// Close closes the listener and ends an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func remoteHost(c net.Conn) string {
	addr := c.RemoteAddr().String()
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// limitedConn gives its slot back when closed (net/http may close twice).
type limitedConn struct {
	net.Conn
	l    *limitListener
	host string
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.host) })
	return err
}
