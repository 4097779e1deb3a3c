package portal

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Grant is a named permission ("permission" in the Géoplateforme's API):
// an organisation (the grantor, that of the services) lets accounts and
// communities use some of its services, until Expires (exact to the
// second; nil: never). The record keeps the beneficiaries and the expiry,
// so that an expired grant stays listed; the relationships carry them for
// the engine (grant#beneficiary_user/beneficiary_community with the
// expiry as their expiration, service#grant), and an expired grant stops
// opening anything at the second it expires, with no job.
type Grant struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Grantor     string     `json:"grantor"`
	Services    []string   `json:"services"`
	Users       []string   `json:"users"`
	Communities []string   `json:"communities"`
	Expires     *time.Time `json:"expires,omitempty"`
	OnlyOAuth   bool       `json:"only_oauth"`
	Created     time.Time  `json:"created"`
	CreatedBy   string     `json:"created_by"`
}

// GrantState is whether a grant is live at a time.
type GrantState string

const (
	GrantLive    GrantState = "live"
	GrantExpired GrantState = "expired"
)

// State is the grant's state at now.
func (g Grant) State(now time.Time) GrantState {
	if g.Expires != nil && !g.Expires.After(now) {
		return GrantExpired
	}
	return GrantLive
}

// Bounds of a grant.
const (
	maxBeneficiaries = 1000
	maxGrantServices = 1000
)

func grantRef(id string) tuple.ObjectRef { return obj("grant", id) }

func grantGuard(id, perm string) guard {
	return guard{rights: []right{{grantRef(id), perm}}, hide: &right{grantRef(id), "view"}, exists: &docRef{kindGrant, id}}
}

func (t *txn) putGrant(g Grant) error {
	return t.put(kindGrant, g.ID, "", g.Grantor, g)
}

// cleanExpiry is an expiry exact to the second, in UTC; a past one is
// refused when future is set.
func cleanExpiry(field string, e *time.Time, now time.Time, future bool) (*time.Time, error) {
	if e == nil {
		return nil, nil
	}
	x := e.UTC().Truncate(time.Second)
	if future && !x.After(now) {
		return nil, invalid("invalid.expiry_not_future", field, x.Format(time.RFC3339))
	}
	return &x, nil
}

