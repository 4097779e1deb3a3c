package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// The content pages of source 003: the pages I may view, a page as I see
// it (its visualisations only where I may consult their datasets), its
// editing for its editors, and its security tab (access policy, user
// permissions, group permissions, and the site-wide page roles that
// prevail over them) for whoever manages it.

// Pages is what the pages screens need of the domain.
type Pages interface {
	ContentRoles
	Pages(ctx context.Context, actor, after string, limit int) ([]portal.Page, error)
	RenderPage(ctx context.Context, actor, id string) (portal.RenderedPage, error)
	PageRights(ctx context.Context, actor, id string) (portal.PageRights, error)
	UpdatePage(ctx context.Context, actor string, u portal.PageUpdate) (portal.Page, error)
	SetPagePolicy(ctx context.Context, actor, id string, public bool) (portal.Page, error)
	PageMembers(ctx context.Context, actor, id string) ([]portal.PageMember, error)
	SetPageMember(ctx context.Context, actor, id string, m portal.PageMember) (portal.PageMember, error)
	RemovePageMember(ctx context.Context, actor, id string, h portal.Holder) error
	PageCandidates(ctx context.Context, actor, id, q string, limit int) ([]portal.Account, error)
	Datasets(ctx context.Context, actor string, q portal.DatasetQuery) ([]portal.Dataset, string, error)
	PageOwners(ctx context.Context, actor string) (portal.PageOwners, error)
	CreatePage(ctx context.Context, actor string, p portal.Page) (portal.Page, error)
	DeletePage(ctx context.Context, actor, id string) error
}

// pageRoles are the site-wide roles that prevail over a page's own
// permissions (source 003, "Important").
var pageRoles = []portal.ContentRole{portal.ContentPageViewer, portal.ContentPageEditor}

func (u *ui) pagesList(w http.ResponseWriter, r *http.Request, v *view) error {
	return u.showPages(w, r, v, fieldError{})
}

