package portal_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// TestProfile: an account's profile says who it is — its roles in
// organisations and communities, its platform roles direct and through a
// community — to itself and to account managers only.
func TestProfile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Member](t)(svc.AddMember(ctx, "adm2", "region", "ed", portal.RoleRegistered))
		must[portal.CommunityInvitation](t)(svc.InviteCommunityMember(ctx, "csup", "club", "ed", portal.CommunityAdministrator))
		must[portal.CommunityInvitation](t)(svc.AnswerCommunityInvitation(ctx, "ed", "club", true))
		// The club's members read every dataset: a platform role held by a
		// community (written as an operator would, through the store).
		r, err := tuple.Parse("platform:main#data_reader@community:club#member")
		ok(t, err)
		rev, err := e.st.Write(ctx, store.WriteRequest{Updates: []store.Update{{Op: store.Touch, Relationship: r}}})
		ok(t, err)
		ok(t, e.sync(ctx, rev))

		p := must[portal.Profile](t)(svc.Profile(ctx, "ed", "ed"))
		if p.Account.ID != "ed" || !slices.Equal(p.Organisations, []portal.OrgMembership{
			{Organisation: "ign", Name: "IGN", Role: portal.RoleEditor},
			{Organisation: "region", Name: "Région Sud", Role: portal.RoleRegistered},
		}) {
			t.Errorf("ed's organisations: %+v", p.Organisations)
		}
		if !slices.Equal(p.Communities, []portal.CommunityMembership{{Community: "club", Name: "Club SIG", Role: portal.CommunityAdministrator}}) {
			t.Errorf("ed's communities: %+v", p.Communities)
		}
		if !slices.Equal(p.PlatformRoles, []portal.PlatformRoleGrant{{Role: portal.PlatformDataReader, Community: "club"}}) {
			t.Errorf("ed's platform roles: %+v", p.PlatformRoles)
		}
		if p := must[portal.Profile](t)(svc.Profile(ctx, "manager", w.admin)); !slices.Equal(p.PlatformRoles, []portal.PlatformRoleGrant{{Role: portal.PlatformAdministrator}}) || len(p.Organisations) != 0 {
			t.Errorf("the administrator's profile: %+v", p)
		}
		if p := must[portal.Profile](t)(svc.Profile(ctx, "csup", "csup")); len(p.Communities) != 1 || p.Communities[0].Role != portal.CommunitySupervisor {
			t.Errorf("the supervisor's profile: %+v", p)
		}
		// A disabled account keeps its memberships; its status says it.
		if p := must[portal.Profile](t)(svc.Profile(ctx, "manager", "dis")); p.Account.Status != portal.AccountDisabled || len(p.Organisations) != 1 {
			t.Errorf("the disabled account's profile: %+v", p)
		}
		_, err = svc.Profile(ctx, "reg", "ed")
		wantErr(t, err, portal.ErrForbidden)
	})
}

// TestListsPage: members, join requests and datasets come in pages: a
// cursor (the last id) and a limit, the pages following one another.
func TestListsPage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for i := range 3 {
			id := fmt.Sprintf("zz-%d", i)
			must[portal.Account](t)(svc.CreateAccount(ctx, w.admin, portal.Account{ID: id, Email: id + "@example.org", Name: id}))
			must[portal.JoinRequest](t)(svc.RequestJoin(ctx, id, "ign", ""))
		}
		var ids []string
		for after := ""; ; {
			page := must[[]portal.Member](t)(svc.Members(ctx, "adm", "ign", after, 2))
			for _, m := range page {
				ids = append(ids, m.Account)
			}
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].Account
		}
		if want := []string{"adm", "dis", "ed", "reg"}; !slices.Equal(ids, want) {
			t.Errorf("members page by page: %q, want %q", ids, want)
		}
		p1 := must[[]portal.JoinRequest](t)(svc.JoinRequests(ctx, "adm", "ign", portal.JoinPending, "", 2))
		p2 := must[[]portal.JoinRequest](t)(svc.JoinRequests(ctx, "adm", "ign", portal.JoinPending, p1[1].ID, 2))
		if len(p1) != 2 || len(p2) != 1 || p2[0].Account != "zz-2" {
			t.Errorf("join requests by pages of 2: %+v then %+v", p1, p2)
		}
		mine := must[[]portal.JoinRequest](t)(svc.JoinRequests(ctx, "zz-1", "", "", "", 1))
		if len(mine) != 1 || mine[0].Account != "zz-1" {
			t.Errorf("one's own join requests: %+v", mine)
		}
		must[portal.Dataset](t)(svc.CreateDataset(ctx, "adm2", portal.Dataset{ID: "REGION_A", Title: "A", Owner: "region", Default: portal.LevelSearch}))
		ds, next := must2d(t)(svc.Datasets(ctx, "stranger", portal.DatasetQuery{Limit: 1}))
		ds2, _ := must2d(t)(svc.Datasets(ctx, "stranger", portal.DatasetQuery{Limit: 1, After: next}))
		if len(ds) != 1 || len(ds2) != 1 || ds[0].ID != "IGNF_BD-TOPO" || ds2[0].ID != "REGION_A" {
			t.Errorf("searchable datasets by pages of 1: %+v then %+v", ds, ds2)
		}
	})
}

