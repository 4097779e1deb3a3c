package portal_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// TestDeleteOrganisation: only a platform administrator deletes an
// organisation; one that still owns datasets or pages is refused with a
// message saying how many and what to do; otherwise it goes with its
// members' roles, its place in groups of organisations (logged there) and
// its pending join requests (cancelled, their authors told), audited.
func TestDeleteOrganisation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Organisation](t)(svc.CreateOrganisation(ctx, w.admin, portal.Organisation{ID: "asso", Name: "Asso SIG", Type: portal.OrgAssociation}, "reg"))
		must[portal.Member](t)(svc.AddMember(ctx, "reg", "asso", "part", portal.RoleEditor))
		must[portal.OrgGroup](t)(svc.SetOrgGroupOrganisations(ctx, w.admin, "partners", []string{"region", "asso"}))
		jr := must[portal.JoinRequest](t)(svc.RequestJoin(ctx, "stranger", "asso", "Bonjour"))
		must[portal.Page](t)(svc.CreatePage(ctx, "part", portal.Page{ID: "asso-home", Title: "Accueil", Owner: "asso"}))

		wantErr(t, svc.DeleteOrganisation(ctx, "", "asso"), portal.ErrUnauthenticated)
		wantErr(t, svc.DeleteOrganisation(ctx, "reg", "asso"), portal.ErrForbidden) // its delegated admin
		wantErr(t, svc.DeleteOrganisation(ctx, w.admin, "nope"), portal.ErrNotFound)
		err := svc.DeleteOrganisation(ctx, w.admin, "ign")
		wantErr(t, err, portal.ErrConflict)
		if got := refusalIn(err, messages.English); !strings.Contains(got, "2 dataset(s)") {
			t.Errorf("refusal: %q", got)
		}
		err = svc.DeleteOrganisation(ctx, w.admin, "asso")
		wantErr(t, err, portal.ErrConflict)
		if got := refusalIn(err, messages.French); !strings.Contains(got, "1 page(s) de contenu") {
			t.Errorf("refusal: %q", got)
		}
		if !e.check("organisation:asso#member@user:part") {
			t.Fatal("a refused deletion changed the members")
		}
		ok(t, svc.DeletePage(ctx, "part", "asso-home"))

		ok(t, svc.DeleteOrganisation(ctx, w.admin, "asso"))
		_, err = svc.Organisation(ctx, "reg", "asso")
		wantErr(t, err, portal.ErrNotFound)
		if rs := e.rels(store.Filter{ResourceType: "organisation", ResourceID: "asso"}); len(rs) != 0 {
			t.Errorf("relationships of the deleted organisation: %v", rs)
		}
		if rs := e.rels(store.Filter{SubjectType: "organisation", SubjectID: "asso"}); len(rs) != 0 {
			t.Errorf("relationships to the deleted organisation: %v", rs)
		}
		if g := must[portal.OrgGroup](t)(svc.OrgGroup(ctx, w.admin, "partners")); !slices.Equal(g.Organisations, []string{"region"}) {
			t.Errorf("the group after the deletion: %v", g.Organisations)
		}
		revDelete, _ := auditAt(t, e, w, "organisation:asso", "organisation.delete")
		revGroup, _ := auditAt(t, e, w, "org_group:partners", "org_group.organisations")
		if revDelete != revGroup {
			t.Errorf("group left at revision %d, organisation deleted at %d", revGroup, revDelete)
		}
		rs := must[[]portal.JoinRequest](t)(svc.JoinRequests(ctx, "stranger", "", "", "", 0))
		if i := slices.IndexFunc(rs, func(r portal.JoinRequest) bool { return r.ID == jr.ID }); i < 0 || rs[i].Status != portal.JoinCancelled {
			t.Errorf("the pending join request: %+v", rs)
		}
		told := false
		for _, n := range must[[]portal.Notice](t)(svc.Notices(ctx, "stranger", "", 0)) {
			told = told || (n.Kind == "join_request.cancelled" && n.Data["organisation_name"] == "Asso SIG")
		}
		if !told {
			t.Error("the requester was not told")
		}
		// The id is not given again: the old requests and audit log are
		// filed under it, and a new organisation must not inherit them.
		_, err = svc.CreateOrganisation(ctx, w.admin, portal.Organisation{ID: "asso", Name: "Autre", Type: portal.OrgAssociation}, "stranger")
		wantErr(t, err, portal.ErrConflict)
		if !strings.Contains(refusalIn(err, messages.English), "was deleted") {
			t.Errorf("re-creating a deleted organisation's id: %v", err)
		}
		if e.check("organisation:asso#member@user:part") {
			t.Error("a member of the deleted organisation is still a member")
		}
	})
}

// refusalIn is a portal refusal's message in l.
func refusalIn(err error, l messages.Lang) string {
	var pe *portal.Error
	if !errors.As(err, &pe) {
		return ""
	}
	return pe.Msg.In(l)
}
