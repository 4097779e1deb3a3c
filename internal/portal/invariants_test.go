package portal_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

func TestLastDelegatedAdmin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		// region has one delegated admin, adm2: neither removed nor demoted,
		// not even by a platform administrator.
		wantErr(t, svc.RemoveMember(ctx, w.admin, "region", "adm2"), portal.ErrConflict)
		_, err := svc.SetMemberRole(ctx, "adm2", "region", "adm2", portal.RoleEditor)
		wantErr(t, err, portal.ErrConflict)
		if !strings.Contains(err.Error(), "last delegated administrator") {
			t.Errorf("message %q does not say why", err)
		}
		// With a second admin, one of them may go.
		must[portal.Member](t)(svc.AddMember(ctx, "adm2", "region", "stranger", portal.RoleDelegatedAdmin))
		must[portal.Member](t)(svc.SetMemberRole(ctx, "adm2", "region", "stranger", portal.RoleEditor))
		must[portal.Member](t)(svc.SetMemberRole(ctx, "adm2", "region", "stranger", portal.RoleDelegatedAdmin))

		// Two concurrent requests, each removing one of the two admins:
		// exactly one wins, the other meets the invariant.
		for round, op := range []func(who string) error{
			func(who string) error { return svc.RemoveMember(ctx, w.admin, "region", who) },
			func(who string) error {
				_, err := svc.SetMemberRole(ctx, w.admin, "region", who, portal.RoleRegistered)
				return err
			},
		} {
			if round == 1 {
				// restore two admins
				for _, who := range []string{"adm2", "stranger"} {
					if _, err := svc.AddMember(ctx, w.admin, "region", who, portal.RoleDelegatedAdmin); err != nil && !errors.Is(err, portal.ErrConflict) {
						t.Fatal(err)
					}
					must[portal.Member](t)(svc.SetMemberRole(ctx, w.admin, "region", who, portal.RoleDelegatedAdmin))
				}
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, who := range []string{"adm2", "stranger"} {
				wg.Go(func() { errs[i] = op(who) })
			}
			wg.Wait()
			okCount, conflicts := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					okCount++
				case errors.Is(err, portal.ErrConflict):
					conflicts++
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if okCount != 1 || conflicts != 1 {
				t.Fatalf("round %d: %d succeeded and %d conflicted, want 1 and 1", round, okCount, conflicts)
			}
			admins := 0
			for _, m := range must[[]portal.Member](t)(svc.Members(ctx, w.admin, "region", "", 0)) {
				if m.Role == portal.RoleDelegatedAdmin {
					admins++
				}
			}
			if admins != 1 {
				t.Fatalf("round %d: %d delegated admins left, want 1", round, admins)
			}
		}
	})
}

func TestSupervisorNeverRemoved(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		joinCommunity(t, e, "csup", "club", "reg")
		must[portal.CommunityMember](t)(svc.SetCommunityMember(ctx, "csup", "club", "reg", portal.CommunityAdministrator))
		for _, actor := range []string{w.admin, "csup", "reg"} {
			wantErr(t, svc.RemoveCommunityMember(ctx, actor, "club", "csup"), portal.ErrConflict)
			_, err := svc.SetCommunityMember(ctx, actor, "club", "csup", portal.CommunityParticipant)
			wantErr(t, err, portal.ErrConflict)
		}
		_, err := svc.SetCommunityMember(ctx, "csup", "club", "reg", portal.CommunitySupervisor)
		wantErr(t, err, portal.ErrInvalid)
		c := must[portal.Community](t)(svc.Community(ctx, "reg", "club"))
		if c.Supervisor != "csup" {
			t.Errorf("supervisor %q, want csup", c.Supervisor)
		}
		// A community administrator manages the members but does not delete.
		ok(t, svc.RemoveCommunityMember(ctx, "reg", "club", "part"))
		wantErr(t, svc.DeleteCommunity(ctx, "reg", "club"), portal.ErrForbidden)
	})
}