// TestDatasetsList: the datasets of an organisation (those one may
// search: a private one only to those who may), and those one may edit,
// as the engine answers.
func TestDatasetsList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Dataset](t)(svc.CreateDataset(ctx, "adm2", portal.Dataset{ID: "REGION_A", Title: "A", Owner: "region", Default: portal.LevelDownload}))
		ids := func(actor string, q portal.DatasetQuery) []string {
			t.Helper()
			ds, _ := must2d(t)(svc.Datasets(ctx, actor, q))
			var out []string
			for _, d := range ds {
				out = append(out, d.ID)
			}
			return out
		}
		for _, c := range []struct {
			actor string
			q     portal.DatasetQuery
			want  []string
		}{
			{"stranger", portal.DatasetQuery{Owner: "ign"}, []string{"IGNF_BD-TOPO"}},
			{"reg", portal.DatasetQuery{Owner: "ign"}, []string{"IGNF_BD-TOPO", "IGNF_PRIVATE"}},
			{"reg", portal.DatasetQuery{Owner: "region"}, []string{"REGION_A"}},
			{"ed", portal.DatasetQuery{Permission: "edit"}, []string{"IGNF_BD-TOPO", "IGNF_PRIVATE"}},
			{"adm2", portal.DatasetQuery{Permission: "edit"}, []string{"REGION_A"}},
			{"reg", portal.DatasetQuery{Permission: "edit"}, nil},
			{w.admin, portal.DatasetQuery{Permission: "manage_access", Owner: "region"}, []string{"REGION_A"}},
		} {
			if got := ids(c.actor, c.q); !slices.Equal(got, c.want) {
				t.Errorf("%s, %+v: %q, want %q", c.actor, c.q, got, c.want)
			}
		}
		_, _, err := svc.Datasets(ctx, "reg", portal.DatasetQuery{Owner: "nowhere"})
		wantErr(t, err, portal.ErrNotFound)
		_, _, err = svc.Datasets(ctx, "reg", portal.DatasetQuery{Permission: "own"})
		wantErr(t, err, portal.ErrInvalid)
		_, _, err = svc.Datasets(ctx, "dis", portal.DatasetQuery{})
		wantErr(t, err, portal.ErrForbidden)
	})
}

// TestRenameOrgGroup: a group of organisations is renamed by whoever
// manages it, with an audit entry; its organisations stay.
func TestRenameOrgGroup(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		g := must[portal.OrgGroup](t)(e.svc.RenameOrgGroup(e.ctx, w.admin, "partners", "  Partenaires du Sud "))
		if g.Name != "Partenaires du Sud" || !slices.Equal(g.Organisations, []string{"region"}) {
			t.Errorf("renamed group %+v", g)
		}
		if got := must[portal.OrgGroup](t)(e.svc.OrgGroup(e.ctx, "reg", "partners")); got.Name != g.Name {
			t.Errorf("read back %+v", got)
		}
		es := must[[]store.AuditEntry](t)(e.svc.Audit(e.ctx, w.admin, store.AuditQuery{Resource: "org_group:partners"}))
		if last := es[len(es)-1]; last.Action != "org_group.update" || last.Actor != w.admin {
			t.Errorf("last entry %+v", last)
		}
		_, err := e.svc.RenameOrgGroup(e.ctx, "adm", "partners", "Mine")
		wantErr(t, err, portal.ErrForbidden)
		_, err = e.svc.RenameOrgGroup(e.ctx, w.admin, "partners", "")
		wantErr(t, err, portal.ErrInvalid)
	})
}

func must2d(t *testing.T) func(ds []portal.Dataset, next string, err error) ([]portal.Dataset, string) {
	return func(ds []portal.Dataset, next string, err error) ([]portal.Dataset, string) {
		t.Helper()
		ok(t, err)
		return ds, next
	}
}

