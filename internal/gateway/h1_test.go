package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"net/http"
	"net/textproto"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
)

func readHeads(raw string) ([]*head, error) {
	r := newHeadReader(strings.NewReader(raw))
	var out []*head
	for {
		hd, err := r.next()
		if err != nil {
			return out, err
		}
		// a deep copy: the reader reuses its map and the backing of
		// its value slices
		hd.header = hd.header.Clone()
		out = append(out, &hd)
	}
}

func TestHeadReaderAccepts(t *testing.T) {
	heads, err := readHeads("GET /gateway/auth HTTP/1.1\r\nHost: o\r\nx-original-uri:  /wms?LAYERS=a b \r\nAPIKEY: k\r\nX-Forwarded-For: 1.2.3.4\r\nx-forwarded-for: 5.6.7.8\r\nContent-Length: 0\r\n\r\n" +
		"HEAD /gateway/auth?x=1 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n" +
		"GET /gateway/auth HTTP/1.0\r\n\r\n" +
		"GET /x HTTP/1.1\r\nHost: o\r\nConnection: foo, close\r\nReferer: é\t\r\n\r\n")
	if err != io.EOF {
		t.Fatalf("err %v, want io.EOF after four heads", err)
	}
	if len(heads) != 4 {
		t.Fatalf("%d heads, want 4", len(heads))
	}
	h := heads[0]
	if h.method != "GET" || h.target != "/gateway/auth" || h.close {
		t.Errorf("first: %q %q close=%v", h.method, h.target, h.close)
	}
	want := http.Header{"Host": {"o"}, "X-Original-Uri": {"/wms?LAYERS=a b"}, "Apikey": {"k"}, "X-Forwarded-For": {"1.2.3.4", "5.6.7.8"}, "Content-Length": {"0"}}
	if !maps.EqualFunc(h.header, want, slices.Equal) {
		t.Errorf("headers %v, want %v", h.header, want)
	}
	if h := heads[1]; h.method != "HEAD" || h.target != "/gateway/auth?x=1" || h.close {
		t.Errorf("HTTP/1.0 keep-alive: %q %q close=%v", h.method, h.target, h.close)
	}
	if !heads[2].close || !heads[3].close {
		t.Errorf("HTTP/1.0 without keep-alive, or Connection: close, must close")
	}
	if got := heads[3].header.Get("Referer"); got != "é" {
		t.Errorf("obs-text value with a trailing tab: %q", got)
	}
}

