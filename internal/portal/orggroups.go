package portal

import (
	"context"
	"github.com/octroi/octroi/internal/messages"
	"slices"
	"strconv"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

func orgGroupRef(id string) tuple.ObjectRef { return obj("org_group", id) }

func orgGroupGuard(id string, perms ...string) guard {
	g := guard{exists: &docRef{kindOrgGroup, id}}
	for _, p := range perms {
		g.rights = append(g.rights, right{orgGroupRef(id), p})
	}
	return g
}

// orgGroup reads a group of organisations; its organisations are its
// relationships, in id order.
func (v view) orgGroup(ctx context.Context, id string) (OrgGroup, error) {
	var g OrgGroup
	if err := v.get(ctx, kindOrgGroup, id, &g); err != nil {
		return OrgGroup{}, err
	}
	rs, err := v.rels(ctx, store.Filter{ResourceType: "org_group", ResourceID: id, Relation: "organisation", SubjectType: "organisation"})
	if err != nil {
		return OrgGroup{}, err
	}
	g.Organisations = make([]string, 0, len(rs))
	for _, r := range rs {
		g.Organisations = append(g.Organisations, r.Subject.ID)
	}
	slices.Sort(g.Organisations)
	return g, nil
}

// checkOrgs validates and deduplicates organisation ids, sorted.
func checkOrgs(orgs []string) ([]string, error) {
	out := make([]string, 0, len(orgs))
	for i, o := range orgs {
		if err := checkID("organisations["+strconv.Itoa(i)+"]", o); err != nil {
			return nil, err
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	slices.Sort(out)
	return out, nil
}

// setOrgGroupOrgs writes the difference between two sets of organisations,
// after checking that the new ones exist.
func (t *txn) setOrgGroupOrgs(id string, old, orgs []string) error {
	for _, o := range orgs {
		if slices.Contains(old, o) {
			continue
		}
		if err := t.mustExist(kindOrg, o); err != nil {
			return err
		}
		t.touch(rel(orgGroupRef(id), "organisation", tuple.SubjectRef{Type: "organisation", ID: o}))
	}
	for _, o := range old {
		if !slices.Contains(orgs, o) {
			t.remove(rel(orgGroupRef(id), "organisation", tuple.SubjectRef{Type: "organisation", ID: o}))
		}
	}
	return nil
}

// CreateOrgGroup creates a group of organisations (administer).
func (s *Service) CreateOrgGroup(ctx context.Context, actor string, g OrgGroup) (OrgGroup, error) {
	var err error
	if g.ID == "" {
		g.ID = s.newID()
	} else if err := checkID("org_group id", g.ID); err != nil {
		return OrgGroup{}, err
	}
	if g.Name, err = cleanText("name", g.Name, maxName, false); err != nil {
		return OrgGroup{}, err
	}
	if g.Organisations, err = checkOrgs(g.Organisations); err != nil {
		return OrgGroup{}, err
	}
	err = s.do(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}, func(t *txn) error {
		if ok, err := t.exists(ctx, kindOrgGroup, g.ID); err != nil {
			return err
		} else if ok {
			return conflict("conflict.org_group_id_taken", messages.Quote(g.ID))
		}
		g.Created = t.at
		if err := t.put(kindOrgGroup, g.ID, "", "", OrgGroup{ID: g.ID, Name: g.Name, Created: g.Created}); err != nil {
			return err
		}
		t.touch(t.s.platformLink(orgGroupRef(g.ID)))
		if err := t.setOrgGroupOrgs(g.ID, nil, g.Organisations); err != nil {
			return err
		}
		return t.audit("org_group.create", "org_group:"+g.ID, nil, g)
	})
	return g, err
}

// OrgGroup returns a group of organisations to any active account.
func (s *Service) OrgGroup(ctx context.Context, actor, id string) (OrgGroup, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return OrgGroup{}, err
	}
	return s.read().orgGroup(ctx, id)
}

// OrgGroups lists groups of organisations in id order after `after`, to
// any active account.
func (s *Service) OrgGroups(ctx context.Context, actor string, after string, limit int) ([]OrgGroup, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	v := s.read()
	gs, err := list[OrgGroup](ctx, v, kindOrgGroup, "", after, pageSize(limit))
	if err != nil {
		return nil, err
	}
	for i := range gs {
		if gs[i], err = v.orgGroup(ctx, gs[i].ID); err != nil {
			return nil, err
		}
	}
	return gs, nil
}

// RenameOrgGroup changes a group of organisations' name (manage).
func (s *Service) RenameOrgGroup(ctx context.Context, actor, id, name string) (OrgGroup, error) {
	name, err := cleanText("name", name, maxName, false)
	if err != nil {
		return OrgGroup{}, err
	}
	return s.changeOrgGroup(ctx, actor, id, "org_group.update",
		func(g OrgGroup) OrgGroup { g.Name = name; return g },
		func(t *txn, before, after OrgGroup) error {
			return t.put(kindOrgGroup, id, "", "", OrgGroup{ID: id, Name: after.Name, Created: before.Created})
		})
}

// SetOrgGroupOrganisations sets a group's organisations exactly (manage).
// Levels granted to the group follow: they reach the members of the new
// organisations and leave those of the removed ones.
func (s *Service) SetOrgGroupOrganisations(ctx context.Context, actor, id string, orgs []string) (OrgGroup, error) {
	orgs, err := checkOrgs(orgs)
	if err != nil {
		return OrgGroup{}, err
	}
	return s.changeOrgGroup(ctx, actor, id, "org_group.organisations",
		func(g OrgGroup) OrgGroup { g.Organisations = orgs; return g },
		func(t *txn, before, _ OrgGroup) error { return t.setOrgGroupOrgs(id, before.Organisations, orgs) })
}

// changeOrgGroup is the shape of a change to a group of organisations
// (manage): read it, let change make the new one and, when it differs,
// write it and record action with before and after.
func (s *Service) changeOrgGroup(ctx context.Context, actor, id, action string, change func(OrgGroup) OrgGroup, write func(t *txn, before, after OrgGroup) error) (OrgGroup, error) {
	var g OrgGroup
	err := s.do(ctx, actor, orgGroupGuard(id, "manage"), func(t *txn) error {
		before, err := t.orgGroup(ctx, id)
		if err != nil {
			return err
		}
		g = change(before)
		if g.Name == before.Name && slices.Equal(g.Organisations, before.Organisations) {
			return nil
		}
		if err := write(t, before, g); err != nil {
			return err
		}
		return t.audit(action, "org_group:"+id, before, g)
	})
	return g, err
}

// DeleteOrgGroup deletes a group of organisations (manage), with the
// levels it held on datasets.
func (s *Service) DeleteOrgGroup(ctx context.Context, actor, id string) error {
	return s.do(ctx, actor, orgGroupGuard(id, "manage"), func(t *txn) error {
		before, err := t.orgGroup(ctx, id)
		if err != nil {
			return err
		}
		if err := t.removeObject(orgGroupRef(id)); err != nil {
			return err
		}
		if err := t.deleteDoc(kindOrgGroup, id); err != nil {
			return err
		}
		return t.audit("org_group.delete", "org_group:"+id, before, nil)
	})
}
