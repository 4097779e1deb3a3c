package ui

import (
	"net/http"
	"slices"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// may is one right on a dataset and whether the reader holds it.
type may struct {
	Permission string
	Allowed    bool
}

// dataset shows a dataset with what the reader may do on it; a signed-in
// reader gets a "why" link on each right.
func (u *ui) dataset(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := u.cfg.Catalogue.Dataset(r.Context(), v.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	var mays []may
	for _, perm := range rights {
		ok, err := u.cfg.Catalogue.FilterDatasets(r.Context(), v.Actor, []string{d.ID}, perm)
		if err != nil {
			return err
		}
		mays = append(mays, may{perm, ok[d.ID]})
	}
	// The producer, and its contact for a signed-in reader (source 000:
	// « contacter le responsable de la donnée indiqué sur la fiche
	// produit »); organisations are read by accounts only.
	owner := portal.Organisation{ID: d.Owner, Name: d.Owner}
	if v.Actor != "" {
		o, err := u.cfg.Catalogue.Organisation(r.Context(), v.Actor, d.Owner)
		switch {
		case err == nil:
			owner = o
		case problem.From(err).Status >= 500:
			return err
		} // a refusal (a disabled account): the producer's id, as to a visitor
	}
	v.Title = d.Title
	v.Data = struct {
		Dataset portal.Dataset
		Owner   portal.Organisation
		Rights  []may
	}{d, owner, mays}
	return u.render(w, http.StatusOK, "dataset", v)
}

// why explains, to a signed-in reader, why they hold a right on a dataset
// or not, in the explain service's words.
func (u *ui) why(w http.ResponseWriter, r *http.Request, v *view) error {
	perm := r.PathValue("permission")
	if !slices.Contains(rights, perm) {
		return errNotFound
	}
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	d, err := u.cfg.Catalogue.Dataset(r.Context(), v.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	x, err := u.cfg.Catalogue.Explain(r.Context(), v.Actor, d.ID, v.Actor, perm)
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.why.title", d.Title).In(v.Lang)
	v.Data = struct {
		Dataset     portal.Dataset
		Explanation portal.Explanation
	}{d, x}
	return u.render(w, http.StatusOK, "why", v)
}
