package ui

import (
	"context"
	"net/http"
	"net/url"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// The members screen of source 002: an organisation's members with their
// roles; for its delegated administrators, adding someone (found by name
// or e-mail, or created and invited), changing a role, removing a member
// (the account stays), and the join requests to accept or refuse with a
// reason.

// Members is what the members screen needs of the domain.
type Members interface {
	Organisation(ctx context.Context, actor, id string) (portal.Organisation, error)
	Members(ctx context.Context, actor, org, after string, limit int) ([]portal.Member, error)
	AddMember(ctx context.Context, actor, org, account string, role portal.OrgRole) (portal.Member, error)
	AddNewMember(ctx context.Context, actor, org string, a portal.Account, role portal.OrgRole) (portal.Member, error)
	SetMemberRole(ctx context.Context, actor, org, account string, role portal.OrgRole) (portal.Member, error)
	RemoveMember(ctx context.Context, actor, org, account string) error
	SearchAccounts(ctx context.Context, actor, q string, limit int) ([]portal.Account, error)
	JoinRequests(ctx context.Context, actor, org string, status portal.JoinStatus, after string, limit int) ([]portal.JoinRequest, error)
	DecideJoinRequest(ctx context.Context, actor, id string, accept bool, role portal.OrgRole, reason string) (portal.JoinRequest, error)
	Profile(ctx context.Context, actor, id string) (portal.Profile, error)
	ProfileFirst(ctx context.Context, actor, id string, communities int) (portal.Profile, int, error)
	CommunityMemberships(ctx context.Context, actor, id, after string, limit int) (portal.CommunityMembershipPage, error)
}

// orgRoles are the roles of an organisation, from the least.
var orgRoles = []portal.OrgRole{portal.RoleRegistered, portal.RoleEditor, portal.RoleDelegatedAdmin}

// membersPage is how many members a page lists.
const membersPage = 100

// membersView is the data of the members screen.
type membersView struct {
	Org      portal.Organisation
	Members  []portal.Member
	Next     string
	Manages  bool
	Roles    []portal.OrgRole
	Query    string
	Found    []portal.Account
	Searched bool
	Requests []portal.JoinRequest
	Done     string // key of what was just done, shown once
	// Deletable: the reader administers the platform (orgadmin.go).
	Deletable bool
}

func (u *ui) members(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx, id := r.Context(), r.PathValue("id")
	o, err := u.cfg.Members.Organisation(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ms, err := u.cfg.Members.Members(ctx, v.Actor, id, q.Get("after"), membersPage+1)
	if err != nil {
		return err
	}
	m := membersView{Org: o, Members: ms, Roles: orgRoles, Query: q.Get("q"), Done: doneKey(q.Get("done"))}
	if len(ms) > membersPage {
		m.Members, m.Next = ms[:membersPage], ms[membersPage-1].Account
	}
	// Whoever may see the join requests manages the members: the portal
	// says so, not the page.
	reqs, err := u.cfg.Members.JoinRequests(ctx, v.Actor, id, portal.JoinPending, "", 100)
	switch {
	case err == nil:
		m.Manages, m.Requests = true, reqs
	case !isForbidden(err):
		return err
	}
	if m.Manages && m.Query != "" {
		if m.Found, err = u.cfg.Members.SearchAccounts(ctx, v.Actor, m.Query, 20); err != nil {
			return err
		}
		m.Searched = true
	}
	if m.Deletable, err = u.administers(ctx, v); err != nil {
		return err
	}
	v.Title = messages.New("ui.members.title", o.Name).In(v.Lang)
	v.Data = m
	return u.render(w, http.StatusOK, "members", v)
}

// isForbidden reports whether err is the portal's refusal of a right.
func isForbidden(err error) bool { return problem.From(err).Code == problem.CodeForbidden }

// doneKeys are what a members form may report once done, by the value of
// ?done=; anything else shows nothing (a link cannot make the page say
// what it likes).
var doneKeys = map[string]string{
	"added": "ui.members.added", "invited": "ui.members.invited", "role": "ui.members.role_changed",
	"removed": "ui.members.removed", "accepted": "ui.members.request_accepted", "refused": "ui.members.request_refused",
	"join_requested": "ui.orgs.join_requested", "community_created": "ui.communities.created",
	"invitation_accepted": "ui.communities.invitation_accepted", "invitation_declined": "ui.communities.invitation_declined",
	"status": "ui.accounts.status_changed", "roles": "ui.accounts.roles_changed",
	"token_revoked": "ui.tokens.revoked", "password_set": "ui.password.done", "sessions_ended": "ui.sessions.ended",
	"access_requested": "ui.requests.sent", "access_already": "ui.requests.already", "request_cancelled": "ui.requests.cancelled",
	"request_accepted": "ui.requests.accepted", "request_refused": "ui.requests.refused",
	"grant_created": "ui.perms.created_done", "grant_changed": "ui.perms.changed_done", "grant_deleted": "ui.perms.deleted_done",
}

func doneKey(s string) string { return doneKeys[s] }

// memberAction runs one of the members forms, then goes back to the
// members screen saying what was done.
func (u *ui) memberAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx, org := r.Context(), r.PathValue("id")
	role := portal.OrgRole(r.PostFormValue("role"))
	var done string
	var err error
	switch r.PathValue("action") {
	case "add":
		_, err = u.cfg.Members.AddMember(ctx, v.Actor, org, r.PostFormValue("account"), role)
		done = "added"
	case "invite":
		_, err = u.cfg.Members.AddNewMember(ctx, v.Actor, org, portal.Account{Email: r.PostFormValue("email"), Name: r.PostFormValue("name")}, role)
		done = "invited"
	case "role":
		_, err = u.cfg.Members.SetMemberRole(ctx, v.Actor, org, r.PostFormValue("account"), role)
		done = "role"
	case "remove":
		err = u.cfg.Members.RemoveMember(ctx, v.Actor, org, r.PostFormValue("account"))
		done = "removed"
	case "decide":
		accept := r.PostFormValue("decision") == "accept"
		_, err = u.cfg.Members.DecideJoinRequest(ctx, v.Actor, r.PostFormValue("request"), accept, role, r.PostFormValue("reason"))
		done = map[bool]string{true: "accepted", false: "refused"}[accept]
	default:
		return errNotFound
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/organisations/"+url.PathEscape(org)+"/members?done="+done, http.StatusSeeOther)
	return nil
}

// me is "my account": who I am, my organisations and roles, my
// communities and my platform roles.
func (u *ui) me(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	// The first page of communities; the communities screen pages the
	// rest.
	p, all, err := u.cfg.Members.ProfileFirst(r.Context(), v.Actor, v.Actor, listPage)
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.me.title").In(v.Lang)
	v.Data = struct {
		portal.Profile
		AllCommunities int // when more than the page shows
	}{p, map[bool]int{true: all}[all > len(p.Communities)]}
	return u.render(w, http.StatusOK, "me", v)
}
