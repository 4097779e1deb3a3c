package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// What the pages and maps screens share: naming a person or a group in a
// form ("kind:id"), finding groups to add, and the site-wide content
// roles and their screen. Their forms refuse through fieldError
// (formerror.go, namedRefusal), as every screen's.

// ContentRoles is what the site-wide roles of content need of the
// domain: who holds them, giving and taking them (platform
// administrators), and what one may do with the content as a whole.
type ContentRoles interface {
	ContentRights(ctx context.Context, actor string) (portal.ContentRights, error)
	ContentRoleHolders(ctx context.Context, actor string) ([]portal.ContentRoleHolder, error)
	SetContentRole(ctx context.Context, actor string, role portal.ContentRole, h portal.Holder, hold bool) (portal.ContentRoleHolder, error)
	// FindGroups finds the organisations and communities to open a page
	// to or share a map with.
	FindGroups(ctx context.Context, actor, name string, limit int) ([]portal.Holder, error)
}

// holderKey is how a form names a person or a group: "kind:id".
func holderKey(h portal.Holder) string { return string(h.Kind) + ":" + h.ID }

// parseHolder reads a "kind:id" of a form; the portal checks the kind
// against what the action takes.
func parseHolder(s string) (portal.Holder, error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok || id == "" {
		return portal.Holder{}, problem.New(problem.CodeInvalidArgument, messages.New("ui.content.bad_holder", messages.Quote(s)))
	}
	return portal.Holder{Kind: portal.HolderKind(kind), ID: id}, nil
}

// parseHolders reads every "kind:id" of the form's field; at least one.
func parseHolders(r *http.Request, field string) ([]portal.Holder, error) {
	if err := readForm(r); err != nil {
		return nil, err
	}
	var out []portal.Holder
	for _, s := range r.PostForm[field] {
		h, err := parseHolder(s)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, problem.New(problem.CodeInvalidArgument, messages.New("ui.content.choose_holders"))
	}
	return out, nil
}

// groupSearch is how many people or groups a search shows.
const groupSearch = 20

// siteRoles are the holders of the site-wide roles of content among
// roles (the page roles, the map roles), for the screens that show them
// to whoever manages them (content-siteroles).
func siteRoles(ctx context.Context, c ContentRoles, actor string, roles []portal.ContentRole) ([]portal.ContentRoleHolder, error) {
	hs, err := c.ContentRoleHolders(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []portal.ContentRoleHolder
	for _, h := range hs {
		if slices.Contains(roles, h.Role) {
			out = append(out, h)
		}
	}
	return out, nil
}

// contentRolesView is the data of the site-wide roles screen.
type contentRolesView struct {
	Holders []portal.ContentRoleHolder
	Roles   []portal.ContentRole
	Query   string
	People  []portal.Account
	GQuery  string
	Groups  []portal.Holder
	Done    string
	Err     fieldError // the refusal of the last form, shown above it
	Role    portal.ContentRole
	Chosen  []string // the holders ticked, when the form comes back
}

// Ticked reports whether the holder key was ticked in the form that
// comes back.
func (d contentRolesView) Ticked(key string) bool { return slices.Contains(d.Chosen, key) }

// contentRoles lists the holders of the site-wide roles of content
// ("view all pages", "edit all pages", map administrators, editors and
// creators) to the platform's administrators, who give and take them.
func (u *ui) contentRoles(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	q := r.URL.Query()
	return u.showContentRoles(w, r, v, http.StatusOK, contentRolesView{Query: q.Get("q"), GQuery: q.Get("gq"), Done: doneContent(q.Get("done"))})
}

func (u *ui) showContentRoles(w http.ResponseWriter, r *http.Request, v *view, status int, d contentRolesView) error {
	ctx := r.Context()
	hs, err := u.cfg.Pages.ContentRoleHolders(ctx, v.Actor)
	if err != nil {
		return err
	}
	d.Holders, d.Roles = hs, portal.ContentRoles
	if strings.TrimSpace(d.Query) != "" {
		if d.People, err = u.cfg.People.SearchAccounts(ctx, v.Actor, d.Query, groupSearch); err != nil {
			return err
		}
	}
	if strings.TrimSpace(d.GQuery) != "" {
		if d.Groups, err = u.cfg.Pages.FindGroups(ctx, v.Actor, d.GQuery, groupSearch); err != nil {
			return err
		}
	}
	v.Title = messages.New("ui.content.roles_title").In(v.Lang)
	v.Data = d
	return u.render(w, status, "content_roles", v)
}

// contentRoleAction gives a site-wide role to the people and groups
// chosen, or takes it from one, then goes back to the roles screen.
func (u *ui) contentRoleAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	hold := false
	switch r.PathValue("action") {
	case "add":
		hold = true
	case "remove":
	default:
		return errNotFound
	}
	hs, err := parseHolders(r, "holder")
	if err != nil {
		return err
	}
	role := portal.ContentRole(r.PostForm.Get("role"))
	for _, h := range hs {
		if _, err := u.cfg.Pages.SetContentRole(r.Context(), v.Actor, role, h, hold); err != nil {
			// Bad input or a rule of the domain (a person made map
			// creator): the screen again, with the searches and choices.
			fe, ok := namedRefusal(err, v.Lang, r, "roles", formFields{"": "role"}, "")
			if !ok {
				return err
			}
			return u.showContentRoles(w, r, v, fe.status(), contentRolesView{Err: fe, Role: role, Chosen: r.PostForm["holder"],
				Query: r.PostForm.Get("q"), GQuery: r.PostForm.Get("gq")})
		}
	}
	done := map[bool]string{true: "role_given", false: "role_taken"}[hold]
	http.Redirect(w, r, "/content-roles?done="+done, http.StatusSeeOther)
	return nil
}

// contentDone are what the pages and maps forms may report once done,
// by the value of ?done= (a fixed list, as doneKeys).
var contentDone = map[string]string{
	"saved": "ui.pages.saved", "policy": "ui.pages.policy_saved", "added": "ui.pages.members_added",
	"changed": "ui.pages.member_changed", "removed": "ui.pages.member_removed",
	"role_given": "ui.content.role_given", "role_taken": "ui.content.role_taken",
	"map_created": "ui.maps.created", "shared": "ui.maps.shared", "unshared": "ui.maps.unshared",
	"map_deleted":  "ui.mapedit.deleted",
	"page_created": "ui.pages.created", "page_deleted": "ui.pages.deleted",
}

func doneContent(s string) string { return contentDone[s] }

// backTo is path with ?done=what.
func backTo(path, what string) string { return path + "?done=" + url.QueryEscape(what) }
