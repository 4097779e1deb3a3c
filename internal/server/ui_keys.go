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

// The key screens ask for every key of a list at once.
var _ ui.KeysStates = keyStates{}

// UIKeyStates is what the key screens use to say what each key opens now;
// nil without the portal.
func (s *Server) UIKeyStates() ui.KeyStates {
	if s.gw == nil || s.portal == nil {
		return nil
	}
	return keyStates{s.gw.decider, s.portal}
}

func (x keyStates) KeyStates(ctx context.Context, actor, id string) ([]ui.KeyState, error) {
	out, err := x.KeysStates(ctx, actor, []string{id})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// KeysStates is KeyStates for many keys, the gateway asked once for them
// all (ui.KeysStates).
func (x keyStates) KeysStates(ctx context.Context, actor string, ids []string) ([][]ui.KeyState, error) {
	out := make([][]ui.KeyState, len(ids))
	batch := make([]gateway.KeyServices, 0, len(ids))
	known := make([][]int, 0, len(ids)) // per key, indexes in out of the services that still exist
	for n, id := range ids {
		k, err := x.p.ExplainKey(ctx, actor, id, nil)
		if err != nil {
			return nil, err
		}
		var svcIDs []string
		for _, a := range k.Accesses {
			if !slices.Contains(svcIDs, a.Service) {
				svcIDs = append(svcIDs, a.Service)
			}
		}
		states := make([]ui.KeyState, 0, len(svcIDs))
		var svcs []gateway.Service
		var kn []int
		for _, id := range svcIDs {
			m, ok := x.p.MapServiceByID(id)
			if !ok {
				// Gone since: its accesses are being forgotten.
				states = append(states, ui.KeyState{Service: portal.MapService{ID: id}, Reason: gateway.ReasonNoService,
					Why: messages.New("notfound.object", messages.New("noun.service"), messages.Quote(id))})
				continue
			}
			m.Upstream = "" // the owner's screens never show it
			kn = append(kn, len(states))
			states = append(states, ui.KeyState{Service: m})
			svcs = append(svcs, gateway.Service{ID: m.ID, Path: m.Path, Protocol: string(m.Type), Layers: m.Layers})
		}
		out[n] = states
		batch = append(batch, gateway.KeyServices{Key: k, Services: svcs})
		known = append(known, kn)
	}
	states, err := x.d.KeyStates(ctx, batch)
	if err != nil {
		return nil, err
	}
	for n, ss := range states {
		for j, s := range ss {
			i := known[n][j]
			out[n][i].Opens, out[n][i].Reason, out[n][i].Why = s.Opens, s.Reason, s.Why
		}
	}
	return out, nil
}