// TestMembersPageAcrossRoles: members are paged from the organisation's
// role relations without reading them all; an account written with several
// roles comes once, with its highest, on whichever page holds it, and the
// pages of every size give the whole list in account order. Likewise a
// community's member list.
func TestMembersPageAcrossRoles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		var ups []store.Update
		want := map[string]portal.OrgRole{}
		for _, m := range must[[]portal.Member](t)(svc.Members(ctx, "adm", "ign", "", 0)) {
			want[m.Account] = m.Role
		}
		roles := []portal.OrgRole{portal.RoleRegistered, portal.RoleEditor, portal.RoleDelegatedAdmin}
		for i := range 9 {
			id := fmt.Sprintf("m%d", 8-i) // created out of id order
			must[portal.Account](t)(svc.CreateAccount(ctx, w.admin, portal.Account{ID: id, Email: id + "@example.org", Name: id}))
			// Several roles, written as an operator would (the portal keeps
			// one): registered always, then up to i%3 more.
			for _, role := range roles[:i%3+1] {
				r, err := tuple.Parse("organisation:ign#" + string(role) + "@user:" + id)
				ok(t, err)
				ups = append(ups, store.Update{Op: store.Touch, Relationship: r})
			}
			want[id] = roles[i%3]
		}
		rev, err := e.st.Write(ctx, store.WriteRequest{Updates: ups})
		ok(t, err)
		ok(t, e.sync(ctx, rev))

		var all []string
		for id := range want {
			all = append(all, id)
		}
		slices.Sort(all)
		for _, size := range []int{1, 2, 4, 50} {
			var got []string
			for after := ""; ; {
				page := must[[]portal.Member](t)(svc.Members(ctx, "adm", "ign", after, size))
				for _, m := range page {
					got = append(got, m.Account)
					if m.Role != want[m.Account] {
						t.Errorf("pages of %d: %s is %s, want %s", size, m.Account, m.Role, want[m.Account])
					}
				}
				if len(page) < size {
					break
				}
				after = page[len(page)-1].Account
			}
			if !slices.Equal(got, all) {
				t.Errorf("members by pages of %d: %q, want %q", size, got, all)
			}
		}

		cm := must[[]portal.CommunityMember](t)(svc.CommunityMembers(ctx, "csup", "club"))
		if !slices.IsSortedFunc(cm, func(a, b portal.CommunityMember) int { return strings.Compare(a.Account, b.Account) }) || len(cm) == 0 {
			t.Errorf("community members: %+v", cm)
		}
	})
}

// TestDatasetsPageAcrossBoundaries: the datasets a subject may search come
// from the engine a page at a time; pages of every size, across
// relationships that name datasets without a record (skipped), give the
// whole list in id order.
func TestDatasetsPageAcrossBoundaries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for _, id := range []string{"DS_E", "DS_A", "DS_C", "DS_D", "DS_B"} {
			must[portal.Dataset](t)(svc.CreateDataset(ctx, "adm2", portal.Dataset{ID: id, Title: id, Owner: "region", Default: portal.LevelSearch}))
		}
		var ups []store.Update
		for _, id := range []string{"DS_B2", "DS_B3", "DS_Z"} { // no record
			r, err := tuple.Parse("dataset:" + id + "#searcher@user:*")
			ok(t, err)
			ups = append(ups, store.Update{Op: store.Touch, Relationship: r})
		}
		rev, err := e.st.Write(ctx, store.WriteRequest{Updates: ups})
		ok(t, err)
		ok(t, e.sync(ctx, rev))

		var all []string
		ds, _ := must2d(t)(svc.Datasets(ctx, "stranger", portal.DatasetQuery{Limit: 1000}))
		for _, d := range ds {
			all = append(all, d.ID)
		}
		if !slices.IsSorted(all) || !slices.Contains(all, "DS_E") || slices.Contains(all, "DS_B2") || slices.Contains(all, "DS_Z") {
			t.Fatalf("searchable datasets: %q", all)
		}
		for _, size := range []int{1, 2, 3} {
			var got []string
			for after := ""; ; {
				page, next := must2d(t)(svc.SearchableDatasets(ctx, "stranger", after, size))
				for _, d := range page {
					got = append(got, d.ID)
				}
				if next == "" {
					break
				}
				if len(page) != size || next != page[len(page)-1].ID {
					t.Fatalf("pages of %d after %q: %d datasets, cursor %q", size, after, len(page), next)
				}
				after = next
			}
			if !slices.Equal(got, all) {
				t.Errorf("datasets by pages of %d: %q, want %q", size, got, all)
			}
		}
		// An owner's datasets, taken a few at a time in id order from the
		// owner's edges.
		for _, size := range []int{1, 2, 3} {
			var got []string
			for after := ""; ; {
				page, next := must2d(t)(svc.Datasets(ctx, "stranger", portal.DatasetQuery{Owner: "region", After: after, Limit: size}))
				for _, d := range page {
					got = append(got, d.ID)
				}
				if next == "" {
					break
				}
				after = next
			}
			if want := []string{"DS_A", "DS_B", "DS_C", "DS_D", "DS_E"}; !slices.Equal(got, want) {
				t.Errorf("region's datasets by pages of %d: %q, want %q", size, got, want)
			}
		}
	})
}
