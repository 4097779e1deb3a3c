package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// The administrators' groups of organisations (source 001: "groupes
// d'organisations", which datasets give a level to at once): the list,
// creating one, renaming it, its organisations (added by a search as one
// types, removed one by one) and deleting it after a confirmation. Any
// account may read groups through the portal; these screens are for who
// may manage them (the engine's org_group manage, platform
// administrators), and the portal authorizes every change itself.

// OrgGroups is what these screens need of the domain.
type OrgGroups interface {
	OrgGroups(ctx context.Context, actor string, after string, limit int) ([]portal.OrgGroup, error)
	OrgGroup(ctx context.Context, actor, id string) (portal.OrgGroup, error)
	CreateOrgGroup(ctx context.Context, actor string, g portal.OrgGroup) (portal.OrgGroup, error)
	RenameOrgGroup(ctx context.Context, actor, id, name string) (portal.OrgGroup, error)
	SetOrgGroupOrganisations(ctx context.Context, actor, id string, orgs []string) (portal.OrgGroup, error)
	DeleteOrgGroup(ctx context.Context, actor, id string) error
	Organisations(ctx context.Context, actor string, typ portal.OrgType, name, after string, limit int) ([]portal.Organisation, error)
	Organisation(ctx context.Context, actor, id string) (portal.Organisation, error)
	MyRights(ctx context.Context, actor, typ, id string, perms ...string) (map[string]bool, error)
}

// mayManageOrgGroups refuses the reader who may not manage groups of
// organisations: groups have no rights of their own, manage on any group
// is the platform's administer.
func (u *ui) mayManageOrgGroups(ctx context.Context, v *view) error {
	ok, err := isPlatformAdmin(ctx, u.cfg.OrgGroups, v)
	return onlyPlatformAdmins(v, ok, err)
}

func (u *ui) orgGroups(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.orgGroupsPage(w, r, v, fieldError{})
}

func (u *ui) orgGroupsPage(w http.ResponseWriter, r *http.Request, v *view, fe fieldError) error {
	ctx := r.Context()
	if err := u.mayManageOrgGroups(ctx, v); err != nil {
		return err
	}
	q := r.URL.Query()
	gs, err := u.cfg.OrgGroups.OrgGroups(ctx, v.Actor, q.Get("after"), listPage+1)
	if err != nil {
		return err
	}
	gs, next := page(gs, func(g portal.OrgGroup) string { return g.ID })
	v.Title = messages.New("ui.orggroups.title").In(v.Lang)
	v.Data = struct {
		Groups     []portal.OrgGroup
		Next, Done string
		Err        fieldError
	}{gs, next, doneKey(q.Get("done")), fe}
	return u.render(w, fe.status(), "orggroups", v)
}

func (u *ui) orgGroupCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	if err := u.mayManageOrgGroups(ctx, v); err != nil {
		return err
	}
	if err := readForm(r); err != nil {
		return err
	}
	g, err := u.cfg.OrgGroups.CreateOrgGroup(ctx, v.Actor, portal.OrgGroup{ID: r.PostForm.Get("id"), Name: r.PostForm.Get("name")})
	return formAnswer(w, r, v, err, "create", formFields{"": "g-id", "org_group id": "g-id", "name": "g-name"}, u.orgGroupsPage,
		"/admin/org-groups/"+url.PathEscape(g.ID), "group_created")
}

// orgGroupView is the data of a group's screen.
type orgGroupView struct {
	Group    portal.OrgGroup
	Orgs     []portal.Organisation // the group's, with their names
	Query    string
	Found    []portal.Organisation // the search's, not yet in the group
	Searched bool
	Done     string
	Err      fieldError
}

func (u *ui) orgGroup(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.orgGroupPage(w, r, v, fieldError{})
}

