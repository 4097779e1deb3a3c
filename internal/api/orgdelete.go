package api

import "net/http"

// DELETE /api/v1/organisations/{id}: platform administrators; the portal
// refuses one that still publishes (portal/orgdelete.go).
func (a *api) deleteOrganisation(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Organisations.DeleteOrganisation(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