func TestLevelsAndDefault(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		const ds = "IGNF_BD-TOPO"
		region := portal.GroupRef{Kind: portal.GroupOrganisation, ID: "region"}
		club := portal.GroupRef{Kind: portal.GroupCommunity, ID: "club"}
		partners := portal.GroupRef{Kind: portal.GroupOrgGroup, ID: "partners"}

		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "ed", ds, region, lvl(portal.LevelSearch)))
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, ds, club, lvl(portal.LevelConsult))) // private: see TestPrivateCommunitiesInAccessTables
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "ed", ds, partners, lvl(portal.LevelDownload)))
		if !e.check("dataset:IGNF_BD-TOPO#download@user:adm2") || !e.check("dataset:IGNF_BD-TOPO#consult@user:part") || e.check("dataset:IGNF_BD-TOPO#consult@user:stranger") {
			t.Fatal("specific levels do not grant what they should")
		}

		// Raising the default to consult drops region's search (below it)
		// and keeps club's consult (equal) and partners' download.
		d, changes, err := svc.SetDefaultLevel(ctx, "adm", ds, portal.LevelConsult)
		ok(t, err)
		if d.Default != portal.LevelConsult {
			t.Errorf("default %s, want consult", d.Default)
		}
		if len(changes) != 1 || changes[0].Group != region || changes[0].Before == nil || *changes[0].Before != portal.LevelSearch || changes[0].After != nil || changes[0].Name != "Région Sud" {
			t.Fatalf("changes %+v, want region's search removed", changes)
		}
		rows, _, err := svc.AccessTable(ctx, "adm", ds, portal.AccessFilter{})
		ok(t, err)
		for _, r := range rows {
			want := map[portal.GroupRef]*portal.Level{club: lvl(portal.LevelConsult), partners: lvl(portal.LevelDownload)}[r.Group]
			if (want == nil) != (r.Specific == nil) || (want != nil && *want != *r.Specific) {
				t.Errorf("%v: specific %v, want %v", r.Group, r.Specific, want)
			}
			if r.Effective < portal.LevelConsult {
				t.Errorf("%v: effective %s below the default", r.Group, r.Effective)
			}
		}
		if !e.check("dataset:IGNF_BD-TOPO#consult@user:stranger") {
			t.Error("the default level consult does not reach everyone")
		}

		// A specific level below the default is refused, saying why.
		before := e.head()
		_, err = svc.SetGroupLevel(ctx, "adm", ds, region, lvl(portal.LevelSearch))
		wantErr(t, err, portal.ErrInvalid)
		if !strings.Contains(err.Error(), "below the dataset's default level consult") {
			t.Errorf("message %q does not say why", err)
		}
		_, err = svc.BulkAccess(ctx, "adm", ds, portal.BulkAction{Action: "grant", Level: portal.LevelSearch, Groups: []portal.GroupRef{region}})
		wantErr(t, err, portal.ErrInvalid)
		if e.head() != before {
			t.Error("a refused level wrote something")
		}

		// Lowering the default leaves specific levels alone.
		_, changes, err = svc.SetDefaultLevel(ctx, "adm", ds, portal.LevelPrivate)
		ok(t, err)
		if len(changes) != 0 {
			t.Errorf("lowering the default changed %+v", changes)
		}
		if e.check("dataset:IGNF_BD-TOPO#search@user:stranger") || !e.check("dataset:IGNF_BD-TOPO#consult@user:part") {
			t.Error("private default: wrong rights")
		}
		// Removing a specific level.
		c := must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "adm", ds, club, nil))
		if c.After != nil || c.Before == nil || *c.Before != portal.LevelConsult {
			t.Errorf("removal reported %+v", c)
		}
		if e.check("dataset:IGNF_BD-TOPO#search@user:part") {
			t.Error("removed level still grants")
		}
		// Unknown group.
		_, err = svc.SetGroupLevel(ctx, "adm", ds, portal.GroupRef{Kind: portal.GroupCommunity, ID: "nope"}, lvl(portal.LevelSearch))
		wantErr(t, err, portal.ErrNotFound)
	})
}

