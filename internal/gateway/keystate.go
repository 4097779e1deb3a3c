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
	out, err := d.KeyStates(ctx, []KeyServices{{key, svcs}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}
