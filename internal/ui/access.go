package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// The "Accès à la donnée" screen of source 001: a dataset's default level,
// the table of groups with their specific and effective levels, its
// filters, and the bulk actions, each previewed before it applies.

// accessPage is how many groups a page of the table shows.
const accessPage = 100

// accessQuery is the table's filter as the page's query string holds it.
type accessQuery struct {
	Kind, OrgType, Level, Name, Sort string
	Page                             int
}

func readAccessQuery(q url.Values) accessQuery {
	page, _ := strconv.Atoi(q.Get("page"))
	return accessQuery{Kind: q.Get("kind"), OrgType: q.Get("org_type"), Level: q.Get("level"), Name: q.Get("name"), Sort: q.Get("sort"), Page: max(page, 0)}
}

// filter turns the query into the portal's filter; a bad value is an
// invalid argument naming its field.
func (a accessQuery) filter() (portal.AccessFilter, error) {
	f := portal.AccessFilter{Kind: portal.GroupKind(a.Kind), OrgType: portal.OrgType(a.OrgType), Name: a.Name, Sort: a.Sort, Offset: a.Page * accessPage, Limit: accessPage}
	if a.Level != "" {
		l, err := portal.ParseLevel(a.Level)
		if err != nil {
			return f, problem.New(problem.CodeInvalidArgument, messages.New("ui.access.bad_level", "level"))
		}
		f.Level = &l
	}
	return f, nil
}

// values is the query string of a, for links to other pages of the table.
func (a accessQuery) values(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"kind": a.Kind, "org_type": a.OrgType, "level": a.Level, "name": a.Name, "sort": a.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 0 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

// accessView is the data of the access screen.
type accessView struct {
	Dataset     portal.Dataset
	Rows        []portal.AccessRow
	Total       int
	Query       accessQuery
	Prev, Next  string // query strings of the neighbour pages, "" when none
	Levels      []portal.Level
	Kinds       []portal.GroupKind
	OrgTypes    []portal.OrgType
	Done        int // changes just applied, shown once
	DoneDefault bool
	Grantable   []portal.Level
}

func (u *ui) access(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	q := readAccessQuery(r.URL.Query())
	f, err := q.filter()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	rows, total, err := u.cfg.Access.AccessTable(r.Context(), v.Actor, id, f)
	if err != nil {
		return err
	}
	d, err := u.cfg.Catalogue.Dataset(r.Context(), v.Actor, id)
	if err != nil {
		return err
	}
	a := accessView{Dataset: d, Rows: rows, Total: total, Query: q,
		Levels: []portal.Level{portal.LevelPrivate, portal.LevelSearch, portal.LevelConsult, portal.LevelDownload},
		Kinds:  []portal.GroupKind{portal.GroupOrganisation, portal.GroupCommunity, portal.GroupOrgGroup},
		OrgTypes: []portal.OrgType{portal.OrgStateService, portal.OrgLocalAuthority, portal.OrgPublicEstablishment,
			portal.OrgAssociation, portal.OrgResearch, portal.OrgPrivate, portal.OrgOther},
	}
	for l := max(d.Default, portal.LevelSearch); l <= portal.LevelDownload; l++ {
		a.Grantable = append(a.Grantable, l)
	}
	if q.Page > 0 {
		a.Prev = q.values(q.Page - 1)
	}
	if (q.Page+1)*accessPage < total {
		a.Next = q.values(q.Page + 1)
	}
	a.Done, _ = strconv.Atoi(r.URL.Query().Get("done"))
	a.DoneDefault = r.URL.Query().Get("default") == "1"
	v.Title = messages.New("ui.access.title", d.Title).In(v.Lang)
	v.Data = a
	return u.render(w, http.StatusOK, "access", v)
}

// groupKey is how a form names a group: "kind:id".
func groupKey(g portal.GroupRef) string { return string(g.Kind) + ":" + g.ID }

func parseGroupKey(s string) (portal.GroupRef, error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok || id == "" {
		return portal.GroupRef{}, problem.New(problem.CodeInvalidArgument, messages.New("ui.access.bad_group", messages.Quote(s)))
	}
	return portal.GroupRef{Kind: portal.GroupKind(kind), ID: id}, nil
}

// readForm parses r's form, refusing one that cannot be read (a body
// over net/http's limit, bad escapes) with a message that says so.
func readForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.New(problem.CodeInvalidArgument, messages.New("ui.form_unreadable"))
	}
	return nil
}