func TestDatasetRules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		_, err := svc.CreateDataset(ctx, "adm", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "again", Owner: "ign"})
		wantErr(t, err, portal.ErrConflict)
		_, err = svc.CreateDataset(ctx, "adm2", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "again", Owner: "region"})
		wantErr(t, err, portal.ErrConflict) // unique across owners
		for _, bad := range []portal.Dataset{
			{ID: "IGNF BD TOPO", Title: "t", Owner: "ign"},
			{ID: "IGNF:x", Title: "t", Owner: "ign"},
			{ID: "ok", Title: " ", Owner: "ign"},
			{ID: "ok", Title: "t", Owner: "ign", Default: 9},
		} {
			_, err := svc.CreateDataset(ctx, "adm", bad)
			wantErr(t, err, portal.ErrInvalid)
		}
		_, err = svc.CreateDataset(ctx, "adm", portal.Dataset{ID: "IGNF BD", Title: "t", Owner: "ign"})
		if !strings.Contains(err.Error(), "product id") {
			t.Errorf("message %q does not name the field", err)
		}
		// Deleting removes the relationships: nobody searches it any more,
		// and the id is free again.
		must[portal.Dataset](t)(svc.CreateDataset(ctx, "adm", portal.Dataset{ID: "TMP", Title: "t", Owner: "ign", Default: portal.LevelDownload}))
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, "TMP", portal.GroupRef{Kind: portal.GroupCommunity, ID: "club"}, lvl(portal.LevelDownload)))
		ok(t, svc.DeleteDataset(ctx, "adm", "TMP"))
		if e.check("dataset:TMP#search@user:stranger") || e.check("dataset:TMP#download@user:part") || e.check("dataset:TMP#edit@user:ed") {
			t.Error("a deleted dataset still grants")
		}
		_, err = svc.Dataset(ctx, "adm", "TMP")
		wantErr(t, err, portal.ErrNotFound)
		must[portal.Dataset](t)(svc.CreateDataset(ctx, "adm", portal.Dataset{ID: "TMP", Title: "t", Owner: "ign"}))
		// Editing changes the title only.
		d := must[portal.Dataset](t)(svc.UpdateDataset(ctx, "ed", portal.Dataset{ID: "TMP", Title: "Nouveau titre"}))
		if d.Title != "Nouveau titre" || d.Owner != "ign" {
			t.Errorf("updated %+v", d)
		}
		_, err = svc.UpdateDataset(ctx, "ed", portal.Dataset{ID: "TMP", Title: "x", Owner: "region"})
		wantErr(t, err, portal.ErrInvalid)
	})
}

func TestDisablingTakesEveryRight(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		joinCommunity(t, e, "csup", "club", "adm")
		must[portal.CommunityMember](t)(svc.SetCommunityMember(ctx, "csup", "club", "adm", portal.CommunityAdministrator))
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "adm", "IGNF_PRIVATE", portal.GroupRef{Kind: portal.GroupCommunity, ID: "club"}, lvl(portal.LevelConsult)))
		rights := []string{
			"organisation:ign#member@user:adm",
			"organisation:ign#manage_members@user:adm",
			"organisation:ign#publish@user:adm",
			"dataset:IGNF_PRIVATE#manage_access@user:adm",
			"dataset:IGNF_PRIVATE#edit@user:adm",
			"dataset:IGNF_PRIVATE#download@user:adm",
			"dataset:IGNF_BD-TOPO#search@user:adm",
			"community:club#manage@user:adm",
			"community:club#view@user:adm",
		}
		all := func(want bool) {
			t.Helper()
			for _, q := range rights {
				if got := e.check(q); got != want {
					t.Errorf("%s = %v, want %v", q, got, want)
				}
			}
		}
		all(true)
		tok, secret, err := svc.CreateToken(ctx, "adm", "script", nil)
		ok(t, err)
		a := must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "adm", portal.AccountDisabled))
		if a.Status != portal.AccountDisabled {
			t.Fatalf("status %s", a.Status)
		}
		all(false)
		_, err = svc.Authenticate(ctx, secret)
		wantErr(t, err, portal.ErrUnauthenticated)
		_, err = svc.Members(ctx, "adm", "ign", "", 0)
		wantErr(t, err, portal.ErrForbidden)
		// Memberships stay written.
		roles := map[string]portal.OrgRole{}
		for _, m := range must[[]portal.Member](t)(svc.Members(ctx, "reg", "ign", "", 0)) {
			roles[m.Account] = m.Role
		}
		if roles["adm"] != portal.RoleDelegatedAdmin {
			t.Errorf("adm's role while disabled: %q, want delegated_admin", roles["adm"])
		}
		// Re-enabled: everything is back, the token works again.
		must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "adm", portal.AccountActive))
		all(true)
		got, err := svc.Authenticate(ctx, secret)
		ok(t, err)
		if got.ID != "adm" {
			t.Errorf("token of %s, want adm", got.ID)
		}
		ok(t, svc.RevokeToken(ctx, "adm", tok.ID))
		_, err = svc.Authenticate(ctx, secret)
		wantErr(t, err, portal.ErrUnauthenticated)
	})
}

