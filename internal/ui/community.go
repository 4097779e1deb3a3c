package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// A community's own screen, reached from /communities: who sees it reads
// its name; its members read who the members are; its managers (its
// supervisor and administrators, platform administrators) rename it, list
// it publicly or not, change a member's role, remove a member (never the
// supervisor), and manage the invitations: nobody becomes a member without
// consent, so adding someone is inviting them (found by a search as one
// types, or by account id or e-mail), and a pending invitation can be
// withdrawn. Who may delete it (its supervisor, platform administrators)
// deletes it after a confirmation. The invited person answers on
// /communities. Every action is the portal's, which authorizes it.

// CommunityAdmin is what this screen needs of the domain.
type CommunityAdmin interface {
	Community(ctx context.Context, actor, id string) (portal.Community, error)
	UpdateCommunity(ctx context.Context, actor string, c portal.Community) (portal.Community, error)
	DeleteCommunity(ctx context.Context, actor, id string) error
	CommunityMembers(ctx context.Context, actor, id string) ([]portal.CommunityMember, error)
	SetCommunityMember(ctx context.Context, actor, id, account string, role portal.CommunityRole) (portal.CommunityMember, error)
	RemoveCommunityMember(ctx context.Context, actor, id, account string) error
	CommunityInvitations(ctx context.Context, actor, id string) ([]portal.CommunityInvitation, error)
	InviteCommunityMember(ctx context.Context, actor, id, account string, role portal.CommunityRole) (portal.CommunityInvitation, error)
	WithdrawCommunityInvitation(ctx context.Context, actor, id, account string) error
	SearchAccounts(ctx context.Context, actor, q string, limit int) ([]portal.Account, error)
	MyRights(ctx context.Context, actor, typ, id string, perms ...string) (map[string]bool, error)
}

// inviteRoles are the roles an invitation gives, from the least.
var inviteRoles = []portal.CommunityRole{portal.CommunityParticipant, portal.CommunityAdministrator}

// communityView is the data of a community's screen.
type communityView struct {
	Community   portal.Community
	Rights      map[string]bool // member, manage, delete: the engine's
	Members     []portal.CommunityMember
	Invitations []portal.CommunityInvitation
	Roles       []portal.CommunityRole
	Query       string
	Found       []portal.Account
	Searched    bool
	// CanSearch: the reader may search accounts (account managers,
	// delegated administrators); others invite by id or e-mail.
	CanSearch bool
	Done      string
	Err       fieldError
}

func (u *ui) community(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.communityPage(w, r, v, fieldError{})
}

// pathCommunity is the community the path names, which the signed-in
// reader may see, and which of the rights asked the reader holds on it
// (the engine's).
func (u *ui) pathCommunity(r *http.Request, v *view, asked ...string) (portal.Community, map[string]bool, error) {
	if v.Actor == "" {
		return portal.Community{}, nil, portal.ErrUnauthenticated
	}
	ctx, id := r.Context(), r.PathValue("id")
	c, err := u.cfg.CommunityAdmin.Community(ctx, v.Actor, id)
	if err != nil {
		return c, nil, err
	}
	rights, err := u.cfg.CommunityAdmin.MyRights(ctx, v.Actor, "community", id, asked...)
	return c, rights, err
}

func (u *ui) communityPage(w http.ResponseWriter, r *http.Request, v *view, fe fieldError) error {
	c, rights, err := u.pathCommunity(r, v, "member", "manage", "delete")
	if err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	q := r.URL.Query()
	d := communityView{Community: c, Rights: rights, Roles: inviteRoles, Query: strings.TrimSpace(q.Get("q")), Done: doneKey(q.Get("done")), Err: fe}
	if rights["member"] || rights["manage"] {
		if d.Members, err = u.cfg.CommunityAdmin.CommunityMembers(ctx, v.Actor, id); err != nil {
			return err
		}
	}
	if rights["manage"] {
		if d.Invitations, err = u.cfg.CommunityAdmin.CommunityInvitations(ctx, v.Actor, id); err != nil {
			return err
		}
		d.CanSearch = true
		if d.Query != "" {
			d.Searched = true
			switch d.Found, err = u.cfg.CommunityAdmin.SearchAccounts(ctx, v.Actor, d.Query, 20); {
			case isForbidden(err):
				d.CanSearch, d.Searched = false, false
			case err != nil:
				if fe, ok := refusal(err, v.Lang, r, "invite", formFields{"": "ci-q"}); ok {
					d.Err, d.Searched = fe, false
				} else {
					return err
				}
			}
		} else if _, err := u.cfg.CommunityAdmin.SearchAccounts(ctx, v.Actor, "a", 1); isForbidden(err) {
			d.CanSearch = false
		}
	}
	v.Title = c.Name
	v.Data = d
	return u.render(w, d.Err.status(), "community", v)
}

