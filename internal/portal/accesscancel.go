package portal

// Causes of an access request cancelled by a deletion (AccessRequest.Cause):
// what it asked for, or who it was for, is gone, so that it could never be
// accepted (integrity.go).
const (
	CancelDatasetDeleted   = "dataset_deleted"   // its product was deleted
	CancelCommunityDeleted = "community_deleted" // its beneficiary community was deleted
	CancelServicesDeleted  = "services_deleted"  // every service it asked for was deleted
	CancelGrantDeleted     = "grant_deleted"     // the grant it would renew was deleted (grantempty.go)
)

// CancelCauses are the causes of AccessRequest.Cause, for those who show
// them (each has its words in the catalogue).
var CancelCauses = []string{CancelDatasetDeleted, CancelCommunityDeleted, CancelServicesDeleted, CancelGrantDeleted}

// cancelRequest closes pending request r as cancelled by t.actor for
// cause, in the deletion's transaction, audits it, and tells its author
// with a notice (kind "access_request.cancelled", e-mailed like the
// answers to a request: the author waits for one, and this is it). The
// notice names the dataset and the community by their names too, read
// now, since they are about to be deleted and the notice outlives them.
func (t *txn) cancelRequest(r AccessRequest, cause string) error {
	before := r
	at := t.at
	r.Status, r.DecidedBy, r.DecidedAt, r.Cause = AccessCancelled, t.actor, &at, cause
	if err := t.putAccessRequest(r); err != nil {
		return err
	}
	data := map[string]string{"request": r.ID, "dataset": r.Dataset, "dataset_title": r.Dataset, "cause": cause}
	var d Dataset
	if err := t.get(t.ctx, kindDataset, r.Dataset, &d); err == nil {
		data["dataset_title"] = d.Title
	} else if !isPortalNotFound(err) {
		return err
	}
	if r.Community != "" {
		data["community"], data["community_name"] = r.Community, r.Community
		var c Community
		if err := t.get(t.ctx, kindCommunity, r.Community, &c); err == nil {
			data["community_name"] = c.Name
		} else if !isPortalNotFound(err) {
			return err
		}
	}
	if err := t.notify(r.Account, "access_request.cancelled", data); err != nil {
		return err
	}
	return t.audit("access_request.cancel", "dataset:"+r.Dataset, before, r)
}
