package gateway

import (
	"net/url"
	"strings"
)

// uriReader reads the path and the query of a request URI exactly as
// url.ParseRequestURI and then url.ParseQuery on its RawQuery read them,
// for less: the usual forward-auth URI ("/wms?SERVICE=WMS&LAYERS=a")
// is read without allocating once the reader has read a few.
//
// Contract:
//   - read(uri) returns what net/url returns for uri (the unescaped path,
//     the query's values by name in their order), and ok false exactly
//     when either of net/url's calls fails; FuzzURIReader checks it;
//   - the unescaping is net/url's own (url.PathUnescape,
//     url.QueryUnescape: neither allocates for a string without escapes);
//     only the splitting and the map are done here, and anything out of
//     the ordinary (a control byte, a bad escape, a semicolon, many
//     parameters) is left to net/url whole;
//   - the map returned and its value slices are the reader's, reused by
//     the next read: they must not be kept (strings may be: they are
//     substrings of uri or new strings). The slices that share the
//     reader's array hold one value each and are clipped, so that
//     appending to one never writes into another.
//
// The zero value is ready to use; a reader is not safe for concurrent
// use (the forward-auth listener keeps one per connection).
type uriReader struct {
	q   valueMap
	kvs []queryParam
}

// queryParam is one parameter of a query, unescaped.
type queryParam struct{ name, value string }

// maxFastParams: a query with more parameters than this is read by
// net/url (which also applies its own limit).
const maxFastParams = 64

// read reads uri, which the caller checked starts with "/" (not "//").
func (r *uriReader) read(uri string) (path string, query url.Values, ok bool) {
	if path, query, ok := r.fast(uri); ok {
		return path, query, true
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return "", nil, false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, false
	}
	return u.Path, q, true
}

// fast reads uri as net/url would when nothing in it is unusual, and
// returns ok false otherwise (read then asks net/url). For a URI that
// starts with "/" and is not "//...", url.ParseRequestURI refuses a
// control byte, cuts the query at the first "?" and unescapes the path
// as url.PathUnescape does (path and path-segment unescaping differ only
// in what they escape).
func (r *uriReader) fast(uri string) (string, url.Values, bool) {
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c < ' ' || c == 0x7f {
			return "", nil, false
		}
	}
	rawPath, rawQuery, _ := strings.Cut(uri, "?")
	path, err := url.PathUnescape(rawPath)
	if err != nil {
		return "", nil, false
	}
	q, ok := r.query(rawQuery)
	return path, q, ok
}

// query is url.ParseQuery(raw) for a query without semicolons or bad
// escapes and with at most maxFastParams parameters; ok false otherwise.
func (r *uriReader) query(raw string) (url.Values, bool) {
	if strings.Count(raw, "&") >= maxFastParams || strings.IndexByte(raw, ';') >= 0 {
		return nil, false
	}
	kvs := r.kvs[:0]
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, false
		}
		if v, err = url.QueryUnescape(v); err != nil {
			return nil, false
		}
		kvs = append(kvs, queryParam{k, v})
	}
	r.kvs = kvs
	r.q.set(len(kvs), func(i int) string { return kvs[i].name }, func(i int) string { return kvs[i].value })
	return r.q.m, true
}