func (u *ui) orgGroupPage(w http.ResponseWriter, r *http.Request, v *view, fe fieldError) error {
	ctx := r.Context()
	if err := u.mayManageOrgGroups(ctx, v); err != nil {
		return err
	}
	g, err := u.cfg.OrgGroups.OrgGroup(ctx, v.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := orgGroupView{Group: g, Query: q.Get("q"), Done: doneKey(q.Get("done")), Err: fe}
	for _, id := range g.Organisations {
		o, err := u.cfg.OrgGroups.Organisation(ctx, v.Actor, id)
		if err != nil {
			o = portal.Organisation{ID: id, Name: id}
		}
		d.Orgs = append(d.Orgs, o)
	}
	if d.Query != "" {
		found, err := u.cfg.OrgGroups.Organisations(ctx, v.Actor, "", d.Query, "", 20)
		if err != nil {
			return err
		}
		for _, o := range found {
			if !slices.Contains(g.Organisations, o.ID) {
				d.Found = append(d.Found, o)
			}
		}
		d.Searched = true
	}
	v.Title = messages.New("ui.orggroups.group_title", g.Name).In(v.Lang)
	v.Data = d
	return u.render(w, fe.status(), "orggroup", v)
}

// orgGroupConfirmDelete asks before deleting a group.
func (u *ui) orgGroupConfirmDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	if err := u.mayManageOrgGroups(ctx, v); err != nil {
		return err
	}
	g, err := u.cfg.OrgGroups.OrgGroup(ctx, v.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	return u.confirm(w, v, confirmation{
		Question:    messages.New("ui.orggroups.delete_question", g.Name).In(v.Lang),
		Consequence: messages.New("ui.orggroups.delete_consequence").In(v.Lang),
		Action:      "/admin/org-groups/" + url.PathEscape(g.ID) + "/delete",
		Button:      messages.New("ui.orggroups.delete").In(v.Lang),
		Back:        "/admin/org-groups/" + url.PathEscape(g.ID),
	})
}

// orgGroupAction runs one of a group's forms, then goes back to its
// screen (or to the list after deleting it) saying what was done.
func (u *ui) orgGroupAction(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx, id := r.Context(), r.PathValue("id")
	if err := u.mayManageOrgGroups(ctx, v); err != nil {
		return err
	}
	if err := readForm(r); err != nil {
		return err
	}
	var (
		done   string
		err    error
		form   string
		fields formFields
	)
	switch r.PathValue("action") {
	case "rename":
		_, err = u.cfg.OrgGroups.RenameOrgGroup(ctx, v.Actor, id, r.PostForm.Get("name"))
		done, form, fields = "group_renamed", "rename", formFields{"": "g-name"}
	case "add", "remove":
		org := r.PostForm.Get("organisation")
		var g portal.OrgGroup
		if g, err = u.cfg.OrgGroups.OrgGroup(ctx, v.Actor, id); err != nil {
			return err
		}
		orgs := slices.DeleteFunc(slices.Clone(g.Organisations), func(o string) bool { return o == org })
		done = "group_org_removed"
		if r.PathValue("action") == "add" {
			orgs, done = append(orgs, org), "group_org_added"
		}
		_, err = u.cfg.OrgGroups.SetOrgGroupOrganisations(ctx, v.Actor, id, orgs)
		form, fields = "add", formFields{"": "og-q"}
	case "delete":
		if unconfirmed(w, r, "/admin/org-groups/"+url.PathEscape(id)+"/delete") {
			return nil
		}
		if err := u.cfg.OrgGroups.DeleteOrgGroup(ctx, v.Actor, id); err != nil {
			return err
		}
		http.Redirect(w, r, "/admin/org-groups?done=group_deleted", http.StatusSeeOther)
		return nil
	default:
		return errNotFound
	}
	return formAnswer(w, r, v, err, form, fields, u.orgGroupPage, "/admin/org-groups/"+url.PathEscape(id), done)
}

// The reports of what these screens' forms did, by ?done= value.
func init() {
	addDone(map[string]string{
		"group_created": "ui.orggroups.created_done", "group_renamed": "ui.orggroups.renamed",
		"group_org_added": "ui.orggroups.org_added", "group_org_removed": "ui.orggroups.org_removed",
		"group_deleted": "ui.orggroups.deleted",
	})
}
