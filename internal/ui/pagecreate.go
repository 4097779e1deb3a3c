package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// Creating a content page from the pages list, and deleting one from its
// edit screen (source 003). The form is offered to whoever the portal
// lets create a page (PageOwners: publish on one of their organisations,
// or "edit all pages" for the platform's own); deletion to whoever
// manages the page, asked first on the shared confirmation page. The
// portal authorizes each action itself.

// pagesView is the pages list, with the creation form for whoever may
// create a page.
type pagesView struct {
	Pages  []portal.Page
	Next   string
	Owners portal.PageOwners
	Done   string
	Err    fieldError // the creation form's refusal, what was typed kept
}

func (u *ui) showPages(w http.ResponseWriter, r *http.Request, v *view, fe fieldError) error {
	ctx := r.Context()
	ps, err := u.cfg.Pages.Pages(ctx, v.Actor, r.URL.Query().Get("after"), listPage+1)
	if err != nil {
		return err
	}
	ps, next := page(ps, func(p portal.Page) string { return p.ID })
	owners, err := u.cfg.Pages.PageOwners(ctx, v.Actor)
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.pages.title").In(v.Lang)
	v.Data = pagesView{Pages: ps, Next: next, Owners: owners, Done: doneContent(r.URL.Query().Get("done")), Err: fe}
	return u.render(w, fe.status(), "pages", v)
}

// pageCreate creates a page from the list's form and goes to its edit
// screen; a refusal of what was typed shows the list again with the
// form as it was filled and the message beside its field.
func (u *ui) pageCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	ctx, f := r.Context(), r.PostForm
	owners, err := u.cfg.Pages.PageOwners(ctx, v.Actor)
	if err != nil {
		return err
	}
	if !owners.May() {
		return problem.New(problem.CodeForbidden, messages.New("ui.pages.may_not_create"))
	}
	p := portal.Page{ID: strings.TrimSpace(f.Get("id")), Title: f.Get("title"), Owner: f.Get("owner")}
	created, err := u.cfg.Pages.CreatePage(ctx, v.Actor, p)
	if err == nil {
		http.Redirect(w, r, backTo("/pages/"+url.PathEscape(created.ID)+"/edit", "page_created"), http.StatusSeeOther)
		return nil
	}
	// The reader may create pages (above): an organisation refused or
	// not found is the one chosen.
	blame := ""
	if p.Owner != "" && (errors.Is(err, portal.ErrForbidden) || errors.Is(err, portal.ErrNotFound)) {
		blame = "p-owner"
	}
	fe, ok := namedRefusal(err, v.Lang, r, "create", formFields{"": "p-id", "page id": "p-id", "title": "p-title", "owner": "p-owner"}, blame)
	if !ok {
		return err
	}
	return u.showPages(w, r, v, fe)
}

// pageConfirmDelete asks before deleting a page (to whoever manages it).
func (u *ui) pageConfirmDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	rp, err := u.pageFor(r, v, func(p portal.PageRights) bool { return p.Manage }, "ui.pages.may_not_delete")
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	return u.confirm(w, v, confirmation{
		Question:    messages.New("ui.pages.delete_question", rp.Page.Title).In(v.Lang),
		Consequence: messages.New("ui.pages.delete_consequence").In(v.Lang),
		Facts:       []fact{{messages.New("ui.pages.new_id").In(v.Lang), id}},
		Action:      "/pages/" + url.PathEscape(id) + "/delete",
		Button:      messages.New("ui.pages.delete").In(v.Lang),
		Back:        "/pages/" + url.PathEscape(id) + "/edit",
	})
}

// pageDelete deletes a page once confirmed (posted without confirm=yes,
// it asks first), and goes to the list of pages.
func (u *ui) pageDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if unconfirmed(w, r, "/pages/"+url.PathEscape(id)+"/delete") {
		return nil
	}
	if err := u.cfg.Pages.DeletePage(r.Context(), v.Actor, id); err != nil {
		return err
	}
	http.Redirect(w, r, backTo("/pages", "page_deleted"), http.StatusSeeOther)
	return nil
}
