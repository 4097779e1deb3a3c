package portal_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store/sqlite"
)

// BenchmarkDeleteDatasetWithContent measures the deletion of a dataset
// shown on one map and one page, on SQLite, with n maps and n pages of 20
// resources (visualisations) each: the deletion reads every map and page
// in its transaction to leave none of them dangling
// (content_integrity.go), where it read none before.
//
//	go test ./internal/portal -run XXX -bench DeleteDatasetWithContent -count 3
func BenchmarkDeleteDatasetWithContent(b *testing.B) {
	for _, n := range []int{0, 100, 1_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "octroi.db"), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			e := newEnv(b, st)
			svc, ctx := e.svc, e.ctx
			admin, _, err := svc.Bootstrap(ctx, "admin@example.org", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
			ok(b, err)
			a := admin.ID
			_, err = svc.CreateOrganisation(ctx, a, portal.Organisation{ID: "ign", Name: "IGN", Type: portal.OrgStateService}, a)
			ok(b, err)
			var rs []portal.MapResource
			var vs []portal.Visualisation
			for i := range 20 {
				id := fmt.Sprintf("KEEP%02d", i)
				_, err = svc.CreateDataset(ctx, a, portal.Dataset{ID: id, Title: id, Owner: "ign", Default: portal.LevelConsult})
				ok(b, err)
				rs = append(rs, portal.MapResource{Kind: portal.ResourceDataset, ID: id})
				vs = append(vs, portal.Visualisation{ID: fmt.Sprintf("v%02d", i), Title: "Une visualisation", Dataset: id})
			}
			for i := range n {
				_, err = svc.CreateMap(ctx, a, portal.Map{ID: fmt.Sprintf("m%05d", i), Name: "Carte", Resources: rs}, portal.Holder{Kind: portal.HolderOrganisation, ID: "ign"})
				ok(b, err)
				_, err = svc.CreatePage(ctx, a, portal.Page{ID: fmt.Sprintf("p%05d", i), Title: "Page", Body: "Un texte de page.", Owner: "ign", Visualisations: vs})
				ok(b, err)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				id := fmt.Sprintf("GONE%d", i)
				_, err = svc.CreateDataset(ctx, a, portal.Dataset{ID: id, Title: id, Owner: "ign", Default: portal.LevelConsult})
				ok(b, err)
				if n > 0 {
					_, err = svc.SetMapResources(ctx, a, "m00000", append(rs[:19:19], portal.MapResource{Kind: portal.ResourceDataset, ID: id}))
					ok(b, err)
				}
				b.StartTimer()
				ok(b, svc.DeleteDataset(ctx, a, id))
			}
		})
	}
}
