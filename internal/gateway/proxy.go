package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// Proxy mode: octroi itself in front of the upstream map servers. A
// Proxy serves every service at its public path (a service at "/wms/topo"
// answers http://gateway/wms/topo?SERVICE=WMS&...): the server mounts it
// at the root of a listener of its own (--gateway-addr), so that the
// public URLs are the services' paths and nothing else is reachable
// there.
//
// Each request is decided (the same decision as forward-auth); a refusal
// is answered as forward-auth answers it (401 with WWW-Authenticate, 403
// with X-Octroi-Reason and a problem body in French or English). An
// allowed request goes to the upstream URL of the service it touches,
// with the path after the service's public path and the client's query
// less the key (apikey in any case), less MAP (MapServer's and QGIS
// Server's choice of map file) and less the parameters the upstream URL
// sets itself (which win), through net/http/httputil.ReverseProxy: bodies
// stream both ways, tiles are never held. Before forwarding, the proxy
// removes whatever carries the key or could pass for octroi (the apikey
// and Authorization headers, any header holding a key secret, the
// client's X-Octroi-* headers, Cookie: octroi's session is none of the
// map server's business), and names the account and key in
// X-Octroi-Account and X-Octroi-Key, as forward-auth does; ReverseProxy
// drops the hop-by-hop headers and the client's X-Forwarded-*. Upstream
// Set-Cookie headers are dropped too.
//
// A GetCapabilities answer (2xx) is rewritten on the fly (see
// Rewrite.Capabilities): only the layers the key may use, every URL
// pointing at the public URL, carrying the key when the client sent it as
// the apikey query parameter (a key sent in a header or with Basic stays
// out of URLs). One that is not plain XML (another type, or compressed)
// is answered 502 rather than passed on unfiltered. Rewritten answers are
// marked private and lose their Content-Length and validators, since they
// differ per key.
//
// The bytes of every answer sent are added to the usage log (AddBytes)
// when the answer ends. A Proxy is safe for concurrent use; set its
// fields before the first request.
type Proxy struct {
	Decider interface {
		Decide(context.Context, Input) Decision
	}
	// Catalog finds the service path, to split the request path.
	Catalog Catalog
	// Usage, when set, is told the bytes of each answer.
	Usage interface {
		AddBytes(now time.Time, d Decision, n int64)
	}
	// Trusted lists the proxies in front of this one whose
	// X-Forwarded-For (client address) and X-Forwarded-Proto and
	// X-Forwarded-Host (public URL) are believed; none by default.
	Trusted []netip.Prefix
	// Public, when set, is the scheme and host clients reach the gateway
	// at ("https://maps.example.org"), for rewritten URLs; otherwise the
	// request's Host (and TLS) say it.
	Public string
	// Transport reaches the upstreams (nil: http.DefaultTransport).
	Transport http.RoundTripper
	Log       *slog.Logger
	// MaxCapabilitiesBuffer bounds Rewrite.MaxBuffer (0: its default).
	MaxCapabilitiesBuffer int

	once sync.Once
	rp   *httputil.ReverseProxy
}

// proxyCtxKey carries a request's decision and rewriting to the reverse
// proxy's hooks.
type proxyCtxKey struct{}

type proxied struct {
	dec      Decision
	target   *url.URL
	rewrite  *Rewrite // nil: not a capabilities request
	received time.Time
}

func (p *Proxy) init() {
	p.once.Do(func() {
		p.rp = &httputil.ReverseProxy{
			Rewrite:        p.rewriteRequest,
			Transport:      p.Transport,
			ModifyResponse: p.modifyResponse,
			ErrorHandler:   p.upstreamError,
			// Tiles and features stream to the client as they come.
			FlushInterval: -1,
		}
		if p.Log != nil {
			p.rp.ErrorLog = slog.NewLogLogger(p.Log.Handler(), slog.LevelWarn)
		}
	})
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.init()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeRefusal(w, r, Decision{Status: http.StatusBadRequest, Reason: ReasonBadRequest, Why: messages.New("invalid.uri", messages.Quote(r.URL.RequestURI()))})
		return
	}
	fa := ForwardAuth{Trusted: p.Trusted}
	in := Input{Method: r.Method, Path: r.URL.Path, Query: q, Header: r.Header, Client: fa.clientOf(r)}
	dec := p.Decider.Decide(r.Context(), in)
	if dec.Status != http.StatusOK {
		writeRefusal(w, r, dec)
		return
	}
	svcs, rest := p.Catalog.ServicesAt(in.Path)
	target, err := url.Parse(upstreamOf(dec, svcs))
	if err != nil || len(svcs) == 0 || target.Host == "" {
		p.logError("gateway proxy: no usable upstream", "path", in.Path, "upstream", dec.Upstream, "err", err)
		writeRefusal(w, r, Decision{Status: http.StatusBadGateway, Reason: ReasonUpstream, Why: messages.New("ogc.upstream_failed")})
		return
	}
	px := &proxied{dec: dec, target: upstreamURL(target, rest, q), received: time.Now()}
	if dec.Request.Operation == "GetCapabilities" {
		servicePath := strings.TrimSuffix(in.Path, rest)
		px.rewrite = &Rewrite{
			Public:    p.publicBase(r) + servicePath,
			Upstream:  target.String(),
			Key:       q.Get("apikey"),
			Usable:    dec.Usable,
			MaxBuffer: p.MaxCapabilitiesBuffer,
		}
	}
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), proxyCtxKey{}, px)))
}

