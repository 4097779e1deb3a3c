package gateway

import (
	"context"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/tuple"
)

// KeyServices is a key and the services KeyStates says it opens or not.
type KeyServices struct {
	Key      *portal.LiveKey
	Services []Service
}

// KeyStates is KeyState for many keys at once (a consumer's keys screen
// lists them all): the checks every key's services need — the owner
// opening each access, each access's grant covering its service — go to
// the engine in one bulk check, and whether the services no access opens
// are open to everyone in a second, where KeyState service by service
// asked the engine once or twice per service and key. Only a service
// that stays closed costs more: why (whyClosed), checked on its own.
func (d *Decider) KeyStates(ctx context.Context, keys []KeyServices) ([][]ServiceState, error) {
	e := d.Engine()
	out := make([][]ServiceState, len(keys))
	var reqs []engine.CheckRequest
	type pending struct{ key, svc, first int } // first: index of its access checks in reqs
	var todo []pending
	for ki, k := range keys {
		out[ki] = make([]ServiceState, len(k.Services))
		owner := tuple.SubjectRef{Type: "user", ID: k.Key.Owner}
		for si, svc := range k.Services {
			s := &out[ki][si]
			s.Service = svc.ID
			switch k.Key.Status {
			case portal.KeyActive:
			case portal.KeyRevoked:
				s.Reason, s.Why = ReasonKeyRevoked, messages.New("gateway.key_revoked", k.Key.ID)
				continue
			default:
				s.Reason, s.Why = ReasonKeyDisabled, messages.New("gateway.key_disabled", k.Key.ID)
				continue
			}
			todo = append(todo, pending{ki, si, len(reqs)})
			for _, a := range k.Key.To(svc.ID) {
				reqs = append(reqs,
					engine.CheckRequest{Resource: tuple.ObjectRef{Type: "access", ID: a.ID}, Permission: "open", Subject: owner},
					engine.CheckRequest{Resource: tuple.ObjectRef{Type: "service", ID: svc.ID}, Permission: "grant", Subject: tuple.SubjectRef{Type: "grant", ID: a.Grant}})
			}
		}
	}
	has, err := checkBulk(ctx, e, reqs)
	if err != nil {
		return nil, err
	}
	// The services no access opens: open to everyone? One more bulk check,
	// a service once.
	var closed []pending
	var anon []engine.CheckRequest
	open := map[string]int{} // service → index of its check in anon
	for _, p := range todo {
		key, svc := keys[p.key].Key, keys[p.key].Services[p.svc]
		if grant, ok := d.firstOpening(key, svc, func(j int) bool { return has[p.first+2*j] && has[p.first+2*j+1] }); ok {
			s := &out[p.key][p.svc]
			s.Opens, s.Grant = true, grant
			s.Why = messages.New("gateway.allowed", key.ID, key.Owner, messages.Verbatim(svc.ID))
			continue
		}
		closed = append(closed, p)
		if _, ok := open[svc.ID]; !ok {
			open[svc.ID] = len(anon)
			anon = append(anon, engine.CheckRequest{Resource: tuple.ObjectRef{Type: "service", ID: svc.ID}, Permission: "use", Subject: anonymousUser})
		}
	}
	isOpen, err := checkBulk(ctx, e, anon)
	if err != nil {
		return nil, err
	}
	for _, p := range closed {
		key, svc := keys[p.key].Key, keys[p.key].Services[p.svc]
		s := &out[p.key][p.svc]
		if isOpen[open[svc.ID]] {
			s.Opens, s.Reason, s.Why = true, ReasonOpen, messages.New("gateway.allowed_open", messages.Verbatim(svc.ID))
			continue
		}
		why := d.whyClosed(ctx, e, key, svc)
		s.Reason, s.Why = why.reason, why.msg
	}
	return out, nil
}

// checkBulk checks reqs in one snapshot (none: no call) and says which
// the engine found permitted.
func checkBulk(ctx context.Context, e *engine.Engine, reqs []engine.CheckRequest) ([]bool, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	var resBuf [smallChecks]engine.CheckResult
	var errBuf [smallChecks]error
	res, errs, _, err := e.AppendCheckBulk(ctx, resBuf[:0], errBuf[:0], reqs, engine.At{})
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(reqs))
	for i := range res {
		out[i] = errs[i] == nil && res[i].Result == engine.HasPermission
	}
	return out, nil
}

// firstOpening is the grant of the first of key's accesses to svc that
// opens it, given whether the engine found the j-th one held and covering
// the service (checked(j)): as keyOpens decides, a grant only OAUTH2 keys
// may use opens nothing to another key.
func (d *Decider) firstOpening(key *portal.LiveKey, svc Service, checked func(j int) bool) (string, bool) {
	for j, a := range key.To(svc.ID) {
		if !checked(j) {
			continue
		}
		if d.Grants != nil {
			if _, onlyOAuth, ok := d.Grants.GrantInfo(a.Grant); ok && onlyOAuth && key.Type != portal.KeyOAuth2 {
				continue
			}
		}
		return a.Grant, true
	}
	return "", false
}
