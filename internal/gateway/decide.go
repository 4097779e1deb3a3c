package gateway

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/tuple"
)

// Reason codes of a Decision (stable: proxies log them, clients read them
// in the X-Octroi-Reason header).
const (
	ReasonOpen               = "open"                // allowed without a key
	ReasonNoService          = "no_service"          // 404
	ReasonBadRequest         = "bad_request"         // 400
	ReasonNoKey              = "no_key"              // 401
	ReasonUnknownKey         = "unknown_key"         // 401
	ReasonKeyWrongChannel    = "key_wrong_channel"   // 401
	ReasonKeyDisabled        = "key_disabled"        // 403
	ReasonKeyRevoked         = "key_revoked"         // 403
	ReasonOwnerDisabled      = "owner_disabled"      // 403
	ReasonIPRefused          = "ip_refused"          // 403
	ReasonRefererRefused     = "referer_refused"     // 403
	ReasonUserAgentRefused   = "user_agent_refused"  // 403
	ReasonServiceUnavailable = "service_unavailable" // 403
	ReasonGrantExpired       = "grant_expired"       // 403
	ReasonGrantNotHeld       = "grant_not_held"      // 403
	ReasonLayerNotGranted    = "layer_not_granted"   // 403
	ReasonUnknownLayer       = "unknown_layer"       // 403
	ReasonNothingUsable      = "nothing_usable"      // 403
	ReasonOnlyOAuth          = "only_oauth"          // 403
)

// Service is a map service as the gateway serves it.
type Service struct {
	ID string
	// Path is the public path the service is served at ("/wms-r"):
	// several services may share one (one per dataset, say), each with
	// its own layers.
	Path     string
	Protocol string // WMS, WMTS, WFS, TMS, or "" (download)
	Upstream string
	Layers   []string
}

// Catalog finds the services a request path reaches.
type Catalog interface {
	// ServicesAt returns the services served at the longest service path
	// that is path or its prefix (at a "/"), and the rest of path after
	// it; none when no service path matches. It reads memory only.
	ServicesAt(path string) (services []Service, rest string)
}

// Keys finds access keys in memory (*portal.Service).
type Keys interface {
	LookupKey(presented string, now time.Time) (*portal.LiveKey, error)
}

// Grants tells what the gateway says about a grant, from memory: its end
// (nil: none) and whether it may be used only through OAUTH2 keys; ok is
// false for a grant it does not know.
type Grants interface {
	GrantInfo(id string) (end *time.Time, onlyOAuth bool, ok bool)
}

// Parser reads an OGC request (see ParseOGC): rest is the path after the
// service path, protocol the service's.
type Parser func(method, rest string, query url.Values, protocol string) (Request, error)

// Decider makes decisions. Catalog, Keys, Engine and Parse are required;
// Grants, Usage and Now are optional.
type Decider struct {
	Catalog Catalog
	Keys    Keys
	Grants  Grants
	// Engine returns the current engine (the server may swap it).
	Engine func() *engine.Engine
	Parse  Parser
	// Usage records every decision, off the decision's path (nil: none).
	Usage *UsageLog
	Now   func() time.Time
	// Platform is the platform object id (whose disabled accounts own
	// keys that open nothing); default "main".
	Platform string
	// Tokens verifies the bearer tokens of OAUTH2 keys (nil: none is
	// accepted; see oauth2.go).
	Tokens TokenVerifier
}

func (d *Decider) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// at is the instant of a decision whose caller has just read the clock
// (now): Now's reading when Now is set, else now, so that a caller that
// reads the clock anyway spares the decision another reading.
func (d *Decider) at(now time.Time) time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return now
}

// Decide answers in. It reads memory only: services, keys, and the
// engine's index. Every answer says why, in Reason and Why.
func (d *Decider) Decide(ctx context.Context, in Input) Decision {
	return d.decideRecorded(ctx, in, full, d.now())
}

