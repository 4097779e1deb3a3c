// Package gateway puts octroi's decision in front of restricted map
// services: forward-auth for an existing reverse proxy (nginx auth_request,
// Traefik forwardAuth, Caddy forward_auth) and a proxy mode in which octroi
// itself forwards to the upstream map server, rewriting capabilities
// documents so that they list only what the key may use.
//
// The two faces share one decision: a Decider turns an Input (the original
// request as the client sent it: method, path, query, headers, client
// address) into a Decision. The decision path never touches the database:
// services, keys, their accesses and filters are read from memory that
// follows the store's changelog, and the rights from the engine.
//
// An OGC request is read by ParseOGC into a Request (protocol, operation,
// layers), the same way for both faces.
package gateway

import (
	"github.com/octroi/octroi/internal/messages"
	"net/http"
	"net/netip"
	"net/url"
)

// Input is the original request a decision is made on, as the client sent
// it to the public side (never octroi's own forward-auth request).
type Input struct {
	Method string
	// Path is the original request path, unescaped.
	Path  string
	Query url.Values
	// Header carries the key (apikey, Authorization: Basic or Bearer, or a
	// header named by the key), Referer and User-Agent.
	Header http.Header
	// Client is the client's address: the connection's peer, or the
	// address a trusted proxy reported; never a header an untrusted
	// client set.
	Client netip.Addr
}

// Request is an OGC (or TMS, or download) request read from an Input's
// path and query: what the client asks for, on which layers.
type Request struct {
	// Protocol is "WMS", "WMTS", "WFS", "TMS" or "" when the request is
	// not recognised as one (a plain download, for instance).
	Protocol string
	// Operation is the OGC operation as the standard names it
	// (GetCapabilities, GetMap, GetFeatureInfo, GetLegendGraphic,
	// GetTile, GetFeature, DescribeFeatureType...), "" when absent.
	Operation string
	Version   string
	// Layers are every layer (WMS LAYERS and QUERY_LAYERS, WMTS LAYER,
	// WFS TYPENAMES or TYPENAME, TMS layer path element) the request
	// touches, without duplicates, in the order they first appear.
	Layers []string
}

// Decision is the answer to an Input.
type Decision struct {
	// Status is 200 when allowed, 401 when a valid key is needed and
	// missing or unknown, 403 when the key may not, 404 when no service
	// is served at that path.
	Status int
	// Reason is a stable code saying why (see Reasons), "" when allowed
	// for no particular reason.
	Reason string
	// Why says the reason in words (French and English), for refusal
	// bodies and the explain endpoint. Forward-auth leaves it empty on
	// the decisions it allows (it never says why yes).
	Why messages.Message
	// Account and Key name who was allowed (or refused); empty without
	// a valid key.
	Account, Key string
	// Services are the services the request touched, Layers its layers.
	Services []string
	// Grants are, for each of Services, the grant through which the key
	// opened it ("" when the service is open to everyone, or refused).
	Grants  []string
	Layers  []string
	Request Request
	// Upstream is the upstream URL of the (first) service, for the proxy.
	Upstream string
	// Usable says whether the key (or an anonymous caller, for open
	// services) may use a layer of the service(s) at that path: the
	// proxy keeps only those in capabilities documents. Nil when refused,
	// and on forward-auth's decisions (it rewrites no document).
	Usable func(layer string) bool
}
