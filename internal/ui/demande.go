package ui

import (
	"net/http"
	"slices"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// The access request page of source 000: the link a producer puts in a
// product's metadata, /demande-acces/{product-id}. It shows the product
// and its restricted services, and asks for access to them (for oneself
// or a community one manages, choosing the services, with a message)
// through the request action of the dataset's page; an anonymous visitor
// is offered to sign in and come back here.

// demandeForm is the request as typed.
type demandeForm struct {
	Services  []string
	Community string
	Message   string
	Errors    fieldError
}

// Has reports whether service id is chosen.
func (f demandeForm) Has(id string) bool { return slices.Contains(f.Services, id) }

// demandeFields maps the portal's field names to the form's ids.
var demandeFields = formFields{"services": "d-services", "community": "d-for", "message": "d-message"}

func (u *ui) demande(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.showDemande(w, r, v, http.StatusOK, demandeForm{}, true)
}

// showDemande draws the page with f (every restricted service chosen when
// fresh).
func (u *ui) showDemande(w http.ResponseWriter, r *http.Request, v *view, status int, f demandeForm, fresh bool) error {
	ctx, id := r.Context(), r.PathValue("id")
	d, err := u.cfg.Catalogue.Dataset(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	restricted, err := u.cfg.Permissions.RestrictedServices(ctx, v.Actor, d.ID)
	if err != nil {
		return err
	}
	if fresh {
		for _, m := range restricted {
			f.Services = append(f.Services, m.ID)
		}
	}
	// The communities the reader may ask for: those they manage (the
	// portal's rule: manage on the community), bounded, with a search
	// when there are many (rolechoice.go).
	var comms roleChoice
	if v.Actor != "" {
		p, err := u.cfg.Members.Profile(ctx, v.Actor, v.Actor)
		if err != nil {
			return err
		}
		var managed []portal.Holder
		for _, c := range p.Communities {
			if c.Role == portal.CommunityAdministrator || c.Role == portal.CommunitySupervisor {
				managed = append(managed, portal.Holder{Kind: portal.HolderCommunity, ID: c.Community, Name: c.Name})
			}
		}
		keep := ""
		if f.Community != "" {
			keep = string(portal.HolderCommunity) + ":" + f.Community
		}
		comms = chooseRoles(managed, r.URL.Query().Get("cq"), keep)
	}
	v.Title = messages.New("ui.demande.title", d.Title).In(v.Lang)
	v.Data = struct {
		Dataset     portal.Dataset
		OwnerName   string
		Services    []portal.MapService
		Communities roleChoice
		Form        demandeForm
	}{d, u.orgNames(ctx, v.Actor)(d.Owner), restricted, comms, f}
	return u.render(w, status, "demande", v)
}

// requestFromDemande sends the request of the page: the services chosen
// (at least one), for the reader or one of their communities, with a
// message. A refusal draws the page again, beside its field, with
// everything typed kept; what the form cannot show is an error page.
func (u *ui) requestFromDemande(w http.ResponseWriter, r *http.Request, v *view) error {
	req := portal.AccessRequest{Dataset: r.PathValue("id"), Message: r.PostFormValue("message"), Services: r.PostForm["services"], Community: r.PostFormValue("community")}
	f := demandeForm{Services: req.Services, Community: req.Community, Message: req.Message}
	if len(req.Services) == 0 {
		f.Errors.add("d-services", messages.New("ui.perms.no_service"), v.Lang)
		return u.showDemande(w, r, v, http.StatusBadRequest, f, false)
	}
	ar, err := u.cfg.Grants.RequestAccess(r.Context(), v.Actor, req)
	if err != nil {
		if !f.Errors.refuse(err, v.Lang, demandeFields) {
			return err
		}
		return u.showDemande(w, r, v, f.Errors.status(), f, false)
	}
	requested(w, r, ar)
	return nil
}