func TestMembers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		if !e.check("dataset:IGNF_PRIVATE#download@user:reg") {
			t.Fatal("registered user cannot download the organisation's data")
		}
		ok(t, svc.RemoveMember(ctx, "adm", "ign", "reg"))
		if e.check("dataset:IGNF_PRIVATE#download@user:reg") {
			t.Error("a removed member still downloads")
		}
		a := must[portal.Account](t)(svc.Account(ctx, "reg", "reg"))
		if a.ID != "reg" || a.Status != portal.AccountActive {
			t.Errorf("account after removal: %+v", a)
		}
		wantErr(t, svc.RemoveMember(ctx, "adm", "ign", "reg"), portal.ErrNotFound)
		_, err := svc.AddMember(ctx, "adm", "ign", "nobody", portal.RoleEditor)
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.AddMember(ctx, "adm", "ign", "ed", portal.RoleEditor)
		wantErr(t, err, portal.ErrConflict)
		_, err = svc.AddMember(ctx, "adm", "ign", "reg", "owner")
		wantErr(t, err, portal.ErrInvalid)

		// Roles are hierarchical and per organisation.
		must[portal.Member](t)(svc.AddMember(ctx, "adm2", "region", "ed", portal.RoleRegistered))
		if !e.check("organisation:ign#publish@user:ed") || e.check("organisation:region#publish@user:ed") || !e.check("organisation:region#member@user:ed") {
			t.Error("roles are not per organisation")
		}
		// E-mails only to those who manage members.
		for _, m := range must[[]portal.Member](t)(svc.Members(ctx, "ed", "ign", "", 0)) {
			if m.Email != "" {
				t.Errorf("a member sees %s's e-mail", m.Account)
			}
		}
		for _, m := range must[[]portal.Member](t)(svc.Members(ctx, "adm", "ign", "", 0)) {
			if m.Email == "" {
				t.Errorf("the delegated admin does not see %s's e-mail", m.Account)
			}
		}

		// A delegated admin creates an account for a newcomer, who gets a
		// notice (the welcome e-mail).
		m := must[portal.Member](t)(svc.AddNewMember(ctx, "adm", "ign", portal.Account{Email: "New.Person@Example.org", Name: "New Person"}, portal.RoleEditor))
		if m.Role != portal.RoleEditor || m.Email != "new.person@example.org" {
			t.Errorf("new member %+v", m)
		}
		ns := must[[]portal.Notice](t)(svc.Notices(ctx, m.Account, "", 10))
		if len(ns) != 1 || ns[0].Kind != "account.created" || ns[0].Data["organisation"] != "ign" || ns[0].Data["expires"] == "" {
			t.Errorf("notices %+v", ns)
		}
		if _, ok := ns[0].Data[portal.NoticeSecret]; ok {
			t.Errorf("the notices API shows the invitation link's secret: %+v", ns[0])
		}
		_, err = svc.AddNewMember(ctx, "adm", "ign", portal.Account{Email: "new.person@example.org", Name: "Twin"}, portal.RoleEditor)
		wantErr(t, err, portal.ErrConflict) // e-mails are unique
		_, err = svc.AddNewMember(ctx, "adm", "ign", portal.Account{Email: "not an address", Name: "X"}, portal.RoleEditor)
		wantErr(t, err, portal.ErrInvalid)
		if !strings.Contains(err.Error(), "email") {
			t.Errorf("message %q does not name the field", err)
		}
		_, err = svc.AddNewMember(ctx, "adm", "ign", portal.Account{Email: "x@example.org", Name: "X", PlatformRoles: []portal.PlatformRole{portal.PlatformAdministrator}}, portal.RoleEditor)
		wantErr(t, err, portal.ErrInvalid)
	})
}

func TestJoinRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		r := must[portal.JoinRequest](t)(svc.RequestJoin(ctx, "stranger", "ign", "Je travaille sur la BD TOPO"))
		if r.Status != portal.JoinPending {
			t.Fatalf("status %s", r.Status)
		}
		// The organisation's delegated admins are told (the e-mail).
		ns := worldNotices(must[[]portal.Notice](t)(svc.Notices(ctx, "adm", "", 10)))
		if len(ns) != 1 || ns[0].Kind != "join_request.created" || ns[0].Data["request"] != r.ID {
			t.Errorf("admin notices %+v", ns)
		}
		// One pending request per account and organisation.
		_, err := svc.RequestJoin(ctx, "stranger", "ign", "again")
		wantErr(t, err, portal.ErrConflict)
		// Members do not ask; unknown organisations do not exist.
		_, err = svc.RequestJoin(ctx, "ed", "ign", "")
		wantErr(t, err, portal.ErrConflict)
		_, err = svc.RequestJoin(ctx, "stranger", "nope", "")
		wantErr(t, err, portal.ErrNotFound)
		// Only the organisation's admins decide; only the requester cancels.
		_, err = svc.DecideJoinRequest(ctx, "adm2", r.ID, true, "", "")
		wantErr(t, err, portal.ErrForbidden)
		_, err = svc.DecideJoinRequest(ctx, "ed", r.ID, true, "", "")
		wantErr(t, err, portal.ErrForbidden)
		_, err = svc.CancelJoinRequest(ctx, "adm", r.ID)
		wantErr(t, err, portal.ErrForbidden)
		pending := must[[]portal.JoinRequest](t)(svc.JoinRequests(ctx, "adm", "ign", portal.JoinPending, "", 0))
		if len(pending) != 1 || pending[0].ID != r.ID {
			t.Errorf("pending %+v", pending)
		}

		// Accept: the requester becomes a member with the role given.
		e.clock.Advance(time.Hour)
		r = must[portal.JoinRequest](t)(svc.DecideJoinRequest(ctx, "adm", r.ID, true, portal.RoleEditor, "Bienvenue"))
		if r.Status != portal.JoinAccepted || r.Role != portal.RoleEditor || r.DecidedBy != "adm" || r.DecidedAt == nil {
			t.Errorf("accepted %+v", r)
		}
		if !e.check("organisation:ign#publish@user:stranger") {
			t.Error("accepting did not add the member")
		}
		ns = worldNotices(must[[]portal.Notice](t)(svc.Notices(ctx, "stranger", "", 10)))
		if len(ns) != 1 || ns[0].Kind != "join_request.accepted" || ns[0].Data["reason"] != "Bienvenue" || ns[0].Data["role"] != "editor" {
			t.Errorf("requester notices %+v", ns)
		}
		_, err = svc.DecideJoinRequest(ctx, "adm", r.ID, false, "", "")
		wantErr(t, err, portal.ErrConflict) // decided already
		_, err = svc.CancelJoinRequest(ctx, "stranger", r.ID)
		wantErr(t, err, portal.ErrConflict)

		// Refuse: no membership, a notice with the reason; then a new
		// request is possible again.
		r2 := must[portal.JoinRequest](t)(svc.RequestJoin(ctx, "part", "ign", ""))
		r2 = must[portal.JoinRequest](t)(svc.DecideJoinRequest(ctx, "adm", r2.ID, false, "", "Réservé aux agents"))
		if r2.Status != portal.JoinRefused || e.check("organisation:ign#member@user:part") {
			t.Errorf("refused %+v", r2)
		}
		ns = worldNotices(must[[]portal.Notice](t)(svc.Notices(ctx, "part", "", 10)))
		if len(ns) != 1 || ns[0].Kind != "join_request.refused" || ns[0].Data["reason"] != "Réservé aux agents" {
			t.Errorf("refused notices %+v", ns)
		}
		// Cancel: by the requester, while pending.
		r3 := must[portal.JoinRequest](t)(svc.RequestJoin(ctx, "part", "ign", "encore"))
		r3 = must[portal.JoinRequest](t)(svc.CancelJoinRequest(ctx, "part", r3.ID))
		if r3.Status != portal.JoinCancelled {
			t.Errorf("cancelled %+v", r3)
		}
		_, err = svc.DecideJoinRequest(ctx, "adm", r3.ID, true, "", "")
		wantErr(t, err, portal.ErrConflict)
		mine := must[[]portal.JoinRequest](t)(svc.JoinRequests(ctx, "part", "", "", "", 0))
		if len(mine) != 2 || mine[0].Status != portal.JoinRefused || mine[1].Status != portal.JoinCancelled {
			t.Errorf("part's requests %+v", mine)
		}
		all := must[[]portal.JoinRequest](t)(svc.JoinRequests(ctx, "adm", "ign", "", "", 0))
		if len(all) != 3 {
			t.Errorf("%d requests for ign, want 3", len(all))
		}
	})
}

