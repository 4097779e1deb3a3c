package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/synth"
)

// BenchmarkContent measures the content endpoints on the synthetic
// platform of BenchmarkDomain (same OCTROI_BENCH_DOMAIN and
// OCTROI_BENCH_DOMAIN_DIR): rendering a public page of 200
// visualisations, each on its own dataset (one bulk check of 400 questions:
// consult and search for each), for a typical account and for the
// administrator; a map of 200 resources; the lists of pages and maps.
//
//	go test ./internal/api -run XXX -bench Content -benchtime 200x
func BenchmarkContent(b *testing.B) {
	d := domainOnce(b)
	n := min(200, d.shape.Datasets)
	var vis, res []map[string]any
	for i := range n {
		vis = append(vis, map[string]any{"id": "v" + synth.DatasetID(i), "dataset": synth.DatasetID(i)})
		res = append(res, map[string]any{"kind": "dataset", "id": synth.DatasetID(i)})
	}
	d.ensure(b, "/api/v1/pages/bench-page", "/api/v1/pages", map[string]any{"id": "bench-page", "title": "Bench", "public": true, "visualisations": vis})
	d.put(b, "/api/v1/content-roles/map_creator/organisation/"+synth.OrganisationID(0))
	d.ensure(b, "/api/v1/maps/bench-map", "/api/v1/maps", map[string]any{"id": "bench-map", "name": "Bench", "resources": res,
		"owner": map[string]any{"kind": "organisation", "id": synth.OrganisationID(0)}})
	for _, q := range []query{
		{name: "render/user", path: "/pages/bench-page", token: d.user},
		{name: "render/admin", path: "/pages/bench-page", token: d.admin},
		{name: "pages/user", path: "/pages?limit=50", token: d.user},
		{name: "map/admin", path: "/maps/bench-map", token: d.admin},
		{name: "maps/user", path: "/maps?limit=50", token: d.user},
	} {
		b.Run(q.name, func(b *testing.B) {
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				t := time.Now()
				d.send(b, q, i)
				lat = append(lat, time.Since(t))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Millisecond), "p50-ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*95/100)])/float64(time.Millisecond), "p95-ms")
		})
	}
}

// ensure creates with a POST of body to create, as the administrator,
// unless GET path answers 200 (a reused benchmark database has it).
func (d *domain) ensure(tb testing.TB, path, create string, body any) {
	tb.Helper()
	if create == "" || d.status(tb, "GET", path, nil) == http.StatusOK {
		return
	}
	if s := d.status(tb, "POST", create, body); s != http.StatusCreated {
		tb.Fatalf("POST %s: %d", create, s)
	}
}

// put sends an empty PUT as the administrator.
func (d *domain) put(tb testing.TB, path string) {
	tb.Helper()
	if s := d.status(tb, "PUT", path, nil); s != http.StatusOK {
		tb.Fatalf("PUT %s: %d", path, s)
	}
}

func (d *domain) status(tb testing.TB, method, path string, body any) int {
	tb.Helper()
	var rd *bytes.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, d.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
