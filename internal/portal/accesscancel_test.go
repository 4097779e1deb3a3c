package portal_test

import (
	"errors"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestCancelledRequestsTellTheirAuthor: a pending access request cancelled
// by a deletion (its last service, its dataset, its beneficiary community)
// says why, and its author gets a notice naming the request, the dataset
// and the community by name, e-mailed in the deletion's transaction; nobody
// else sees that notice. A request its author cancels tells nobody.
func TestCancelledRequestsTellTheirAuthor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		servicesWorld(t, e, w)
		topo := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "IGNF_BD-TOPO"}))
		only := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "part", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Services: []string{"topo-wms2"}}))
		club := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "csup", portal.AccessRequest{Dataset: "REGION_PLU", Community: "club"}))
		self := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "stranger", portal.AccessRequest{Dataset: "REGION_PLU"}))
		must[portal.AccessRequest](t)(svc.CancelAccessRequest(ctx, "stranger", self.ID))

		ok(t, svc.DeleteService(ctx, "ed", "topo-wms2"))
		ok(t, svc.DeleteDataset(ctx, "ed", "IGNF_BD-TOPO"))
		ok(t, svc.DeleteCommunity(ctx, "csup", "club"))

		mails := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0))
		for _, c := range []struct {
			author, request, cause, title, community string
		}{
			{"part", only.ID, portal.CancelServicesDeleted, "BD TOPO", ""},
			{"stranger", topo.ID, portal.CancelDatasetDeleted, "BD TOPO", ""},
			{"csup", club.ID, portal.CancelCommunityDeleted, "PLU", "Club SIG"},
		} {
			r := must[portal.AccessRequest](t)(svc.AccessRequestOf(ctx, c.author, c.request))
			if r.Status != portal.AccessCancelled || r.Cause != c.cause {
				t.Errorf("%s: %s %q, want cancelled %q", c.request, r.Status, r.Cause, c.cause)
			}
			var found *portal.Notice
			for _, n := range must[[]portal.Notice](t)(svc.Notices(ctx, c.author, "", 0)) {
				if n.Kind == "access_request.cancelled" && n.Data["request"] == c.request {
					found = &n
				}
			}
			if found == nil {
				t.Errorf("%s: no notice for %s", c.request, c.author)
				continue
			}
			if d := found.Data; d["cause"] != c.cause || d["dataset_title"] != c.title || d["community_name"] != c.community {
				t.Errorf("%s: notice data %v", c.request, d)
			}
			mailed := false
			for _, m := range mails {
				mailed = mailed || (m.ID == found.ID && m.Kind == "access_request.cancelled" && m.Account == c.author)
			}
			if !mailed {
				t.Errorf("%s: the notice is not in the outbox", c.request)
			}
		}
		// Only the author is told; a cancellation by the author tells
		// nobody (they know).
		for _, who := range []string{"ed", "adm2", w.admin, "reg"} {
			for _, n := range must[[]portal.Notice](t)(svc.Notices(ctx, who, "", 0)) {
				if n.Kind == "access_request.cancelled" {
					t.Errorf("%s was told of %v", who, n.Data)
				}
			}
		}
		for _, n := range must[[]portal.Notice](t)(svc.Notices(ctx, "stranger", "", 0)) {
			if n.Kind == "access_request.cancelled" && n.Data["request"] == self.ID {
				t.Error("the author was told of their own cancellation")
			}
		}
		if r := must[portal.AccessRequest](t)(svc.AccessRequestOf(ctx, "stranger", self.ID)); r.Cause != "" {
			t.Errorf("cancelled by its author, with cause %q", r.Cause)
		}
		// Notices are their owner's only: anonymous is refused.
		if _, err := svc.Notices(ctx, "", "", 0); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Errorf("anonymous notices: %v", err)
		}
	})
}