func TestOrgGroupLevelsFollowMembership(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "adm", "IGNF_PRIVATE", portal.GroupRef{Kind: portal.GroupOrgGroup, ID: "partners"}, lvl(portal.LevelConsult)))
		if !e.check("dataset:IGNF_PRIVATE#consult@user:adm2") || e.check("dataset:IGNF_PRIVATE#download@user:adm2") {
			t.Fatal("the group's level does not reach region's members exactly")
		}
		// A new organisation joins the group: its members get the level;
		// new members of it too.
		must[portal.Organisation](t)(svc.CreateOrganisation(ctx, w.admin, portal.Organisation{ID: "labo", Name: "Laboratoire", Type: portal.OrgResearch}, "csup"))
		if e.check("dataset:IGNF_PRIVATE#consult@user:csup") {
			t.Fatal("labo is not in the group yet")
		}
		g := must[portal.OrgGroup](t)(svc.SetOrgGroupOrganisations(ctx, w.admin, "partners", []string{"region", "labo"}))
		if len(g.Organisations) != 2 {
			t.Errorf("organisations %v", g.Organisations)
		}
		must[portal.Member](t)(svc.AddMember(ctx, "csup", "labo", "part", portal.RoleRegistered))
		if !e.check("dataset:IGNF_PRIVATE#consult@user:csup") || !e.check("dataset:IGNF_PRIVATE#consult@user:part") {
			t.Error("members of an organisation added to the group do not get its level")
		}
		// region leaves the group: its members lose the level.
		must[portal.OrgGroup](t)(svc.SetOrgGroupOrganisations(ctx, w.admin, "partners", []string{"labo"}))
		if e.check("dataset:IGNF_PRIVATE#search@user:adm2") {
			t.Error("members of an organisation removed from the group keep its level")
		}
		_, err := svc.SetOrgGroupOrganisations(ctx, w.admin, "partners", []string{"labo", "nope"})
		wantErr(t, err, portal.ErrNotFound)
		// Deleting the group removes its levels.
		ok(t, svc.DeleteOrgGroup(ctx, w.admin, "partners"))
		if e.check("dataset:IGNF_PRIVATE#search@user:csup") {
			t.Error("a deleted group's level still grants")
		}
		rows, _, err := svc.AccessTable(ctx, "adm", "IGNF_PRIVATE", portal.AccessFilter{Kind: portal.GroupOrgGroup})
		ok(t, err)
		if len(rows) != 0 {
			t.Errorf("rows %+v after deleting the only group", rows)
		}
	})
}