// communityConfirmDelete asks before deleting a community.
func (u *ui) communityConfirmDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	c, rights, err := u.pathCommunity(r, v, "delete")
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !rights["delete"] {
		return portal.ErrForbidden
	}
	return u.confirm(w, v, confirmation{
		Question:    messages.New("ui.community.delete_question", c.Name).In(v.Lang),
		Consequence: messages.New("ui.community.delete_consequence").In(v.Lang),
		Action:      "/communities/" + url.PathEscape(id) + "/delete",
		Button:      messages.New("ui.community.delete").In(v.Lang),
		Back:        "/communities/" + url.PathEscape(id),
	})
}

// communityManage runs one of a community's forms, then comes back to its
// screen saying what was done; a refusal of what was typed is shown
// beside the field.
func (u *ui) communityManage(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	ctx, id, f := r.Context(), r.PathValue("id"), r.PostForm
	var (
		done, form string
		fields     formFields
		err        error
	)
	switch r.PathValue("action") {
	case "update":
		_, err = u.cfg.CommunityAdmin.UpdateCommunity(ctx, v.Actor, portal.Community{ID: id, Name: f.Get("name"), Public: f.Get("public") == "on"})
		done, form, fields = "community_updated", "update", formFields{"": "cu-name"}
	case "role":
		_, err = u.cfg.CommunityAdmin.SetCommunityMember(ctx, v.Actor, id, f.Get("account"), portal.CommunityRole(f.Get("role")))
		done, form = "community_role", "members"
	case "remove":
		err = u.cfg.CommunityAdmin.RemoveCommunityMember(ctx, v.Actor, id, f.Get("account"))
		done, form = "community_member_removed", "members"
	case "invite":
		var account string
		account, err = u.invitee(ctx, v.Actor, f.Get("account"))
		if err == nil {
			_, err = u.cfg.CommunityAdmin.InviteCommunityMember(ctx, v.Actor, id, account, portal.CommunityRole(f.Get("role")))
		}
		done, form, fields = "community_invited", "invite", formFields{"": "ci-account", "account": "ci-account"}
	case "withdraw":
		err = u.cfg.CommunityAdmin.WithdrawCommunityInvitation(ctx, v.Actor, id, f.Get("account"))
		done, form = "community_withdrawn", "invitations"
	case "delete":
		if unconfirmed(w, r, "/communities/"+url.PathEscape(id)+"/delete") {
			return nil
		}
		if err := u.cfg.CommunityAdmin.DeleteCommunity(ctx, v.Actor, id); err != nil {
			return err
		}
		http.Redirect(w, r, "/communities?done=community_deleted", http.StatusSeeOther)
		return nil
	default:
		return errNotFound
	}
	return formAnswer(w, r, v, err, form, fields, u.communityPage, "/communities/"+url.PathEscape(id), done)
}

// invitee is the account an invitation names: an id as typed, or the
// account whose whole e-mail was typed, found by the account search (so
// only by who may search: account managers, delegated administrators).
func (u *ui) invitee(ctx context.Context, actor, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errField("ui.community.invitee_needed")
	}
	if !strings.Contains(s, "@") {
		return s, nil
	}
	found, err := u.cfg.CommunityAdmin.SearchAccounts(ctx, actor, s, 20)
	switch {
	case isForbidden(err):
		return "", errField("ui.community.email_needs_search")
	case err != nil:
		return "", err
	}
	for _, a := range found {
		if strings.EqualFold(a.Email, s) {
			return a.ID, nil
		}
	}
	return "", errField("ui.community.no_such_email", s)
}

// The reports of what this screen's forms did, by ?done= value.
func init() {
	addDone(map[string]string{
		"community_updated": "ui.community.updated", "community_role": "ui.community.role_changed",
		"community_member_removed": "ui.community.member_removed", "community_invited": "ui.community.invited",
		"community_withdrawn": "ui.community.withdrawn", "community_deleted": "ui.community.deleted",
	})
}

// addDone adds reports to doneKeys; a value defined twice stops the
// program, as the message catalogue does.
func addDone(m map[string]string) {
	for k, key := range m {
		if _, dup := doneKeys[k]; dup {
			panic("ui: done key " + k + " defined twice")
		}
		doneKeys[k] = key
	}
}
