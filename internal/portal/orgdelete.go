package portal

import (
	"context"
	"slices"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
)

// DeleteOrganisation deletes an organisation (platform administrators,
// who create them). What it publishes is refused rather than deleted with
// it: an organisation that still owns datasets (and so services and
// grants) or content pages is not deleted (ErrConflict, saying how many
// and what to do), since deleting them would take away what its
// consumers use without its producers deciding it; an organisation that
// alone owns a map is not deleted either (the map would lose its last
// owner). Everything else goes with it, in one transaction:
//
//   - its members' roles (relationships), and the levels it held as a
//     group on datasets, pages, maps and the content (each map's, page's
//     and the content's audit log says so, as for a deleted community);
//   - its place in groups of organisations (each group's log records the
//     change, org_group.organisations);
//   - its grants, which cover nothing once it has no dataset (grantempty.go);
//   - its pending join requests, cancelled, their requesters told
//     (notice join_request.cancelled).
func (s *Service) DeleteOrganisation(ctx context.Context, actor, id string) error {
	if err := checkID("organisation", id); err != nil {
		return err
	}
	return s.do(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}, func(t *txn) error {
		var before Organisation
		if err := t.get(ctx, kindOrg, id, &before); err != nil {
			return err
		}
		if n, err := t.countUnder(kindDataset, id, 1000); err != nil {
			return err
		} else if n > 0 {
			return conflict("conflict.organisation_has_datasets", messages.Quote(id), n)
		}
		if n, err := t.countUnder(kindPage, id, 1000); err != nil {
			return err
		} else if n > 0 {
			return conflict("conflict.organisation_has_pages", messages.Quote(id), n)
		}
		holder := Holder{Kind: HolderOrganisation, ID: id}
		if err := t.keepMapOwners(holder); err != nil {
			return err
		}
		gs, err := list[Grant](ctx, t.view, kindGrant, id, "", 0)
		if err != nil {
			return err
		}
		for _, g := range gs {
			if err := t.deleteGrant(g); err != nil { // grantempty.go
				return err
			}
		}
		if err := t.cancelJoinRequests(before); err != nil {
			return err
		}
		if err := t.leaveOrgGroups(id); err != nil {
			return err
		}
		if err := t.auditGroupLeaves(holder); err != nil { // integrity.go
			return err
		}
		if err := t.removeObject(orgRef(id)); err != nil {
			return err
		}
		if err := t.deleteDoc(kindOrg, id); err != nil {
			return err
		}
		return t.audit("organisation.delete", "organisation:"+id, before, nil)
	})
}

// cancelJoinRequests cancels the pending requests to join o, and tells
// each requester.
func (t *txn) cancelJoinRequests(o Organisation) error {
	rs, err := list[JoinRequest](t.ctx, t.view, kindJoinRequest, o.ID, "", 0)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Status != JoinPending {
			continue
		}
		before := r
		at := t.at
		r.Status, r.DecidedBy, r.DecidedAt = JoinCancelled, t.actor, &at
		if err := t.putJoinRequest(r); err != nil {
			return err
		}
		if err := t.notify(r.Account, "join_request.cancelled", map[string]string{"request": r.ID, "organisation": o.ID, "organisation_name": o.Name}); err != nil {
			return err
		}
		if err := t.audit("organisation.join_request.cancel", "organisation:"+o.ID, before, r); err != nil {
			return err
		}
	}
	return nil
}

// leaveOrgGroups records, in the log of each group of organisations that
// holds org, that it leaves it (its relationship goes in removeObject).
func (t *txn) leaveOrgGroups(org string) error {
	rs, err := t.rels(t.ctx, store.Filter{ResourceType: "org_group", Relation: "organisation", SubjectType: "organisation", SubjectID: org})
	if err != nil {
		return err
	}
	for _, r := range rs {
		before, err := t.view.orgGroup(t.ctx, r.Resource.ID)
		if err != nil {
			return err
		}
		after := before
		after.Organisations = slices.DeleteFunc(slices.Clone(before.Organisations), func(o string) bool { return o == org })
		if err := t.audit("org_group.organisations", "org_group:"+before.ID, before, after); err != nil {
			return err
		}
	}
	return nil
}
