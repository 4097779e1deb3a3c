package api_test

import (
	"strings"
	"testing"
)

// TestDeleteOrganisationThatPublishes: an organisation that owns datasets
// is not deleted, with a 409 that says why in the caller's language; an
// empty one is, and is then not found.
func TestDeleteOrganisationThatPublishes(t *testing.T) {
	forEachStore(t, testDeleteOrganisationThatPublishes)
}

func testDeleteOrganisationThatPublishes(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	for lang, want := range map[string]string{"en": "still owns", "fr": "possède encore"} {
		r := w.do("DELETE", "/api/v1/organisations/ign", nil, "Authorization", "Bearer "+w.tok["admin"], "Accept-Language", lang)
		if p := r.problem(t, 409, "conflict"); !strings.Contains(p["detail"].(string), want) {
			t.Errorf("%s: %v", lang, p)
		}
	}
	w.as("admin").want(200, "GET", "/api/v1/organisations/ign", nil, nil)
	id := w.uniq("org")
	w.as("admin").want(201, "POST", "/api/v1/organisations", map[string]any{"id": id, "name": "Org", "type": "other", "first_admin": w.id["orgadmin"]}, nil)
	w.as("orgadmin").do("DELETE", "/api/v1/organisations/"+id, nil).problem(t, 403, "forbidden")
	w.as("admin").want(204, "DELETE", "/api/v1/organisations/"+id, nil, nil)
	w.as("admin").do("GET", "/api/v1/organisations/"+id, nil).problem(t, 404, "not_found")
}
