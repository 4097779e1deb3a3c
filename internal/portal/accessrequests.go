package portal

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
)

// AccessRequestStatus is where an access request stands.
type AccessRequestStatus string

const (
	AccessPending   AccessRequestStatus = "pending"
	AccessAccepted  AccessRequestStatus = "accepted"
	AccessRefused   AccessRequestStatus = "refused"
	AccessCancelled AccessRequestStatus = "cancelled"
	// AccessAlreadyGranted: the requester could already use every service
	// asked for; the request was answered at once, and reached nobody.
	AccessAlreadyGranted AccessRequestStatus = "already_granted"
)

var accessStatuses = []AccessRequestStatus{AccessPending, AccessAccepted, AccessRefused, AccessCancelled, AccessAlreadyGranted}

// AccessRequest asks for access to restricted services of a product
// (dataset), for its author or for a community the author manages. It
// reaches the people who manage the product's grants (its organisation's
// editors and delegated administrators), or, for a renewal, the grantor of
// the grant to renew. Accepting creates a grant (or extends the
// beneficiary's own grant on those services, or the grant renewed) with
// the expiry the decider chooses, in the same transaction.
type AccessRequest struct {
	ID           string `json:"id"`
	Dataset      string `json:"dataset"`
	Organisation string `json:"organisation"`
	Account      string `json:"account"`
	// Community is the beneficiary when set (one the author manages).
	Community string              `json:"community,omitempty"`
	Services  []string            `json:"services"`
	Message   string              `json:"message,omitempty"`
	Renewal   string              `json:"renewal,omitempty"` // the grant to renew
	Status    AccessRequestStatus `json:"status"`
	DecidedBy string              `json:"decided_by,omitempty"`
	DecidedAt *time.Time          `json:"decided_at,omitempty"`
	Reason    string              `json:"reason,omitempty"`
	Grant     string              `json:"grant,omitempty"`   // created or extended, when accepted
	Expires   *time.Time          `json:"expires,omitempty"` // chosen by the decider
	Created   time.Time           `json:"created"`
	// Cause says why a request was cancelled by a deletion rather than by
	// its author (accesscancel.go): CancelDatasetDeleted…; "" otherwise.
	Cause string `json:"cause,omitempty"`
}

// Document kinds of access requests: listed by organisation, and indexed
// by author (joinIndex records, as join requests are).
const (
	kindAccessRequest   = "access_request"
	kindAccessByAccount = "access_request_by_account"
)

// accessPendingKey is the alternate key of a pending request: one pending
// request per product and beneficiary.
func accessPendingKey(r AccessRequest) string {
	b := "user:" + r.Account
	if r.Community != "" {
		b = "community:" + r.Community
	}
	return r.Dataset + "|" + b
}

func (t *txn) putAccessRequest(r AccessRequest) error {
	alt := ""
	if r.Status == AccessPending {
		alt = accessPendingKey(r)
	}
	return t.put(kindAccessRequest, r.ID, alt, r.Organisation, r)
}

// holds reports whether g is made to r's beneficiary (the author, or the
// community when set).
func (r AccessRequest) holds(g Grant) bool {
	if r.Community != "" {
		return slices.Contains(g.Communities, r.Community)
	}
	return slices.Contains(g.Users, r.Account)
}

