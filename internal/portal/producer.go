package portal

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// The producer's side of source 000 ("Gérer les permissions d'accès"): an
// organisation's services and grants as its publishers (editors and
// delegated administrators) manage them, with the names of the
// beneficiaries, the search of the accounts and communities to grant, and
// the usage of a grant. Every read is authorized on the organisation
// (publish) or the grant (manage) through the engine.

// Named is an account or a community as a producer sees it among the
// beneficiaries of a grant: its id and name, nothing else.
type Named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// GrantDetail is a grant as its managers see it: its state now, its
// beneficiaries and services by name, and who created it.
type GrantDetail struct {
	Grant
	State GrantState `json:"state"`
	// Beneficiaries, in the grant's order; a removed account or
	// community keeps its id as its name.
	UserNames      []Named `json:"user_names"`
	CommunityNames []Named `json:"community_names"`
	// ServiceList is the grant's services that still exist.
	ServiceList []MapService `json:"service_list"`
	CreatorName string       `json:"creator_name"`
}

// OrgGrantQuery selects an organisation's grants: those covering Service,
// those with a beneficiary whose id or name holds Beneficiary (ignoring
// case and accents), in State, live ones expiring within ExpiringWithin;
// in id order after After.
type OrgGrantQuery struct {
	Service        string
	Beneficiary    string
	State          GrantState
	ExpiringWithin time.Duration
	After          string
	Limit          int // ≤ 0: a default page size
}

// OrgServices lists the services of an organisation's datasets, in id
// order after after, to whoever publishes for it (its editors and
// delegated administrators, a platform administrator): a page and the
// cursor of the next ("" after the last).
func (s *Service) OrgServices(ctx context.Context, actor, org, after string, limit int) ([]MapService, string, error) {
	if err := checkID("organisation", org); err != nil {
		return nil, "", err
	}
	if err := s.authorize(ctx, actor, s.orgGuard(org, "publish")); err != nil {
		return nil, "", err
	}
	all, err := indexed[MapService](ctx, s.mem, kindService, "org:"+org, after)
	if err != nil {
		return nil, "", err
	}
	return pageOf(all, pageSize(limit), func(m MapService) string { return m.ID })
}

// pageOf is the first limit of xs and the cursor of the next page.
func pageOf[T any](xs []T, limit int, id func(T) string) ([]T, string, error) {
	if len(xs) <= limit {
		return xs, "", nil
	}
	return xs[:limit], id(xs[limit-1]), nil
}

