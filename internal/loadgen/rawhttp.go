package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The gateway operation's client: one kept-alive HTTP/1.1 connection per
// worker, each request written from bytes made once, each answer read
// with nothing but its status line and the headers it is verified on
// (like wrk). net/http's client costs about as much CPU per request as
// the forward-auth decision it measures (two goroutines and channels per
// connection, a Request and a Response with their header maps): on two
// cores shared by client and server, that CPU is taken from the server.
//
// It is used for plain http:// endpoints; https:// goes through net/http.
// It speaks only what a forward-auth answer needs: a status line, headers,
// a body of Content-Length bytes or chunked; any other answer (or a
// "Connection: close") closes the connection and the next request dials
// again.

// rawConn is one worker's connection.
type rawConn struct {
	network, addr string
	c             net.Conn
	r             *bufio.Reader
}

// rawAnswer is what is read of an answer.
type rawAnswer struct {
	status int
	// got holds, for each expectation of the request, the value of its
	// header in the answer, and whether it was present.
	got     [maxExpect]string
	present [maxExpect]bool
	reason  string
}

// maxExpect bounds the answer headers one request verifies.
const maxExpect = 4

var errBadAnswer = errors.New("malformed HTTP answer")

func (rc *rawConn) dial(timeout time.Duration) error {
	d := net.Dialer{Timeout: timeout}
	if rc.network != "unix" {
		d.Control = dialLoopbackOnly
	}
	c, err := d.Dial(rc.network, rc.addr)
	if err != nil {
		return err
	}
	rc.c, rc.r = c, bufio.NewReaderSize(c, 8<<10)
	return nil
}

func (rc *rawConn) close() {
	if rc.c != nil {
		rc.c.Close()
		rc.c = nil
	}
}

// roundTrip sends req (a whole HTTP/1.1 request) and reads its answer,
// noting the headers named in expect (canonical names, as bytes).
func (rc *rawConn) roundTrip(req []byte, expect []expectation, timeout time.Duration, a *rawAnswer) error {
	if rc.c == nil {
		if err := rc.dial(timeout); err != nil {
			return err
		}
	}
	_ = rc.c.SetDeadline(time.Now().Add(timeout))
	if _, err := rc.c.Write(req); err != nil {
		rc.close()
		return err
	}
	keep, err := rc.readAnswer(expect, a)
	if err != nil || !keep {
		rc.close()
	}
	return err
}

var (
	hdrContentLength    = []byte("Content-Length")
	hdrTransferEncoding = []byte("Transfer-Encoding")
	hdrConnection       = []byte("Connection")
	hdrReason           = []byte("X-Octroi-Reason")
)

// readAnswer reads one answer; keep is false when the connection must
// not be reused.
func (rc *rawConn) readAnswer(expect []expectation, a *rawAnswer) (keep bool, err error) {
	line, err := rc.r.ReadSlice('\n')
	if err != nil {
		return false, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return false, errBadAnswer
	}
	a.status = 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return false, errBadAnswer
		}
		a.status = a.status*10 + int(c-'0')
	}
	for i := range expect {
		a.got[i], a.present[i] = "", false
	}
	a.reason = ""
	length, chunked := -1, false
	keep = line[7] == '1' // HTTP/1.0 closes unless told otherwise
	for {
		line, err = rc.r.ReadSlice('\n')
		if err != nil {
			return false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return false, errBadAnswer
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, hdrContentLength):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 {
				return false, errBadAnswer
			}
			length = n
		case bytes.EqualFold(name, hdrTransferEncoding):
			chunked = bytes.EqualFold(value, []byte("chunked"))
			if !chunked {
				return false, errBadAnswer
			}
		case bytes.EqualFold(name, hdrConnection):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			}
		case bytes.EqualFold(name, hdrReason):
			a.reason = string(value)
		}
		for i, e := range expect {
			if bytes.EqualFold(name, e.name) {
				a.got[i], a.present[i] = string(value), true
			}
		}
	}
	switch {
	case chunked:
		return keep, rc.discardChunked()
	case length >= 0:
		_, err = rc.r.Discard(length)
		return keep, err
	case a.status == 204 || a.status == 304 || a.status < 200:
		return keep, nil
	}
	// Neither length nor chunks: the body runs to the end of the
	// connection.
	_, err = io.Copy(io.Discard, rc.r)
	return false, err
}

func (rc *rawConn) discardChunked() error {
	for {
		line, err := rc.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || n < 0 {
			return errBadAnswer
		}
		if n == 0 {
			// Trailers, then the empty line.
			for {
				line, err := rc.r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if _, err := rc.r.Discard(int(n) + 2); err != nil {
			return err
		}
	}
}

// expectation is an answer header a gateway request verifies: its value
// must be Value; an empty Value means the header must be absent (or
// empty).
type expectation struct {
	name  []byte
	value string
}

// rawRequest builds the bytes of g's forward-auth request to endpoint
// (an http:// URL, or unix: and a socket's path), as nginx's
// auth_request sends it, and the network and address to dial.
func rawRequest(endpoint string, g GatewayRequest) (network, addr string, req []byte, err error) {
	network, host, prefix := "unix", "localhost", ""
	if path, ok := strings.CutPrefix(endpoint, unixPrefix); ok {
		addr = path
	} else {
		u, err := url.Parse(endpoint)
		if err != nil {
			return "", "", nil, err
		}
		network, addr, host, prefix = "tcp", u.Host, u.Host, u.EscapedPath()
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s/gateway/auth HTTP/1.1\r\nHost: %s\r\n", prefix, host)
	fmt.Fprintf(&b, "X-Original-Method: %s\r\nX-Original-Uri: %s\r\n", g.Method, g.URI)
	for name, vs := range g.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", name, v)
		}
	}
	b.WriteString("\r\n")
	return network, addr, b.Bytes(), nil
}
