package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// The screens of people and their groups: organisations (and asking to
// join one), communities (mine, my invitations to answer, creating one),
// and, for account managers, the platform's accounts.

// People is what these screens need of the domain.
type People interface {
	OrgEditor
	Organisations(ctx context.Context, actor string, typ portal.OrgType, name, after string, limit int) ([]portal.Organisation, error)
	RequestJoin(ctx context.Context, actor, org, message string) (portal.JoinRequest, error)
	Communities(ctx context.Context, actor, after string, limit int) ([]portal.Community, error)
	CreateCommunity(ctx context.Context, actor string, c portal.Community) (portal.Community, error)
	MyCommunityInvitations(ctx context.Context, actor string) ([]portal.CommunityInvitation, error)
	AnswerCommunityInvitation(ctx context.Context, actor, id string, accept bool) (portal.CommunityInvitation, error)
	Accounts(ctx context.Context, actor, after string, limit int) ([]portal.Account, error)
	SearchAccounts(ctx context.Context, actor, q string, limit int) ([]portal.Account, error)
	Account(ctx context.Context, actor, id string) (portal.Account, error)
	SetAccountStatus(ctx context.Context, actor, id string, st portal.AccountStatus) (portal.Account, error)
	SetPlatformRoles(ctx context.Context, actor, id string, roles []portal.PlatformRole) (portal.Account, error)
}

// listPage is how many items the lists of these screens show at once.
const listPage = 50

// page cuts a list read with one item more than listPage into the page
// and the cursor of the next one ("" at the end).
func page[T any](items []T, id func(T) string) ([]T, string) {
	if len(items) > listPage {
		return items[:listPage], id(items[listPage-1])
	}
	return items, ""
}

func (u *ui) organisations(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	q := r.URL.Query()
	orgs, err := u.cfg.People.Organisations(r.Context(), v.Actor, "", q.Get("name"), q.Get("after"), listPage+1)
	if err != nil {
		return err
	}
	orgs, next := page(orgs, func(o portal.Organisation) string { return o.ID })
	// Only the organisations: none of the reader's communities named.
	p, _, err := u.cfg.Members.ProfileFirst(r.Context(), v.Actor, v.Actor, 0)
	if err != nil {
		return err
	}
	mine := map[string]portal.OrgRole{}
	for _, m := range p.Organisations {
		mine[m.Organisation] = m.Role
	}
	publishes, err := u.publishesFor(r.Context(), v.Actor, mine)
	if err != nil {
		return err
	}
	creates, err := u.administers(r.Context(), v) // orgadmin.go
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.orgs.title").In(v.Lang)
	v.Data = struct {
		Orgs       []portal.Organisation
		Mine       map[string]portal.OrgRole
		Publishes  map[string]bool // the producer's screen is theirs
		Name, Next string
		Done       string
		Creates    bool
	}{orgs, mine, publishes, q.Get("name"), next, doneKey(q.Get("done")), creates}
	return u.render(w, http.StatusOK, "organisations", v)
}

func (u *ui) join(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if _, err := u.cfg.People.RequestJoin(r.Context(), v.Actor, r.PathValue("id"), r.PostFormValue("message")); err != nil {
		return err
	}
	http.Redirect(w, r, "/organisations?done=join_requested", http.StatusSeeOther)
	return nil
}

func (u *ui) communities(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.communitiesPage(w, r, v, fieldError{})
}

