package server

import (
	"github.com/octroi/octroi/internal/gateway"
)

// gatewayParts are the gateway's pieces: one Decider, shared by the
// forward-auth handler (and the proxy), and the usage log it writes.
type gatewayParts struct {
	decider *gateway.Decider
	auth    *gateway.ForwardAuth
	usage   *gateway.UsageLog
}

// newGateway builds the gateway over the portal: services and grants from
// the portal's memory, keys from the credential cache, rights from the
// current engine.
func (s *Server) newGateway() error {
	trusted, err := gateway.ParseTrustedProxies(s.cfg.GatewayTrustedProxies)
	if err != nil {
		return err
	}
	usage := gateway.NewUsageLog(gateway.UsageConfig{Docs: s.store, Retention: s.cfg.UsageRetention, Log: s.log, Registerer: s.reg})
	d := &gateway.Decider{
		Catalog:  gateway.PortalCatalog{Services: s.portal},
		Keys:     s.portal,
		Grants:   s.portal,
		Engine:   s.CurrentEngine,
		Parse:    gateway.ParseOGC,
		Usage:    usage,
		Platform: s.cfg.Platform,
	}
	s.gw = &gatewayParts{decider: d, auth: &gateway.ForwardAuth{Decider: d, Trusted: trusted, Log: s.log}, usage: usage}
	return nil
}

// Decider is the gateway's decision, for the proxy mode and the bench;
// nil without the portal.
func (s *Server) Decider() *gateway.Decider {
	if s.gw == nil {
		return nil
	}
	return s.gw.decider
}

// UsageLog is the gateway's usage log (the proxy adds the bytes of its
// answers with AddBytes); nil without the portal.
func (s *Server) UsageLog() *gateway.UsageLog {
	if s.gw == nil {
		return nil
	}
	return s.gw.usage
}