// checkIDs checks a list of ids and drops duplicates, order kept.
func checkIDs(field string, ids []string, max int, check func(field, id string) error) ([]string, error) {
	if len(ids) > max {
		return nil, invalid("invalid.too_many", field, len(ids), max)
	}
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		if err := check(field+"["+strconv.Itoa(i)+"]", id); err != nil {
			return nil, err
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// grantServices checks, inside the transaction, that every service
// exists, that the actor manages each, and that they all belong to one
// organisation (org when set), which it returns.
func (t *txn) grantServices(services []string, org string) (string, error) {
	for _, id := range services {
		var m MapService
		if err := t.get(t.ctx, kindService, id, &m); err != nil {
			return "", err
		}
		if err := t.s.authorize(t.ctx, t.actor, serviceGuard(id, "manage")); err != nil {
			return "", err
		}
		switch {
		case org == "":
			org = m.Organisation
		case m.Organisation != org:
			return "", invalid("invalid.grant_organisation", "services", id, m.Organisation, org)
		}
	}
	return org, nil
}

// beneficiariesExist checks that every account and community exists.
func (t *txn) beneficiariesExist(users, communities []string) error {
	for _, u := range users {
		if err := t.mustExist(kindAccount, u); err != nil {
			return err
		}
	}
	for _, c := range communities {
		if err := t.mustExist(kindCommunity, c); err != nil {
			return err
		}
	}
	return nil
}

// writeGrant writes g's record and the relationships that change from
// before (nil: a new grant). A service the grant stops covering loses the
// accesses of keys that opened it through the grant, in this transaction.
// A changed expiry rewrites every beneficiary relationship.
func (t *txn) writeGrant(before *Grant, g Grant) error {
	var old Grant
	if before != nil {
		old = *before
	} else {
		t.touch(t.s.platformLink(grantRef(g.ID)))
		t.touch(rel(grantRef(g.ID), "grantor", tuple.SubjectRef{Type: "organisation", ID: g.Grantor}))
	}
	sub := tuple.SubjectRef{Type: "grant", ID: g.ID}
	for _, s := range old.Services {
		if !slices.Contains(g.Services, s) {
			t.remove(rel(serviceRef(s), "grant", sub))
			if err := t.deleteGrantAccesses(g.ID, s); err != nil {
				return err
			}
		}
	}
	for _, s := range g.Services {
		if !slices.Contains(old.Services, s) {
			t.touch(rel(serviceRef(s), "grant", sub))
		}
	}
	sameExpiry := before != nil && equalTime(old.Expires, g.Expires)
	for _, b := range []struct {
		relation, typ string
		old, new      []string
	}{{"beneficiary_user", "user", old.Users, g.Users}, {"beneficiary_community", "community", old.Communities, g.Communities}} {
		for _, id := range b.old {
			if !slices.Contains(b.new, id) {
				t.remove(rel(grantRef(g.ID), b.relation, tuple.SubjectRef{Type: b.typ, ID: id}))
			}
		}
		for _, id := range b.new {
			if !sameExpiry || !slices.Contains(b.old, id) {
				r := rel(grantRef(g.ID), b.relation, tuple.SubjectRef{Type: b.typ, ID: id})
				r.Expiration = g.Expires
				t.touch(r)
			}
		}
	}
	return t.putGrant(g)
}

// deleteGrantAccesses deletes the accesses that open service through
// grant (their objects' every relationship).
func (t *txn) deleteGrantAccesses(grant, service string) error {
	return t.deleteAccesses(store.Filter{ResourceType: "access", Relation: "grant", SubjectType: "grant", SubjectID: grant},
		func(rs []tuple.Relationship) bool {
			return !slices.ContainsFunc(rs, func(r tuple.Relationship) bool {
				return r.Relation == "service" && r.Subject.Type == "service" && r.Subject.ID == service
			})
		})
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// checkGrant checks and cleans what a grant's creator gives.
func checkGrant(g Grant, now time.Time, create bool) (Grant, error) {
	var err error
	if g.Name, err = cleanText("name", g.Name, maxName, false); err != nil {
		return g, err
	}
	if g.Services, err = checkIDs("services", g.Services, maxGrantServices, checkID); err != nil {
		return g, err
	}
	if len(g.Services) == 0 {
		return g, invalid("invalid.empty", "services")
	}
	if g.Users, err = checkIDs("users", g.Users, maxBeneficiaries, checkAccountID); err != nil {
		return g, err
	}
	if g.Communities, err = checkIDs("communities", g.Communities, maxBeneficiaries, checkID); err != nil {
		return g, err
	}
	if g.Expires, err = cleanExpiry("expires", g.Expires, now, create); err != nil {
		return g, err
	}
	return g, nil
}

// CreateGrant creates a grant on services of one organisation, each of
// which the actor manages, for accounts and communities (any number, none
// included), with an optional expiry in the future.
func (s *Service) CreateGrant(ctx context.Context, actor string, g Grant) (Grant, error) {
	g, err := checkGrant(g, s.now(), true)
	if err != nil {
		return Grant{}, err
	}
	err = s.do(ctx, actor, serviceGuard(g.Services[0], "manage"), func(t *txn) error {
		org, err := t.grantServices(g.Services, "")
		if err != nil {
			return err
		}
		if err := t.beneficiariesExist(g.Users, g.Communities); err != nil {
			return err
		}
		g.ID, g.Grantor, g.Created, g.CreatedBy = t.s.newID(), org, t.at, actor
		if err := t.writeGrant(nil, g); err != nil {
			return err
		}
		if err := t.tellGranted(nil, g, ""); err != nil {
			return err
		}
		return t.audit("grant.create", "grant:"+g.ID, nil, g)
	})
	return g, err
}

// GrantOf returns a grant to whoever may view it (its grantor's publishers,
// its live holders) and to a personal beneficiary of an expired one. Only
// its managers see every beneficiary: a beneficiary sees themself and
// their own communities among them, not who else holds the grant.
func (s *Service) GrantOf(ctx context.Context, actor, id string) (Grant, error) {
	g, ok, err := indexedOne[Grant](ctx, s.mem, kindGrant, id)
	if err != nil {
		return Grant{}, err
	}
	if ok && actor != "" && slices.Contains(g.Users, actor) {
		err = s.authorize(ctx, actor, guard{active: true})
	} else {
		err = s.authorize(ctx, actor, grantGuard(id, "view"))
	}
	if err != nil {
		return Grant{}, err
	}
	if !ok {
		return Grant{}, noSuch(kindGrant, id)
	}
	switch manages, err := s.has(ctx, actor, grantRef(id), "manage"); {
	case err != nil:
		return Grant{}, err
	case manages:
		return g, nil
	}
	comms, err := s.memberOf(ctx, actor)
	if err != nil {
		return Grant{}, err
	}
	return ownPart(g, actor, comms), nil
}

// ownPart is g as one of its beneficiaries sees it: among the
// beneficiaries, only account and the communities of comms.
func ownPart(g Grant, account string, comms []string) Grant {
	out := g
	out.Users, out.Communities = nil, nil
	if slices.Contains(g.Users, account) {
		out.Users = []string{account}
	}
	for _, c := range g.Communities {
		if slices.Contains(comms, c) {
			out.Communities = append(out.Communities, c)
		}
	}
	return out
}

// GrantChange is a change to a grant: each field set changes what it
// names. Expires applies when SetExpires (nil: no expiry).
type GrantChange struct {
	Name              *string
	SetExpires        bool
	Expires           *time.Time
	Services          []string // nil: unchanged
	OnlyOAuth         *bool
	AddUsers          []string
	RemoveUsers       []string
	AddCommunities    []string
	RemoveCommunities []string
}

// UpdateGrant changes a grant (manage): name, expiry (which rewrites every
// beneficiary relationship), services (each managed by the actor, of the
// grantor), only_oauth, beneficiaries added and removed.
func (s *Service) UpdateGrant(ctx context.Context, actor, id string, c GrantChange) (Grant, error) {
	var err error
	if c.Name != nil {
		n, err := cleanText("name", *c.Name, maxName, false)
		if err != nil {
			return Grant{}, err
		}
		c.Name = &n
	}
	if c.Services != nil {
		if c.Services, err = checkIDs("services", c.Services, maxGrantServices, checkID); err != nil {
			return Grant{}, err
		}
		if len(c.Services) == 0 {
			return Grant{}, invalid("invalid.empty", "services")
		}
	}
	for _, l := range []struct {
		field string
		ids   *[]string
		check func(string, string) error
	}{{"add_users", &c.AddUsers, checkAccountID}, {"remove_users", &c.RemoveUsers, checkAccountID},
		{"add_communities", &c.AddCommunities, checkID}, {"remove_communities", &c.RemoveCommunities, checkID}} {
		if *l.ids, err = checkIDs(l.field, *l.ids, maxBeneficiaries, l.check); err != nil {
			return Grant{}, err
		}
	}
	if c.SetExpires {
		if c.Expires, err = cleanExpiry("expires", c.Expires, s.now(), false); err != nil {
			return Grant{}, err
		}
	}
	var g Grant
	err = s.do(ctx, actor, grantGuard(id, "manage"), func(t *txn) error {
		var before Grant
		if err := t.get(ctx, kindGrant, id, &before); err != nil {
			return err
		}
		g = before
		g.Services, g.Users, g.Communities = slices.Clone(before.Services), slices.Clone(before.Users), slices.Clone(before.Communities)
		if c.Name != nil {
			g.Name = *c.Name
		}
		if c.SetExpires {
			g.Expires = c.Expires
		}
		if c.OnlyOAuth != nil {
			g.OnlyOAuth = *c.OnlyOAuth
		}
		if c.Services != nil {
			var added []string
			for _, s := range c.Services {
				if !slices.Contains(before.Services, s) {
					added = append(added, s)
				}
			}
			if _, err := t.grantServices(added, g.Grantor); err != nil {
				return err
			}
			g.Services = c.Services
		}
		if err := t.beneficiariesExist(c.AddUsers, c.AddCommunities); err != nil {
			return err
		}
		g.Users = addRemove(g.Users, c.AddUsers, c.RemoveUsers)
		g.Communities = addRemove(g.Communities, c.AddCommunities, c.RemoveCommunities)
		if sameGrant(g, before) {
			return nil
		}
		if err := t.writeGrant(&before, g); err != nil {
			return err
		}
		if err := t.tellGranted(&before, g, ""); err != nil {
			return err
		}
		return t.audit("grant.update", "grant:"+id, before, g)
	})
	return g, err
}

func addRemove(ids, add, remove []string) []string {
	for _, a := range add {
		if !slices.Contains(ids, a) {
			ids = append(ids, a)
		}
	}
	return slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(remove, id) })
}

func sameGrant(a, b Grant) bool {
	return a.Name == b.Name && equalTime(a.Expires, b.Expires) && a.OnlyOAuth == b.OnlyOAuth &&
		slices.Equal(a.Services, b.Services) && slices.Equal(a.Users, b.Users) && slices.Equal(a.Communities, b.Communities)
}

// DeleteGrant deletes a grant (manage), its relationships (expired ones
// included) and the accesses of keys that opened services through it.
func (s *Service) DeleteGrant(ctx context.Context, actor, id string) error {
	return s.do(ctx, actor, grantGuard(id, "manage"), func(t *txn) error {
		var before Grant
		if err := t.get(ctx, kindGrant, id, &before); err != nil {
			return err
		}
		return t.deleteGrant(before) // grantempty.go
	})
}

// RenounceGrant: a personal beneficiary gives a grant up. The grant stays
// for its other beneficiaries.
func (s *Service) RenounceGrant(ctx context.Context, actor, id string) (Grant, error) {
	var g Grant
	err := s.do(ctx, actor, guard{active: true}, func(t *txn) error {
		var before Grant
		if err := t.get(ctx, kindGrant, id, &before); err != nil {
			return err
		}
		if !slices.Contains(before.Users, actor) {
			return notFound("notfound.grant_not_yours", messages.Quote(id))
		}
		g = before
		g.Users = slices.DeleteFunc(slices.Clone(before.Users), func(u string) bool { return u == actor })
		if err := t.writeGrant(&before, g); err != nil {
			return err
		}
		return t.audit("grant.renounce", "grant:"+id, before, g)
	})
	return g, err
}

// GrantQuery selects grants: those covering Service, of the account User
// or the community Community, in State (live or expired; "" both), live
// ones expiring within ExpiringWithin when set; in id order after After.
type GrantQuery struct {
	Service        string
	User           string
	Community      string
	State          GrantState
	ExpiringWithin time.Duration
	After          string
	Limit          int // ≤ 0: a default page size
}

func checkGrantQuery(q GrantQuery) error {
	switch q.State {
	case "", GrantLive, GrantExpired:
	default:
		return invalid("invalid.grant_state", messages.Quote(q.State))
	}
	if q.ExpiringWithin < 0 {
		return invalid("invalid.expiring_within")
	}
	for _, f := range []struct{ name, id string }{{"service", q.Service}, {"user", q.User}, {"community", q.Community}} {
		if f.id != "" {
			if err := checkID(f.name, f.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// selects reports whether g meets q's state filters at now.
func (q GrantQuery) selects(g Grant, now time.Time) bool {
	st := g.State(now)
	switch {
	case q.State != "" && st != q.State:
		return false
	case q.ExpiringWithin > 0 && (st != GrantLive || g.Expires == nil || g.Expires.After(now.Add(q.ExpiringWithin))):
		return false
	case q.Service != "" && !slices.Contains(g.Services, q.Service):
		return false
	case q.User != "" && !slices.Contains(g.Users, q.User):
		return false
	case q.Community != "" && !slices.Contains(g.Communities, q.Community):
		return false
	}
	return true
}

// Grants is the producer's view: the grants the actor manages (those of
// the organisations they publish for; all, for a platform administrator),
// as q selects them: a page, and the cursor of the next ("" after the
// last).
func (s *Service) Grants(ctx context.Context, actor string, q GrantQuery) ([]Grant, string, error) {
	if err := checkGrantQuery(q); err != nil {
		return nil, "", err
	}
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, "", err
	}
	key := ""
	switch {
	case q.Service != "":
		key = "service:" + q.Service
	case q.User != "":
		key = "user:" + q.User
	case q.Community != "":
		key = "community:" + q.Community
	}
	all, err := indexed[Grant](ctx, s.mem, kindGrant, key, q.After)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	all = slices.DeleteFunc(all, func(g Grant) bool { return !q.selects(g, now) })
	limit := pageSize(q.Limit)
	out, more, err := checkPageOf(ctx, s, actor, all, limit, func(g Grant) right { return right{grantRef(g.ID), "manage"} })
	if err != nil || !more {
		return out, "", err
	}
	return out, out[len(out)-1].ID, nil
}

// checkPageOf keeps, in order, the first limit of xs on which actor holds
// the right each names, checked in bulk a chunk at a time; more says
// whether another one follows.
func checkPageOf[T any](ctx context.Context, s *Service, actor string, xs []T, limit int, r func(T) right) ([]T, bool, error) {
	var out []T
	for len(xs) > 0 {
		n := min(len(xs), 2*limit+1)
		reqs := make([]engine.CheckRequest, n)
		for i, x := range xs[:n] {
			rt := r(x)
			reqs[i] = engine.CheckRequest{Resource: rt.res, Permission: rt.perm, Subject: user(actor)}
		}
		res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
		if err != nil {
			return nil, false, err
		}
		for i := range res {
			if errs[i] != nil {
				return nil, false, errs[i]
			}
			if res[i].Result == engine.HasPermission {
				if len(out) == limit {
					return out, true, nil
				}
				out = append(out, xs[i])
			}
		}
		xs = xs[n:]
	}
	return out, false, nil
}

// HeldGrant is a grant as its beneficiary sees it: whether they hold it
// personally and through which of their communities, its state, the
// services it opens and the producing organisation. Its beneficiaries are
// the actor and those communities only, not who else holds it.
type HeldGrant struct {
	Grant
	Personal bool         `json:"personal"`
	Through  []string     `json:"through_communities"`
	State    GrantState   `json:"state"`
	Opens    []MapService `json:"opens"`
	Producer Organisation `json:"producer"`
}

// MyGrants is the consumer's view: the grants made to the actor and to
// the communities they are a member of, live and expired (q.State and
// q.ExpiringWithin filter), in id order after q.After.
func (s *Service) MyGrants(ctx context.Context, actor string, q GrantQuery) ([]HeldGrant, string, error) {
	q.Service, q.User, q.Community = "", "", ""
	if err := checkGrantQuery(q); err != nil {
		return nil, "", err
	}
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, "", err
	}
	comms, err := s.memberOf(ctx, actor)
	if err != nil {
		return nil, "", err
	}
	byID := map[string]*HeldGrant{}
	add := func(g Grant, community string) {
		h := byID[g.ID]
		if h == nil {
			h = &HeldGrant{Grant: g}
			byID[g.ID] = h
		}
		if community == "" {
			h.Personal = true
		} else {
			h.Through = append(h.Through, community)
		}
	}
	mine, err := indexed[Grant](ctx, s.mem, kindGrant, "user:"+actor, q.After)
	if err != nil {
		return nil, "", err
	}
	for _, g := range mine {
		add(g, "")
	}
	for _, c := range comms {
		gs, err := indexed[Grant](ctx, s.mem, kindGrant, "community:"+c, q.After)
		if err != nil {
			return nil, "", err
		}
		for _, g := range gs {
			add(g, c)
		}
	}
	now := s.now()
	ids := make([]string, 0, len(byID))
	for id, h := range byID {
		if q.selects(h.Grant, now) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	limit := pageSize(q.Limit)
	next := ""
	if len(ids) > limit {
		ids, next = ids[:limit], ids[limit-1]
	}
	v := s.read()
	out := make([]HeldGrant, 0, len(ids))
	for _, id := range ids {
		h := byID[id]
		slices.Sort(h.Through)
		h.Grant = ownPart(h.Grant, actor, h.Through)
		h.State = h.Grant.State(now)
		for _, sid := range h.Services {
			if m, ok, err := indexedOne[MapService](ctx, s.mem, kindService, sid); err != nil {
				return nil, "", err
			} else if ok {
				h.Opens = append(h.Opens, m)
			}
		}
		if err := v.get(ctx, kindOrg, h.Grantor, &h.Producer); err != nil && !isPortalNotFound(err) {
			return nil, "", err
		}
		out = append(out, *h)
	}
	return out, next, nil
}

// memberOf lists the communities account is a member of (not merely
// invited to), from the index.
func (s *Service) memberOf(ctx context.Context, account string) ([]string, error) {
	rs, err := s.indexRels(ctx, store.Filter{ResourceType: "community", SubjectType: "user", SubjectID: account, SubjectRelation: new("")})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		if slices.Contains(communityRoleNames, r.Relation) && !slices.Contains(out, r.Resource.ID) {
			out = append(out, r.Resource.ID)
		}
	}
	slices.Sort(out)
	return out, nil
}

// forgetCommunity drops a community being deleted from the grants made to
// it (their records and relationships, expired ones included), so that no
// grant names a community that no longer exists.
func (t *txn) forgetCommunity(id string) error {
	gs, err := list[Grant](t.ctx, t.view, kindGrant, "", "", 0)
	if err != nil {
		return err
	}
	for _, before := range gs {
		if !slices.Contains(before.Communities, id) {
			continue
		}
		g := before
		g.Communities = slices.DeleteFunc(slices.Clone(before.Communities), func(c string) bool { return c == id })
		if err := t.writeGrant(&before, g); err != nil {
			return err
		}
		if err := t.audit("grant.update", "grant:"+g.ID, before, g); err != nil {
			return err
		}
	}
	return nil
}

// GrantByID returns a grant, for the gateway and the keys (no actor, from
// memory, following the store like every other read of the portal).
func (s *Service) GrantByID(id string) (Grant, bool) {
	g, ok, err := indexedOne[Grant](context.Background(), s.mem, kindGrant, id)
	if err != nil {
		g, ok = indexedOneAsIs[Grant](s.mem, kindGrant, id)
	}
	return g, ok
}
