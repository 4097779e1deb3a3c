package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/messages"
)

// A strict reader of HTTP/1.1 request heads, for the forward-auth
// listener (AuthServer). A forward-auth request is a request line and
// headers, never a body, and it comes from a reverse proxy that writes
// well-formed HTTP; so the reader accepts a narrow subset of RFC 9112 and
// refuses everything else with an answer that says what is wrong, then
// closes the connection. Being narrow is what keeps it safe on the path
// of every map request: a request that two HTTP readers could frame
// differently (request smuggling) is refused, never interpreted.
//
// Accepted: a request line "METHOD SP origin-form SP HTTP/1.1" (or
// HTTP/1.0), method a token, target printable ASCII starting with "/";
// header lines "Name: value" (name a token, no space before the colon;
// value printable, obs-text and tabs allowed, surrounding blanks
// dropped); every line ends with CRLF. Refused: an empty line before the
// request line (RFC 9112 §2.2 lets a server skip it; net/http does not), a bare LF or a CR inside a
// line, a control character, a folded header line (obs-fold), any
// Transfer-Encoding, a Content-Length other than 0 (the request would
// carry a body), an HTTP/1.1 request without exactly one Host, a head
// over maxHeadBytes or maxHeaders, and every other version.

const (
	// maxHeadBytes bounds a request head (nginx's default bounds a
	// client's request line and each header at 8 KiB: a forward-auth
	// head carries the original URI once more).
	maxHeadBytes = 64 << 10
	// maxHeaders bounds the header lines of a head.
	maxHeaders = 128
	// readBufferSize is the longest line the reader takes.
	readBufferSize = 16 << 10
)

// headError is a request head the reader refuses: the status and what
// to say. The connection is closed after the answer.
type headError struct {
	status int
	why    messages.Message
}

func (e *headError) Error() string { return e.why.In(messages.English) }

func badHead(key messages.Key, args ...any) *headError {
	return &headError{status: http.StatusBadRequest, why: messages.New(key, args...)}
}

// head is one request head as read: method and target are substrings of
// text (one string per head), so are the header map's values (its names
// may be those of an earlier head of the connection). The header map is
// the reader's, read-only: the next head reuses it.
type head struct {
	method, target string
	header         http.Header
	// close: answer, then close the connection (Connection: close, or
	// HTTP/1.0 without keep-alive).
	close bool
}

// headReader reads request heads off one connection. Its buffers (the
// head's bytes, the header map and the value slices) are reused from one
// request to the next: a head must not be kept once the next is read.
type headReader struct {
	br     *bufio.Reader
	block  []byte // the head's lines, CRLF included
	lines  []int  // where each header line starts in block
	fields []field
	h      valueMap // the header map
}

func newHeadReader(r io.Reader) *headReader {
	return &headReader{br: bufio.NewReaderSize(r, readBufferSize)}
}

// field is a header line's name and value, as offsets in the head.
type field struct{ name, value [2]int }

// errIncomplete: the connection ended or timed out in the middle of a
// head (nothing to answer).
var errIncomplete = errors.New("incomplete request head")

// headBuffered reports whether the buffer holds the end of a head (an
// empty line after a line's CRLF): next then returns without reading
// the connection, whatever it finds before that end.
func (r *headReader) headBuffered() bool {
	b, _ := r.br.Peek(r.br.Buffered())
	// The usual end first: a proxy sends one head, then waits for its
	// answer (searching the whole head costs half a deadline's update).
	return bytes.HasSuffix(b, crlfcrlf) || bytes.Contains(b, crlfcrlf)
}

var crlfcrlf = []byte("\r\n\r\n")

// line reads one line ending in LF, and checks that it ends in CRLF and
// holds no other CR.
func (r *headReader) line(n int) ([]byte, error) {
	l, err := r.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return nil, &headError{status: http.StatusRequestHeaderFieldsTooLarge, why: messages.New("gateway.http.line_too_long", n, readBufferSize)}
	case err != nil:
		if len(l) == 0 && n == 1 && err == io.EOF {
			return nil, io.EOF
		}
		return nil, errIncomplete
	}
	if len(l) < 2 || l[len(l)-2] != '\r' || bytes.IndexByte(l[:len(l)-2], '\r') >= 0 {
		return nil, badHead("gateway.http.crlf", n)
	}
	return l, nil
}

// next reads the next request head. It returns io.EOF when the
// connection ends cleanly before a request, errIncomplete when it ends
// within one, and a *headError for a head it refuses.
func (r *headReader) next() (head, error) {
	first, err := r.line(1)
	if err != nil {
		return head{}, err
	}
	r.block = append(r.block[:0], first...)
	r.lines = r.lines[:0]
	for n := 2; ; n++ {
		l, err := r.line(n)
		if err == io.EOF {
			err = errIncomplete
		}
		if err != nil {
			return head{}, err
		}
		if len(l) == 2 {
			break
		}
		if len(r.block)+len(l) > maxHeadBytes || len(r.lines) == maxHeaders {
			return head{}, &headError{status: http.StatusRequestHeaderFieldsTooLarge, why: messages.New("gateway.http.head_too_large", maxHeadBytes, maxHeaders)}
		}
		r.lines = append(r.lines, len(r.block))
		r.block = append(r.block, l...)
	}
	return r.parse()
}

