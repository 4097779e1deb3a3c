package portal

import "github.com/octroi/octroi/internal/store"

// A grant left covering no service.
//
// A grant covers at least one service: creating one without, or changing
// one to none, is refused (checkGrant). Deleting the last service a grant
// covers (DeleteService, or DeleteDataset with its services) deletes the
// grant too, in the same transaction, audited (grant.delete), and tells
// its beneficiaries (notice "grant.deleted", e-mailed like an expiry).
// Why deleted rather than kept empty:
//
//   - in source 000 a producer manages permissions from their flux ("Gérer
//     les permissions d'accès" on a service): a permission is about its
//     services, and one about none is reachable from no service and means
//     nothing; keeping it would be a state that no producer can make, nor
//     save again from the grant's form (which requires a service);
//   - to its beneficiaries a grant that opens nothing is a false promise:
//     listed among "my grants", offered to build keys, reminded of before
//     its expiry, renewable on request, yet opening nothing. Being told it
//     is gone and why is what they can act on (ask again for another
//     product);
//   - nothing is lost: the grant's last state (name, beneficiaries,
//     expiry) stays in the audit log of grant:ID, and the producer who
//     publishes a replacement service grants it anew in one form.
//
// Pending renewal requests of a deleted grant (however it is deleted)
// could never be accepted: they are cancelled (cause grant_deleted), and
// their authors told, as integrity.go does for deleted datasets.

// GrantDeletedServices is the cause of a "grant.deleted" notice: every
// service the grant covered was deleted.
const GrantDeletedServices = "services_deleted"

// deleteGrant deletes grant before (as it is recorded) with its
// relationships and the accesses of keys through it, closes the pending
// requests to renew it, and audits the deletion.
func (t *txn) deleteGrant(before Grant) error {
	id := before.ID
	if err := t.deleteAccesses(store.Filter{ResourceType: "access", Relation: "grant", SubjectType: "grant", SubjectID: id}, nil); err != nil {
		return err
	}
	// Expired beneficiary relationships are invisible to reads: the
	// record names them.
	if err := t.writeGrant(&before, Grant{ID: id}); err != nil {
		return err
	}
	if err := t.removeObject(grantRef(id)); err != nil {
		return err
	}
	if err := t.deleteDoc(kindGrant, id); err != nil {
		return err
	}
	if err := t.closeRequests(before.Grantor, CancelGrantDeleted, func(r AccessRequest) bool { return r.Renewal == id }); err != nil {
		return err
	}
	return t.audit("grant.delete", "grant:"+id, before, nil)
}

// deleteEmptyGrant deletes grant before, whose services were all deleted,
// and tells its beneficiaries (personal ones and the members of its
// communities, but not whoever deleted) by name, since the grant is gone.
func (t *txn) deleteEmptyGrant(before Grant) error {
	to, err := t.beneficiaryAccounts(before.Users, before.Communities)
	if err != nil {
		return err
	}
	for _, acc := range to {
		if acc == t.actor {
			continue
		}
		data := map[string]string{"grant": before.ID, "grant_name": before.Name, "organisation": before.Grantor, "cause": GrantDeletedServices}
		if err := t.notify(acc, "grant.deleted", data); err != nil {
			return err
		}
	}
	return t.deleteGrant(before)
}