// decideRecorded is Decide at the instant now (the keys' validity, the
// usage event's time), with an allowed answer's Why and Usable made or
// not (detail).
func (d *Decider) decideRecorded(ctx context.Context, in Input, det detail, now time.Time) Decision {
	dec := d.decide(ctx, in, det, now)
	if d.Usage != nil {
		d.Usage.Record(now, dec)
	}
	return dec
}

// detail says whether an allowed Decision carries Why and Usable (full),
// or neither (brief): forward-auth answers an allowed request with
// headers naming the key alone, and making the words and the layer set
// would be most of what an allowed decision allocates. A refusal always
// carries its Why.
type detail bool

const (
	brief detail = false
	full  detail = true
)

// Explain decides in as if it presented key (nil: no key), whatever key
// in itself presents, without recording usage: the why of a request
// for someone who holds no secret of the key (its owner, the producer).
func (d *Decider) Explain(ctx context.Context, in Input, key *portal.LiveKey) Decision {
	return d.decideWith(ctx, in, func() (*portal.LiveKey, *Decision) { return key, nil }, full)
}

func (d *Decider) decide(ctx context.Context, in Input, det detail, now time.Time) Decision {
	return d.decideWith(ctx, in, func() (*portal.LiveKey, *Decision) { return d.findKey(ctx, in, now) }, det)
}