func TestHeadReaderRefuses(t *testing.T) {
	long := strings.Repeat("a", readBufferSize)
	many := strings.Repeat("X-A: 1\r\n", maxHeaders+1)
	for _, c := range []struct {
		name, raw string
		status    int
		key       messages.Key
	}{
		{"bare LF", "GET /gateway/auth HTTP/1.1\nHost: o\n\n", 400, "gateway.http.crlf"},
		{"bare LF in a header", "GET /gateway/auth HTTP/1.1\r\nHost: o\n\r\n", 400, "gateway.http.crlf"},
		{"CR inside a line", "GET /gateway/auth HTTP/1.1\r\nHost: o\rX: 1\r\n\r\n", 400, "gateway.http.crlf"},
		{"obs-fold", "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nX-A: 1\r\n 2\r\n\r\n", 400, "gateway.http.header"},
		{"space before the colon", "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nTransfer-Encoding : chunked\r\n\r\n", 400, "gateway.http.header"},
		{"no colon", "GET /gateway/auth HTTP/1.1\r\nHost o\r\n\r\n", 400, "gateway.http.header"},
		{"empty name", "GET /gateway/auth HTTP/1.1\r\n: o\r\n\r\n", 400, "gateway.http.header"},
		{"NUL in a value", "GET /gateway/auth HTTP/1.1\r\nHost: o\x00\r\n\r\n", 400, "gateway.http.header"},
		{"DEL in a value", "GET /gateway/auth HTTP/1.1\r\nHost: o\x7f\r\n\r\n", 400, "gateway.http.header"},
		{"chunked body", "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "gateway.http.body"},
		{"any Transfer-Encoding", "GET /gateway/auth HTTP/1.1\r\nHost: o\r\ntransfer-encoding: identity\r\n\r\n", 400, "gateway.http.body"},
		{"a body", "POST /gateway/auth HTTP/1.1\r\nHost: o\r\nContent-Length: 5\r\n\r\nhello", 400, "gateway.http.body"},
		{"two lengths", "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n", 400, "gateway.http.body"},
		{"a signed length", "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nContent-Length: +0\r\n\r\n", 400, "gateway.http.body"},
		{"no Host", "GET /gateway/auth HTTP/1.1\r\n\r\n", 400, "gateway.http.host"},
		{"two Hosts", "GET /gateway/auth HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400, "gateway.http.host"},
		{"absolute form", "GET http://o/gateway/auth HTTP/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"asterisk", "OPTIONS * HTTP/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"two spaces", "GET  /gateway/auth HTTP/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"space in the target", "GET /gateway/auth x HTTP/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"tab separator", "GET\t/gateway/auth HTTP/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"non-ASCII target", "GET /gateway/authé HTTP/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"no version", "GET /gateway/auth\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"lower-case version", "GET /gateway/auth http/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"HTTP/2.0", "GET /gateway/auth HTTP/2.0\r\nHost: o\r\n\r\n", 505, "gateway.http.version"},
		{"HTTP/1.2", "GET /gateway/auth HTTP/1.2\r\nHost: o\r\n\r\n", 505, "gateway.http.version"},
		{"method not a token", "G(T /gateway/auth HTTP/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"an empty line first", "\r\nGET /gateway/auth HTTP/1.1\r\nHost: o\r\n\r\n", 400, "gateway.http.request_line"},
		{"a line too long", "GET /" + long + " HTTP/1.1\r\nHost: o\r\n\r\n", 431, "gateway.http.line_too_long"},
		{"too many headers", "GET /gateway/auth HTTP/1.1\r\nHost: o\r\n" + many + "\r\n", 431, "gateway.http.head_too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readHeads(c.raw)
			var he *headError
			if !errors.As(err, &he) {
				t.Fatalf("err %v, want a refusal", err)
			}
			if he.status != c.status || he.why.Key != c.key {
				t.Errorf("refused %d %s (%s), want %d %s", he.status, he.why.Key, he.Error(), c.status, c.key)
			}
			for _, l := range []messages.Lang{messages.English, messages.French} {
				if s := he.why.In(l); s == "" || strings.Contains(s, "%!") {
					t.Errorf("%s message %q", l, s)
				}
			}
		})
	}
}

func TestHeadReaderTooLargeHead(t *testing.T) {
	line := "X-A: " + strings.Repeat("b", 8<<10) + "\r\n"
	_, err := readHeads("GET /gateway/auth HTTP/1.1\r\nHost: o\r\n" + strings.Repeat(line, 8) + "\r\n")
	var he *headError
	if !errors.As(err, &he) || he.status != 431 {
		t.Fatalf("a head of 64 KiB and more: %v, want 431", err)
	}
}

func TestHeadReaderIncomplete(t *testing.T) {
	for _, raw := range []string{"GET /gateway/auth HTTP/1.1\r\nHost: o\r\n", "GET /gate"} {
		if _, err := readHeads(raw); err != errIncomplete {
			t.Errorf("%q: %v, want errIncomplete", raw, err)
		}
	}
	if _, err := readHeads(""); err != io.EOF {
		t.Errorf("nothing: %v, want io.EOF", err)
	}
}

// FuzzHeadReader holds the reader to net/http's: whatever it accepts,
// net/http reads as the same request (method, target, headers), without a
// body, and ending at the same byte, so that no request can be framed one
// way here and another way by the proxy in front (both speak net/http's
// HTTP or stricter). What it refuses, it refuses with a message.
func FuzzHeadReader(f *testing.F) {
	for _, s := range []string{
		"GET /gateway/auth HTTP/1.1\r\nHost: o\r\nApikey: k\r\n\r\nGET /gateway/auth HTTP/1.1\r\nHost: o\r\n\r\n",
		"GET /gateway/auth HTTP/1.1\r\nHost: o\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST /gateway/auth HTTP/1.1\r\nHost: o\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: o\r\n\r\n",
		"GET /gateway/auth HTTP/1.0\r\nConnection: keep-alive\r\nX-A:\t v \t\r\n\r\n",
		"GET /gateway/auth HTTP/1.1\r\nHost: o\r\nX: 1\r\n 2\r\n\r\n",
		"GET /a%20b?c=%zz HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
		"GET /a%2 HTTP/1.1\r\nHost: o\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		src := bytes.NewReader(raw)
		r := newHeadReader(src)
		hd, err := r.next()
		var he *headError
		if errors.As(err, &he) {
			if he.why.In(messages.English) == "" || he.status < 400 {
				t.Fatalf("refusal without a message: %+v", he)
			}
			return
		}
		if err != nil {
			return
		}
		consumed := len(raw) - r.br.Buffered() - src.Len()
		std, serr := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw[:consumed])))
		if serr != nil {
			t.Fatalf("accepted %q, net/http refuses it: %v", raw[:consumed], serr)
		}
		if std.Method != hd.method || std.RequestURI != hd.target {
			t.Fatalf("read %q %q, net/http %q %q", hd.method, hd.target, std.Method, std.RequestURI)
		}
		if std.ContentLength > 0 || len(std.TransferEncoding) > 0 {
			t.Fatalf("accepted a request with a body: %q", raw[:consumed])
		}
		want := maps.Clone(std.Header)
		if _, ok := hd.header["Host"]; ok {
			want["Host"] = []string{std.Host} // net/http moves Host out of the map
		}
		if !maps.EqualFunc(hd.header, want, slices.Equal) {
			t.Fatalf("headers %q, net/http %q", hd.header, want)
		}
		if std.Close != hd.close {
			t.Fatalf("close %v, net/http %v", hd.close, std.Close)
		}
	})
}

