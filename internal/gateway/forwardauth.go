package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/octroi/octroi/internal/messages"
)

// Forward-auth: GET /gateway/auth, for a reverse proxy that asks octroi
// before passing a request to the map server (nginx auth_request,
// Traefik forwardAuth, Caddy forward_auth).
//
// What the proxy must send (the original request's):
//
//   - its method and URI (path and query, as the client sent them):
//     X-Original-Method and X-Original-URI (nginx: configure
//     `proxy_set_header X-Original-URI $request_uri;` and
//     `proxy_set_header X-Original-Method $request_method;` in the auth
//     location), or X-Forwarded-Method and X-Forwarded-Uri (which Traefik
//     and Caddy send by themselves). X-Original-* wins when both are
//     present, since nginx passes the client's own X-Forwarded-* through;
//   - its headers (every proxy passes them): apikey, Authorization, the
//     key's own header, Referer, User-Agent;
//   - the client's address in X-Forwarded-For (nginx:
//     `proxy_set_header X-Forwarded-For $remote_addr;`). It is read only
//     when the connection comes from a trusted proxy
//     (--gateway-trusted-proxies, none by default): then the client is
//     the right-most address of X-Forwarded-For that is not itself a
//     trusted proxy. Otherwise the connection's peer is the client, and
//     whatever X-Forwarded-For says is ignored, so that nobody picks the
//     address an IP filter sees.
//
// The answer: 2xx (200, no body) when allowed, with X-Octroi-Account and
// X-Octroi-Key naming the key's owner and the key (absent for an open
// service used without a key) for the upstream; 401 with
// WWW-Authenticate when a valid key is needed; 403 (or 404, 400) with
// X-Octroi-Reason (a reason code: see Reasons) and a small
// application/problem+json body in the client's language (French or
// English, from Accept-Language). X-Octroi-Reason is on every answer.
//
// The proxy must never pass the client's own X-Octroi-Account and
// X-Octroi-Key to the upstream: nginx's
// `auth_request_set $octroi_account $upstream_http_x_octroi_account;`
// with `proxy_set_header X-Octroi-Account $octroi_account;` replaces
// them (an empty value removes the header); Traefik's
// authResponseHeaders and Caddy's copy_headers overwrite them likewise.
// octroi itself reads neither of them: a decision depends on the key
// the request presents, never on a header that names an account.
type ForwardAuth struct {
	Decider *Decider
	// Trusted lists the proxies whose X-Forwarded-For is believed.
	Trusted []netip.Prefix
	Log     *slog.Logger
}

// Headers of the forward-auth protocol.
const (
	HeaderOriginalMethod  = "X-Original-Method"
	HeaderOriginalURI     = "X-Original-Uri"
	HeaderForwardedMethod = "X-Forwarded-Method"
	HeaderForwardedURI    = "X-Forwarded-Uri"
	HeaderForwardedFor    = "X-Forwarded-For"
	HeaderAccount         = "X-Octroi-Account"
	HeaderKey             = "X-Octroi-Key"
	HeaderReason          = "X-Octroi-Reason"
)

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes or
// addresses ("" : none).
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR prefix", f)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR prefix", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (f *ForwardAuth) trusted(a netip.Addr) bool { return TrustedProxies(f.Trusted).trusts(a) }

// clientOf returns the client's address: the peer's, or, from a trusted
// proxy, the right-most untrusted address of X-Forwarded-For.
func (f *ForwardAuth) clientOf(r *http.Request) netip.Addr {
	return TrustedProxies(f.Trusted).ClientOf(r)
}

// TrustedProxies are the reverse proxies whose X-Forwarded-For is
// believed (ParseTrustedProxies). The gateway reads the client's address
// with it, and so does whatever else must know who calls behind the same
// proxies (the sign-in limits per address).
type TrustedProxies []netip.Prefix