func TestAccountsAndTokens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		svc, ctx := e.svc, e.ctx
		a1, s1, err := svc.Bootstrap(ctx, "root@example.org", "Root", []portal.PlatformRole{portal.PlatformAdministrator})
		ok(t, err)
		a2, s2, err := svc.Bootstrap(ctx, "ROOT@example.org", "Root", []portal.PlatformRole{portal.PlatformDataReader})
		ok(t, err)
		if a1.ID != a2.ID || len(a2.PlatformRoles) != 2 || s1 == s2 || !strings.HasPrefix(s1, "oct_") {
			t.Fatalf("bootstrap twice: %+v %+v", a1, a2)
		}
		for _, s := range []string{s1, s2} {
			got, err := svc.Authenticate(ctx, s)
			ok(t, err)
			if got.ID != a1.ID {
				t.Errorf("token of %s", got.ID)
			}
		}
		for _, bad := range []string{"", "oct_nope", s1 + "x", "Bearer " + s1} {
			_, err := svc.Authenticate(ctx, bad)
			wantErr(t, err, portal.ErrUnauthenticated)
		}
		// Last use: recorded, and not rewritten within the minute.
		before := e.head()
		_, err = svc.Authenticate(ctx, s1)
		ok(t, err)
		if e.head() != before {
			t.Error("a second use within the minute wrote again")
		}
		toks := must[[]portal.Token](t)(svc.Tokens(ctx, a1.ID))
		if len(toks) != 2 || toks[0].LastUsed == nil {
			t.Fatalf("tokens %+v", toks)
		}
		e.clock.Advance(2 * time.Minute)
		_, err = svc.Authenticate(ctx, s1)
		ok(t, err)
		toks = must[[]portal.Token](t)(svc.Tokens(ctx, a1.ID))
		if !toks[0].LastUsed.Equal(e.clock.Now()) {
			t.Errorf("last used %v, want %v", toks[0].LastUsed, e.clock.Now())
		}

		// Roles and status.
		acc := must[portal.Account](t)(svc.CreateAccount(ctx, a1.ID, portal.Account{Email: "m@example.org", Name: "M"}))
		acc = must[portal.Account](t)(svc.SetPlatformRoles(ctx, a1.ID, acc.ID, []portal.PlatformRole{portal.PlatformAccountManager, portal.PlatformAccountManager}))
		if len(acc.PlatformRoles) != 1 || !e.check("platform:main#manage_accounts@user:"+acc.ID) {
			t.Errorf("roles %v", acc.PlatformRoles)
		}
		// An account manager cannot hand out roles.
		_, err = svc.CreateAccount(ctx, acc.ID, portal.Account{Email: "x@example.org", Name: "X", PlatformRoles: []portal.PlatformRole{portal.PlatformAdministrator}})
		wantErr(t, err, portal.ErrForbidden)
		_, err = svc.CreateAccount(ctx, acc.ID, portal.Account{Email: "m@example.org", Name: "dup"})
		wantErr(t, err, portal.ErrConflict)
		_, err = svc.CreateAccount(ctx, acc.ID, portal.Account{ID: "anonymous", Email: "a@example.org", Name: "A"})
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.SetPlatformRoles(ctx, a1.ID, acc.ID, []portal.PlatformRole{"god"})
		wantErr(t, err, portal.ErrInvalid)
		list := must[[]portal.Account](t)(svc.Accounts(ctx, acc.ID, "", 1))
		if len(list) != 1 {
			t.Errorf("page of %d, want 1", len(list))
		}
		rest := must[[]portal.Account](t)(svc.Accounts(ctx, acc.ID, list[0].ID, 10))
		if len(rest) != 1 {
			t.Errorf("second page of %d, want 1", len(rest))
		}
		// Someone else's token: only account managers revoke it.
		tok, _, err := svc.CreateToken(ctx, acc.ID, "mine", nil)
		ok(t, err)
		other := must[portal.Account](t)(svc.CreateAccount(ctx, a1.ID, portal.Account{Email: "o@example.org", Name: "O"}))
		wantErr(t, svc.RevokeToken(ctx, other.ID, tok.ID), portal.ErrForbidden)
		ok(t, svc.RevokeToken(ctx, a1.ID, tok.ID))
		wantErr(t, svc.RevokeToken(ctx, a1.ID, tok.ID), portal.ErrNotFound)
	})
}