// upstreamOf is the upstream of the first service the decision touched
// (services at one path may have upstreams of their own), else the
// decision's.
func upstreamOf(dec Decision, svcs []Service) string {
	for _, id := range dec.Services {
		for _, s := range svcs {
			if s.ID == id {
				return s.Upstream
			}
		}
	}
	return dec.Upstream
}

// ReasonUpstream is the reason of a 502: the upstream failed.
const ReasonUpstream = "upstream_failed"

// upstreamURL is the upstream's URL for a request: its path followed by
// rest, its own query parameters, and the client's less the key, less
// those the upstream sets, and less MAP always: MapServer (over its
// MS_MAPFILE) and QGIS Server pick the map file or project by it, and
// another map could give other data under the same layer names.
func upstreamURL(up *url.URL, rest string, client url.Values) *url.URL {
	u := *up
	if rest != "" && rest != "/" {
		u.Path = strings.TrimSuffix(u.Path, "/") + rest
		u.RawPath = ""
	}
	own := up.Query()
	var b strings.Builder
	b.WriteString(up.RawQuery)
	for name, vs := range client {
		if strings.EqualFold(name, "apikey") || strings.EqualFold(name, "map") || hasFold(own, name) {
			continue
		}
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(name) + "=" + url.QueryEscape(v))
		}
	}
	u.RawQuery = b.String()
	return &u
}

func hasFold(v url.Values, name string) bool {
	for n := range v {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// publicBase is the scheme and host the client reached the gateway at.
func (p *Proxy) publicBase(r *http.Request) string {
	if p.Public != "" {
		return strings.TrimSuffix(p.Public, "/")
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	fa := ForwardAuth{Trusted: p.Trusted}
	if peer := peerAddr(r.RemoteAddr); peer.IsValid() && fa.trusted(peer) {
		if s := r.Header.Get("X-Forwarded-Proto"); s == "http" || s == "https" {
			scheme = s
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" && !strings.ContainsAny(h, "/?#@ ,") {
			host = h
		}
	}
	return scheme + "://" + host
}

func (p *Proxy) rewriteRequest(pr *httputil.ProxyRequest) {
	px := pr.In.Context().Value(proxyCtxKey{}).(*proxied)
	out := pr.Out
	out.URL = px.target
	out.Host = px.target.Host
	h := out.Header
	h.Del("Apikey")
	h.Del("Authorization")
	h.Del("Cookie")
	for name, vs := range h {
		if strings.HasPrefix(strings.ToLower(name), "x-octroi-") {
			h.Del(name)
			continue
		}
		for _, v := range vs {
			if strings.HasPrefix(v, portal.KeySecretPrefix) {
				h.Del(name)
				break
			}
		}
	}
	if px.dec.Account != "" {
		h.Set(HeaderAccount, px.dec.Account)
		h.Set(HeaderKey, px.dec.Key)
	}
	if px.rewrite != nil {
		// The rewriter reads XML: let the transport ask for (and undo)
		// compression itself.
		h.Del("Accept-Encoding")
		h.Del("Range")
	}
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	px := resp.Request.Context().Value(proxyCtxKey{}).(*proxied)
	resp.Header.Del("Set-Cookie")
	body := resp.Body
	if px.rewrite != nil && resp.StatusCode/100 == 2 && (!isXML(resp.Header.Get("Content-Type")) || resp.Header.Get("Content-Encoding") != "") {
		// A capabilities answer the rewriter cannot read would list
		// every layer: refused rather than passed on.
		resp.Body.Close()
		return errUnreadableCapabilities
	}
	if px.rewrite != nil && resp.StatusCode/100 == 2 {
		pr, pw := io.Pipe()
		src := body
		rw := *px.rewrite
		go func() {
			err := rw.Capabilities(pw, src)
			src.Close()
			if err != nil {
				p.logError("gateway proxy: capabilities not rewritten", "upstream", px.target.Redacted(), "err", err)
			}
			pw.CloseWithError(err)
		}()
		body = pr
		for _, name := range []string{"Content-Length", "Etag", "Last-Modified", "Content-Md5"} {
			resp.Header.Del(name)
		}
		resp.ContentLength = -1
		resp.Header.Set("Cache-Control", "private, no-cache")
		resp.Header.Add("Vary", "Authorization, Apikey")
	}
	resp.Body = &countingBody{ReadCloser: body, done: func(n int64) {
		if p.Usage != nil {
			p.Usage.AddBytes(time.Now(), px.dec, n)
		}
	}}
	return nil
}

var errUnreadableCapabilities = errors.New("gateway proxy: the upstream's capabilities answer is not plain XML")

func isXML(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.Contains(ct, "xml")
}

func (p *Proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	px, _ := r.Context().Value(proxyCtxKey{}).(*proxied)
	target := ""
	if px != nil {
		target = px.target.Redacted()
	}
	if r.Context().Err() != nil {
		return // the client left
	}
	p.logError("gateway proxy: upstream failed", "upstream", target, "err", err)
	writeRefusal(w, r, Decision{Status: http.StatusBadGateway, Reason: ReasonUpstream, Why: messages.New("ogc.upstream_failed")})
}

func (p *Proxy) logError(msg string, args ...any) {
	if p.Log != nil {
		p.Log.Warn(msg, args...)
	}
}

// countingBody counts the bytes read through it and reports them once,
// at Close.
type countingBody struct {
	io.ReadCloser
	n    int64
	once sync.Once
	done func(int64)
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *countingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.done(b.n) })
	return err
}