// RequestAccess asks for access to services of a product the author may at
// least search (to others it does not exist). r.Dataset, r.Services
// (restricted services of the dataset; none: all of them), r.Message,
// r.Community (optional: one the author manages) and r.Renewal (optional:
// a grant of the beneficiary to renew, whose services are then the
// default) are read. A request for what the beneficiary can already use
// (and no renewal) is answered at once, as already_granted, and reaches
// nobody; any other reaches the organisation's editors and delegated
// administrators, as notices.
func (s *Service) RequestAccess(ctx context.Context, actor string, r AccessRequest) (AccessRequest, error) {
	var err error
	if err := checkID("dataset", r.Dataset); err != nil {
		return AccessRequest{}, err
	}
	if r.Message, err = cleanMessage("message", r.Message, true); err != nil {
		return AccessRequest{}, err
	}
	if r.Services, err = checkIDs("services", r.Services, maxGrantServices, checkID); err != nil {
		return AccessRequest{}, err
	}
	for _, f := range []struct{ name, id string }{{"community", r.Community}, {"renewal", r.Renewal}} {
		if f.id != "" {
			if err := checkID(f.name, f.id); err != nil {
				return AccessRequest{}, err
			}
		}
	}
	if err := s.authorize(ctx, actor, datasetGuard(r.Dataset, "search")); err != nil {
		return AccessRequest{}, err
	}
	if r.Community != "" {
		if err := s.authorize(ctx, actor, communityGuard(r.Community, "manage")); err != nil {
			return AccessRequest{}, err
		}
	}
	var out AccessRequest
	err = s.transact(ctx, actor, func(t *txn) error {
		d, _, err := t.dataset(ctx, r.Dataset)
		if err != nil {
			return err
		}
		out = AccessRequest{ID: t.s.newID(), Dataset: d.ID, Organisation: d.Owner, Account: actor, Community: r.Community,
			Message: r.Message, Renewal: r.Renewal, Status: AccessPending, Created: t.at}
		restricted, err := list[MapService](ctx, t.view, kindService, d.ID, "", 0)
		if err != nil {
			return err
		}
		restricted = slices.DeleteFunc(restricted, func(m MapService) bool { return m.Open })
		if r.Renewal != "" {
			var g Grant
			if err := t.get(ctx, kindGrant, r.Renewal, &g); err != nil || !out.holds(g) {
				return notFoundOr(err, kindGrant, r.Renewal)
			}
			if g.Grantor != d.Owner {
				return invalid("invalid.renewal_grantor", r.Renewal, d.ID)
			}
			if g.Expires == nil {
				return invalid("invalid.renewal_no_expiry", r.Renewal)
			}
			if len(r.Services) == 0 {
				for _, m := range restricted {
					if slices.Contains(g.Services, m.ID) {
						r.Services = append(r.Services, m.ID)
					}
				}
			}
		}
		if len(r.Services) == 0 {
			for _, m := range restricted {
				r.Services = append(r.Services, m.ID)
			}
		}
		if len(r.Services) == 0 {
			return invalid("invalid.no_restricted_service", messages.Quote(d.ID))
		}
		for _, id := range r.Services {
			if !slices.ContainsFunc(restricted, func(m MapService) bool { return m.ID == id }) {
				return invalid("invalid.not_restricted_service", "services", messages.Quote(id), messages.Quote(d.ID))
			}
		}
		out.Services = r.Services
		if r.Renewal == "" {
			has, err := t.s.alreadyHas(ctx, out)
			if err != nil {
				return err
			}
			if has {
				out.Status = AccessAlreadyGranted
				at := t.at
				out.DecidedAt = &at
			}
		}
		if out.Status == AccessPending {
			if _, err := t.docs.DocByAlt(ctx, kindAccessRequest, accessPendingKey(out)); err == nil {
				return conflict("conflict.pending_access_request", messages.Quote(d.ID))
			} else if !isNotFound(err) {
				return err
			}
		}
		if err := t.putAccessRequest(out); err != nil {
			return err
		}
		if err := t.put(kindAccessByAccount, out.ID, "", actor, joinIndex{ID: out.ID, Organisation: out.Organisation}); err != nil {
			return err
		}
		if out.Status == AccessPending {
			members, err := t.orgMembers(ctx, out.Organisation)
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(members))
			for id, role := range members {
				if role == RoleEditor || role == RoleDelegatedAdmin {
					ids = append(ids, id)
				}
			}
			slices.Sort(ids)
			for _, id := range ids {
				if err := t.notify(id, "access_request.created", map[string]string{"request": out.ID, "dataset": out.Dataset, "account": actor, "community": out.Community, "renewal": out.Renewal}); err != nil {
					return err
				}
			}
		}
		return t.audit("access_request.create", "dataset:"+out.Dataset, nil, out)
	})
	return out, err
}

// alreadyHas reports whether r's beneficiary can already use every
// service of r: the author through the engine (service#use), a community
// through a live grant made to it on each.
func (s *Service) alreadyHas(ctx context.Context, r AccessRequest) (bool, error) {
	if r.Community == "" {
		reqs := make([]engine.CheckRequest, len(r.Services))
		for i, id := range r.Services {
			reqs[i] = engine.CheckRequest{Resource: serviceRef(id), Permission: "use", Subject: user(r.Account)}
		}
		res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
		if err != nil {
			return false, err
		}
		for i := range res {
			if errs[i] != nil {
				return false, errs[i]
			}
			if res[i].Result != engine.HasPermission {
				return false, nil
			}
		}
		return true, nil
	}
	gs, err := indexed[Grant](ctx, s.mem, kindGrant, "community:"+r.Community, "")
	if err != nil {
		return false, err
	}
	now := s.now()
	for _, id := range r.Services {
		if !slices.ContainsFunc(gs, func(g Grant) bool { return g.State(now) == GrantLive && slices.Contains(g.Services, id) }) {
			return false, nil
		}
	}
	return true, nil
}