// FuzzHeadReaderReuse holds a reader that has read heads before (and
// reuses its header map, see headReader.sameNames) to a fresh one: each
// head of a connection reads as it would alone, nothing of the heads
// before it showing.
func FuzzHeadReaderReuse(f *testing.F) {
	const a = "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nApikey: k\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n"
	for _, s := range []string{
		a + a,
		a + "GET /gateway/auth HTTP/1.1\r\nHost: p\r\nApikey: \r\nX-Forwarded-For: 5.6.7.8\r\n\r\n",
		a + "GET /gateway/auth HTTP/1.1\r\nhost: p\r\nAPIKEY: j\r\nx-forwarded-for: 5.6.7.8\r\n\r\n",
		a + "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nApikey: k\r\n\r\n",
		a + "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nApikey: k\r\nX-Forwarded-For: 1.2.3.4\r\nReferer: r\r\n\r\n",
		a + "GET /gateway/auth HTTP/1.1\r\nApikey: k\r\nHost: o\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
		"GET /gateway/auth HTTP/1.1\r\nHost: o\r\nA: 1\r\nA: 2\r\n\r\nGET /gateway/auth HTTP/1.1\r\nHost: o\r\nA: 3\r\nA: 4\r\n\r\n" + a,
		a + "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nHost: p\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n" + a,
		a + "GET /gateway/auth HTTP/1.1\r\nHost: o\r\nApikey: k\r\nX-Forwarded-For 1.2.3.4\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		src := bytes.NewReader(raw)
		r := newHeadReader(src)
		at := 0
		for {
			hd, err := r.next()
			end := len(raw) - r.br.Buffered() - src.Len()
			alone, aloneErr := newHeadReader(bytes.NewReader(raw[at:end])).next()
			if (err == nil) != (aloneErr == nil) || err != nil && err.Error() != aloneErr.Error() {
				t.Fatalf("head %q: %v after other heads, %v alone", raw[at:end], err, aloneErr)
			}
			if err != nil {
				return
			}
			if hd.method != alone.method || hd.target != alone.target || hd.close != alone.close ||
				!maps.EqualFunc(hd.header, alone.header, slices.Equal) {
				t.Fatalf("head %q: %+v after other heads, %+v alone", raw[at:end], hd, alone)
			}
			at = end
		}
	})
}

// TestGetCanonicalNames: every name the package's code passes to
// getCanonical (a string literal or a constant of the package) is
// canonical, so that getCanonical finds what Header.Get would.
func TestGetCanonicalNames(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	consts := map[string]string{}
	var calls []*ast.CallExpr
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "getCanonical" && len(n.Args) == 2 {
					calls = append(calls, n)
				}
			}
			return true
		})
	}
	if len(calls) == 0 {
		t.Fatal("no call of getCanonical found")
	}
	for _, c := range calls {
		var name string
		switch a := c.Args[1].(type) {
		case *ast.BasicLit:
			name, _ = strconv.Unquote(a.Value)
		case *ast.Ident:
			name = consts[a.Name]
		}
		if name == "" || textproto.CanonicalMIMEHeaderKey(name) != name {
			t.Errorf("%s: getCanonical of %q, not a canonical header name", fset.Position(c.Pos()), name)
		}
	}
}
