package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// The maps of source 004: the maps I may see, creating one ("Add a Map",
// for whoever may), a map's page (its layers and owners), and its share
// dialog: a privilege per role (communities, organisations; read < write
// < owner), never per person. The refusal to take away a map's last owner
// shows on the dialog, by the role it is about.

// Maps is what the maps screens need of the domain.
type Maps interface {
	ContentRoles
	Maps(ctx context.Context, actor, after string, limit int) ([]portal.Map, error)
	Map(ctx context.Context, actor, id string) (portal.Map, error)
	MapRights(ctx context.Context, actor, id string) (portal.MapRights, error)
	MapOwners(ctx context.Context, actor, id string) ([]portal.Holder, error)
	CreateMap(ctx context.Context, actor string, m portal.Map, owner portal.Holder) (portal.Map, error)
	MapShares(ctx context.Context, actor, id string) ([]portal.MapShare, error)
	SetMapShare(ctx context.Context, actor, id string, group portal.Holder, l portal.MapLevel) (portal.MapShare, error)
	Datasets(ctx context.Context, actor string, q portal.DatasetQuery) ([]portal.Dataset, string, error)
	MapEditor
}

// mapRoles are the site-wide roles over maps.
var mapRoles = []portal.ContentRole{portal.ContentMapAdministrator, portal.ContentMapEditor, portal.ContentMapCreator}

// mapsView is the maps list, with the creation form for whoever may
// create a map (what was typed, when it comes back with an error).
type mapsView struct {
	Maps     []portal.Map
	Next     string
	Rights   portal.ContentRights
	Owners   roleChoice // the reader's roles a map may be created for, bounded (rolechoice.go)
	Datasets []portal.Dataset
	Name     string
	Icon     string
	Owner    string
	Dataset  string
	Roles    []portal.ContentRoleHolder // the site-wide map roles, for whoever manages them
	Done     string
	Err      fieldError
}

func (u *ui) mapsList(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	return u.showMaps(w, r, v, http.StatusOK, mapsView{Done: doneContent(r.URL.Query().Get("done"))})
}

func (u *ui) showMaps(w http.ResponseWriter, r *http.Request, v *view, status int, d mapsView) error {
	ctx := r.Context()
	ms, err := u.cfg.Maps.Maps(ctx, v.Actor, r.URL.Query().Get("after"), listPage+1)
	if err != nil {
		return err
	}
	d.Maps, d.Next = page(ms, func(m portal.Map) string { return m.ID })
	if d.Rights, err = u.cfg.Maps.ContentRights(ctx, v.Actor); err != nil {
		return err
	}
	if d.Rights.CreateMap {
		p, err := u.cfg.Members.Profile(ctx, v.Actor, v.Actor)
		if err != nil {
			return err
		}
		var owners []portal.Holder
		for _, m := range p.Communities {
			owners = append(owners, portal.Holder{Kind: portal.HolderCommunity, ID: m.Community, Name: m.Name})
		}
		for _, m := range p.Organisations {
			owners = append(owners, portal.Holder{Kind: portal.HolderOrganisation, ID: m.Organisation, Name: m.Name})
		}
		d.Owners = chooseRoles(owners, r.URL.Query().Get("oq"), d.Owner)
		if d.Datasets, _, err = u.cfg.Maps.Datasets(ctx, v.Actor, portal.DatasetQuery{Permission: "consult", Limit: datasetChoices}); err != nil {
			return err
		}
	}
	if d.Rights.ManageRoles {
		if d.Roles, err = siteRoles(ctx, u.cfg.Maps, v.Actor, mapRoles); err != nil {
			return err
		}
	}
	v.Title = messages.New("ui.maps.title").In(v.Lang)
	v.Data = d
	return u.render(w, status, "maps", v)
}

// mapCreate creates a map for the role chosen, with the dataset typed (if
// any) as its first layer; a refusal about what was typed shows the list
// again with the form as it was filled.
func (u *ui) mapCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	f := r.PostForm
	d := mapsView{Name: f.Get("name"), Icon: f.Get("icon"), Owner: f.Get("owner"), Dataset: strings.TrimSpace(f.Get("dataset"))}
	owner, err := parseHolder(d.Owner)
	if err != nil {
		d.Err = fieldError{Form: "create", Values: f}
		d.Err.add("owner", problem.From(err).Msg, v.Lang)
		return u.showMaps(w, r, v, d.Err.status(), d)
	}
	m := portal.Map{Name: d.Name, Icon: d.Icon}
	if d.Dataset != "" {
		m.Resources = []portal.MapResource{{Kind: portal.ResourceDataset, ID: d.Dataset}}
	}
	made, err := u.cfg.Maps.CreateMap(r.Context(), v.Actor, m, owner)
	if err == nil {
		http.Redirect(w, r, backTo("/maps/"+url.PathEscape(made.ID), "map_created"), http.StatusSeeOther)
		return nil
	}
	blame := ""
	if errors.Is(err, portal.ErrNotFound) || errors.Is(err, portal.ErrForbidden) {
		// Whoever may create maps is refused only what they named: the
		// dataset, or a role that is not theirs.
		if cr, rerr := u.cfg.Maps.ContentRights(r.Context(), v.Actor); rerr == nil && cr.CreateMap {
			blame = "owner"
			if aboutDataset(err) {
				blame = "dataset"
			}
		}
	}
	fe, ok := namedRefusal(err, v.Lang, r, "create", formFields{"name": "name", "icon": "icon", "owner": "owner", "resources": "dataset"}, blame)
	if !ok {
		return err
	}
	d.Err = fe
	return u.showMaps(w, r, v, fe.status(), d)
}