// accessRequestFor reads a request for its deciders (publish on its
// organisation) or, unless decide, its author; to anyone else it does not
// exist.
func (s *Service) accessRequestFor(ctx context.Context, actor, id string, decide bool) (AccessRequest, error) {
	var r AccessRequest
	if err := checkID("id", id); err != nil {
		return r, err
	}
	if err := s.read().get(ctx, kindAccessRequest, id, &r); err != nil {
		return r, err
	}
	if !decide && r.Account == actor {
		return r, s.authorize(ctx, actor, guard{self: actor})
	}
	if err := s.authorize(ctx, actor, s.orgGuard(r.Organisation, "publish")); err != nil {
		if errors.Is(err, ErrForbidden) && r.Account != actor {
			// Whoever neither asked nor decides does not learn of it.
			return AccessRequest{}, noSuch(kindAccessRequest, id)
		}
		return AccessRequest{}, err
	}
	return r, nil
}

// AccessRequestOf returns a request to its author and its deciders.
func (s *Service) AccessRequestOf(ctx context.Context, actor, id string) (AccessRequest, error) {
	return s.accessRequestFor(ctx, actor, id, false)
}

// CancelAccessRequest cancels a pending request, by its author only.
func (s *Service) CancelAccessRequest(ctx context.Context, actor, id string) (AccessRequest, error) {
	var r AccessRequest
	if err := s.read().get(ctx, kindAccessRequest, id, &r); err != nil {
		return AccessRequest{}, err
	}
	if r.Account != actor {
		return AccessRequest{}, noSuch(kindAccessRequest, id)
	}
	err := s.do(ctx, actor, guard{self: r.Account}, func(t *txn) error {
		if err := t.get(ctx, kindAccessRequest, id, &r); err != nil {
			return err
		}
		if r.Status != AccessPending {
			return conflict("conflict.access_not_pending", id, words("access.", string(r.Status)))
		}
		before := r
		at := t.at
		r.Status, r.DecidedBy, r.DecidedAt = AccessCancelled, actor, &at
		if err := t.putAccessRequest(r); err != nil {
			return err
		}
		return t.audit("access_request.cancel", "dataset:"+r.Dataset, before, r)
	})
	return r, err
}

// AccessDecision is a decider's answer: accept (with the grant's expiry,
// nil: none, and the name of a grant to create, default the dataset's
// title) or refuse (with a reason).
type AccessDecision struct {
	Accept  bool
	Expires *time.Time
	Name    string
	Reason  string
}

// DecideAccessRequest accepts or refuses a pending request (publish on its
// organisation: whoever manages the product's grants). Accepting, in the
// same transaction: a renewal extends the grant renewed (its expiry
// becomes the one chosen, and the beneficiary is added back if it was
// removed); otherwise the beneficiary's own grant of this organisation
// (one whose sole beneficiary it is) gains the services and the expiry,
// or a new grant is created. The author gets a notice either way.
func (s *Service) DecideAccessRequest(ctx context.Context, actor, id string, d AccessDecision) (AccessRequest, error) {
	var err error
	if d.Reason, err = cleanMessage("reason", d.Reason, true); err != nil {
		return AccessRequest{}, err
	}
	if d.Name != "" {
		if d.Name, err = cleanText("name", d.Name, maxName, false); err != nil {
			return AccessRequest{}, err
		}
	}
	if d.Expires, err = cleanExpiry("expires", d.Expires, s.now(), true); err != nil {
		return AccessRequest{}, err
	}
	r, err := s.accessRequestFor(ctx, actor, id, true)
	if err != nil {
		return AccessRequest{}, err
	}
	err = s.do(ctx, actor, s.orgGuard(r.Organisation, "publish"), func(t *txn) error {
		if err := t.get(ctx, kindAccessRequest, id, &r); err != nil {
			return err
		}
		if r.Status != AccessPending {
			return conflict("conflict.access_not_pending", id, words("access.", string(r.Status)))
		}
		before := r
		at := t.at
		r.DecidedBy, r.DecidedAt, r.Reason = actor, &at, d.Reason
		kind := "access_request.refused"
		r.Status = AccessRefused
		if d.Accept {
			kind = "access_request.accepted"
			r.Status, r.Expires = AccessAccepted, d.Expires
			g, err := t.grantFor(r, d)
			if err != nil {
				return err
			}
			r.Grant = g
		}
		if err := t.putAccessRequest(r); err != nil {
			return err
		}
		if err := t.notify(r.Account, kind, map[string]string{"request": r.ID, "dataset": r.Dataset, "grant": r.Grant, "reason": r.Reason}); err != nil {
			return err
		}
		return t.audit("access_request.decide", "dataset:"+r.Dataset, before, r)
	})
	return r, err
}

