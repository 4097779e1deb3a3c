package server

import (
	"context"
	"slices"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/ui"
)

// keyStates is the web interface's ui.KeyStates: the gateway's own
// KeyState over a key read by id, after the portal has authorized the
// reader for it (key#manage).
type keyStates struct {
	d *gateway.Decider
	p *portal.Service
}

// UIKeyStates is what the key screens use to say what each key opens now;
// nil without the portal.
func (s *Server) UIKeyStates() ui.KeyStates {
	if s.gw == nil || s.portal == nil {
		return nil
	}
	return keyStates{s.gw.decider, s.portal}
}

func (x keyStates) KeyStates(ctx context.Context, actor, id string) ([]ui.KeyState, error) {
	k, err := x.p.ExplainKey(ctx, actor, id, nil)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, a := range k.Accesses {
		if !slices.Contains(ids, a.Service) {
			ids = append(ids, a.Service)
		}
	}
	out := make([]ui.KeyState, 0, len(ids))
	var svcs []gateway.Service
	var known []int // indexes in out of the services that still exist
	for _, id := range ids {
		m, ok := x.p.MapServiceByID(id)
		if !ok {
			// Gone since: its accesses are being forgotten.
			out = append(out, ui.KeyState{Service: portal.MapService{ID: id}, Reason: gateway.ReasonNoService,
				Why: messages.New("notfound.object", messages.New("noun.service"), messages.Quote(id))})
			continue
		}
		m.Upstream = "" // the owner's screens never show it
		known = append(known, len(out))
		out = append(out, ui.KeyState{Service: m})
		svcs = append(svcs, gateway.Service{ID: m.ID, Path: m.Path, Protocol: string(m.Type), Layers: m.Layers})
	}
	states, err := x.d.KeyState(ctx, k, svcs)
	if err != nil {
		return nil, err
	}
	for j, s := range states {
		i := known[j]
		out[i].Opens, out[i].Reason, out[i].Why = s.Opens, s.Reason, s.Why
	}
	return out, nil
}
