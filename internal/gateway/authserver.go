package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/prometheus/client_golang/prometheus"
)

// AuthServer serves forward-auth (/gateway/auth, as ForwardAuth does) and
// nothing else, on a listener of its own, through the strict HTTP/1.1
// reader of h1.go instead of net/http. A reverse proxy asks it once per
// map request: net/http's own work per request (a goroutine watching each
// connection for a background read, a context, a Request with its URL, a
// response with its chunking machinery) costs about twice what reading a
// head and writing a prepared answer does, and that difference is what
// the decision rate of the gateway is made of on small machines
// (BENCHMARKS.md).
//
// Contract:
//   - one goroutine per connection; requests of a connection are answered
//     in order (pipelined requests are read from the buffer, their answers
//     written together while a whole next head is buffered: an answer never
//     waits for a request still arriving);
//   - a head the reader refuses (see h1.go) is answered 400, 431 or 505
//     with a problem body saying what is wrong, and the connection closes;
//   - a target other than /gateway/auth (its query ignored) is answered
//     404, the connection kept;
//   - answers carry Date and Content-Length, never a body for HEAD; an
//     allowed answer is written without allocating;
//   - a connection reuses its buffers, header map, URI reader (uri.go)
//     and answer writer from one request to the next, and nothing of
//     one request shows in the answer to the next;
//   - IdleTimeout bounds the wait for a request, HeaderTimeout the reading
//     of one once its first byte has come, WriteTimeout the writing of
//     answers; Shutdown closes idle connections at once and lets the others
//     finish the request in hand.
//
// It speaks plain HTTP: put it where only the proxies reach it (loopback,
// a private network, or a Unix socket, the cheapest of all for a proxy on
// the same machine), as the proxies' own forward-auth settings expect.
type AuthServer struct {
	Auth                                     *ForwardAuth
	IdleTimeout, HeaderTimeout, WriteTimeout time.Duration
	Log                                      *slog.Logger
	// Registerer receives the counter of refused heads (nil: none).
	Registerer prometheus.Registerer

	once     sync.Once
	ctx      context.Context
	cancel   context.CancelFunc
	refused  *prometheus.CounterVec
	shutting atomic.Bool
	mu       sync.Mutex
	lns      map[net.Listener]struct{}
	conns    map[*authConn]struct{}
}

// authConn is one connection and whether it waits for a request (idle).
type authConn struct {
	net.Conn
	idle atomic.Bool
}

func (s *AuthServer) init() {
	s.once.Do(func() {
		s.ctx, s.cancel = context.WithCancel(context.Background())
		s.lns, s.conns = map[net.Listener]struct{}{}, map[*authConn]struct{}{}
		s.refused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "octroi_gateway_auth_refused_heads_total",
			Help: "Forward-auth requests refused before any decision, by status: malformed (400), too large (431), another HTTP version (505)."}, []string{"status"})
		if s.Registerer != nil {
			s.Registerer.MustRegister(s.refused)
		}
	})
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Serve accepts connections on ln until Shutdown or Close, and returns
// http.ErrServerClosed then (another error when accepting fails for
// good).
func (s *AuthServer) Serve(ln net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.shutting.Load() {
		s.mu.Unlock()
		ln.Close()
		return http.ErrServerClosed
	}
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	var pause time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.shutting.Load() {
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				pause = min(max(2*pause, 5*time.Millisecond), time.Second)
				s.log().Warn("forward-auth listener: accept failed; retrying", "error", err, "in", pause)
				time.Sleep(pause)
				continue
			}
			return err
		}
		pause = 0
		ac := &authConn{Conn: c}
		s.mu.Lock()
		if s.shutting.Load() {
			s.mu.Unlock()
			c.Close()
			return http.ErrServerClosed
		}
		s.conns[ac] = struct{}{}
		s.mu.Unlock()
		go s.serveConn(ac)
	}
}