func (d *Decider) decideWith(ctx context.Context, in Input, findKey func() (*portal.LiveKey, *Decision), det detail) Decision {
	svcs, rest := d.Catalog.ServicesAt(in.Path)
	if len(svcs) == 0 {
		return refusal(http.StatusNotFound, ReasonNoService, messages.New("gateway.no_service", messages.Quote(in.Path)))
	}
	req, err := d.Parse(in.Method, rest, in.Query, svcs[0].Protocol)
	if err != nil {
		why := messages.Verbatim(err.Error())
		var pe *ParseError
		if errors.As(err, &pe) {
			why = pe.Msg
		}
		return refusal(http.StatusBadRequest, ReasonBadRequest, messages.New("gateway.bad_request", why))
	}
	dec := Decision{Request: req, Layers: req.Layers, Upstream: svcs[0].Upstream}
	// The services the request touches: those of its layers, or every
	// service at the path for a request without layers
	// (GetCapabilities, a download).
	// A layer no service here serves is refused once the key is known to
	// be valid and usable from here: before that, the answer would tell
	// a caller without a key which layer names exist.
	touched := make([]int, 0, 1)
	unknown := ""
	for _, l := range req.Layers {
		i := serviceOf(svcs, l)
		if i < 0 {
			if unknown == "" {
				unknown = l
			}
			continue
		}
		if !containsInt(touched, i) {
			touched = append(touched, i)
		}
	}
	wholePath := len(req.Layers) == 0
	if wholePath {
		for i := range svcs {
			touched = append(touched, i)
		}
	}
	// Services and, once a key opens them, Grants share one array.
	var ids []string
	if len(touched) > 0 {
		ids = make([]string, len(touched), 2*len(touched))
		for j, i := range touched {
			ids[j] = svcs[i].ID
		}
		dec.Services = ids[:len(touched):len(touched)]
	}
	e := d.Engine()
	key, keyDec := findKey()
	if key == nil {
		if keyDec != nil {
			keyDec.Request, keyDec.Services, keyDec.Layers = req, dec.Services, req.Layers
			return *keyDec
		}
		if unknown != "" {
			r := refusal(http.StatusUnauthorized, ReasonNoKey, messages.New("gateway.no_key"))
			r.Services = dec.Services
			return withRequest(r, req)
		}
		// Without a key: what everyone may use (open, or downloadable by
		// anyone, and available).
		openOK, err := d.checkAll(ctx, e, svcs, touched, "use", anonymousUser)
		if err != nil {
			return withRequest(refusal(http.StatusServiceUnavailable, "", messages.New("error.busy")), req)
		}
		if allowed(wholePath, openOK) {
			dec.Status, dec.Reason = http.StatusOK, ReasonOpen
			if det == full {
				dec.Why = messages.New("gateway.allowed_open", serviceNames(svcs, touched))
				dec.Usable = layerSet(svcs, usableOf(svcs, touched, openOK))
			}
			return dec
		}
		// Nobody may use an unavailable service: say so rather than ask
		// for a key that would not help.
		if i, down := d.firstUnavailable(ctx, e, svcs, touched, openOK); down {
			return withRequest(refusal(http.StatusForbidden, ReasonServiceUnavailable, messages.New("gateway.service_unavailable", messages.Quote(svcs[i].ID))), req)
		}
		r := refusal(http.StatusUnauthorized, ReasonNoKey, messages.New("gateway.no_key"))
		r.Services = dec.Services
		return withRequest(r, req)
	}
	dec.Account, dec.Key = key.Owner, key.ID
	if r, refused := d.checkKey(key, in); refused {
		r.Account, r.Key, r.Services = key.Owner, key.ID, dec.Services
		return withRequest(r, req)
	}
	if unknown != "" {
		r := refusal(http.StatusForbidden, ReasonUnknownLayer, messages.New("gateway.unknown_layer", messages.Quote(in.Path), messages.Quote(unknown)))
		r.Account, r.Key, r.Services = key.Owner, key.ID, dec.Services
		return withRequest(r, req)
	}
	// The key's rights, service by service: one of the key's accesses to
	// it opens for its owner (access#open) through a grant that still
	// covers it (service#grant); or, for the services it does not open,
	// anyone may use them. The key is asked first: the usual request is
	// a key on the services it opens, and the anonymous question (every
	// grant of the service, for nobody) is the dearer one.
	opened := make([]bool, len(touched))
	dec.Grants = ids[len(touched) : 2*len(touched)]
	var closed []int // indexes in touched of the services the key does not open
	for j, i := range touched {
		grant, ok, err := d.keyOpens(ctx, e, key, svcs[i])
		if err != nil {
			return withRequest(refusal(http.StatusServiceUnavailable, "", messages.New("error.busy")), req)
		}
		opened[j], dec.Grants[j] = ok, grant
		if !ok {
			closed = append(closed, j)
		}
	}
	var why refusalWhy
	if len(closed) > 0 {
		sub := make([]int, len(closed))
		for k, j := range closed {
			sub[k] = touched[j]
		}
		openOK, err := d.checkAll(ctx, e, svcs, sub, "use", anonymousUser)
		if err != nil {
			return withRequest(refusal(http.StatusServiceUnavailable, "", messages.New("error.busy")), req)
		}
		for k, j := range closed {
			opened[j] = openOK[k]
			if !openOK[k] && why.reason == "" {
				why = d.whyClosed(ctx, e, key, svcs[touched[j]])
			}
		}
	}
	switch {
	case wholePath && !slices.Contains(opened, true):
		r := refusal(http.StatusForbidden, ReasonNothingUsable, messages.New("gateway.nothing_usable", key.ID, messages.Quote(in.Path)))
		if why.reason == ReasonServiceUnavailable || why.reason == ReasonGrantExpired || why.reason == ReasonOwnerDisabled {
			r.Reason, r.Why = why.reason, why.msg // the one reason says more
		}
		r.Account, r.Key, r.Services = key.Owner, key.ID, dec.Services
		return withRequest(r, req)
	case !wholePath && !allTrue(opened):
		r := refusal(http.StatusForbidden, why.reason, why.msg)
		r.Account, r.Key, r.Services = key.Owner, key.ID, dec.Services
		return withRequest(r, req)
	}
	dec.Status = http.StatusOK
	if det == full {
		usable := usableOf(svcs, touched, opened)
		dec.Why = messages.New("gateway.allowed", key.ID, key.Owner, serviceNames(svcs, usable))
		dec.Usable = layerSet(svcs, usable)
	}
	return dec
}

// refusalWhy is why a key does not open a service.
type refusalWhy struct {
	reason string
	msg    messages.Message
}

// smallChecks: up to this many checks, a decision's bulk checks are
// built on the stack (the engine does not keep them).
const smallChecks = 4

var anonymousUser = tuple.SubjectRef{Type: "user", ID: "anonymous"}

