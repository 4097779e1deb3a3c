package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/netip"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
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

// explainer answers POST /api/v1/gateway/explain with the gateway's own
// decision, for a key given by id.
type explainer struct {
	d *gateway.Decider
	p *portal.Service
}

// ExplainGateway implements api.GatewayExplainer: the key is read by id
// (the asker holds no secret of it) after the portal has authorized the
// asker for the key or for a service the request reaches, and the
// decision is the one the gateway would make now.
func (x explainer) ExplainGateway(ctx context.Context, actor string, q api.GatewayExplainRequest) (api.GatewayExplanation, error) {
	in, err := gateway.InputFromURI(cmp.Or(q.Method, http.MethodGet), q.URI)
	var ue *gateway.URIError
	if errors.As(err, &ue) {
		return api.GatewayExplanation{}, &portal.Error{Kind: portal.ErrInvalid, Msg: ue.Msg()}
	}
	if err != nil {
		return api.GatewayExplanation{}, err
	}
	in.Header = http.Header{}
	if q.Referer != "" {
		in.Header.Set("Referer", q.Referer)
	}
	if q.UserAgent != "" {
		in.Header.Set("User-Agent", q.UserAgent)
	}
	if q.Client != "" {
		a, err := netip.ParseAddr(q.Client)
		if err != nil {
			return api.GatewayExplanation{}, &portal.Error{Kind: portal.ErrInvalid, Msg: messages.New("invalid.client", messages.Quote(q.Client))}
		}
		in.Client = a.Unmap()
	}
	svcs, _ := x.d.Catalog.ServicesAt(in.Path)
	ids := make([]string, len(svcs))
	for i, s := range svcs {
		ids[i] = s.ID
	}
	if q.Token != "" {
		return x.explainToken(ctx, actor, q, in, ids)
	}
	var key *portal.LiveKey
	if q.Key != "" {
		if key, err = x.p.ExplainKey(ctx, actor, q.Key, ids); err != nil {
			return api.GatewayExplanation{}, err
		}
	} else if err := x.p.AuthorizeExplain(ctx, actor, "", ids); err != nil {
		return api.GatewayExplanation{}, err
	}
	return explanation(x.d.Explain(ctx, in, key)), nil
}

func explanation(d gateway.Decision) api.GatewayExplanation {
	return api.GatewayExplanation{Allowed: d.Status == http.StatusOK, Status: d.Status, Reason: d.Reason,
		WhyEN: d.Why.In(messages.English), WhyFR: d.Why.In(messages.French), Account: d.Account, Key: d.Key,
		Services: nonNilStrings(d.Services), Layers: nonNilStrings(d.Layers)}
}

// explainToken explains a request with a bearer token: one that opens an
// OAUTH2 key is explained for whoever may explain that key (its owner,
// the producer of a service the request reaches); a refused token
// (bad, expired, bound to no key) for whoever may explain a request
// without a key there.
func (x explainer) explainToken(ctx context.Context, actor string, q api.GatewayExplainRequest, in gateway.Input, services []string) (api.GatewayExplanation, error) {
	if q.Key != "" {
		return api.GatewayExplanation{}, &portal.Error{Kind: portal.ErrInvalid, Msg: messages.New("invalid.explain_key_and_token")}
	}
	if k, _ := x.d.TokenKey(ctx, q.Token); k != nil {
		if _, err := x.p.ExplainKey(ctx, actor, k.ID, services); err != nil {
			return api.GatewayExplanation{}, err
		}
	} else if err := x.p.AuthorizeExplain(ctx, actor, "", services); err != nil {
		return api.GatewayExplanation{}, err
	}
	return explanation(x.d.ExplainToken(ctx, in, q.Token)), nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