func (s *AuthServer) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Shutdown stops accepting, closes idle connections, and waits for the
// others to finish the request in hand (or for ctx to end: it returns
// ctx's error then, and Close ends the rest).
func (s *AuthServer) Shutdown(ctx context.Context) error {
	s.init()
	s.shutting.Store(true)
	s.closeListeners()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		for c := range s.conns {
			if c.idle.CompareAndSwap(true, false) {
				c.Close()
			}
		}
		left := len(s.conns)
		s.mu.Unlock()
		if left == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Close stops accepting and closes every connection at once.
func (s *AuthServer) Close() error {
	s.init()
	s.shutting.Store(true)
	s.closeListeners()
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
	return nil
}

func (s *AuthServer) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.lns {
		ln.Close()
		delete(s.lns, ln)
	}
}

// serveConn answers the requests of c until it closes, fails, times out,
// asks to close, sends a head the reader refuses, or the server shuts
// down.
func (s *AuthServer) serveConn(c *authConn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	idle := orDefault(s.IdleTimeout, 2*time.Minute)
	headTime := orDefault(s.HeaderTimeout, 10*time.Second)
	writeTime := orDefault(s.WriteTimeout, 10*time.Second)
	r := newHeadReader(c)
	w := &answerWriter{bw: bufio.NewWriterSize(c, 4<<10)}
	peer := peerOf(c)
	var ur uriReader
	for {
		c.idle.Store(true)
		if s.shutting.Load() {
			return
		}
		// A deadline is set only where a read may wait (each costs a
		// timer's update): IdleTimeout when nothing of the next request
		// is buffered, HeaderTimeout when its head is not all buffered.
		if r.br.Buffered() == 0 {
			_ = c.SetReadDeadline(time.Now().Add(idle))
			if _, err := r.br.Peek(1); err != nil {
				return
			}
		}
		if !c.idle.CompareAndSwap(true, false) {
			return // Shutdown closed it meanwhile
		}
		if !r.headBuffered() {
			_ = c.SetReadDeadline(time.Now().Add(headTime))
		}
		hd, err := r.next()
		// One clock reading is the decision's instant (when its Decider
		// has no clock of its own), dates the answer and starts its
		// write deadline.
		now := time.Now()
		he, refused := err.(*headError) // not errors.As: its &he would cost an allocation per request
		switch {
		case refused:
			s.refused.WithLabelValues(strconv.Itoa(he.status)).Inc()
			s.log().Debug("forward-auth: request head refused", "peer", peer, "status", he.status, "why", he.Error())
			w.refusal(Decision{Status: he.status, Reason: ReasonBadRequest, Why: he.why}, "", false, true, now)
			_ = c.SetWriteDeadline(now.Add(writeTime))
			_ = w.bw.Flush()
			return
		case err != nil:
			return
		}
		var d Decision
		if path, _, _ := strings.Cut(hd.target, "?"); path == "/gateway/auth" {
			d = s.Auth.decide(s.ctx, hd.header, peer, &ur, now)
		} else {
			d = refusal(http.StatusNotFound, ReasonNoService, messages.New("gateway.http.not_found", messages.Quote(path)))
		}
		head := hd.method == http.MethodHead
		if d.Status == http.StatusOK {
			w.allowed(d, hd.close, now)
		} else {
			w.refusal(d, hd.header.Get("Accept-Language"), head, hd.close, now)
		}
		// Answers are written together only while a whole next head is
		// buffered: an answer never waits for a request still arriving
		// (half a head behind it would hold it until HeaderTimeout).
		if hd.close || !r.headBuffered() {
			_ = c.SetWriteDeadline(now.Add(writeTime))
			if w.bw.Flush() != nil || hd.close {
				return
			}
		}
	}
}

// answerWriter writes answers to a connection's buffer. It is also the
// http.ResponseWriter a refusal is written to (writeRefusalIn), whose
// headers and body it holds until the answer is complete.
type answerWriter struct {
	bw      *bufio.Writer
	dateSec int64
	date    []byte
	h       http.Header
	status  int
	body    bytes.Buffer
	scratch []byte
	names   []string // the header names of a refusal, sorted
	enc     *json.Encoder
	doc     problemDoc // the body encodeProblem encodes
	// The last Accept-Language negotiated and its language: a proxy
	// passes on the same few values, and negotiating costs more than
	// the rest of a refusal.
	acceptLanguage string
	lang           messages.Lang
}