// mapOf reads the map of the request's path and what the signed-in
// reader may do with it (not found for whoever may not view it).
func (u *ui) mapOf(r *http.Request, v *view) (portal.Map, portal.MapRights, error) {
	if v.Actor == "" {
		return portal.Map{}, portal.MapRights{}, portal.ErrUnauthenticated
	}
	ctx, id := r.Context(), r.PathValue("id")
	m, err := u.cfg.Maps.Map(ctx, v.Actor, id)
	if err != nil {
		return portal.Map{}, portal.MapRights{}, err
	}
	rights, err := u.cfg.Maps.MapRights(ctx, v.Actor, id)
	return m, rights, err
}

// mapShow is a map's page: its layers and the roles that own it.
func (u *ui) mapShow(w http.ResponseWriter, r *http.Request, v *view) error {
	m, rights, err := u.mapOf(r, v)
	if err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	owners, err := u.cfg.Maps.MapOwners(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	v.Title = m.Name
	v.Data = struct {
		Map    portal.Map
		Rights portal.MapRights
		Owners []portal.Holder
		Done   string
	}{m, rights, owners, doneContent(r.URL.Query().Get("done"))}
	return u.render(w, http.StatusOK, "map", v)
}

// shareView is the share dialog: the roles and their privileges, the
// groups found to share with, and the refusal of the last change.
type shareView struct {
	Map      portal.Map
	Shares   []portal.MapShare
	Levels   []portal.MapLevel
	GQuery   string
	Found    []portal.Holder
	Searched bool
	Done     string
	Err      fieldError
	ErrGroup string // the role the refusal is about
	ErrIn    string // where its row is: "shares" or "found"
}

func (u *ui) mapShare(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	q := r.URL.Query()
	return u.showShare(w, r, v, http.StatusOK, shareView{GQuery: q.Get("gq"), Done: doneContent(q.Get("done"))})
}

func (u *ui) showShare(w http.ResponseWriter, r *http.Request, v *view, status int, d shareView) error {
	ctx, id := r.Context(), r.PathValue("id")
	shares, err := u.cfg.Maps.MapShares(ctx, v.Actor, id) // share, or refused
	if err != nil {
		return err
	}
	m, err := u.cfg.Maps.Map(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	d.Map, d.Shares, d.Levels = m, shares, portal.MapLevels
	if strings.TrimSpace(d.GQuery) != "" {
		if d.Found, err = u.cfg.Maps.FindGroups(ctx, v.Actor, d.GQuery, groupSearch); err != nil {
			return err
		}
		d.Searched = true
	}
	// The refusal shows by the role's row: its share, else its search
	// result, else above the table.
	switch {
	case slices.ContainsFunc(shares, func(s portal.MapShare) bool { return holderKey(s.Group) == d.ErrGroup }):
		d.ErrIn = "shares"
	case slices.ContainsFunc(d.Found, func(h portal.Holder) bool { return holderKey(h) == d.ErrGroup }):
		d.ErrIn = "found"
	default:
		d.ErrGroup = ""
	}
	v.Title = messages.New("ui.maps.share_title", m.Name).In(v.Lang)
	v.Data = d
	return u.render(w, status, "map_share", v)
}

// mapShareAction gives a role a privilege on the map (added or changed),
// or takes it away (remove, or the level "none"). The domain's refusal
// (the last owner, a bad level) shows on the dialog, by the role.
func (u *ui) mapShareAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	g, err := parseHolder(r.PostForm.Get("group"))
	if err != nil {
		return err
	}
	level, done := portal.MapLevel(r.PostForm.Get("level")), "shared"
	if r.PostForm.Get("action") == "remove" || level == "none" {
		level, done = portal.MapNone, "unshared"
	}
	_, err = u.cfg.Maps.SetMapShare(ctx, v.Actor, id, g, level)
	if err == nil {
		http.Redirect(w, r, backTo("/maps/"+url.PathEscape(id)+"/share", done), http.StatusSeeOther)
		return nil
	}
	blame := ""
	if errors.Is(err, portal.ErrNotFound) {
		if rights, rerr := u.cfg.Maps.MapRights(ctx, v.Actor, id); rerr == nil && rights.Share {
			blame = "group" // the map is here: the role named is not
		}
	}
	fe, ok := namedRefusal(err, v.Lang, r, "share", formFields{"": "group"}, blame)
	if !ok {
		return err
	}
	return u.showShare(w, r, v, fe.status(), shareView{Err: fe, ErrGroup: holderKey(g), GQuery: r.PostForm.Get("gq")})
}

// aboutDataset reports whether a refusal of a change is about a dataset
// it named: one the actor may not find, or may not consult.
func aboutDataset(err error) bool {
	var pe *portal.Error
	if !errors.As(err, &pe) {
		return false
	}
	if pe.Msg.Key == "portal.resource_not_yours" {
		return true
	}
	if pe.Msg.Key == "notfound.object" && len(pe.Msg.Args) > 0 {
		if n, ok := pe.Msg.Args[0].(messages.Message); ok {
			return n.Key == "noun.dataset"
		}
	}
	return false
}
