package portal

import "slices"

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
//   - the origin of a membership a provider's groups gave (sso_membership)
//     in a deleted community would make the next sign-in take for its own
//     a membership given by hand in a community created again with the
//     same id, and remove it: it is deleted with the community.
//
// Both are found by reading the records of their kind in the transaction
// (the requests of the dataset's organisation; every origin), as a deleted
// community is forgotten by every grant: deletions are rare.

// closeRequests cancels, as t.actor, the pending access requests of
// organisation org (every organisation when "") that gone says.
func (t *txn) closeRequests(org string, gone func(AccessRequest) bool) error {
	rs, err := list[AccessRequest](t.ctx, t.view, kindAccessRequest, org, "", 0)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Status != AccessPending || !gone(r) {
			continue
		}
		before := r
		at := t.at
		r.Status, r.DecidedBy, r.DecidedAt = AccessCancelled, t.actor, &at
		if err := t.putAccessRequest(r); err != nil {
			return err
		}
		if err := t.audit("access_request.cancel", "dataset:"+r.Dataset, before, r); err != nil {
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
		before := r
		r.Services = slices.DeleteFunc(slices.Clone(r.Services), func(s string) bool { return s == id })
		action := "access_request.services"
		if len(r.Services) == 0 {
			at := t.at
			r.Status, r.DecidedBy, r.DecidedAt, action = AccessCancelled, t.actor, &at, "access_request.cancel"
		}
		if err := t.putAccessRequest(r); err != nil {
			return err
		}
		if err := t.audit(action, "dataset:"+r.Dataset, before, r); err != nil {
			return err
		}
	}
	return nil
}

// forgetDatasetRequests closes the pending requests for dataset id of
// organisation org.
func (t *txn) forgetDatasetRequests(org, id string) error {
	return t.closeRequests(org, func(r AccessRequest) bool { return r.Dataset == id })
}

// forgetCommunityOrigins closes the pending requests made for community
// id, and deletes the origins of the memberships groups gave in it.
func (t *txn) forgetCommunityOrigins(id string) error {
	if err := t.closeRequests("", func(r AccessRequest) bool { return r.Community == id }); err != nil {
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
