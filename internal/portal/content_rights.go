package portal

import (
	"context"
	"strings"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/tuple"
)

// What one person may do with a page, a map or the content as a whole,
// for the faces that offer an action only to whoever it would pass for
// (source 004: "the Add a Map button means you may create a map"). Every
// answer is the engine's, asked of the same permissions the actions
// check; the actions check again, so these queries decide only what is
// shown. The people a page's manager may add, and the owners a map's
// viewer sees, are read here too.

// PageRights is what one person may do with a page they view: edit its
// content, manage its security (policy, people and groups, deletion).
type PageRights struct {
	Edit   bool
	Manage bool
}

// PageRights answers what the actor may do with page id (an empty actor
// is an anonymous visitor, who may do nothing but view a public page). To
// whoever may not view the page, it does not exist.
func (s *Service) PageRights(ctx context.Context, actor, id string) (PageRights, error) {
	if err := checkID("page id", id); err != nil {
		return PageRights{}, err
	}
	if err := s.authorize(ctx, actor, guard{public: true, rights: []right{{pageRef(id), "view"}}, hide: &right{pageRef(id), "view"}}); err != nil {
		return PageRights{}, err
	}
	ok, err := s.holds(ctx, catalogueSubject(actor), pageRef(id), "edit", "manage")
	if err != nil {
		return PageRights{}, err
	}
	return PageRights{Edit: ok[0], Manage: ok[1]}, nil
}

// MapRights is what one person may do with a map they view (source 004's
// table): edit it (write), share it, delete it, set its name and icon
// (owner).
type MapRights struct {
	Edit          bool
	Share         bool
	Delete        bool
	SetProperties bool
}

// MapRights answers what the actor may do with map id. To whoever may
// not view the map, it does not exist.
func (s *Service) MapRights(ctx context.Context, actor, id string) (MapRights, error) {
	if err := checkID("map id", id); err != nil {
		return MapRights{}, err
	}
	if err := s.authorize(ctx, actor, mapGuard(id, "view")); err != nil {
		return MapRights{}, err
	}
	ok, err := s.holds(ctx, actor, mapRef(id), "edit", "share", "delete", "set_properties")
	if err != nil {
		return MapRights{}, err
	}
	return MapRights{Edit: ok[0], Share: ok[1], Delete: ok[2], SetProperties: ok[3]}, nil
}

// ContentRights is what one person may do with the content as a whole:
// create maps (map administrators and editors, members of a creator
// role), give and take the content roles (platform administrators).
type ContentRights struct {
	CreateMap   bool
	ManageRoles bool
}

// ContentRights answers what the actor may do with the content as a
// whole; an anonymous visitor may do nothing.
func (s *Service) ContentRights(ctx context.Context, actor string) (ContentRights, error) {
	if actor == "" || actor == anonymous {
		return ContentRights{}, nil
	}
	ok, err := s.holds(ctx, actor, s.contentRef(), "create_map")
	if err != nil {
		return ContentRights{}, err
	}
	admin, err := s.holds(ctx, actor, s.platformRef(), "administer")
	if err != nil {
		return ContentRights{}, err
	}
	// Administrators create maps before the content object reaches the
	// platform (see allContent).
	return ContentRights{CreateMap: ok[0] || admin[0], ManageRoles: admin[0]}, nil
}

// holds answers, in one bulk check, whether subject has each of perms on
// res.
func (s *Service) holds(ctx context.Context, subject string, res tuple.ObjectRef, perms ...string) ([]bool, error) {
	reqs := make([]engine.CheckRequest, len(perms))
	for i, p := range perms {
		reqs[i] = engine.CheckRequest{Resource: res, Permission: p, Subject: user(subject)}
	}
	rs, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(perms))
	for i := range perms {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[i] = rs[i].Result == engine.HasPermission
	}
	return out, nil
}

// MapOwners lists the roles that own map id, for whoever may view it
// (source 004: a map's owners are the roles to ask for more). A private
// community the actor may not view is listed without id nor name (Kind
// only), so that a map never reveals it.
func (s *Service) MapOwners(ctx context.Context, actor, id string) ([]Holder, error) {
	if err := checkID("map id", id); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, actor, mapGuard(id, "view")); err != nil {
		return nil, err
	}
	v := s.read()
	if ok, err := v.exists(ctx, kindMap, id); err != nil || !ok {
		return nil, notFoundOr(err, kindMap, id)
	}
	shares, err := v.mapShares(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	out := []Holder{}
	for _, sh := range shares {
		if sh.Level != MapOwner {
			continue
		}
		h := sh.Group
		if h.Kind == HolderCommunity {
			seen, err := s.has(ctx, actor, communityRef(h.ID), "view")
			if err != nil {
				return nil, err
			}
			if !seen {
				out = append(out, Holder{Kind: HolderCommunity})
				continue
			}
		}
		if h.Name, err = v.holderName(ctx, h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// PageCandidates finds, for whoever manages page id, the people to add to
// its security section (source 003: "la barre de recherche pour
// rechercher un utilisateur par nom"): up to limit accounts with a word of
// their name starting with q, or whose whole e-mail is q, each with its id
// and name only, as a delegated administrator finds people to add.
func (s *Service) PageCandidates(ctx context.Context, actor, id, q string, limit int) ([]Account, error) {
	prefix := fold(strings.TrimSpace(q))
	if prefix == "" {
		return nil, invalid("invalid.search_query")
	}
	if err := s.authorize(ctx, actor, pageGuard(id, "manage")); err != nil {
		return nil, err
	}
	as, _, err := s.searchAccountsFrom(ctx, prefix, 0, pageSize(limit), false)
	return as, err
}

// FindGroups finds, for an active account, the roles a page may be
// opened to or a map shared with: up to limit organisations (every
// account sees them) and communities the actor may view, whose name holds
// name ignoring case and accents ("hye" finds Hyères), organisations
// first, each in id order. Communities are matched on the records in
// memory, then checked in bulk, so that a private community is never
// found by whoever may not view it.
func (s *Service) FindGroups(ctx context.Context, actor, name string, limit int) ([]Holder, error) {
	q := fold(strings.TrimSpace(name))
	if q == "" {
		return nil, invalid("invalid.group_query")
	}
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	limit = pageSize(limit)
	var out, coms []Holder
	err := s.mem.groups(ctx, kindOrg, func(id string, g memGroup) {
		if len(out) < limit && strings.Contains(g.folded, q) {
			out = append(out, Holder{Kind: HolderOrganisation, ID: id, Name: g.Name})
		}
	})
	if err != nil {
		return nil, err
	}
	if err := s.mem.groups(ctx, kindCommunity, func(id string, g memGroup) {
		if strings.Contains(g.folded, q) {
			coms = append(coms, Holder{Kind: HolderCommunity, ID: id, Name: g.Name})
		}
	}); err != nil {
		return nil, err
	}
	const chunk = 200 // one bulk check per chunk, until the page is full
	for start := 0; start < len(coms) && len(out) < limit; start += chunk {
		part := coms[start:min(start+chunk, len(coms))]
		reqs := make([]engine.CheckRequest, len(part))
		for i, c := range part {
			reqs[i] = engine.CheckRequest{Resource: communityRef(c.ID), Permission: "view", Subject: user(actor)}
		}
		res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
		if err != nil {
			return nil, err
		}
		for i, c := range part {
			if errs[i] != nil {
				return nil, errs[i]
			}
			if res[i].Result == engine.HasPermission && len(out) < limit {
				out = append(out, c)
			}
		}
	}
	return out, nil
}