// paragraphs cuts a page's plain-text body into paragraphs (blank lines
// between them), each a list of its lines.
func paragraphs(body string) [][]string {
	var out [][]string
	var cur []string
	for _, line := range strings.Split(body, "\n") {
		if strings.TrimSpace(line) == "" {
			if cur != nil {
				out, cur = append(out, cur), nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

// pageView is a page as its reader sees it.
type pageView struct {
	Page       portal.Page
	Paragraphs [][]string
	Shown      []portal.RenderedVisualisation
	Hidden     int // visualisations left out: their datasets are not the reader's to consult
	Rights     portal.PageRights
	Done       string
}

func (u *ui) pageShow(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx, id := r.Context(), r.PathValue("id")
	rp, err := u.cfg.Pages.RenderPage(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	rights, err := u.cfg.Pages.PageRights(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	d := pageView{Page: rp.Page, Paragraphs: paragraphs(rp.Page.Body), Rights: rights, Done: doneContent(r.URL.Query().Get("done"))}
	for _, vz := range rp.Visualisations {
		if vz.Load {
			d.Shown = append(d.Shown, vz)
		} else {
			d.Hidden++
		}
	}
	v.Title = rp.Page.Title
	v.Data = d
	return u.render(w, http.StatusOK, "page", v)
}

// pageEditView is the editing form: what the page holds, or what was
// typed when the form comes back with an error.
type pageEditView struct {
	Page           portal.Page
	Visualisations []portal.RenderedVisualisation
	Remove         []string // ids of visualisations ticked for removal
	NewTitle       string
	NewDataset     string
	Datasets       []portal.Dataset // those the editor may consult, to choose from
	Err            fieldError
	Heading        string // the page's title as saved
	Rights         portal.PageRights
	Done           string
}

// Removed reports whether the visualisation id was ticked for removal.
func (p pageEditView) Removed(id string) bool { return slices.Contains(p.Remove, id) }

// datasetChoices is how many datasets the form proposes to pick from
// (any other may be typed by its id).
const datasetChoices = 200

// pageFor renders the page of the request's path for a signed-in reader
// whose rights on it may (Edit, Manage…) allows; refused in words of
// refusal otherwise.
func (u *ui) pageFor(r *http.Request, v *view, may func(portal.PageRights) bool, refusal messages.Key) (portal.RenderedPage, error) {
	if v.Actor == "" {
		return portal.RenderedPage{}, portal.ErrUnauthenticated
	}
	ctx, id := r.Context(), r.PathValue("id")
	rights, err := u.cfg.Pages.PageRights(ctx, v.Actor, id)
	if err != nil {
		return portal.RenderedPage{}, err
	}
	if !may(rights) {
		return portal.RenderedPage{}, problem.New(problem.CodeForbidden, messages.New(refusal))
	}
	return u.cfg.Pages.RenderPage(ctx, v.Actor, id)
}

func (u *ui) pageEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	rp, err := u.pageFor(r, v, func(p portal.PageRights) bool { return p.Edit }, "ui.pages.may_not_edit")
	if err != nil {
		return err
	}
	return u.showPageEdit(w, r, v, http.StatusOK, pageEditView{Page: rp.Page, Visualisations: rp.Visualisations, Done: doneContent(r.URL.Query().Get("done"))})
}

func (u *ui) showPageEdit(w http.ResponseWriter, r *http.Request, v *view, status int, d pageEditView) error {
	ctx, id := r.Context(), r.PathValue("id")
	ds, _, err := u.cfg.Pages.Datasets(ctx, v.Actor, portal.DatasetQuery{Permission: "consult", Limit: datasetChoices})
	if err != nil {
		return err
	}
	d.Datasets = ds
	saved, err := u.cfg.Pages.RenderPage(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	if d.Rights, err = u.cfg.Pages.PageRights(ctx, v.Actor, id); err != nil {
		return err
	}
	d.Heading = saved.Page.Title
	v.Title = messages.New("ui.pages.edit_title", d.Heading).In(v.Lang)
	v.Data = d
	return u.render(w, status, "page_edit", v)
}

// pageSave saves the editing form: title, body, the visualisations kept
// and the one added. A refusal about what was typed shows the form again
// with everything typed and the error by its field.
func (u *ui) pageSave(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	ctx, id, f := r.Context(), r.PathValue("id"), r.PostForm
	d := pageEditView{
		Page:       portal.Page{ID: id, Title: f.Get("title"), Body: strings.ReplaceAll(f.Get("body"), "\r\n", "\n")},
		Remove:     f["remove"],
		NewTitle:   f.Get("new_title"),
		NewDataset: strings.TrimSpace(f.Get("new_dataset")),
	}
	ids, titles, datasets := f["vis"], f["vis_title"], f["vis_dataset"]
	if len(titles) != len(ids) || len(datasets) != len(ids) {
		return problem.New(problem.CodeInvalidArgument, messages.New("ui.form_unreadable"))
	}
	vs := []portal.Visualisation{}
	for i, vid := range ids {
		vz := portal.Visualisation{ID: vid, Title: titles[i], Dataset: datasets[i]}
		d.Visualisations = append(d.Visualisations, portal.RenderedVisualisation{Visualisation: vz})
		if !d.Removed(vid) {
			vs = append(vs, vz)
		}
	}
	if d.NewTitle != "" && d.NewDataset == "" {
		d.Err = badField(v.Lang, r, "edit", "new_dataset", "ui.pages.dataset_needed")
		return u.showPageEdit(w, r, v, http.StatusBadRequest, d)
	}
	if d.NewDataset != "" {
		vs = append(vs, portal.Visualisation{ID: newVisualisationID(vs, d.NewDataset), Title: d.NewTitle, Dataset: d.NewDataset})
	}
	body := d.Page.Body
	_, err := u.cfg.Pages.UpdatePage(ctx, v.Actor, portal.PageUpdate{ID: id, Title: d.Page.Title, Body: &body, Visualisations: vs})
	if err == nil {
		http.Redirect(w, r, backTo("/pages/"+url.PathEscape(id), "saved"), http.StatusSeeOther)
		return nil
	}
	blame := ""
	if d.NewDataset != "" && (errors.Is(err, portal.ErrNotFound) || errors.Is(err, portal.ErrForbidden)) {
		// The page still the reader's to edit: the refusal is of the
		// dataset typed.
		if rights, rerr := u.cfg.Pages.PageRights(ctx, v.Actor, id); rerr == nil && rights.Edit {
			blame = "new_dataset"
		}
	}
	fields := formFields{"title": "title", "body": "body"}
	if d.NewDataset != "" {
		// The visualisation added is the last: its refusals are of the
		// inputs it was typed in.
		n := "visualisations[" + strconv.Itoa(len(vs)-1) + "] "
		fields[n+"title"], fields[n+"dataset"], fields[n+"id"] = "new_title", "new_dataset", "new_dataset"
	}
	fe, ok := namedRefusal(err, v.Lang, r, "edit", fields, blame)
	if !ok {
		return err
	}
	d.Err = fe
	return u.showPageEdit(w, r, v, fe.status(), d)
}

// newVisualisationID names a new visualisation after its dataset, made
// unique on the page ("-2", "-3"…); a dataset id that is no id makes no
// id either, and the portal's refusal names the dataset field.
func newVisualisationID(vs []portal.Visualisation, dataset string) string {
	base := strings.ToLower(dataset)
	id := base
	for n := 2; slices.ContainsFunc(vs, func(v portal.Visualisation) bool { return v.ID == id }); n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	return id
}

// memberRow is a person or group of the security tab, with the refusal
// of the last change made to it.
type memberRow struct {
	portal.PageMember
	Key, PageID string
	Err         fieldError
}

// securityView is the data of a page's security tab.
type securityView struct {
	Page      portal.Page
	Users     []memberRow
	Groups    []memberRow
	Query     string
	Found     []portal.Account
	Searched  bool
	GQuery    string
	FoundG    []portal.Holder
	GSearched bool
	Roles     []portal.ContentRoleHolder // the site-wide page roles, for whoever manages them
	ShowRoles bool
	Done      string
	Err       fieldError
	ErrHolder string // the row the error is about
}

func (u *ui) pageSecurity(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	q := r.URL.Query()
	return u.showSecurity(w, r, v, http.StatusOK, securityView{Query: q.Get("q"), GQuery: q.Get("gq"), Done: doneContent(q.Get("done"))})
}

func (u *ui) showSecurity(w http.ResponseWriter, r *http.Request, v *view, status int, d securityView) error {
	ctx, id := r.Context(), r.PathValue("id")
	ms, err := u.cfg.Pages.PageMembers(ctx, v.Actor, id) // manage, or refused
	if err != nil {
		return err
	}
	rp, err := u.cfg.Pages.RenderPage(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	d.Page = rp.Page
	for _, m := range ms {
		row := memberRow{PageMember: m, Key: holderKey(m.Holder), PageID: id}
		if row.Key == d.ErrHolder {
			row.Err, d.Err = d.Err, fieldError{} // shown by its row
		}
		if m.Holder.Kind == portal.HolderUser {
			d.Users = append(d.Users, row)
		} else {
			d.Groups = append(d.Groups, row)
		}
	}
	if strings.TrimSpace(d.Query) != "" {
		if d.Found, err = u.cfg.Pages.PageCandidates(ctx, v.Actor, id, d.Query, groupSearch); err != nil {
			return err
		}
		d.Searched = true
	}
	if strings.TrimSpace(d.GQuery) != "" {
		if d.FoundG, err = u.cfg.Pages.FindGroups(ctx, v.Actor, d.GQuery, groupSearch); err != nil {
			return err
		}
		d.GSearched = true
	}
	cr, err := u.cfg.Pages.ContentRights(ctx, v.Actor)
	if err != nil {
		return err
	}
	if cr.ManageRoles {
		if d.Roles, err = siteRoles(ctx, u.cfg.Pages, v.Actor, pageRoles); err != nil {
			return err
		}
		d.ShowRoles = true
	}
	v.Title = messages.New("ui.pages.security_title", rp.Page.Title).In(v.Lang)
	v.Data = d
	return u.render(w, status, "page_security", v)
}

// pageSecurityAction runs one form of the security tab: the access
// policy, adding people or groups (view, and edit when ticked), giving or
// taking "edit page", removing someone. A refusal of the domain (view
// removed alone…) shows the tab again with it.
func (u *ui) pageSecurityAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	var done string
	var err error
	var about string
	switch r.PathValue("action") {
	case "policy":
		switch r.PostForm.Get("policy") {
		case "public", "private":
		default:
			return problem.New(problem.CodeInvalidArgument, messages.New("ui.pages.choose_policy"))
		}
		_, err = u.cfg.Pages.SetPagePolicy(ctx, v.Actor, id, r.PostForm.Get("policy") == "public")
		done = "policy"
	case "add":
		var hs []portal.Holder
		if hs, err = parseHolders(r, "holder"); err != nil {
			return err
		}
		edit := r.PostForm.Get("edit") == "on"
		for _, h := range hs {
			if _, err = u.cfg.Pages.SetPageMember(ctx, v.Actor, id, portal.PageMember{Holder: h, View: true, Edit: edit}); err != nil {
				about = holderKey(h)
				break
			}
		}
		done = "added"
	case "set":
		var h portal.Holder
		if h, err = parseHolder(r.PostForm.Get("holder")); err != nil {
			return err
		}
		about = holderKey(h)
		// "view" goes with everyone added: the form never takes it
		// away, and the portal refuses whoever tries.
		m := portal.PageMember{Holder: h, View: r.PostForm.Get("view") != "off", Edit: r.PostForm.Get("edit") == "on"}
		_, err = u.cfg.Pages.SetPageMember(ctx, v.Actor, id, m)
		done = "changed"
	case "remove":
		var h portal.Holder
		if h, err = parseHolder(r.PostForm.Get("holder")); err != nil {
			return err
		}
		about = holderKey(h)
		err = u.cfg.Pages.RemovePageMember(ctx, v.Actor, id, h)
		done = "removed"
	default:
		return errNotFound
	}
	if err == nil {
		http.Redirect(w, r, backTo("/pages/"+url.PathEscape(id)+"/security", done), http.StatusSeeOther)
		return nil
	}
	blame := ""
	if about != "" && errors.Is(err, portal.ErrNotFound) {
		// The page still the reader's to manage: the refusal is of the
		// person or group named.
		if rights, rerr := u.cfg.Pages.PageRights(ctx, v.Actor, id); rerr == nil && rights.Manage {
			blame = "holder"
		}
	}
	fe, ok := namedRefusal(err, v.Lang, r, "member", formFields{"": "holder"}, blame)
	if !ok {
		return err
	}
	// The searches the form came from show again, with the refusal.
	return u.showSecurity(w, r, v, fe.status(), securityView{Err: fe, ErrHolder: about, Query: r.PostForm.Get("q"), GQuery: r.PostForm.Get("gq")})
}
