package api

import (
	"net/http"
)

// GET /api/v1/catalogue/searchable?cursor=&limit=: the datasets the caller
// may find in the catalogue, for a search engine's index or a listing.
func (a *api) searchableDatasets(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	ds, next, err := a.Portal.Catalogue.SearchableDatasets(r.Context(), actor(r), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, DatasetList{Datasets: each(ds, datasetOut), Cursor: next})
}

// POST /api/v1/catalogue/filter: which of these datasets (a page of search
// results) the caller has the permission on.
func (a *api) filterDatasets(w http.ResponseWriter, r *http.Request) error {
	var req FilterRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Permission == "" {
		req.Permission = "search"
	}
	if len(req.IDs) > a.MaxBatch {
		return badRequest("%d ids: at most %d per request", len(req.IDs), a.MaxBatch)
	}
	res, err := a.Portal.Catalogue.FilterDatasets(r.Context(), actor(r), req.IDs, req.Permission)
	if err != nil {
		return err
	}
	out := FilterResponse{Permission: req.Permission, Results: make(map[string]bool, len(req.IDs)), Allowed: []string{}}
	for _, id := range req.IDs {
		ok := res[id]
		if _, seen := out.Results[id]; !seen && ok {
			out.Allowed = append(out.Allowed, id)
		}
		out.Results[id] = ok
	}
	return writeJSON(w, http.StatusOK, out)
}