// OrgGrants lists the grants an organisation made, as q selects them, to
// whoever publishes for it: a page of details and the cursor of the next
// ("" after the last).
func (s *Service) OrgGrants(ctx context.Context, actor, org string, q OrgGrantQuery) ([]GrantDetail, string, error) {
	if err := checkID("organisation", org); err != nil {
		return nil, "", err
	}
	gq := GrantQuery{Service: q.Service, State: q.State, ExpiringWithin: q.ExpiringWithin}
	if err := checkGrantQuery(gq); err != nil {
		return nil, "", err
	}
	if err := s.authorize(ctx, actor, s.orgGuard(org, "publish")); err != nil {
		return nil, "", err
	}
	key := "org:" + org
	if q.Service != "" {
		key = "service:" + q.Service
	}
	ids, err := indexedIDs(ctx, s.mem, kindGrant, key, q.After)
	if err != nil {
		return nil, "", err
	}
	now, limit, want := s.now(), pageSize(q.Limit), fold(strings.TrimSpace(q.Beneficiary))
	v := s.read()
	bf := newBeneficiaryFilter(v, want)
	var out []GrantDetail
	for _, id := range ids {
		g, ok := indexedOneAsIs[Grant](s.mem, kindGrant, id)
		if !ok || g.Grantor != org || !gq.selects(g, now) {
			continue
		}
		if want != "" {
			sel, err := bf.selects(ctx, g)
			if err != nil {
				return nil, "", err
			}
			if !sel {
				continue
			}
		}
		if len(out) == limit {
			return out, out[limit-1].ID, nil
		}
		d, err := s.grantDetail(ctx, v, g, now)
		if err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	return out, "", nil
}

// ManagedGrant returns a grant with its details to whoever manages it
// (its grantor's publishers, a platform administrator); to others who
// may not even view it, it does not exist.
func (s *Service) ManagedGrant(ctx context.Context, actor, id string) (GrantDetail, error) {
	if err := checkID("id", id); err != nil {
		return GrantDetail{}, err
	}
	if err := s.authorize(ctx, actor, grantGuard(id, "manage")); err != nil {
		return GrantDetail{}, err
	}
	g, ok, err := indexedOne[Grant](ctx, s.mem, kindGrant, id)
	if err != nil || !ok {
		return GrantDetail{}, notFoundOr(err, kindGrant, id)
	}
	return s.grantDetail(ctx, s.read(), g, s.now())
}

// grantDetail names g's beneficiaries, services and creator.
func (s *Service) grantDetail(ctx context.Context, v view, g Grant, now time.Time) (GrantDetail, error) {
	d := GrantDetail{Grant: g, State: g.State(now)}
	var err error
	if d.UserNames, err = accountNames(ctx, v, g.Users); err != nil {
		return GrantDetail{}, err
	}
	if d.CommunityNames, err = communityNames(ctx, v, g.Communities); err != nil {
		return GrantDetail{}, err
	}
	creator, err := accountNames(ctx, v, []string{g.CreatedBy})
	if err != nil {
		return GrantDetail{}, err
	}
	d.CreatorName = creator[0].Name
	for _, id := range g.Services {
		if m, ok := indexedOneAsIs[MapService](s.mem, kindService, id); ok {
			d.ServiceList = append(d.ServiceList, m)
		}
	}
	return d, nil
}

// accountNames names accounts (their record only: not their roles,
// which v.account also reads); one that no longer exists keeps its id.
func accountNames(ctx context.Context, v view, ids []string) ([]Named, error) {
	return names(ids, func(id string) (string, error) {
		var a Account
		err := v.get(ctx, kindAccount, id, &a)
		return a.Name, err
	})
}

// communityNames names communities; one that no longer exists keeps its id.
func communityNames(ctx context.Context, v view, ids []string) ([]Named, error) {
	return names(ids, func(id string) (string, error) {
		c, err := v.community(ctx, id)
		return c.Name, err
	})
}

func names(ids []string, name func(string) (string, error)) ([]Named, error) {
	out := make([]Named, 0, len(ids))
	for _, id := range ids {
		n, err := name(id)
		switch {
		case isPortalNotFound(err) || isNotFound(err):
			n = id
		case err != nil:
			return nil, err
		}
		out = append(out, Named{ID: id, Name: cmp.Or(n, id)})
	}
	return out, nil
}

// beneficiaryFinder authorizes the actor to find beneficiaries: a manager
// of accounts (manager: they see accounts as the account screens do), or
// someone who publishes for an organisation and so makes grants (they
// find people by name or whole e-mail, and see their id and name).
func (s *Service) beneficiaryFinder(ctx context.Context, actor string) (manager bool, err error) {
	err = s.authorize(ctx, actor, guard{rights: []right{{s.platformRef(), "manage_accounts"}}})
	if err == nil || !errors.Is(err, ErrForbidden) {
		return err == nil, err
	}
	switch orgs, lerr := s.lookup(ctx, actor, "organisation", "publish", "", 1); {
	case lerr != nil:
		return false, lerr
	case len(orgs) == 0:
		return false, err
	}
	return false, nil
}

// SearchBeneficiaries finds, for someone who makes grants, up to limit
// accounts (as SearchAccounts finds them for a delegated administrator:
// by a word of the name or the whole e-mail) and up to limit communities:
// the one whose id is q exactly (a producer is given a community's id, as
// source 000 says, even a private one's), and those they may view whose
// id or a word of whose name starts with q (ignoring case and accents).
func (s *Service) SearchBeneficiaries(ctx context.Context, actor, q string, limit int) ([]Account, []Named, error) {
	prefix := fold(strings.TrimSpace(q))
	if prefix == "" {
		return nil, nil, invalid("invalid.search_query")
	}
	manager, err := s.beneficiaryFinder(ctx, actor)
	if err != nil {
		return nil, nil, err
	}
	limit = pageSize(limit)
	accounts, _, err := s.searchAccountsFrom(ctx, prefix, 0, limit, manager)
	if err != nil {
		return nil, nil, err
	}
	v := s.read()
	var comms []Named
	exact := strings.TrimSpace(q)
	if checkID("q", exact) == nil {
		switch c, err := v.community(ctx, exact); {
		case err == nil:
			comms = append(comms, Named{ID: c.ID, Name: c.Name})
		case !isPortalNotFound(err) && !isNotFound(err):
			return nil, nil, err
		}
	}
	skip := ""
	if len(comms) > 0 {
		skip = comms[0].ID
	}
	more, err := s.matchingCommunities(ctx, actor, prefix, skip, limit-len(comms))
	if err != nil {
		return nil, nil, err
	}
	comms = append(comms, more...)
	return accounts, comms, nil
}

// NameBeneficiaries names the accounts and communities a grant's maker
// picked (so that a form shows them by name again); an id that names
// nothing is refused, naming its field.
func (s *Service) NameBeneficiaries(ctx context.Context, actor string, users, communities []string) ([]Named, []Named, error) {
	var err error
	if users, err = checkIDs("users", users, maxBeneficiaries, checkAccountID); err != nil {
		return nil, nil, err
	}
	if communities, err = checkIDs("communities", communities, maxBeneficiaries, checkID); err != nil {
		return nil, nil, err
	}
	if _, err := s.beneficiaryFinder(ctx, actor); err != nil {
		return nil, nil, err
	}
	v := s.read()
	un, err := nameEach(ctx, "users", users, v.account, func(a Account) string { return a.Name })
	if err != nil {
		return nil, nil, err
	}
	cn, err := nameEach(ctx, "communities", communities, v.community, func(c Community) string { return c.Name })
	if err != nil {
		return nil, nil, err
	}
	return un, cn, nil
}

// nameEach names ids (of field) through get, by their id when they have no
// name; one that is not there is bad input.
func nameEach[T any](ctx context.Context, field string, ids []string, get func(context.Context, string) (T, error), name func(T) string) ([]Named, error) {
	out := make([]Named, 0, len(ids))
	for _, id := range ids {
		x, err := get(ctx, id)
		if isPortalNotFound(err) || isNotFound(err) {
			return nil, invalid("invalid.unknown_beneficiary", field, id)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Named{ID: id, Name: cmp.Or(name(x), id)})
	}
	return out, nil
}

// GrantUsage returns the daily sums of what was used through a grant,
// on each service it covers now, since the day since (nil: the last 31
// days), oldest first, to whoever manages the grant.
func (s *Service) GrantUsage(ctx context.Context, actor, id string, since *time.Time) ([]UsageSum, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, actor, grantGuard(id, "manage")); err != nil {
		return nil, err
	}
	g, ok, err := indexedOne[Grant](ctx, s.mem, kindGrant, id)
	if err != nil || !ok {
		return nil, notFoundOr(err, kindGrant, id)
	}
	out := []UsageSum{}
	for _, svc := range g.Services {
		us, err := s.usage(ctx, KindUsageDayService, svc, since)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if u.Grant == id {
				out = append(out, u)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b UsageSum) int { return cmp.Compare(a.Day, b.Day) })
	return out, nil
}

// RestrictedServices lists the restricted services of a product (those
// one asks access to), in id order, to whoever may search the product,
// anonymous visitors included (an empty actor): the access request page
// of source 000 is a public link. To others the product does not exist.
func (s *Service) RestrictedServices(ctx context.Context, actor, dataset string) ([]MapService, error) {
	if err := checkID("dataset", dataset); err != nil {
		return nil, err
	}
	search := right{datasetRef(dataset), "search"}
	if err := s.authorize(ctx, actor, guard{public: true, rights: []right{search}, hide: &search}); err != nil {
		return nil, err
	}
	all, err := indexed[MapService](ctx, s.mem, kindService, "dataset:"+dataset, "")
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(m MapService) bool { return m.Open }), nil
}
