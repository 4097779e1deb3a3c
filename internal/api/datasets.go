package api

import (
	"net/http"
	"strconv"

	"github.com/octroi/octroi/internal/portal"
)

// POST /api/v1/datasets (editors of the owning organisation)
func (a *api) createDataset(w http.ResponseWriter, r *http.Request) error {
	var req CreateDatasetRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.DefaultLevel == "" {
		req.DefaultLevel = portal.LevelPrivate.String()
	}
	l, err := parseLevel("default_level", req.DefaultLevel)
	if err != nil {
		return err
	}
	d, err := a.Portal.Datasets.CreateDataset(r.Context(), actor(r), portal.Dataset{ID: req.ID, Title: req.Title, Owner: req.Owner, Default: l})
	if err != nil {
		return err
	}
	return created(w, datasetOut(d))
}

// GET /api/v1/datasets?owner=&permission=&cursor=&limit=: the datasets on
// which the caller has permission (default search), of one organisation
// when owner is set — e.g. ?permission=edit, the datasets I may edit.
func (a *api) listDatasets(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ds, next, err := a.Portal.Datasets.Datasets(r.Context(), actor(r), portal.DatasetQuery{Owner: q.Get("owner"), Permission: q.Get("permission"), After: after, Limit: limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, DatasetList{Datasets: each(ds, datasetOut), Cursor: next})
}

// GET /api/v1/datasets/{id}
func (a *api) getDataset(w http.ResponseWriter, r *http.Request) error {
	d, err := a.Portal.Datasets.Dataset(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, datasetOut(d))
}

// PUT /api/v1/datasets/{id}: the title (levels have their own endpoints).
func (a *api) updateDataset(w http.ResponseWriter, r *http.Request) error {
	var req UpdateDatasetRequest
	if err := decodeUpdate(r, &req, hintID, hintCreated, fieldHint{"owner", "a dataset's owner never changes"},
		fieldHint{"default_level", "set it with PUT /api/v1/datasets/{id}/default-level"}); err != nil {
		return err
	}
	d, err := a.Portal.Datasets.UpdateDataset(r.Context(), actor(r), portal.Dataset{ID: r.PathValue("id"), Title: req.Title})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, datasetOut(d))
}

// DELETE /api/v1/datasets/{id}
func (a *api) deleteDataset(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Datasets.DeleteDataset(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// PUT /api/v1/datasets/{id}/default-level: specific levels below the new
// default are removed (listed in changes): none ever lies below it.
// dry_run (body or query) previews, as the bulk endpoint does.
func (a *api) setDefaultLevel(w http.ResponseWriter, r *http.Request) error {
	var req DefaultLevelRequest
	if err := decodeUpdate(r, &req); err != nil {
		return err
	}
	dry, err := queryBool(r, "dry_run")
	if err != nil {
		return err
	}
	if req.Level == nil {
		return badRequest("level is required: private, search, consult or download")
	}
	l, err := parseLevel("level", *req.Level)
	if err != nil {
		return err
	}
	set := a.Portal.Access.SetDefaultLevel
	if dry = dry || req.DryRun; dry {
		set = a.Portal.Access.PreviewDefaultLevel
	}
	d, changes, err := set(r.Context(), actor(r), r.PathValue("id"), l)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, DefaultLevelResponse{DryRun: dry, Dataset: datasetOut(d), Changes: each(changes, changeOut)})
}

// GET /api/v1/datasets/{id}/access?kind=&org_type=&level=&name=&sort=&order=&offset=&limit=
// The table of DataSud's "Accès à la donnée": every group with its
// specific and effective level, filtered by kind of group, organisation
// type, effective level and part of the name, sorted by name, level or
// type.
func (a *api) getAccessTable(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := portal.AccessFilter{Kind: portal.GroupKind(q.Get("kind")), OrgType: portal.OrgType(q.Get("org_type")), Name: q.Get("name"), Sort: q.Get("sort")}
	switch o := q.Get("order"); o {
	case "", "asc":
	case "desc":
		f.Desc = true
	default:
		return badRequest("order=%q: want asc or desc", o)
	}
	if s := q.Get("level"); s != "" {
		l, err := parseLevel("level", s)
		if err != nil {
			return err
		}
		f.Level = &l
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return badRequest("offset=%q: want a non-negative integer", s)
		}
		f.Offset = n
	}
	_, limit, err := a.page(r)
	if err != nil {
		return err
	}
	f.Limit = limit
	id := r.PathValue("id")
	rows, total, err := a.Portal.Access.AccessTable(r.Context(), actor(r), id, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, AccessTable{Dataset: id, Rows: each(rows, accessRowOut), Total: total})
}

// PUT /api/v1/datasets/{id}/access/{kind}/{group}: one group's specific
// level; {"level": null} removes it.
func (a *api) setGroupLevel(w http.ResponseWriter, r *http.Request) error {
	var req LevelRequest
	if err := decodeUpdate(r, &req, fieldHint{"group", "the group is the one in the path ({kind}/{group})"},
		fieldHint{"dry_run", "preview with POST /api/v1/datasets/{id}/access/bulk and dry_run"}); err != nil {
		return err
	}
	var l *portal.Level
	if req.Level != nil {
		v, err := parseLevel("level", *req.Level)
		if err != nil {
			return err
		}
		l = &v
	}
	g := portal.GroupRef{Kind: portal.GroupKind(r.PathValue("kind")), ID: r.PathValue("group")}
	c, err := a.Portal.Access.SetGroupLevel(r.Context(), actor(r), r.PathValue("id"), g, l)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, SetLevelResponse{Change: changeOut(c)})
}

// POST /api/v1/datasets/{id}/access/bulk: DataSud's "choisir une action"
// on the selected groups; dry_run (body or query) previews.
func (a *api) bulkAccess(w http.ResponseWriter, r *http.Request) error {
	var req BulkAccessRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	dry, err := queryBool(r, "dry_run")
	if err != nil {
		return err
	}
	if len(req.Groups) > a.MaxBatch {
		return badRequest("%d groups: at most %d per bulk action", len(req.Groups), a.MaxBatch)
	}
	b := portal.BulkAction{Groups: each(req.Groups, groupIn), Action: req.Action, Mode: req.Mode, DryRun: req.DryRun || dry}
	switch req.Action {
	case "grant":
		l, err := parseLevel("level", req.Level)
		if err != nil {
			return err
		}
		b.Level = l
	case "remove":
		if req.Level != "" {
			return badRequest("level is only for action grant")
		}
	}
	changes, err := a.Portal.Access.BulkAccess(r.Context(), actor(r), r.PathValue("id"), b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, BulkAccessResponse{DryRun: b.DryRun, Changes: each(changes, changeOut)})
}

// GET /api/v1/datasets/{id}/explain?account=&permission=: why the account
// (default: the caller) has or lacks the permission, in French and
// English.
func (a *api) explainAccess(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	account, perm := q.Get("account"), q.Get("permission")
	if account == "" {
		account = actor(r)
	}
	ex, err := a.Portal.Access.Explain(r.Context(), actor(r), r.PathValue("id"), account, perm)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, explanationOut(ex))
}