func (t TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientOf returns the client's address: the connection's peer, or, when
// the peer is a trusted proxy, the right-most address of X-Forwarded-For
// that is not itself a trusted proxy (what the first trusted proxy saw).
// A caller that is no trusted proxy cannot choose the answer by sending
// X-Forwarded-For: it is ignored.
func (t TrustedProxies) ClientOf(r *http.Request) netip.Addr {
	return t.clientFrom(peerAddr(r.RemoteAddr), r.Header)
}

// clientFrom is ClientOf for a request read as its peer and headers.
func (t TrustedProxies) clientFrom(peer netip.Addr, h http.Header) netip.Addr {
	if !peer.IsValid() || !t.trusts(peer) {
		return peer
	}
	hops := h.Values(HeaderForwardedFor)
	var all []string
	for _, h := range hops {
		all = append(all, strings.Split(h, ",")...)
	}
	for i := len(all) - 1; i >= 0; i-- {
		a := parseHop(strings.TrimSpace(all[i]))
		if !a.IsValid() {
			return peer // a garbled hop: trust nothing before it
		}
		if !t.trusts(a) || i == 0 {
			return a
		}
	}
	return peer
}

func peerAddr(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// parseHop reads one X-Forwarded-For element: an address, with a port
// or in brackets at times.
func parseHop(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

// getCanonical is h.Get(name) for a name in canonical form (as
// textproto.CanonicalMIMEHeaderKey writes it), without Get's
// canonicalising of name on every call: the header names a decision
// reads are constants, and TestGetCanonicalNames holds them canonical.
func getCanonical(h http.Header, name string) string {
	if vs := h[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// InputOf reads the original request from a forward-auth request, or
// says what is missing.
func (f *ForwardAuth) InputOf(r *http.Request) (Input, error) {
	return f.input(r.Header, peerAddr(r.RemoteAddr), new(uriReader))
}

// input is InputOf for a forward-auth request read as its headers and
// the address of the connection's peer; ur reads the URI (the Input's
// Query is ur's until its next read).
func (f *ForwardAuth) input(h http.Header, peer netip.Addr, ur *uriReader) (Input, error) {
	method := getCanonical(h, HeaderOriginalMethod)
	if method == "" {
		method = getCanonical(h, HeaderForwardedMethod)
	}
	if method == "" {
		method = http.MethodGet
	}
	uri := getCanonical(h, HeaderOriginalURI)
	if uri == "" {
		uri = getCanonical(h, HeaderForwardedURI)
	}
	in, err := inputFromURI(method, uri, ur)
	if err != nil {
		return Input{}, err
	}
	in.Header = h
	in.Client = TrustedProxies(f.Trusted).clientFrom(peer, h)
	return in, nil
}

// decide reads the original request off a forward-auth request (its
// headers, the connection's peer) and decides it, reading the URI with
// ur, at now (the clock read on the request's arrival; Decider.Now
// wins when set).
func (f *ForwardAuth) decide(ctx context.Context, h http.Header, peer netip.Addr, ur *uriReader, now time.Time) Decision {
	in, err := f.input(h, peer, ur)
	if err != nil {
		return Decision{Status: http.StatusBadRequest, Reason: ReasonBadRequest, Why: err.(*URIError).Msg()}
	}
	// The allowed answer is headers naming the key: no words, no layer
	// set (brief).
	return f.Decider.decideRecorded(ctx, in, brief, f.Decider.at(now))
}

// InputFromURI reads a method and a request URI (path and query) into an
// Input without headers or client.
func InputFromURI(method, uri string) (Input, error) {
	return inputFromURI(method, uri, new(uriReader))
}

// inputFromURI is InputFromURI reading uri with ur.
func inputFromURI(method, uri string, ur *uriReader) (Input, error) {
	if !strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "//") {
		return Input{}, errBadURI(uri)
	}
	path, q, ok := ur.read(uri)
	if !ok {
		return Input{}, errBadURI(uri)
	}
	return Input{Method: strings.ToUpper(method), Path: path, Query: q}, nil
}

// URIError is a request URI that cannot be read.
type URIError struct{ URI string }

func (e *URIError) Error() string { return "bad request URI " + e.URI }

// Msg is what to tell the client.
func (e *URIError) Msg() messages.Message { return messages.New("invalid.uri", messages.Quote(e.URI)) }

func errBadURI(uri string) error { return &URIError{URI: uri} }

func (f *ForwardAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ur := uriReaders.Get().(*uriReader)
	d := f.decide(r.Context(), r.Header, peerAddr(r.RemoteAddr), ur, time.Now())
	uriReaders.Put(ur) // the decision keeps nothing of the query
	if d.Status == http.StatusOK {
		// The usual answer, written without net/http's canonicalising
		// Set (the names are canonical already): every allocation here is
		// paid tens of thousands of times a second.
		h := w.Header()
		h["Cache-Control"] = noStore
		if d.Reason != "" {
			h[HeaderReason] = []string{d.Reason}
		}
		if d.Account != "" {
			h[HeaderAccount] = []string{d.Account}
			h[HeaderKey] = []string{d.Key}
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	writeRefusal(w, r, d)
}

// uriReaders are the URI readers of ForwardAuth.ServeHTTP (the
// forward-auth listener keeps one per connection instead).
var uriReaders = sync.Pool{New: func() any { return new(uriReader) }}

// noStore is the Cache-Control value of every answer, shared (net/http
// only reads it).
var noStore = []string{"no-store"}

// problemDoc is the small RFC 9457 body of a refusal.
type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail"`
}

// writeRefusal writes d's refusal: status, reason, challenge and body.
func writeRefusal(w http.ResponseWriter, r *http.Request, d Decision) {
	writeRefusalIn(w, messages.Negotiate(r.Header.Get("Accept-Language")), d)
}

// writeRefusalIn is writeRefusal in language l. A writer that keeps a
// body writer of its own (problemEncoder) has the body written with it.
//
// Its header values are prepared slices shared by every answer (as
// noStore is): the writers they go to only read them, and each is
// clipped, so that an Add after them copies rather than writes into
// them.
func writeRefusalIn(w http.ResponseWriter, l messages.Lang, d Decision) {
	h := w.Header()
	// A refusal may reach a browser (Traefik and Caddy pass it on): the
	// headers that keep it from doing anything with it but read it, as
	// on every answer of the API (the forward-auth path is served ahead
	// of the server's general middleware, which sets them).
	h["X-Content-Type-Options"] = hvNosniff
	h["Referrer-Policy"] = hvNoReferrer
	h["X-Frame-Options"] = hvDeny
	h["Content-Security-Policy"] = hvCSP
	if d.Reason != "" {
		h[HeaderReason] = reasonValue(d.Reason)
	}
	if d.Status == http.StatusUnauthorized {
		// Basic first: browsers and GIS clients know how to answer it;
		// apikey is the other way a key travels.
		challenges := hvChallenges
		if bearerReason(d.Reason) {
			challenges = hvChallengesBearer
		}
		addShared(h, "Www-Authenticate", challenges)
	}
	title, ok := refusalTitles[d.Status]
	if !ok {
		title = messages.New("code.unavailable")
	}
	h["Content-Type"] = hvProblemJSON
	if v, ok := hvLanguages[l]; ok {
		h["Content-Language"] = v
	} else {
		h["Content-Language"] = []string{string(l)}
	}
	addShared(h, "Vary", hvVaryLanguage)
	h["Cache-Control"] = noStore
	w.WriteHeader(d.Status)
	doc := problemDoc{Type: "about:blank", Title: title.In(l), Status: d.Status, Code: d.Reason, Detail: d.Why.In(l)}
	if pe, ok := w.(problemEncoder); ok {
		pe.encodeProblem(doc)
	} else {
		_ = newProblemEncoder(w).Encode(doc)
	}
}

// problemEncoder is a ResponseWriter that writes problem bodies itself,
// with an encoder (newProblemEncoder of its body) and a copy of the
// document it keeps from one answer to the next, so that neither is
// allocated per answer.
type problemEncoder interface {
	encodeProblem(doc problemDoc)
}

// newProblemEncoder makes the encoder of problem bodies written to w.
func newProblemEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// The values of a refusal's headers (see writeRefusalIn), names
// canonical.
var (
	hvNosniff          = []string{"nosniff"}
	hvNoReferrer       = []string{"no-referrer"}
	hvDeny             = []string{"DENY"}
	hvCSP              = []string{"default-src 'none'; frame-ancestors 'none'"}
	hvChallenges       = []string{`Basic realm="octroi", charset="UTF-8"`, `Apikey realm="octroi"`}
	hvChallengesBearer = []string{`Basic realm="octroi", charset="UTF-8"`, `Apikey realm="octroi"`, `Bearer realm="octroi", error="invalid_token"`}
	hvProblemJSON      = []string{"application/problem+json"}
	hvVaryLanguage     = []string{"Accept-Language"}
	hvLanguages        = func() map[messages.Lang][]string {
		m := make(map[messages.Lang][]string, len(messages.Langs))
		for _, l := range messages.Langs {
			m[l] = []string{string(l)}
		}
		return m
	}()
	hvReasons = func() map[string][]string {
		m := map[string][]string{}
		for _, r := range []string{ReasonOpen, ReasonNoService, ReasonBadRequest, ReasonNoKey, ReasonUnknownKey,
			ReasonKeyWrongChannel, ReasonKeyDisabled, ReasonKeyRevoked, ReasonOwnerDisabled, ReasonIPRefused,
			ReasonRefererRefused, ReasonUserAgentRefused, ReasonServiceUnavailable, ReasonGrantExpired,
			ReasonGrantNotHeld, ReasonLayerNotGranted, ReasonUnknownLayer, ReasonNothingUsable, ReasonOnlyOAuth,
			ReasonBadToken, ReasonTokenExpired, ReasonUnknownSubject, ReasonUpstream} {
			m[r] = []string{r}
		}
		return m
	}()
	// refusalTitles are the titles of refusals by status
	// (gateway.title_NNN, where the catalogue has one).
	refusalTitles = func() map[int]messages.Message {
		m := map[int]messages.Message{}
		for status := 100; status < 600; status++ {
			if k := messages.Key(fmt.Sprintf("gateway.title_%d", status)); messages.Has(k) {
				m[status] = messages.New(k)
			}
		}
		return m
	}()
)

// reasonValue is the X-Octroi-Reason value of reason, prepared for the
// known reasons.
func reasonValue(reason string) []string {
	if v, ok := hvReasons[reason]; ok {
		return v
	}
	return []string{reason}
}

// addShared adds the prepared values vs to h's name, as h.Add would add
// them one by one (name canonical).
func addShared(h http.Header, name string, vs []string) {
	if old := h[name]; len(old) > 0 {
		h[name] = append(old, vs...)
		return
	}
	h[name] = vs
}