// grantFor creates or extends the grant that answers an accepted request,
// and returns its id.
func (t *txn) grantFor(r AccessRequest, d AccessDecision) (string, error) {
	if _, err := t.grantServices(r.Services, r.Organisation); err != nil {
		return "", err
	}
	users, comms := []string{r.Account}, []string(nil)
	if r.Community != "" {
		users, comms = nil, []string{r.Community}
	}
	if err := t.beneficiariesExist(users, comms); err != nil {
		return "", err
	}
	var target *Grant
	if r.Renewal != "" {
		var g Grant
		if err := t.get(t.ctx, kindGrant, r.Renewal, &g); err != nil {
			return "", err
		}
		target = &g
	} else {
		gs, err := list[Grant](t.ctx, t.view, kindGrant, r.Organisation, "", 0)
		if err != nil {
			return "", err
		}
		for _, g := range gs {
			if slices.Equal(g.Users, users) && slices.Equal(g.Communities, comms) {
				target = &g
				break
			}
		}
	}
	if target == nil {
		name := d.Name
		if name == "" {
			var ds Dataset
			if err := t.get(t.ctx, kindDataset, r.Dataset, &ds); err != nil {
				return "", err
			}
			name = ds.Title
		}
		g := Grant{ID: t.s.newID(), Name: name, Grantor: r.Organisation, Services: r.Services, Users: users, Communities: comms,
			Expires: d.Expires, Created: t.at, CreatedBy: t.actor}
		if err := t.writeGrant(nil, g); err != nil {
			return "", err
		}
		// The request's author is told by its own notice.
		if err := t.tellGranted(nil, g, r.Account); err != nil {
			return "", err
		}
		return g.ID, t.audit("grant.create", "grant:"+g.ID, nil, g)
	}
	before := *target
	g := before
	g.Services = addRemove(slices.Clone(before.Services), r.Services, nil)
	g.Users = addRemove(slices.Clone(before.Users), users, nil)
	g.Communities = addRemove(slices.Clone(before.Communities), comms, nil)
	g.Expires = d.Expires
	if d.Name != "" {
		g.Name = d.Name
	}
	if sameGrant(g, before) {
		return g.ID, nil
	}
	if err := t.writeGrant(&before, g); err != nil {
		return "", err
	}
	if err := t.tellGranted(&before, g, r.Account); err != nil {
		return "", err
	}
	return g.ID, t.audit("grant.update", "grant:"+g.ID, before, g)
}

// AccessRequestQuery selects access requests: the actor's own (Mine), or
// the inbox (those of the organisations the actor publishes for, one when
// Organisation is set); Status filters; in id order after After.
type AccessRequestQuery struct {
	Mine         bool
	Organisation string
	Status       AccessRequestStatus
	After        string
	Limit        int
}

// AccessRequests lists access requests as q selects them.
func (s *Service) AccessRequests(ctx context.Context, actor string, q AccessRequestQuery) ([]AccessRequest, error) {
	if q.Status != "" && !slices.Contains(accessStatuses, q.Status) {
		return nil, invalid("invalid.access_status", messages.Quote(q.Status))
	}
	if q.Organisation != "" {
		if err := checkID("organisation", q.Organisation); err != nil {
			return nil, err
		}
	}
	v := s.read()
	limit := pageSize(q.Limit)
	keep := func(r AccessRequest) bool { return q.Status == "" || r.Status == q.Status }
	if q.Mine {
		if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
			return nil, err
		}
		var out []AccessRequest
		var failed error
		_, err := filtered(ctx, v, kindAccessByAccount, actor, q.After, limit, func(m joinIndex) string { return m.ID }, func(m joinIndex) bool {
			var r AccessRequest
			if failed != nil {
				return false
			}
			if failed = v.get(ctx, kindAccessRequest, m.ID, &r); failed != nil || !keep(r) {
				return false
			}
			out = append(out, r)
			return true
		})
		return out, cmp.Or(err, failed)
	}
	var orgs []string
	if q.Organisation != "" {
		if err := s.authorize(ctx, actor, s.orgGuard(q.Organisation, "publish")); err != nil {
			return nil, err
		}
		orgs = []string{q.Organisation}
	} else {
		if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
			return nil, err
		}
		var err error
		if orgs, err = s.lookup(ctx, actor, "organisation", "publish", "", maxLookupPage+1); err != nil {
			return nil, err
		}
	}
	var out []AccessRequest
	for _, org := range orgs {
		rs, err := filtered(ctx, v, kindAccessRequest, org, q.After, limit, func(r AccessRequest) string { return r.ID }, keep)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	slices.SortFunc(out, func(a, b AccessRequest) int { return cmp.Compare(a.ID, b.ID) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
