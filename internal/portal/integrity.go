package portal

import (
	"slices"

	"github.com/octroi/octroi/internal/store"
)

// What other records refer to a deleted dataset or community, and how the
// deletion leaves none of them dangling (content_integrity.go does the
// same for maps and pages):
//
//   - a pending access request for a deleted dataset, or for a deleted
//     community as beneficiary, could never be accepted (its services or
//     its beneficiary are gone) and would hold the request's pending key
//     (one pending request per product and beneficiary) against the same
//     product id published again: it is closed as cancelled, decided by
//     whoever deleted, in the deletion's transaction, and audited;
//   - a pending request names the services it asks for: a deleted
//     service leaves it (and a request left asking for nothing is
//     cancelled), since accepting would fail on the missing service;
//   - what a deleted community held on maps (a privilege), pages (view,
//     edit) and the content (a role) goes with its relationships, and each
//     map's, page's and the content's audit log says so (map.share,
//     page.member.remove, content.role.remove);
//   - the origin of a membership a provider's groups gave (sso_membership)
//     in a deleted community would make the next sign-in take for its own
//     a membership given by hand in a community created again with the
//     same id, and remove it: it is deleted with the community.
//
// Both are found by reading the records of their kind in the transaction
// (the requests of the dataset's organisation; every origin), as a deleted
// community is forgotten by every grant: deletions are rare.

// closeRequests cancels, as t.actor, the pending access requests of
// organisation org (every organisation when "") that gone says, for cause
// (their authors are told, accesscancel.go).
func (t *txn) closeRequests(org, cause string, gone func(AccessRequest) bool) error {
	rs, err := list[AccessRequest](t.ctx, t.view, kindAccessRequest, org, "", 0)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Status != AccessPending || !gone(r) {
			continue
		}
		if err := t.cancelRequest(r, cause); err != nil {
			return err
		}
	}
	return nil
}

// forgetServiceRequests takes a deleted service out of the pending
// requests of organisation org that ask for it (accepting would fail on
// it), and cancels those left asking for nothing.
func (t *txn) forgetServiceRequests(org, id string) error {
	rs, err := list[AccessRequest](t.ctx, t.view, kindAccessRequest, org, "", 0)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Status != AccessPending || !slices.Contains(r.Services, id) {
			continue
		}
		if len(r.Services) == 1 {
			if err := t.cancelRequest(r, CancelServicesDeleted); err != nil {
				return err
			}
			continue
		}
		before := r
		r.Services = slices.DeleteFunc(slices.Clone(r.Services), func(s string) bool { return s == id })
		if err := t.putAccessRequest(r); err != nil {
			return err
		}
		if err := t.audit("access_request.services", "dataset:"+r.Dataset, before, r); err != nil {
			return err
		}
	}
	return nil
}

// forgetDatasetRequests closes the pending requests for dataset id of
// organisation org.
func (t *txn) forgetDatasetRequests(org, id string) error {
	return t.closeRequests(org, CancelDatasetDeleted, func(r AccessRequest) bool { return r.Dataset == id })
}

// forgetCommunityOrigins closes the pending requests made for community
// id, and deletes the origins of the memberships groups gave in it.
func (t *txn) forgetCommunityOrigins(id string) error {
	if err := t.closeRequests("", CancelCommunityDeleted, func(r AccessRequest) bool { return r.Community == id }); err != nil {
		return err
	}
	ms, err := list[ssoMembershipRec](t.ctx, t.view, kindSSOMembership, "", "", 0)
	if err != nil {
		return err
	}
	for _, m := range slices.DeleteFunc(ms, func(m ssoMembershipRec) bool { return m.Community != id }) {
		if err := t.deleteDoc(kindSSOMembership, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// auditGroupLeaves records, for a community about to be deleted, what it
// leaves on each map and page and which content roles it loses (its
// relationships go with it, in removeObject), so that each map's and
// page's history says who lost access there, and when.
func (t *txn) auditGroupLeaves(h Holder) error {
	sub := h.subject()
	rs, err := t.rels(t.ctx, store.Filter{SubjectType: sub.Type, SubjectID: sub.ID, SubjectRelation: new(sub.Relation)})
	if err != nil {
		return err
	}
	name, err := t.view.holderName(t.ctx, h)
	if err != nil {
		return err
	}
	h.Name = name
	e := holderEntry(h)
	pages := map[string]PageMember{}
	var pageIDs []string
	for _, r := range rs {
		switch r.Resource.Type {
		case "map":
			for _, l := range MapLevels {
				if l.relation() == r.Relation {
					if err := t.audit("map.share", "map:"+r.Resource.ID, mapShareEntry{Group: e, Level: l}, nil); err != nil {
						return err
					}
				}
			}
		case "page":
			m, seen := pages[r.Resource.ID]
			if !seen {
				pageIDs = append(pageIDs, r.Resource.ID)
				m.Holder = h
			}
			m.View = m.View || r.Relation == "viewer"
			m.Edit = m.Edit || r.Relation == "editor"
			pages[r.Resource.ID] = m
		case "content":
			if slices.Contains(ContentRoles, ContentRole(r.Relation)) {
				entry := map[string]any{"role": r.Relation, "holder": e}
				if err := t.audit("content.role.remove", "content:"+r.Resource.ID, entry, nil); err != nil {
					return err
				}
			}
		}
	}
	for _, id := range pageIDs {
		if m := pages[id]; m.View || m.Edit {
			if err := t.audit("page.member.remove", "page:"+id, pageMemberRecord(m), nil); err != nil {
				return err
			}
		}
	}
	return nil
}