// checkAll checks perm on every touched service for subject, in one
// snapshot.
func (d *Decider) checkAll(ctx context.Context, e *engine.Engine, svcs []Service, touched []int, perm string, subject tuple.SubjectRef) ([]bool, error) {
	var buf [smallChecks]engine.CheckRequest // on the stack for the usual few services
	reqs := buf[:0]
	for _, i := range touched {
		reqs = append(reqs, engine.CheckRequest{Resource: tuple.ObjectRef{Type: "service", ID: svcs[i].ID}, Permission: perm, Subject: subject})
	}
	return checkBulk(ctx, e, reqs)
}

// firstUnavailable finds a touched service that is switched off, among
// those not open (only on refusals: it costs checks).
func (d *Decider) firstUnavailable(ctx context.Context, e *engine.Engine, svcs []Service, touched []int, ok []bool) (int, bool) {
	online, err := d.checkAll(ctx, e, svcs, touched, "online", anonymousUser)
	if err != nil {
		return 0, false
	}
	for j, i := range touched {
		if !ok[j] && !online[j] {
			return i, true
		}
	}
	return 0, false
}

// keyOpens reports whether one of key's accesses opens svc now, and
// through which grant.
func (d *Decider) keyOpens(ctx context.Context, e *engine.Engine, key *portal.LiveKey, svc Service) (string, bool, error) {
	acc := key.To(svc.ID)
	if len(acc) == 0 {
		return "", false, nil
	}
	owner := tuple.SubjectRef{Type: "user", ID: key.Owner}
	var buf [smallChecks]engine.CheckRequest // on the stack for a key's usual one or two accesses
	reqs := buf[:0]
	for _, a := range acc {
		reqs = append(reqs,
			engine.CheckRequest{Resource: tuple.ObjectRef{Type: "access", ID: a.ID}, Permission: "open", Subject: owner},
			engine.CheckRequest{Resource: tuple.ObjectRef{Type: "service", ID: svc.ID}, Permission: "grant", Subject: tuple.SubjectRef{Type: "grant", ID: a.Grant}})
	}
	var resBuf [smallChecks]engine.CheckResult
	var errBuf [smallChecks]error
	res, errs, _, err := e.AppendCheckBulk(ctx, resBuf[:0], errBuf[:0], reqs, engine.At{})
	if err != nil {
		return "", false, err
	}
	grant, ok := d.firstOpening(key, svc, func(j int) bool {
		return errs[2*j] == nil && errs[2*j+1] == nil && res[2*j].Result == engine.HasPermission && res[2*j+1].Result == engine.HasPermission
	})
	return grant, ok, nil
}

func firstLayerOr(svc Service) string {
	if len(svc.Layers) > 0 {
		return svc.Layers[0]
	}
	return svc.ID
}

