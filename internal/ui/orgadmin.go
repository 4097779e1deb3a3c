package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// Organisations created and deleted by platform administrators (the
// portal's administer on the platform, which it checks itself): the form
// at /organisations/new, linked from the list, and the confirmation at
// /organisations/{id}/delete, linked from the organisation's page. The
// portal refuses to delete an organisation that still owns datasets or
// pages, saying so (portal/orgdelete.go); that refusal is the error page.

// OrgAdmin is what these screens need of the domain.
type OrgAdmin interface {
	CreateOrganisation(ctx context.Context, actor string, o portal.Organisation, firstAdmin string) (portal.Organisation, error)
	DeleteOrganisation(ctx context.Context, actor, id string) error
	Organisation(ctx context.Context, actor, id string) (portal.Organisation, error)
	MyRights(ctx context.Context, actor, typ, id string, perms ...string) (map[string]bool, error)
}

// administers reports whether the reader is a platform administrator
// (false without the screens).
func (u *ui) administers(ctx context.Context, v *view) (bool, error) {
	if u.cfg.OrgAdmin == nil {
		return false, nil
	}
	return isPlatformAdmin(ctx, u.cfg.OrgAdmin, v)
}

// isPlatformAdmin reports whether the reader is a platform administrator,
// as rights answers (false for an anonymous one).
func isPlatformAdmin(ctx context.Context, rights interface {
	MyRights(ctx context.Context, actor, typ, id string, perms ...string) (map[string]bool, error)
}, v *view) (bool, error) {
	if v.Actor == "" {
		return false, nil
	}
	r, err := rights.MyRights(ctx, v.Actor, "platform", "", "administer")
	return r["administer"], err
}

// onlyPlatformAdmins refuses a reader who is not a platform
// administrator (admin, as isPlatformAdmin or administers says): an
// anonymous one must sign in, others are forbidden.
func onlyPlatformAdmins(v *view, admin bool, err error) error {
	switch {
	case v.Actor == "":
		return portal.ErrUnauthenticated
	case err != nil:
		return err
	case !admin:
		return portal.ErrForbidden
	}
	return nil
}

// mayAdministerOrgs refuses a reader who may not create or delete
// organisations.
func (u *ui) mayAdministerOrgs(ctx context.Context, v *view) error {
	ok, err := u.administers(ctx, v)
	return onlyPlatformAdmins(v, ok, err)
}

// orgNewView is the creation form's data.
type orgNewView struct {
	Types []portal.OrgType
	Me    string // the reader, the first administrator unless another is named
	Err   fieldError
}

func (u *ui) orgNew(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.orgNewPage(w, r, v, fieldError{})
}

func (u *ui) orgNewPage(w http.ResponseWriter, r *http.Request, v *view, fe fieldError) error {
	if err := u.mayAdministerOrgs(r.Context(), v); err != nil {
		return err
	}
	v.Title = messages.New("ui.orgadmin.new_title").In(v.Lang)
	v.Data = orgNewView{Types: portal.OrgTypes, Me: v.Actor, Err: fe}
	return u.render(w, fe.status(), "org_new", v)
}

// orgCreate creates the organisation and goes to its page; a refusal of
// what was typed shows the form again, as filled, with the message beside
// its field.
func (u *ui) orgCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	if err := u.mayAdministerOrgs(ctx, v); err != nil {
		return err
	}
	if err := readForm(r); err != nil {
		return err
	}
	f := r.PostForm
	first := strings.TrimSpace(f.Get("first_admin"))
	o, err := u.cfg.OrgAdmin.CreateOrganisation(ctx, v.Actor, portal.Organisation{ID: strings.TrimSpace(f.Get("id")), Name: f.Get("name"),
		Type: portal.OrgType(f.Get("type")), Contact: strings.TrimSpace(f.Get("contact"))}, first)
	if err == nil {
		http.Redirect(w, r, backTo("/organisations/"+url.PathEscape(o.ID)+"/members", "org_created"), http.StatusSeeOther)
		return nil
	}
	// The reader administers (above): an account not found is the one
	// named as first administrator.
	fe, ok := namedRefusal(err, v.Lang, r, "create", formFields{"": "o-id", "organisation id": "o-id", "organisation": "o-id", "name": "o-name",
		"type": "o-type", "contact": "o-contact", "first admin": "o-first"}, "o-first")
	if !ok {
		return err
	}
	return u.orgNewPage(w, r, v, fe)
}

// orgConfirmDelete asks before deleting an organisation.
func (u *ui) orgConfirmDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	if err := u.mayAdministerOrgs(ctx, v); err != nil {
		return err
	}
	id := r.PathValue("id")
	o, err := u.cfg.OrgAdmin.Organisation(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	return u.confirm(w, v, confirmation{
		Question:    messages.New("ui.orgadmin.delete_question", o.Name).In(v.Lang),
		Consequence: messages.New("ui.orgadmin.delete_consequence").In(v.Lang),
		Facts:       []fact{{messages.New("ui.communities.id").In(v.Lang), o.ID}, {messages.New("ui.orgadmin.type").In(v.Lang), messages.New(messages.Key("ui.orgtype." + string(o.Type))).In(v.Lang)}},
		Action:      "/organisations/" + url.PathEscape(id) + "/delete",
		Button:      messages.New("ui.orgadmin.delete").In(v.Lang),
		Back:        "/organisations/" + url.PathEscape(id) + "/members",
	})
}

// orgDelete deletes an organisation once confirmed (posted without
// confirm=yes, it asks first), and goes to the list.
func (u *ui) orgDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	if err := u.mayAdministerOrgs(ctx, v); err != nil {
		return err
	}
	if err := readForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if unconfirmed(w, r, "/organisations/"+url.PathEscape(id)+"/delete") {
		return nil
	}
	if err := u.cfg.OrgAdmin.DeleteOrganisation(ctx, v.Actor, id); err != nil {
		return err
	}
	http.Redirect(w, r, backTo("/organisations", "org_deleted"), http.StatusSeeOther)
	return nil
}

func init() {
	addDone(map[string]string{"org_created": "ui.orgadmin.created", "org_deleted": "ui.orgadmin.deleted"})
}
