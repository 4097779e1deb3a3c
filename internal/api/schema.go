package api

import (
	"net/http"
	"strconv"
)

// GET /api/v1/schema
func (a *api) readSchema(w http.ResponseWriter, r *http.Request) error {
	text, rev, err := a.Backend.ReadSchema(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, SchemaResponse{Schema: text, ConsistencyToken: EncodeToken(rev)})
}

// PUT /api/v1/schema; dry_run may also be a query parameter.
func (a *api) writeSchema(w http.ResponseWriter, r *http.Request) error {
	var req WriteSchemaRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if q := r.URL.Query().Get("dry_run"); q != "" {
		b, err := strconv.ParseBool(q)
		if err != nil {
			return badRequest("dry_run=%q: want true or false", q)
		}
		req.DryRun = req.DryRun || b
	}
	diff, warnings, rev, err := a.Backend.WriteSchema(r.Context(), req.Schema, req.DryRun)
	if err != nil {
		return err
	}
	resp := WriteSchemaResponse{DryRun: req.DryRun, Diff: diff, Warnings: warnings}
	if !req.DryRun {
		resp.ConsistencyToken = EncodeToken(rev)
	}
	return writeJSON(w, http.StatusOK, resp)
}