// parse checks the head in r.block and makes it a head: one string for
// its text, the names canonicalised in place first.
func (r *headReader) parse() (head, error) {
	end := len(r.block)
	if len(r.lines) > 0 {
		end = r.lines[0]
	}
	mEnd, tEnd, err := requestLine(r.block[:end-2])
	if err != nil {
		return head{}, err
	}
	fields := r.fields[:0]
	for i, at := range r.lines {
		stop := len(r.block)
		if i+1 < len(r.lines) {
			stop = r.lines[i+1]
		}
		l := r.block[at : stop-2]
		colon := bytes.IndexByte(l, ':')
		if colon <= 0 || !isToken(l[:colon]) {
			return head{}, badHead("gateway.http.header", i+2)
		}
		vs, ve := colon+1, len(l)
		for vs < ve && (l[vs] == ' ' || l[vs] == '\t') {
			vs++
		}
		for ve > vs && (l[ve-1] == ' ' || l[ve-1] == '\t') {
			ve--
		}
		for _, c := range l[vs:ve] {
			if (c < ' ' && c != '\t') || c == 0x7f {
				return head{}, badHead("gateway.http.header", i+2)
			}
		}
		canonicalize(l[:colon])
		fields = append(fields, field{name: [2]int{at, at + colon}, value: [2]int{at + vs, at + ve}})
	}
	r.fields = fields
	text := string(r.block)
	r.h.set(len(fields), func(i int) string { return text[fields[i].name[0]:fields[i].name[1]] },
		func(i int) string { return text[fields[i].value[0]:fields[i].value[1]] })
	hd := head{method: text[:mEnd], target: text[mEnd+1 : tEnd], header: r.h.m}
	err = hd.check(text[tEnd+1 : end-2])
	return hd, err
}

// requestLine checks "METHOD SP target SP HTTP/1.x" and returns where
// the method and the target end.
func requestLine(l []byte) (mEnd, tEnd int, err error) {
	mEnd = bytes.IndexByte(l, ' ')
	if mEnd <= 0 || !isToken(l[:mEnd]) {
		return 0, 0, badHead("gateway.http.request_line")
	}
	tEnd = bytes.IndexByte(l[mEnd+1:], ' ')
	if tEnd <= 0 {
		return 0, 0, badHead("gateway.http.request_line")
	}
	tEnd += mEnd + 1
	target := l[mEnd+1 : tEnd]
	if target[0] != '/' {
		return 0, 0, badHead("gateway.http.request_line")
	}
	path := true
	for i, c := range target {
		switch {
		case c <= ' ' || c >= 0x7f:
			return 0, 0, badHead("gateway.http.request_line")
		case c == '?':
			path = false
		case c == '%' && path && (i+2 >= len(target) || !isHex(target[i+1]) || !isHex(target[i+2])):
			// an escape of the path that net/http (and so the
			// proxy in front) would not read
			return 0, 0, badHead("gateway.http.request_line")
		}
	}
	version := l[tEnd+1:]
	switch {
	case string(version) == "HTTP/1.1" || string(version) == "HTTP/1.0":
	case len(version) == 8 && bytes.HasPrefix(version, []byte("HTTP/")) && version[6] == '.':
		return 0, 0, &headError{status: http.StatusHTTPVersionNotSupported, why: messages.New("gateway.http.version", messages.Quote(string(version)))}
	default:
		return 0, 0, badHead("gateway.http.request_line")
	}
	return mEnd, tEnd, nil
}

// check applies the rules on the head as a whole: no body, the Host,
// and whether the connection stays open.
func (hd *head) check(version string) error {
	h := hd.header
	if _, ok := h["Transfer-Encoding"]; ok {
		return badHead("gateway.http.body")
	}
	for _, v := range h["Content-Length"] {
		if v != "0" {
			return badHead("gateway.http.body")
		}
	}
	hosts := h["Host"]
	if len(hosts) > 1 || (len(hosts) == 0 && version == "HTTP/1.1") || (len(hosts) == 1 && !validHost(hosts[0])) {
		return badHead("gateway.http.host")
	}
	closing, keepAlive := false, false
	for _, v := range h["Connection"] {
		for o := range strings.SplitSeq(v, ",") {
			o = strings.TrimSpace(o)
			closing = closing || strings.EqualFold(o, "close")
			keepAlive = keepAlive || strings.EqualFold(o, "keep-alive")
		}
	}
	hd.close = closing || (version == "HTTP/1.0" && !keepAlive)
	return nil
}

// validHost: the bytes a Host may hold (those of a host name, an IP
// address literal and a port), as net/http reads them.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= 0x80 || !(tchar[c] && c != '#' && c != '^' && c != '`' && c != '|' || strings.IndexByte("()*,;=[]:", c) >= 0) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isToken: one or more tchar of RFC 9110 §5.6.2.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c >= 0x80 || !tchar[c] {
			return false
		}
	}
	return true
}

var tchar = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// canonicalize makes a token header name canonical in place, as
// textproto.CanonicalMIMEHeaderKey does: upper case at the start and
// after each hyphen, lower case elsewhere.
func canonicalize(name []byte) {
	upper := true
	for i, c := range name {
		switch {
		case upper && 'a' <= c && c <= 'z':
			name[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			name[i] = c - 'A' + 'a'
		}
		upper = c == '-'
	}
}

// statusLine returns "HTTP/1.1 NNN Text\r\n" for status.
func statusLine(b []byte, status int) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	return append(b, "\r\n"...)
}
