package server

import (
	"net/http"

	"github.com/octroi/octroi/internal/gateway"
)

// GatewayProxyHandler is the gateway's proxy mode, for the listener of
// Config.GatewayAddr: every map service at its public path, decided by
// the same Decider as /gateway/auth, the bytes of its answers added to
// the usage log. Nil without the portal.
func (s *Server) GatewayProxyHandler() http.Handler {
	if s.gw == nil {
		return nil
	}
	p := &gateway.Proxy{
		Decider: s.gw.decider,
		Catalog: s.gw.decider.Catalog,
		Usage:   s.gw.usage,
		Trusted: s.gw.auth.Trusted,
		Public:  s.cfg.GatewayPublicURL,
		Log:     s.log,
	}
	// Not harden: its write deadline, set once per request, would cut a
	// long download, and the API's security headers are not the map
	// server's to send. The server's ReadHeaderTimeout still applies.
	return p
}
