package portal_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// TestCommunitySupervisorIsTheCreator: the supervisor is whoever creates
// the community, for good; a supervisor named otherwise is refused rather
// than ignored.
func TestCommunitySupervisorIsTheCreator(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		head := e.head()
		_, err := svc.CreateCommunity(ctx, "stranger", portal.Community{Name: "X", Supervisor: "reg"})
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.UpdateCommunity(ctx, "csup", portal.Community{ID: "club", Name: "Club SIG", Supervisor: "part"})
		wantErr(t, err, portal.ErrInvalid)
		if e.head() != head {
			t.Fatal("a refused supervisor wrote something")
		}
		c := must[portal.Community](t)(svc.CreateCommunity(ctx, "stranger", portal.Community{Name: "X", Supervisor: "stranger"}))
		c = must[portal.Community](t)(svc.UpdateCommunity(ctx, "stranger", portal.Community{ID: c.ID, Name: "Y", Supervisor: "stranger"}))
		if c.Supervisor != "stranger" || c.Name != "Y" {
			t.Errorf("community %+v", c)
		}
	})
}

// TestCommunityInvitations: nobody is made a member of a community without
// consent. A manager invites (the person sees the community, holds nothing
// through it), the person accepts or declines, a manager may withdraw;
// each step is audited and noticed to the other side.
func TestCommunityInvitations(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, "IGNF_PRIVATE", gClub, lvl(portal.LevelDownload)))
		notices := func(account string) []string {
			t.Helper()
			var out []string
			for _, n := range must[[]portal.Notice](t)(svc.Notices(ctx, account, "", 100)) {
				if n.Kind != portal.NoticeAccountCreated { // the world's making
					out = append(out, n.Kind)
				}
			}
			return out
		}

		// Adding someone directly is refused, and says what to do.
		head := e.head()
		_, err := svc.SetCommunityMember(ctx, "csup", "club", "stranger", portal.CommunityParticipant)
		wantErr(t, err, portal.ErrConflict)
		if !strings.Contains(err.Error(), "invite them") {
			t.Errorf("refusal %q does not say what to do", err)
		}
		_, err = svc.InviteCommunityMember(ctx, "csup", "club", "part", portal.CommunityParticipant)
		wantErr(t, err, portal.ErrConflict) // already a member
		_, err = svc.InviteCommunityMember(ctx, "csup", "club", "nobody", portal.CommunityParticipant)
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.InviteCommunityMember(ctx, "csup", "club", "stranger", portal.CommunitySupervisor)
		wantErr(t, err, portal.ErrInvalid)
		if e.head() != head {
			t.Fatal("a refused invitation wrote something")
		}

		// Invited: sees the community, is not a member.
		inv := must[portal.CommunityInvitation](t)(svc.InviteCommunityMember(ctx, "csup", "club", "stranger", portal.CommunityAdministrator))
		if inv.Role != portal.CommunityAdministrator || inv.InvitedBy != "csup" {
			t.Errorf("invitation %+v", inv)
		}
		must[portal.Community](t)(svc.Community(ctx, "stranger", "club"))
		if e.check("community:club#member@user:stranger") || e.check("dataset:IGNF_PRIVATE#search@user:stranger") {
			t.Error("an invited person holds rights through the community before accepting")
		}
		head = e.head()
		must[portal.CommunityInvitation](t)(svc.InviteCommunityMember(ctx, "csup", "club", "stranger", portal.CommunityAdministrator))
		if e.head() != head {
			t.Error("inviting again with the same role wrote something")
		}
		if got := must[[]portal.CommunityInvitation](t)(svc.MyCommunityInvitations(ctx, "stranger")); len(got) != 1 || got[0].Community != "club" {
			t.Errorf("stranger's invitations: %+v", got)
		}
		if got := must[[]portal.CommunityInvitation](t)(svc.CommunityInvitations(ctx, "csup", "club")); len(got) != 1 || got[0].Account != "stranger" {
			t.Errorf("club's invitations: %+v", got)
		}
		if got := notices("stranger"); !slices.Equal(got, []string{"community.invitation.created"}) {
			t.Errorf("stranger's notices: %q", got)
		}

		// Accept: a member with the invited role, the invitation gone.
		must[portal.CommunityInvitation](t)(svc.AnswerCommunityInvitation(ctx, "stranger", "club", true))
		if !e.check("community:club#manage@user:stranger") || !e.check("dataset:IGNF_PRIVATE#download@user:stranger") {
			t.Error("accepting did not make stranger an administrator of the club")
		}
		if got := must[[]portal.CommunityInvitation](t)(svc.MyCommunityInvitations(ctx, "stranger")); len(got) != 0 {
			t.Errorf("after accepting: %+v", got)
		}
		_, err = svc.AnswerCommunityInvitation(ctx, "stranger", "club", true)
		wantErr(t, err, portal.ErrNotFound)

		// Decline: nothing but the notice; the club is hidden again.
		must[portal.CommunityInvitation](t)(svc.InviteCommunityMember(ctx, "stranger", "club", "reg", portal.CommunityParticipant))
		must[portal.CommunityInvitation](t)(svc.AnswerCommunityInvitation(ctx, "reg", "club", false))
		if e.check("community:club#member@user:reg") || e.check("community:club#view@user:reg") {
			t.Error("declining left reg in the club")
		}

		// Withdraw: the person can no longer answer.
		must[portal.CommunityInvitation](t)(svc.InviteCommunityMember(ctx, "csup", "club", "ed", portal.CommunityParticipant))
		_, err = svc.AnswerCommunityInvitation(ctx, "reg", "club", true)
		wantErr(t, err, portal.ErrNotFound) // not reg's
		ok(t, svc.WithdrawCommunityInvitation(ctx, "csup", "club", "ed"))
		_, err = svc.AnswerCommunityInvitation(ctx, "ed", "club", true)
		wantErr(t, err, portal.ErrNotFound)
		wantErr(t, svc.WithdrawCommunityInvitation(ctx, "csup", "club", "ed"), portal.ErrNotFound)

		// A disabled account cannot answer.
		must[portal.CommunityInvitation](t)(svc.InviteCommunityMember(ctx, "csup", "club", "dis", portal.CommunityParticipant))
		_, err = svc.AnswerCommunityInvitation(ctx, "dis", "club", true)
		wantErr(t, err, portal.ErrNotFound)

		// csup's: the world's part, then stranger, accepted; reg declined
		// stranger's invitation.
		if got := notices("csup"); !slices.Equal(got, []string{"community.invitation.accepted", "community.invitation.accepted"}) {
			t.Errorf("csup's notices: %q", got)
		}
		if got := notices("stranger"); !slices.Equal(got, []string{"community.invitation.created", "community.invitation.declined"}) {
			t.Errorf("stranger's notices: %q", got)
		}
		if got := notices("ed"); !slices.Equal(got, []string{"community.invitation.created", "community.invitation.withdrawn"}) {
			t.Errorf("ed's notices: %q", got)
		}
		var actions []string
		for _, a := range must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Resource: "community:club", Limit: 100})) {
			if strings.HasPrefix(a.Action, "community.invitation.") {
				actions = append(actions, a.Action)
			}
		}
		if want := []string{"community.invitation.create", "community.invitation.accept", // the world's part
			"community.invitation.create", "community.invitation.accept", "community.invitation.create", "community.invitation.decline",
			"community.invitation.create", "community.invitation.withdraw", "community.invitation.create"}; !slices.Equal(actions, want) {
			t.Errorf("audit: %q, want %q", actions, want)
		}

		// Deleting the community ends its pending invitations.
		must[portal.CommunityInvitation](t)(svc.InviteCommunityMember(ctx, "csup", "club", "adm", portal.CommunityParticipant))
		ok(t, svc.DeleteCommunity(ctx, "csup", "club"))
		if got := must[[]portal.CommunityInvitation](t)(svc.MyCommunityInvitations(ctx, "adm")); len(got) != 0 {
			t.Errorf("invitations of a deleted community: %+v", got)
		}
	})
}