// bulkForm is a bulk action as its form holds it.
func bulkForm(r *http.Request) (portal.BulkAction, error) {
	if err := readForm(r); err != nil {
		return portal.BulkAction{}, err
	}
	b := portal.BulkAction{Action: r.PostForm.Get("action"), Mode: r.PostForm.Get("mode")}
	if b.Action == "" {
		return b, problem.New(problem.CodeInvalidArgument, messages.New("ui.access.choose_action"))
	}
	if b.Action == "grant" {
		l, err := portal.ParseLevel(r.PostForm.Get("level"))
		if err != nil {
			return b, problem.New(problem.CodeInvalidArgument, messages.New("ui.access.bad_level", "level"))
		}
		b.Level = l
	}
	for _, s := range r.PostForm["group"] {
		g, err := parseGroupKey(s)
		if err != nil {
			return b, err
		}
		b.Groups = append(b.Groups, g)
	}
	if len(b.Groups) == 0 {
		return b, problem.New(problem.CodeInvalidArgument, messages.New("ui.access.choose_groups"))
	}
	return b, nil
}

// bulk previews a bulk action (the changes it would make, nothing
// written), or applies it when the preview's form confirms it.
func (u *ui) bulk(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	id := r.PathValue("id")
	b, err := bulkForm(r)
	if err != nil {
		return err
	}
	confirm := r.PostForm.Get("confirm") == "1"
	b.DryRun = !confirm
	changes, err := u.cfg.Access.BulkAccess(r.Context(), v.Actor, id, b)
	if err != nil {
		return err
	}
	if confirm {
		http.Redirect(w, r, fmt.Sprintf("/datasets/%s/access?done=%d", url.PathEscape(id), len(changes)), http.StatusSeeOther)
		return nil
	}
	d, err := u.cfg.Catalogue.Dataset(r.Context(), v.Actor, id)
	if err != nil {
		return err
	}
	keys := make([]string, len(b.Groups))
	for i, g := range b.Groups {
		keys[i] = groupKey(g)
	}
	return u.preview(w, v, previewView{d, b, keys, changes, false})
}

// setDefault previews a new default level (every group level it would
// raise with it), or applies it when the preview's form confirms it.
func (u *ui) setDefault(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	id := r.PathValue("id")
	l, err := portal.ParseLevel(r.PostFormValue("level"))
	if err != nil {
		return problem.New(problem.CodeInvalidArgument, messages.New("ui.access.bad_level", "level"))
	}
	if r.PostFormValue("confirm") == "1" {
		if _, _, err := u.cfg.Access.SetDefaultLevel(r.Context(), v.Actor, id, l); err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("/datasets/%s/access?default=1", url.PathEscape(id)), http.StatusSeeOther)
		return nil
	}
	d, changes, err := u.cfg.Access.PreviewDefaultLevel(r.Context(), v.Actor, id, l)
	if err != nil {
		return err
	}
	return u.preview(w, v, previewView{d, portal.BulkAction{Level: l}, nil, changes, true})
}

// previewView is what a change of levels would do, before it applies:
// the changes, and the form that applies them (a bulk action on Keys, or
// the default level when Default).
type previewView struct {
	Dataset portal.Dataset
	Action  portal.BulkAction
	Keys    []string
	Changes []portal.BulkChange
	Default bool
}

func (u *ui) preview(w http.ResponseWriter, v *view, p previewView) error {
	v.Title = messages.New("ui.access.preview_title", p.Dataset.Title).In(v.Lang)
	v.Data = p
	return u.render(w, http.StatusOK, "preview", v)
}

// accessWhy explains one group's effective level of the access table: the
// level and every source of it, in the explain service's words, with the
// way back to the table (manage_access, as the table).
func (u *ui) accessWhy(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	g := portal.GroupRef{Kind: portal.GroupKind(r.PathValue("kind")), ID: r.PathValue("group")}
	x, err := u.cfg.Access.ExplainGroupLevel(r.Context(), v.Actor, r.PathValue("id"), g)
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.accesswhy.title", x.Name, x.Dataset.Title).In(v.Lang)
	v.Data = x
	return u.render(w, http.StatusOK, "accesswhy", v)
}