func TestUnauthenticated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		_, err := svc.Organisation(ctx, "", "ign")
		wantErr(t, err, portal.ErrUnauthenticated)
		_, _, err = svc.CreateToken(ctx, "ghost", "x", nil)
		wantErr(t, err, portal.ErrUnauthenticated)
		_, err = svc.CreateCommunity(ctx, "anonymous", portal.Community{Name: "x"})
		wantErr(t, err, portal.ErrUnauthenticated)
		// The catalogue is open to anonymous visitors.
		d, err := svc.Dataset(ctx, "", "IGNF_BD-TOPO")
		ok(t, err)
		if d.Default != portal.LevelSearch {
			t.Errorf("default %s", d.Default)
		}
		_, err = svc.Dataset(ctx, "", "IGNF_PRIVATE")
		wantErr(t, err, portal.ErrNotFound)
	})
}

func TestLastPlatformAdmin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		svc, ctx := e.svc, e.ctx
		root, _, err := svc.Bootstrap(ctx, "root@example.org", "Root", []portal.PlatformRole{portal.PlatformAdministrator})
		ok(t, err)
		// The only administrator can neither drop the role nor be disabled
		// (by an administrator: see TestOnlyAdministratorsActOnAdministrators).
		_, err = svc.SetPlatformRoles(ctx, root.ID, root.ID, []portal.PlatformRole{portal.PlatformDataReader})
		wantErr(t, err, portal.ErrConflict)
		if !strings.Contains(err.Error(), "last active platform administrator") {
			t.Errorf("message %q does not say why", err)
		}
		_, err = svc.SetAccountStatus(ctx, root.ID, root.ID, portal.AccountDisabled)
		wantErr(t, err, portal.ErrConflict)
		// A disabled administrator does not count as the one kept.
		other := must[portal.Account](t)(svc.CreateAccount(ctx, root.ID, portal.Account{Email: "o@example.org", Name: "Other"}))
		must[portal.Account](t)(svc.SetPlatformRoles(ctx, root.ID, other.ID, []portal.PlatformRole{portal.PlatformAdministrator}))
		must[portal.Account](t)(svc.SetAccountStatus(ctx, root.ID, other.ID, portal.AccountDisabled))
		_, err = svc.SetAccountStatus(ctx, root.ID, root.ID, portal.AccountDisabled)
		wantErr(t, err, portal.ErrConflict)
		// With another active administrator, the first may go.
		must[portal.Account](t)(svc.SetAccountStatus(ctx, root.ID, other.ID, portal.AccountActive))
		must[portal.Account](t)(svc.SetPlatformRoles(ctx, root.ID, root.ID, nil))
		if e.check("platform:main#administer@user:" + root.ID) {
			t.Error("root still administers")
		}
	})
}

// worldNotices leaves out the notices the world's making sent (invitations
// to set a password, to communities).
func worldNotices(ns []portal.Notice) []portal.Notice {
	return slices.DeleteFunc(ns, func(n portal.Notice) bool {
		return n.Kind == "community.invitation.created" || n.Kind == portal.NoticeAccountCreated
	})
}
