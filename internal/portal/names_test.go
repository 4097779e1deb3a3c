package portal_test

import (
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestNameSearchFolds: every name search ignores case and accents —
// organisations by name and the access table's name filter — both ways
// ("frejus" finds "Fréjus", "RÉGION" finds "Région Sud").
func TestNameSearchFolds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		must[portal.Organisation](t)(e.svc.CreateOrganisation(e.ctx, w.admin, portal.Organisation{ID: "frejus", Name: "Ville de Fréjus", Type: portal.OrgLocalAuthority}, "adm2"))
		for q, want := range map[string]string{"frejus": "frejus", "FRÉJUS": "frejus", "region": "region", "RÉGION s": "region", "Île": ""} {
			os := must[[]portal.Organisation](t)(e.svc.Organisations(e.ctx, "reg", "", q, "", 10))
			switch {
			case want == "" && len(os) != 0, want != "" && (len(os) != 1 || os[0].ID != want):
				t.Errorf("organisations named %q: %+v, want %q", q, os, want)
			}
		}
		rows, _ := must2(t)(e.svc.AccessTable(e.ctx, "ed", "IGNF_BD-TOPO", portal.AccessFilter{Name: "region SUD"}))
		if len(rows) != 1 || rows[0].Group.ID != "region" {
			t.Errorf("access rows named \"region SUD\": %+v", rows)
		}
	})
}

func must2(t *testing.T) func(rows []portal.AccessRow, n int, err error) ([]portal.AccessRow, int) {
	return func(rows []portal.AccessRow, n int, err error) ([]portal.AccessRow, int) {
		t.Helper()
		ok(t, err)
		return rows, n
	}
}