// whyClosed says why none of acc opens svc, in the order that helps most:
// the service is off; the owner is disabled; a grant only OAUTH2 keys
// may use; a grant that expired (and when); a grant no longer held or no
// longer covering the service.
func (d *Decider) whyClosed(ctx context.Context, e *engine.Engine, key *portal.LiveKey, svc Service) refusalWhy {
	acc := key.To(svc.ID)
	if len(acc) == 0 {
		return refusalWhy{ReasonLayerNotGranted, messages.New("gateway.layer_not_granted", key.ID, messages.Quote(firstLayerOr(svc)), messages.Quote(svc.ID))}
	}
	owner := tuple.SubjectRef{Type: "user", ID: key.Owner}
	has := func(res tuple.ObjectRef, perm string, sub tuple.SubjectRef) bool {
		r, _, err := e.Check(ctx, engine.CheckRequest{Resource: res, Permission: perm, Subject: sub}, engine.At{})
		return err == nil && r.Result == engine.HasPermission
	}
	if !has(tuple.ObjectRef{Type: "service", ID: svc.ID}, "online", owner) {
		return refusalWhy{ReasonServiceUnavailable, messages.New("gateway.service_unavailable", messages.Quote(svc.ID))}
	}
	if has(tuple.ObjectRef{Type: "platform", ID: cmp.Or(d.Platform, "main")}, "disabled", owner) {
		return refusalWhy{ReasonOwnerDisabled, messages.New("gateway.owner_disabled", key.ID)}
	}
	now := d.now()
	for _, a := range acc {
		if d.Grants == nil {
			break
		}
		end, onlyOAuth, ok := d.Grants.GrantInfo(a.Grant)
		if ok && onlyOAuth && key.Type != portal.KeyOAuth2 {
			return refusalWhy{ReasonOnlyOAuth, messages.New("gateway.only_oauth", messages.Quote(a.Grant))}
		}
		if ok && end != nil && !now.Before(*end) {
			return refusalWhy{ReasonGrantExpired, messages.New("gateway.grant_expired", messages.Quote(a.Grant), key.ID, messages.Quote(svc.ID), end.UTC().Format(time.RFC3339))}
		}
	}
	for _, a := range acc {
		if has(tuple.ObjectRef{Type: "grant", ID: a.Grant}, "holder", owner) {
			// Held, but no longer covering the service.
			return refusalWhy{ReasonLayerNotGranted, messages.New("gateway.layer_not_granted", key.ID, messages.Quote(firstLayerOr(svc)), messages.Quote(svc.ID))}
		}
	}
	return refusalWhy{ReasonGrantNotHeld, messages.New("gateway.grant_not_held", key.ID, messages.Quote(acc[0].Grant), messages.Quote(svc.ID))}
}

// findKey finds the key the request presents: the apikey query
// parameter, the apikey header (HASH keys), HTTP Basic (BASIC), or a
// header holding a key secret (HEADER keys, in the header they name).
// It returns nil and nil when the request presents no key, nil and a
// refusal for a key that is unknown or travels the wrong way, or not
// valid at now.
func (d *Decider) findKey(ctx context.Context, in Input, now time.Time) (*portal.LiveKey, *Decision) {
	try := func(presented string, want portal.KeyType, header string) (*portal.LiveKey, *Decision) {
		k, err := d.Keys.LookupKey(presented, now)
		// An OAUTH2 key is found only through a verified token: what it
		// is looked up by (issuer, client, subject) is no secret, and a
		// client that presents it another way learns nothing of it.
		if err != nil || (k.Type == portal.KeyOAuth2 && want != portal.KeyOAuth2) {
			r := refusal(http.StatusUnauthorized, ReasonUnknownKey, messages.New("gateway.unknown_key"))
			return nil, &r
		}
		if k.Type != want || (want == portal.KeyHeader && k.Header != header) {
			r := refusal(http.StatusUnauthorized, ReasonKeyWrongChannel, messages.New("gateway.key_wrong_channel", k.Type, messages.New(messages.Key("gateway.channel."+string(k.Type)))))
			return nil, &r
		}
		return k, nil
	}
	if v := in.Query.Get("apikey"); v != "" {
		return try(v, portal.KeyHash, "")
	}
	if v := getCanonical(in.Header, "Apikey"); v != "" {
		return try(v, portal.KeyHash, "")
	}
	if auth := getCanonical(in.Header, "Authorization"); auth != "" {
		if user, pass, ok := parseBasic(auth); ok {
			return try(portal.BasicLookup(user, pass), portal.KeyBasic, "")
		}
		if isBearer(auth) {
			return d.bearerKey(ctx, auth, now) // OAUTH2 keys: oauth2.go
		}
		r := refusal(http.StatusUnauthorized, ReasonUnknownKey, messages.New("gateway.unknown_key"))
		return nil, &r
	}
	for name, vs := range in.Header {
		for _, v := range vs {
			if strings.HasPrefix(v, portal.KeySecretPrefix) {
				return try(v, portal.KeyHeader, name)
			}
		}
	}
	return nil, nil
}

// parseBasic reads HTTP Basic credentials (as net/http's Request.BasicAuth).
func parseBasic(auth string) (user, pass string, ok bool) {
	const prefix = "Basic "
	if len(auth) < len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return "", "", false
	}
	c, err := base64.StdEncoding.DecodeString(auth[len(prefix):])
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(c), ":")
	return user, pass, ok
}

