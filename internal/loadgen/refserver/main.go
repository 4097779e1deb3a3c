// Command refserver is a reference for `octroi bench --mix gateway=1`:
// a server that answers every request as /gateway/auth allows one (200,
// the same headers, no body) without deciding anything, so that the
// bench's rate against it is the ceiling the HTTP machinery leaves on this
// machine (BENCHMARKS.md). "nethttp" serves through net/http, as octroi
// does; "raw" reads each request's lines off the socket and writes a
// prepared answer, the least a server can do per request.
//
//	go run ./internal/loadgen/refserver nethttp 127.0.0.1:18090
//	go run ./internal/loadgen/refserver raw 127.0.0.1:18091
//
// Its answers name the same account whatever the request: run the bench
// with a request file whose every line expects 200, or read only the
// rate and the CPU (the mismatches are the reference's, not octroi's).
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
)

const (
	account = "066200836cb01e96a030a23a6fe196"
	key     = "06620083ac73b575a0dab918cdaa28"
)

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "nethttp" && os.Args[1] != "raw") {
		fmt.Fprintln(os.Stderr, "usage: refserver nethttp|raw ADDRESS")
		os.Exit(2)
	}
	if os.Args[1] == "nethttp" {
		fmt.Fprintln(os.Stderr, http.ListenAndServe(os.Args[2], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h["Cache-Control"] = []string{"no-store"}
			h["X-Octroi-Account"] = []string{account}
			h["X-Octroi-Key"] = []string{key}
			w.WriteHeader(http.StatusOK)
		})))
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	answer := []byte("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nX-Octroi-Account: " + account + "\r\nX-Octroi-Key: " + key +
		"\r\nDate: Mon, 07 Dec 2026 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n")
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go serveRaw(c, answer)
	}
}

// serveRaw reads requests without bodies, their headers into a map as a
// real server would need them, and answers each.
func serveRaw(c net.Conn, answer []byte) {
	defer c.Close()
	r := bufio.NewReader(c)
	hdr := http.Header{}
	for {
		clear(hdr)
		if _, err := r.ReadSlice('\n'); err != nil { // the request line
			return
		}
		for {
			l, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			l = bytes.TrimRight(l, "\r\n")
			if len(l) == 0 {
				break
			}
			if i := bytes.IndexByte(l, ':'); i > 0 {
				hdr[http.CanonicalHeaderKey(string(l[:i]))] = []string{string(bytes.TrimSpace(l[i+1:]))}
			}
		}
		if _, err := c.Write(answer); err != nil {
			return
		}
	}
}
