package ui

import (
	"context"
	"net/http"
	"net/url"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// An organisation's information, edited by its delegated administrators
// (source 002: « Il peut éditer les informations de son groupe »): its
// name, its type (which the access screen filters on) and the contact
// address its grants' beneficiaries write to (shown on their grants).

// OrgEditor is what the organisation's edit screen needs of the domain
// besides the members screen's.
type OrgEditor interface {
	UpdateOrganisation(ctx context.Context, actor string, o portal.Organisation) (portal.Organisation, error)
}

// orgEditView is the edit screen: the organisation as saved, or as typed
// when the form was refused.
type orgEditView struct {
	Org   portal.Organisation
	Types []portal.OrgType
	Done  string
	Err   fieldError
}

func (u *ui) orgEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	d := orgEditView{}
	if r.URL.Query().Get("done") == "saved" {
		d.Done = "ui.orgedit.saved"
	}
	return u.showOrgEdit(w, r, v, d, nil)
}

// showOrgEdit shows the form, filled with typed when it was refused.
func (u *ui) showOrgEdit(w http.ResponseWriter, r *http.Request, v *view, d orgEditView, typed *portal.Organisation) error {
	ctx, id := r.Context(), r.PathValue("id")
	o, err := u.cfg.Members.Organisation(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	// Whoever may see the join requests manages the members (as on the
	// members screen): the portal says so, not the page.
	if _, err := u.cfg.Members.JoinRequests(ctx, v.Actor, id, portal.JoinPending, "", 1); err != nil {
		return err
	}
	d.Org, d.Types = o, portal.OrgTypes
	if typed != nil {
		d.Org.Name, d.Org.Type, d.Org.Contact = typed.Name, typed.Type, typed.Contact
	}
	v.Title = messages.New("ui.orgedit.title", o.Name).In(v.Lang)
	v.Data = d
	return u.render(w, d.Err.status(), "org_edit", v)
}

// orgSave saves the organisation's information; a refusal of what was
// typed shows beside its field, with what was typed.
func (u *ui) orgSave(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	id, f := r.PathValue("id"), r.PostForm
	o := portal.Organisation{ID: id, Name: f.Get("name"), Type: portal.OrgType(f.Get("type")), Contact: f.Get("contact")}
	if _, err := u.cfg.People.UpdateOrganisation(r.Context(), v.Actor, o); err != nil {
		if fe, ok := refusal(err, v.Lang, r, "org", formFields{"": "o-name", "name": "o-name", "type": "o-type", "contact": "o-contact"}); ok {
			return u.showOrgEdit(w, r, v, orgEditView{Err: fe}, &o)
		}
		return err
	}
	http.Redirect(w, r, "/organisations/"+url.PathEscape(id)+"/edit?done=saved", http.StatusSeeOther)
	return nil
}