// checkKey refuses a key that is not active, or whose filters refuse the
// request.
func (d *Decider) checkKey(k *portal.LiveKey, in Input) (Decision, bool) {
	switch k.Status {
	case portal.KeyActive:
	case portal.KeyRevoked:
		return refusal(http.StatusForbidden, ReasonKeyRevoked, messages.New("gateway.key_revoked", k.ID)), true
	default:
		return refusal(http.StatusForbidden, ReasonKeyDisabled, messages.New("gateway.key_disabled", k.ID)), true
	}
	if !k.IPAllowed(in.Client) {
		if !in.Client.IsValid() {
			return refusal(http.StatusForbidden, ReasonIPRefused, messages.New("gateway.ip_unreadable", k.ID)), true
		}
		return refusal(http.StatusForbidden, ReasonIPRefused, messages.New("gateway.ip_refused", k.ID, in.Client.String())), true
	}
	if ref := getCanonical(in.Header, "Referer"); !k.RefererAllowed(ref) {
		return refusal(http.StatusForbidden, ReasonRefererRefused, messages.New("gateway.referer_refused", k.ID, messages.Quote(ref))), true
	}
	if ua := getCanonical(in.Header, "User-Agent"); !k.UserAgentAllowed(ua) {
		return refusal(http.StatusForbidden, ReasonUserAgentRefused, messages.New("gateway.user_agent_refused", k.ID, messages.Quote(ua))), true
	}
	return Decision{}, false
}

func refusal(status int, reason string, why messages.Message) Decision {
	return Decision{Status: status, Reason: reason, Why: why}
}

func withRequest(d Decision, r Request) Decision {
	d.Request, d.Layers = r, r.Layers
	return d
}

// serviceOf returns the index of the service serving layer, -1 when none.
// Services at one path are few; layers are compared as the client wrote
// them (OGC layer names are case-sensitive).
func serviceOf(svcs []Service, layer string) int {
	for i, s := range svcs {
		for _, l := range s.Layers {
			if l == layer {
				return i
			}
		}
	}
	return -1
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func allTrue(bs []bool) bool {
	for _, b := range bs {
		if !b {
			return false
		}
	}
	return len(bs) > 0
}

// allowed: a request without layers (wholePath) may use one of the
// services at its path, one with layers every service it touches.
func allowed(wholePath bool, ok []bool) bool {
	if wholePath {
		return slices.Contains(ok, true)
	}
	return allTrue(ok)
}

func usableOf(svcs []Service, touched []int, ok []bool) []int {
	var out []int
	for j, i := range touched {
		if ok[j] {
			out = append(out, i)
		}
	}
	return out
}

// serviceNames names the services idx, for a message.
func serviceNames(svcs []Service, idx []int) messages.Message {
	if len(idx) == 1 {
		return messages.Verbatim(svcs[idx[0]].ID)
	}
	ids := make([]string, len(idx))
	for j, i := range idx {
		ids[j] = svcs[i].ID
	}
	return messages.Verbatim(strings.Join(ids, ", "))
}

// layerSet is Usable for the layers of the usable services. Only the
// proxy's capabilities rewriting asks it, so the set is made on the
// first question rather than for every decision; a few layers are
// looked through rather than hashed.
func layerSet(svcs []Service, usable []int) func(string) bool {
	n := 0
	for _, i := range usable {
		n += len(svcs[i].Layers)
	}
	if n <= smallLayerSet {
		return func(l string) bool {
			for _, i := range usable {
				if slices.Contains(svcs[i].Layers, l) {
					return true
				}
			}
			return false
		}
	}
	var once sync.Once
	var set map[string]bool
	return func(l string) bool {
		once.Do(func() {
			set = make(map[string]bool, n)
			for _, i := range usable {
				for _, l := range svcs[i].Layers {
					set[l] = true
				}
			}
		})
		return set[l]
	}
}

// smallLayerSet: up to this many layers, layerSet looks through them.
const smallLayerSet = 16
