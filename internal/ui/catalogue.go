package ui

import (
	"context"
	"net/http"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// pageSize is how many datasets a page of the catalogue lists.
const pageSize = 50

// rights are the dataset permissions a reader is told about, from the
// least to the most.
var rights = []string{"search", "consult", "download", "edit", "manage_access"}

// catalogueRow is a dataset as the catalogue lists it, with what the
// reader may do.
type catalogueRow struct {
	portal.Dataset
	OwnerName string
	Consult   bool
	Download  bool
}

// catalogue lists the datasets the reader may find, a page at a time
// (?after= the last id of the previous page).
func (u *ui) catalogue(w http.ResponseWriter, r *http.Request, v *view) error {
	after := r.URL.Query().Get("after")
	ds, next, err := u.cfg.Catalogue.SearchableDatasets(r.Context(), v.Actor, after, pageSize)
	if err != nil {
		return err
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	may := map[string]map[string]bool{}
	for _, perm := range []string{"consult", "download"} {
		if may[perm], err = u.cfg.Catalogue.FilterDatasets(r.Context(), v.Actor, ids, perm); err != nil {
			return err
		}
	}
	names := u.orgNames(r.Context(), v.Actor)
	rows := make([]catalogueRow, len(ds))
	for i, d := range ds {
		rows[i] = catalogueRow{Dataset: d, OwnerName: names(d.Owner), Consult: may["consult"][d.ID], Download: may["download"][d.ID]}
	}
	v.Title = messages.New("ui.catalogue.title").In(v.Lang)
	v.Data = struct {
		Rows  []catalogueRow
		After string
		Next  string
	}{rows, after, next}
	return u.render(w, http.StatusOK, "catalogue", v)
}

// orgNames returns a function that names an organisation for the reader:
// its name when the reader may read it, else its id (an anonymous visitor
// reads no organisation). It asks once per organisation.
func (u *ui) orgNames(ctx context.Context, actor string) func(id string) string {
	seen := map[string]string{}
	return func(id string) string {
		if n, ok := seen[id]; ok {
			return n
		}
		n := id
		if actor != "" {
			if o, err := u.cfg.Catalogue.Organisation(ctx, actor, id); err == nil {
				n = o.Name
			}
		}
		seen[id] = n
		return n
	}
}