// encodeProblem writes doc to the body (problemEncoder).
func (w *answerWriter) encodeProblem(doc problemDoc) {
	if w.enc == nil {
		w.enc = newProblemEncoder(&w.body)
	}
	w.doc = doc
	_ = w.enc.Encode(&w.doc) // a pointer to the writer's copy: no allocation
}

// negotiate is messages.Negotiate(acceptLanguage), remembered for the
// last value.
func (w *answerWriter) negotiate(acceptLanguage string) messages.Lang {
	if w.lang == "" || acceptLanguage != w.acceptLanguage {
		// a copy: the value is a substring of its whole head
		w.acceptLanguage, w.lang = strings.Clone(acceptLanguage), messages.Negotiate(acceptLanguage)
	}
	return w.lang
}

func (w *answerWriter) Header() http.Header         { return w.h }
func (w *answerWriter) WriteHeader(status int)      { w.status = status }
func (w *answerWriter) Write(p []byte) (int, error) { return w.body.Write(p) }

// allowed writes an allowed answer dated now: the headers
// ForwardAuth.ServeHTTP sets, and no body.
func (w *answerWriter) allowed(d Decision, close bool, now time.Time) {
	b := statusLine(w.scratch[:0], http.StatusOK)
	b = append(b, "Cache-Control: no-store\r\n"...)
	if d.Reason != "" {
		b = appendHeader(b, HeaderReason, d.Reason)
	}
	if d.Account != "" {
		b = appendHeader(b, HeaderAccount, d.Account)
		b = appendHeader(b, HeaderKey, d.Key)
	}
	b = w.end(b, 0, close, now)
	w.bw.Write(b)
	w.scratch = b
}

// refusal writes d's refusal as writeRefusalIn makes it, dated now,
// without its body when the request was HEAD.
func (w *answerWriter) refusal(d Decision, acceptLanguage string, head, close bool, now time.Time) {
	if w.h == nil {
		w.h = http.Header{}
	}
	clear(w.h)
	w.body.Reset()
	w.status = http.StatusOK
	writeRefusalIn(w, w.negotiate(acceptLanguage), d)
	b := statusLine(w.scratch[:0], w.status)
	names := w.names[:0]
	for name := range w.h {
		names = append(names, name)
	}
	slices.Sort(names)
	w.names = names
	for _, name := range names {
		for _, v := range w.h[name] {
			b = appendHeader(b, name, v)
		}
	}
	b = w.end(b, w.body.Len(), close, now)
	w.bw.Write(b)
	if !head {
		w.bw.Write(w.body.Bytes())
	}
	w.scratch = b
}

// end appends Date (now's), Content-Length, Connection: close when
// closing, and the empty line.
func (w *answerWriter) end(b []byte, length int, close bool, now time.Time) []byte {
	if sec := now.Unix(); sec != w.dateSec || w.date == nil {
		w.dateSec = sec
		w.date = now.UTC().AppendFormat(w.date[:0], http.TimeFormat)
	}
	b = append(b, "Date: "...)
	b = append(b, w.date...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(length), 10)
	b = append(b, "\r\n"...)
	if close {
		b = append(b, "Connection: close\r\n"...)
	}
	return append(b, "\r\n"...)
}

// appendHeader appends "name: value\r\n", with any CR, LF or NUL of value
// made a space (as net/http does), so that no value can end the head.
func appendHeader(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c == '\r' || c == '\n' || c == 0 {
			c = ' '
		}
		b = append(b, c)
	}
	return append(b, "\r\n"...)
}

// peerOf is the address of a connection's peer, as the forward-auth
// handler reads it from a request's RemoteAddr. The peer of a Unix socket
// is a process of this machine: it counts as 127.0.0.1, so that the
// trusted proxies (--gateway-trusted-proxies 127.0.0.1) and the keys' IP
// filters treat a proxy on this host alike over TCP and over a socket.
func peerOf(c net.Conn) netip.Addr {
	if c.RemoteAddr().Network() == "unix" {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	return peerAddr(c.RemoteAddr().String())
}
