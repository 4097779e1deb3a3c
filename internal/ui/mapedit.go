package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// The rest of a map's privileges in source 004 (« Peut éditer », « Peut
// supprimer », and « les utilisateurs disposant de privilèges de
// propriétaire peuvent également définir ou modifier les propriétés de la
// carte (nom et icône) »): a map's edit screen, with the forms the reader
// holds the privilege of (its properties; its layers; its deletion, asked
// first); a reader who holds none of them is refused the screen, and
// each action is authorized again by the portal.

// MapEditor is what the map's edit screen needs of the domain besides
// Maps.
type MapEditor interface {
	UpdateMap(ctx context.Context, actor string, m portal.Map) (portal.Map, error)
	SetMapResources(ctx context.Context, actor, id string, rs []portal.MapResource) (portal.Map, error)
	DeleteMap(ctx context.Context, actor, id string) error
}

// mapEditView is the edit screen: the map, what the reader may do with
// it, and the forms as they were filled when one was refused.
type mapEditView struct {
	Map      portal.Map
	Rights   portal.MapRights
	Datasets []portal.Dataset // consultable: the layers one may add
	Name     string
	Icon     string
	Dataset  string
	Done     string
	Err      fieldError
}

// mapEditDone are what the edit screen reports once done, by ?done=.
var mapEditDone = map[string]string{"saved": "ui.mapedit.saved", "added": "ui.mapedit.layer_added", "removed": "ui.mapedit.layer_removed"}

func (u *ui) mapEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	return u.showMapEdit(w, r, v, mapEditView{Done: mapEditDone[r.URL.Query().Get("done")]})
}

func (u *ui) showMapEdit(w http.ResponseWriter, r *http.Request, v *view, d mapEditView) error {
	ctx, id := r.Context(), r.PathValue("id")
	m, err := u.cfg.Maps.Map(ctx, v.Actor, id)
	if err != nil {
		return err
	}
	if d.Rights, err = u.mayEditMap(ctx, v.Actor, id); err != nil {
		return err
	}
	d.Map = m
	if d.Err.Form != "properties" {
		d.Name, d.Icon = m.Name, m.Icon
	}
	if d.Rights.Edit {
		if d.Datasets, _, err = u.cfg.Maps.Datasets(ctx, v.Actor, portal.DatasetQuery{Permission: "consult", Limit: datasetChoices}); err != nil {
			return err
		}
	}
	v.Title = messages.New("ui.mapedit.title", m.Name).In(v.Lang)
	v.Data = d
	return u.render(w, d.Err.status(), "map_edit", v)
}

// mayEditMap is the reader's privileges on map id, refused when they
// hold none of those the edit screen offers.
func (u *ui) mayEditMap(ctx context.Context, actor, id string) (portal.MapRights, error) {
	rights, err := u.cfg.Maps.MapRights(ctx, actor, id)
	if err != nil {
		return rights, err
	}
	if !rights.SetProperties && !rights.Edit && !rights.Delete {
		return rights, portal.ErrForbidden
	}
	return rights, nil
}

// resourceKey names a layer of a map in the remove forms.
func resourceKey(r portal.MapResource) string {
	return string(r.Kind) + ":" + r.ID + "/" + r.Layer
}

// mapEditAction runs a form of the edit screen (properties, add, remove)
// and comes back to it saying what was done; a refusal of what was typed
// shows beside its field, the forms as they were filled.
func (u *ui) mapEditAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	ctx, id, f := r.Context(), r.PathValue("id"), r.PostForm
	again := func(e fieldError) error {
		return u.showMapEdit(w, r, v, mapEditView{Err: e, Name: f.Get("name"), Icon: f.Get("icon"), Dataset: f.Get("dataset")})
	}
	var err error
	var form, done string
	var fields formFields
	switch action := r.PathValue("action"); action {
	case "properties":
		form, done, fields = action, "saved", formFields{"": "m-name", "name": "m-name", "icon": "m-icon"}
		_, err = u.cfg.Maps.UpdateMap(ctx, v.Actor, portal.Map{ID: id, Name: f.Get("name"), Icon: f.Get("icon")})
	case "add", "remove":
		form, fields = "layers", formFields{"": "m-dataset"}
		var m portal.Map
		if m, err = u.cfg.Maps.Map(ctx, v.Actor, id); err != nil {
			return err
		}
		rs := m.Resources
		if action == "add" {
			ds := strings.TrimSpace(f.Get("dataset"))
			if ds == "" {
				return again(badField(v.Lang, r, form, "m-dataset", "ui.mapedit.dataset_needed"))
			}
			rs, done = append(slices.Clip(rs), portal.MapResource{Kind: portal.ResourceDataset, ID: ds}), "added"
		} else {
			i := slices.IndexFunc(rs, func(x portal.MapResource) bool { return resourceKey(x) == f.Get("resource") })
			if i < 0 {
				return errNotFound // a layer removed meanwhile, or never there
			}
			rs, done = slices.Delete(slices.Clone(rs), i, i+1), "removed"
		}
		_, err = u.cfg.Maps.SetMapResources(ctx, v.Actor, id, rs)
	default:
		return errNotFound
	}
	if err != nil {
		if fe, ok := refusal(err, v.Lang, r, form, fields); ok {
			return again(fe)
		}
		return err
	}
	http.Redirect(w, r, backTo("/maps/"+url.PathEscape(id)+"/edit", done), http.StatusSeeOther)
	return nil
}

// mapConfirmDelete asks before deleting a map (to whoever may).
func (u *ui) mapConfirmDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	m, rights, err := u.mapOf(r, v)
	if err != nil {
		return err
	}
	if !rights.Delete {
		return portal.ErrForbidden
	}
	id := r.PathValue("id")
	return u.confirm(w, v, confirmation{
		Question:    messages.New("ui.mapedit.delete_question", m.Name).In(v.Lang),
		Consequence: messages.New("ui.mapedit.delete_consequence").In(v.Lang),
		Action:      "/maps/" + url.PathEscape(id) + "/delete",
		Button:      messages.New("ui.mapedit.delete").In(v.Lang),
		Back:        "/maps/" + url.PathEscape(id) + "/edit",
	})
}

// mapDelete deletes a map once confirmed, and goes to the list of maps.
func (u *ui) mapDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if err := readForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if r.PostForm.Get("confirm") != "yes" {
		http.Redirect(w, r, "/maps/"+url.PathEscape(id)+"/delete", http.StatusSeeOther)
		return nil
	}
	if err := u.cfg.Maps.DeleteMap(r.Context(), v.Actor, id); err != nil {
		return err
	}
	http.Redirect(w, r, backTo("/maps", "map_deleted"), http.StatusSeeOther)
	return nil
}
