package gateway

import (
	"context"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// ServiceState says whether a key opens one service now and, when it does
// not, why, in the reason codes and words of Decide: what its owner's
// screens show beside each service of the key ("closed: grant X expired
// on …").
type ServiceState struct {
	Service string
	Opens   bool
	// Grant: the grant the key opens the service through ("" when open
	// to everyone, or closed).
	Grant  string
	Reason string
	Why    messages.Message
}

// KeyState answers, for each of svcs (the services the key has accesses
// to), what Decide would answer to a request of the key on that service
// from a client its filters accept: the key's status first, then its
// accesses through the engine (grant held and live, service still
// covered and available, owner active), then whether the service is open
// to everyone. It reads memory only and records no usage.
func (d *Decider) KeyState(ctx context.Context, key *portal.LiveKey, svcs []Service) ([]ServiceState, error) {
	out := make([]ServiceState, len(svcs))
	e := d.Engine()
	for i, svc := range svcs {
		s := ServiceState{Service: svc.ID}
		switch key.Status {
		case portal.KeyActive:
		case portal.KeyRevoked:
			s.Reason, s.Why = ReasonKeyRevoked, messages.New("gateway.key_revoked", key.ID)
		default:
			s.Reason, s.Why = ReasonKeyDisabled, messages.New("gateway.key_disabled", key.ID)
		}
		if s.Reason != "" {
			out[i] = s
			continue
		}
		grant, opens, err := d.keyOpens(ctx, e, key, svc)
		if err != nil {
			return nil, err
		}
		if opens {
			s.Opens, s.Grant, s.Reason = true, grant, ""
			s.Why = messages.New("gateway.allowed", key.ID, key.Owner, messages.Verbatim(svc.ID))
			out[i] = s
			continue
		}
		open, err := d.checkAll(ctx, e, svcs, []int{i}, "use", anonymousUser)
		if err != nil {
			return nil, err
		}
		if open[0] {
			s.Opens, s.Reason, s.Why = true, ReasonOpen, messages.New("gateway.allowed_open", messages.Verbatim(svc.ID))
			out[i] = s
			continue
		}
		why := d.whyClosed(ctx, e, key, svc)
		s.Reason, s.Why = why.reason, why.msg
		out[i] = s
	}
	return out, nil
}
