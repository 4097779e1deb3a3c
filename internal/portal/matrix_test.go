package portal_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// action is one row of the role × action matrix. prep (run as privileged
// accounts, before the head revision is noted) makes a fresh target for
// each attempt, so that allowed attempts do not depend on one another.
type action struct {
	name    string
	allowed []string
	// refusals other than ErrForbidden: ErrNotFound for those who may not
	// even see the object, ErrConflict for a member asking to join.
	other map[string]error
	prep  func(t *testing.T, e *env, w world, n int) string
	run   func(e *env, w world, actor, target string, n int) error
}

func hidden(names ...string) map[string]error {
	m := map[string]error{}
	for _, n := range names {
		m[n] = portal.ErrNotFound
	}
	return m
}

// everyoneActive is every account of the world but the disabled one.
var everyoneActive = slices.DeleteFunc(slices.Clone(actors), func(a string) bool { return a == "dis" })

func matrix() []action {
	topo := "IGNF_BD-TOPO"
	acc := func(t *testing.T, e *env, w world, n int) string {
		id := fmt.Sprintf("target-%d", n)
		must[portal.Account](t)(e.svc.CreateAccount(e.ctx, w.admin, portal.Account{ID: id, Email: id + "@example.org", Name: "Target " + id}))
		return id
	}
	adminAcc := func(t *testing.T, e *env, w world, n int) string {
		id := fmt.Sprintf("target-admin-%d", n)
		must[portal.Account](t)(e.svc.CreateAccount(e.ctx, w.admin, portal.Account{ID: id, Email: id + "@example.org", Name: "Admin " + id, PlatformRoles: []portal.PlatformRole{portal.PlatformAdministrator}}))
		return id
	}
	ignMember := func(t *testing.T, e *env, w world, n int) string {
		id := acc(t, e, w, n)
		must[portal.Member](t)(e.svc.AddMember(e.ctx, "adm", "ign", id, portal.RoleRegistered))
		return id
	}
	clubMember := func(t *testing.T, e *env, w world, n int) string {
		id := acc(t, e, w, n)
		joinCommunity(t, e, "csup", "club", id)
		return id
	}
	// invitedReg invites reg to a fresh private community of csup's.
	invitedReg := func(t *testing.T, e *env, w world, n int) string {
		id := fmt.Sprintf("inv-%d", n)
		must[portal.Community](t)(e.svc.CreateCommunity(e.ctx, "csup", portal.Community{ID: id, Name: "Invitation"}))
		must[portal.CommunityInvitation](t)(e.svc.InviteCommunityMember(e.ctx, "csup", id, "reg", portal.CommunityParticipant))
		return id
	}
	freshOrg := func(t *testing.T, e *env, w world, n int, admin string) string {
		id := fmt.Sprintf("org-%d", n)
		must[portal.Organisation](t)(e.svc.CreateOrganisation(e.ctx, w.admin, portal.Organisation{ID: id, Name: "Org " + id, Type: portal.OrgOther}, admin))
		return id
	}
	return append([]action{
		// accounts
		{name: "CreateAccount", allowed: []string{"admin", "manager"},
			run: func(e *env, w world, a, _ string, n int) error {
				id := fmt.Sprintf("new-%d", n)
				_, err := e.svc.CreateAccount(e.ctx, w.id(a), portal.Account{ID: id, Email: id + "@example.org", Name: id})
				return err
			}},
		{name: "CreateAccount with platform roles", allowed: []string{"admin"},
			run: func(e *env, w world, a, _ string, n int) error {
				id := fmt.Sprintf("new-%d", n)
				_, err := e.svc.CreateAccount(e.ctx, w.id(a), portal.Account{ID: id, Email: id + "@example.org", Name: id, PlatformRoles: []portal.PlatformRole{portal.PlatformDataReader}})
				return err
			}},
		{name: "Account", allowed: []string{"admin", "manager", "reg"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Account(e.ctx, w.id(a), "reg")
				return err
			}},
		{name: "Profile", allowed: []string{"admin", "manager", "reg"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Profile(e.ctx, w.id(a), "reg")
				return err
			}},
		{name: "Accounts", allowed: []string{"admin", "manager"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Accounts(e.ctx, w.id(a), "", 10)
				return err
			}},
		// Delegated administrators search for the person to add; the
		// disabled one (dis) may not.
		{name: "SearchAccounts", allowed: []string{"admin", "manager", "adm", "adm2"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.SearchAccounts(e.ctx, w.id(a), "pers", 10)
				return err
			}},
		{name: "SetAccountStatus", allowed: []string{"admin", "manager"}, prep: acc,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.SetAccountStatus(e.ctx, w.id(a), target, portal.AccountDisabled)
				return err
			}},
		// Only a platform administrator acts on a platform administrator:
		// an account manager may not disable one, re-enable one, or revoke
		// their tokens.
		{name: "SetAccountStatus of an administrator", allowed: []string{"admin"}, prep: adminAcc,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.SetAccountStatus(e.ctx, w.id(a), target, portal.AccountDisabled)
				return err
			}},
		{name: "SetAccountStatus re-enables an administrator", allowed: []string{"admin"},
			prep: func(t *testing.T, e *env, w world, n int) string {
				id := adminAcc(t, e, w, n)
				must[portal.Account](t)(e.svc.SetAccountStatus(e.ctx, w.admin, id, portal.AccountDisabled))
				return id
			},
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.SetAccountStatus(e.ctx, w.id(a), target, portal.AccountActive)
				return err
			}},
		{name: "RevokeToken of an administrator", allowed: []string{"admin"},
			prep: func(t *testing.T, e *env, w world, n int) string {
				tok, _, err := e.svc.CreateToken(e.ctx, adminAcc(t, e, w, n), "script", nil)
				ok(t, err)
				return tok.ID
			},
			run: func(e *env, w world, a, target string, _ int) error { return e.svc.RevokeToken(e.ctx, w.id(a), target) }},
		{name: "SetPlatformRoles of an administrator", allowed: []string{"admin"}, prep: adminAcc,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.SetPlatformRoles(e.ctx, w.id(a), target, []portal.PlatformRole{portal.PlatformAccountManager})
				return err
			}},
		{name: "SetPlatformRoles", allowed: []string{"admin"}, prep: acc,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.SetPlatformRoles(e.ctx, w.id(a), target, []portal.PlatformRole{portal.PlatformAccountManager})
				return err
			}},
		{name: "CreateToken", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.CreateToken(e.ctx, w.id(a), "cli", nil)
				return err
			}},
		{name: "Tokens", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error { _, err := e.svc.Tokens(e.ctx, w.id(a)); return err }},
		{name: "RevokeToken", allowed: []string{"admin", "manager", "reg"},
			prep: func(t *testing.T, e *env, w world, n int) string {
				tok, _, err := e.svc.CreateToken(e.ctx, "reg", "script", nil)
				ok(t, err)
				return tok.ID
			},
			run: func(e *env, w world, a, target string, _ int) error { return e.svc.RevokeToken(e.ctx, w.id(a), target) }},

		// organisations
		{name: "CreateOrganisation", allowed: []string{"admin"},
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.CreateOrganisation(e.ctx, w.id(a), portal.Organisation{ID: fmt.Sprintf("neworg-%d", n), Name: "New", Type: portal.OrgResearch}, "stranger")
				return err
			}},
		{name: "Organisation", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Organisation(e.ctx, w.id(a), "ign")
				return err
			}},
		{name: "Organisations", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Organisations(e.ctx, w.id(a), "", "", "", 10)
				return err
			}},
		{name: "UpdateOrganisation", allowed: []string{"admin", "adm"},
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.UpdateOrganisation(e.ctx, w.id(a), portal.Organisation{ID: "ign", Name: fmt.Sprintf("IGN %d", n), Type: portal.OrgStateService})
				return err
			}},
		{name: "Members", allowed: []string{"admin", "reg", "ed", "adm"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Members(e.ctx, w.id(a), "ign", "", 0)
				return err
			}},
		{name: "AddMember", allowed: []string{"admin", "adm"}, prep: acc,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.AddMember(e.ctx, w.id(a), "ign", target, portal.RoleEditor)
				return err
			}},
		{name: "AddNewMember", allowed: []string{"admin", "adm"},
			run: func(e *env, w world, a, _ string, n int) error {
				id := fmt.Sprintf("new-%d", n)
				_, err := e.svc.AddNewMember(e.ctx, w.id(a), "ign", portal.Account{ID: id, Email: id + "@example.org", Name: id}, portal.RoleRegistered)
				return err
			}},
		{name: "SetMemberRole", allowed: []string{"admin", "adm"}, prep: ignMember,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.SetMemberRole(e.ctx, w.id(a), "ign", target, portal.RoleEditor)
				return err
			}},
		{name: "RemoveMember", allowed: []string{"admin", "adm"}, prep: ignMember,
			run: func(e *env, w world, a, target string, _ int) error {
				return e.svc.RemoveMember(e.ctx, w.id(a), "ign", target)
			}},
		{name: "RequestJoin", allowed: []string{"admin", "manager", "reader", "stranger", "adm2", "csup", "part"},
			other: map[string]error{"reg": portal.ErrConflict, "ed": portal.ErrConflict, "adm": portal.ErrConflict},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.RequestJoin(e.ctx, w.id(a), "ign", "hello")
				return err
			}},
		{name: "CancelJoinRequest", allowed: []string{"stranger"},
			prep: func(t *testing.T, e *env, w world, n int) string {
				org := freshOrg(t, e, w, n, "adm2")
				return must[portal.JoinRequest](t)(e.svc.RequestJoin(e.ctx, "stranger", org, "")).ID
			},
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.CancelJoinRequest(e.ctx, w.id(a), target)
				return err
			}},
		{name: "DecideJoinRequest", allowed: []string{"admin", "adm"},
			prep: func(t *testing.T, e *env, w world, n int) string {
				org := freshOrg(t, e, w, n, "adm")
				return must[portal.JoinRequest](t)(e.svc.RequestJoin(e.ctx, "stranger", org, "")).ID
			},
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.DecideJoinRequest(e.ctx, w.id(a), target, true, "", "")
				return err
			}},
		{name: "JoinRequests of an organisation", allowed: []string{"admin", "adm"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.JoinRequests(e.ctx, w.id(a), "ign", "", "", 0)
				return err
			}},
		{name: "JoinRequests of one's own", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.JoinRequests(e.ctx, w.id(a), "", "", "", 0)
				return err
			}},

		// communities (club is private: those who may not view it do not see it)
		{name: "CreateCommunity", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.CreateCommunity(e.ctx, w.id(a), portal.Community{ID: fmt.Sprintf("c-%d", n), Name: "C"})
				return err
			}},
		{name: "Community", allowed: []string{"admin", "csup", "part"}, other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Community(e.ctx, w.id(a), "club")
				return err
			}},
		{name: "Communities", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Communities(e.ctx, w.id(a), "", 10)
				return err
			}},
		{name: "UpdateCommunity", allowed: []string{"admin", "csup"}, other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"),
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.UpdateCommunity(e.ctx, w.id(a), portal.Community{ID: "club", Name: fmt.Sprintf("Club %d", n)})
				return err
			}},
		{name: "DeleteCommunity (an administrator of it may not)", allowed: []string{"admin", "csup"},
			other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"),
			prep: func(t *testing.T, e *env, w world, n int) string {
				id := fmt.Sprintf("del-%d", n)
				must[portal.Community](t)(e.svc.CreateCommunity(e.ctx, "csup", portal.Community{ID: id, Name: "To delete"}))
				joinCommunity(t, e, "csup", id, "part")
				must[portal.CommunityMember](t)(e.svc.SetCommunityMember(e.ctx, "csup", id, "part", portal.CommunityAdministrator))
				return id
			},
			run: func(e *env, w world, a, target string, _ int) error {
				return e.svc.DeleteCommunity(e.ctx, w.id(a), target)
			}},
		{name: "CommunityMembers", allowed: []string{"admin", "csup", "part"}, other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.CommunityMembers(e.ctx, w.id(a), "club")
				return err
			}},
		{name: "SetCommunityMember", allowed: []string{"admin", "csup"}, other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"), prep: clubMember,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.SetCommunityMember(e.ctx, w.id(a), "club", target, portal.CommunityAdministrator)
				return err
			}},
		// Nobody is made a member without consent: managers invite, the
		// invited person answers, managers may withdraw.
		{name: "InviteCommunityMember", allowed: []string{"admin", "csup"}, other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"), prep: acc,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.InviteCommunityMember(e.ctx, w.id(a), "club", target, portal.CommunityParticipant)
				return err
			}},
		{name: "CommunityInvitations", allowed: []string{"admin", "csup"}, other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.CommunityInvitations(e.ctx, w.id(a), "club")
				return err
			}},
		{name: "MyCommunityInvitations", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.MyCommunityInvitations(e.ctx, w.id(a))
				return err
			}},
		{name: "AnswerCommunityInvitation (accept)", allowed: []string{"reg"}, other: hidden("admin", "manager", "reader", "stranger", "ed", "adm", "dis", "adm2", "csup", "part"),
			prep: invitedReg,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.AnswerCommunityInvitation(e.ctx, w.id(a), target, true)
				return err
			}},
		{name: "AnswerCommunityInvitation (decline)", allowed: []string{"reg"}, other: hidden("admin", "manager", "reader", "stranger", "ed", "adm", "dis", "adm2", "csup", "part"),
			prep: invitedReg,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.AnswerCommunityInvitation(e.ctx, w.id(a), target, false)
				return err
			}},
		{name: "WithdrawCommunityInvitation", allowed: []string{"admin", "csup"}, other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"),
			prep: func(t *testing.T, e *env, w world, n int) string {
				id := acc(t, e, w, n)
				must[portal.CommunityInvitation](t)(e.svc.InviteCommunityMember(e.ctx, "csup", "club", id, portal.CommunityParticipant))
				return id
			},
			run: func(e *env, w world, a, target string, _ int) error {
				return e.svc.WithdrawCommunityInvitation(e.ctx, w.id(a), "club", target)
			}},
		{name: "RemoveCommunityMember", allowed: []string{"admin", "csup"}, other: hidden("manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2"), prep: clubMember,
			run: func(e *env, w world, a, target string, _ int) error {
				return e.svc.RemoveCommunityMember(e.ctx, w.id(a), "club", target)
			}},

		// groups of organisations
		{name: "CreateOrgGroup", allowed: []string{"admin"},
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.CreateOrgGroup(e.ctx, w.id(a), portal.OrgGroup{ID: fmt.Sprintf("g-%d", n), Name: "G", Organisations: []string{"ign"}})
				return err
			}},
		{name: "OrgGroup", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.OrgGroup(e.ctx, w.id(a), "partners")
				return err
			}},
		{name: "OrgGroups", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.OrgGroups(e.ctx, w.id(a), "", 10)
				return err
			}},
		{name: "SetOrgGroupOrganisations", allowed: []string{"admin"},
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.SetOrgGroupOrganisations(e.ctx, w.id(a), "partners", []string{"region"})
				return err
			}},
		{name: "RenameOrgGroup", allowed: []string{"admin"},
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.RenameOrgGroup(e.ctx, w.id(a), "partners", fmt.Sprintf("Partenaires %d", n))
				return err
			}},
		{name: "DeleteOrgGroup", allowed: []string{"admin"},
			prep: func(t *testing.T, e *env, w world, n int) string {
				id := fmt.Sprintf("dg-%d", n)
				must[portal.OrgGroup](t)(e.svc.CreateOrgGroup(e.ctx, w.admin, portal.OrgGroup{ID: id, Name: "To delete"}))
				return id
			},
			run: func(e *env, w world, a, target string, _ int) error {
				return e.svc.DeleteOrgGroup(e.ctx, w.id(a), target)
			}},

		// datasets (IGNF_BD-TOPO: default level search, which a disabled
		// account does not have: to it the dataset does not exist). The
		// owner's editors and delegated admins manage access (DataSud:
		// « Être éditeur de la donnée »).
		{name: "CreateDataset", allowed: []string{"admin", "ed", "adm"},
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.CreateDataset(e.ctx, w.id(a), portal.Dataset{ID: fmt.Sprintf("DS_%d", n), Title: "DS", Owner: "ign"})
				return err
			}},
		{name: "Dataset", allowed: everyoneActive, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Dataset(e.ctx, w.id(a), topo)
				return err
			}},
		{name: "Dataset (private)", allowed: []string{"admin", "reader", "reg", "ed", "adm"},
			other: hidden("manager", "stranger", "dis", "adm2", "csup", "part"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Dataset(e.ctx, w.id(a), "IGNF_PRIVATE")
				return err
			}},
		{name: "Datasets I may edit", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.Datasets(e.ctx, w.id(a), portal.DatasetQuery{Permission: "edit"})
				return err
			}},
		{name: "Datasets of an organisation", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.Datasets(e.ctx, w.id(a), portal.DatasetQuery{Owner: "ign"})
				return err
			}},
		{name: "UpdateDataset", allowed: []string{"admin", "ed", "adm"}, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.UpdateDataset(e.ctx, w.id(a), portal.Dataset{ID: topo, Title: fmt.Sprintf("BD TOPO %d", n)})
				return err
			}},
		{name: "SetDefaultLevel", allowed: []string{"admin", "ed", "adm"}, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.SetDefaultLevel(e.ctx, w.id(a), topo, portal.LevelSearch)
				return err
			}},
		{name: "DeleteDataset", allowed: []string{"admin", "ed", "adm"}, other: hidden("dis"),
			prep: func(t *testing.T, e *env, w world, n int) string {
				id := fmt.Sprintf("DEL_%d", n)
				must[portal.Dataset](t)(e.svc.CreateDataset(e.ctx, "ed", portal.Dataset{ID: id, Title: "To delete", Owner: "ign", Default: portal.LevelSearch}))
				return id
			},
			run: func(e *env, w world, a, target string, _ int) error {
				return e.svc.DeleteDataset(e.ctx, w.id(a), target)
			}},
		{name: "AccessTable", allowed: []string{"admin", "ed", "adm"}, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.AccessTable(e.ctx, w.id(a), topo, portal.AccessFilter{})
				return err
			}},
		{name: "SetGroupLevel", allowed: []string{"admin", "ed", "adm"}, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.SetGroupLevel(e.ctx, w.id(a), topo, portal.GroupRef{Kind: portal.GroupOrganisation, ID: "region"}, lvl(portal.Level(1+n%3)))
				return err
			}},
		{name: "BulkAccess", allowed: []string{"admin", "ed", "adm"}, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.BulkAccess(e.ctx, w.id(a), topo, portal.BulkAction{Action: "grant", Level: portal.Level(1 + n%3), Mode: "replace",
					Groups: []portal.GroupRef{{Kind: portal.GroupCommunity, ID: "club"}, {Kind: portal.GroupOrgGroup, ID: "partners"}}})
				return err
			}},
		{name: "Explain (the account itself, or manage_access)", allowed: []string{"admin", "ed", "adm", "stranger"}, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Explain(e.ctx, w.id(a), topo, "stranger", "download")
				return err
			}},
		{name: "ExplainGroupLevel", allowed: []string{"admin", "ed", "adm"}, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.ExplainGroupLevel(e.ctx, w.id(a), topo, portal.GroupRef{Kind: portal.GroupOrganisation, ID: "region"})
				return err
			}},

		// audit and notices
		{name: "Audit of an organisation", allowed: []string{"admin", "adm"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Audit(e.ctx, w.id(a), store.AuditQuery{Resource: "organisation:ign"})
				return err
			}},
		{name: "Audit of a dataset", allowed: []string{"admin", "ed", "adm"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Audit(e.ctx, w.id(a), store.AuditQuery{Resource: "dataset:" + topo})
				return err
			}},
		// Without a resource: everything to administrators, to managers
		// what they manage, a refusal to the others — here every active
		// account supervises the community it made above
		// (TestAuditOfWhatOneManages tells them apart).
		{name: "Audit of everything", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Audit(e.ctx, w.id(a), store.AuditQuery{})
				return err
			}},
		{name: "PlatformAudit (administrators only, even of what one manages)", allowed: []string{"admin"},
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.PlatformAudit(e.ctx, w.id(a), store.AuditQuery{Resource: "organisation:ign", Newest: true})
				return err
			}},
		{name: "MyRights (one's own, any active account)", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.MyRights(e.ctx, w.id(a), "community", "club", "manage", "delete")
				return err
			}},
		{name: "Notices", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.Notices(e.ctx, w.id(a), "", 10)
				return err
			}},
	}, append(append(grantActions(), keyActions()...), producerActions()...)...)
}

// TestRoleActionMatrix runs every action of the API as every account of
// the world: those without the right get ErrForbidden (or ErrNotFound when
// they may not even see the object) and write nothing; those with it
// succeed.
func TestRoleActionMatrix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		n, cases := 0, 0
		for _, a := range matrix() {
			for _, actor := range actors {
				n++
				cases++
				target := ""
				if a.prep != nil {
					target = a.prep(t, e, w, n)
				}
				before := e.head()
				err := a.run(e, w, actor, target, n)
				if slices.Contains(a.allowed, actor) {
					if err != nil {
						t.Errorf("%s as %s: %v, want success", a.name, actor, err)
					}
					continue
				}
				want := portal.ErrForbidden
				if o, ok := a.other[actor]; ok {
					want = o
				}
				if !errors.Is(err, want) {
					t.Errorf("%s as %s: got %v, want %v", a.name, actor, err, want)
				}
				if after := e.head(); after != before {
					t.Errorf("%s as %s: refused, yet the head revision moved from %d to %d", a.name, actor, before, after)
				}
			}
		}
		t.Logf("%d actions × %d accounts = %d cases", len(matrix()), len(actors), cases)
	})
}