// communitiesPage is the communities screen, with fe beside the field of
// the creation form it is about.
func (u *ui) communitiesPage(w http.ResponseWriter, r *http.Request, v *view, fe fieldError) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx, q := r.Context(), r.URL.Query()
	cs, err := u.cfg.People.Communities(ctx, v.Actor, q.Get("after"), listPage+1)
	if err != nil {
		return err
	}
	cs, next := page(cs, func(c portal.Community) string { return c.ID })
	invs, err := u.cfg.People.MyCommunityInvitations(ctx, v.Actor)
	if err != nil {
		return err
	}
	mine, err := u.cfg.Members.CommunityMemberships(ctx, v.Actor, v.Actor, q.Get("mine_after"), listPage)
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.communities.title").In(v.Lang)
	v.Data = struct {
		Mine                 []portal.CommunityMembership
		Invitations          []portal.CommunityInvitation
		Visible              []portal.Community
		Next, MineNext, Done string
		Err                  fieldError
	}{mine.Communities, invs, cs, next, mine.Next, doneKey(q.Get("done")), fe}
	return u.render(w, fe.status(), "communities", v)
}

func (u *ui) communityAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx := r.Context()
	var done string
	switch r.PathValue("action") {
	case "create":
		_, err := u.cfg.People.CreateCommunity(ctx, v.Actor, portal.Community{ID: r.PostFormValue("id"), Name: r.PostFormValue("name"), Public: r.PostFormValue("public") == "on"})
		if err != nil {
			if fe, ok := refusal(err, v.Lang, r, "create", formFields{"": "c-id", "community id": "c-id", "name": "c-name"}); ok {
				return u.communitiesPage(w, r, v, fe)
			}
			return err
		}
		done = "community_created"
	case "answer":
		accept := r.PostFormValue("answer") == "accept"
		if _, err := u.cfg.People.AnswerCommunityInvitation(ctx, v.Actor, r.PostFormValue("community"), accept); err != nil {
			return err
		}
		done = map[bool]string{true: "invitation_accepted", false: "invitation_declined"}[accept]
	default:
		return errNotFound
	}
	http.Redirect(w, r, "/communities?done="+done, http.StatusSeeOther)
	return nil
}

// accounts lists the platform's accounts, or those a search finds, for
// account managers.
func (u *ui) accounts(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	q := r.URL.Query()
	var (
		as   []portal.Account
		next string
		err  error
	)
	if s := q.Get("q"); s != "" {
		as, err = u.cfg.People.SearchAccounts(r.Context(), v.Actor, s, listPage)
	} else {
		as, err = u.cfg.People.Accounts(r.Context(), v.Actor, q.Get("after"), listPage+1)
		as, next = page(as, func(a portal.Account) string { return a.ID })
	}
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.accounts.title").In(v.Lang)
	v.Data = struct {
		Accounts []portal.Account
		Query    string
		Next     string
	}{as, q.Get("q"), next}
	return u.render(w, http.StatusOK, "accounts", v)
}

// account shows one account to an account manager, with its status and
// platform roles to change.
func (u *ui) account(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	a, err := u.cfg.People.Account(r.Context(), v.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	type role struct {
		Role portal.PlatformRole
		Held bool
	}
	var roles []role
	for _, pr := range portal.PlatformRoles() {
		roles = append(roles, role{pr, slices.Contains(a.PlatformRoles, pr)})
	}
	v.Title = a.Name
	v.Data = struct {
		Account portal.Account
		Roles   []role
		Done    string
	}{a, roles, doneKey(r.URL.Query().Get("done"))}
	return u.render(w, http.StatusOK, "account", v)
}

func (u *ui) accountAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx, id := r.Context(), r.PathValue("id")
	var done string
	switch r.PathValue("action") {
	case "status":
		if _, err := u.cfg.People.SetAccountStatus(ctx, v.Actor, id, portal.AccountStatus(r.PostFormValue("status"))); err != nil {
			return err
		}
		done = "status"
	case "roles":
		if err := readForm(r); err != nil {
			return err
		}
		roles := []portal.PlatformRole{}
		for _, s := range r.PostForm["role"] {
			roles = append(roles, portal.PlatformRole(s))
		}
		if _, err := u.cfg.People.SetPlatformRoles(ctx, v.Actor, id, roles); err != nil {
			return err
		}
		done = "roles"
	default:
		return errNotFound
	}
	http.Redirect(w, r, "/admin/accounts/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
	return nil
}
