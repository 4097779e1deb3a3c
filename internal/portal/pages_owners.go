package portal

import (
	"context"

	"github.com/octroi/octroi/internal/engine"
)

// PageOwners is for whom one person may create content pages, as
// CreatePage authorizes it: the platform's own pages (Platform: "edit all
// pages", or a platform administrator), and the organisations among
// theirs they publish for (Orgs, in id order). A face offers the creation
// form only when one of them is there.
type PageOwners struct {
	Platform bool
	Orgs     []OrgMembership
}

// May reports whether the person may create any page.
func (o PageOwners) May() bool { return o.Platform || len(o.Orgs) > 0 }

// PageOwners answers for whom the actor may create pages; an anonymous
// visitor may create none. It tells the actor only about their own rights
// (CreatePage still authorizes itself).
func (s *Service) PageOwners(ctx context.Context, actor string) (PageOwners, error) {
	if actor == "" || actor == anonymous {
		return PageOwners{}, nil
	}
	// No guard: the answer is the actor's own rights, and the schema
	// takes a disabled account's away (it is then offered nothing).
	v := s.read()
	orgs, err := v.roles(ctx, "organisation", actor, func(r string) int { return roleRank(OrgRole(r)) })
	if err != nil {
		return PageOwners{}, err
	}
	// One bulk check: the platform's pages (as allContent), then publish
	// on each of the actor's organisations.
	reqs := make([]engine.CheckRequest, 0, len(orgs)+2)
	for _, r := range s.allContent("edit_all_pages") {
		reqs = append(reqs, engine.CheckRequest{Resource: r.res, Permission: r.perm, Subject: user(actor)})
	}
	for _, o := range orgs {
		reqs = append(reqs, engine.CheckRequest{Resource: orgRef(o.id), Permission: "publish", Subject: user(actor)})
	}
	res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		return PageOwners{}, err
	}
	for _, e := range errs {
		if e != nil {
			return PageOwners{}, e
		}
	}
	out := PageOwners{Platform: res[0].Result == engine.HasPermission || res[1].Result == engine.HasPermission}
	var publish []heldRole
	for i, o := range orgs {
		if res[i+2].Result == engine.HasPermission {
			publish = append(publish, o)
		}
	}
	names, err := s.heldNames(ctx, kindOrg, publish)
	if err != nil {
		return PageOwners{}, err
	}
	for i, o := range publish {
		out.Orgs = append(out.Orgs, OrgMembership{Organisation: o.id, Name: names[i], Role: OrgRole(o.role)})
	}
	return out, nil
}
