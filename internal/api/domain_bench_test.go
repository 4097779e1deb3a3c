package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/synth"
)

// BenchmarkDomain measures every list, search and table endpoint of the
// portal, and a bulk level change on 100 groups, over HTTP on loopback, on
// a platform synth.BuildDomain makes through the portal:
//
//	OCTROI_BENCH_DOMAIN=0.1 go test ./internal/api -run XXX -bench Domain -benchtime 200x
//
// OCTROI_BENCH_DOMAIN is the fraction of synth.PlatformShape (246k
// accounts, 3k organisations, 5k communities, 300 groups, 106k datasets)
// to build; default 0.002, a small platform, quick to build.
// OCTROI_BENCH_DOMAIN_DIR keeps the SQLite database there and reuses it
// when it exists, so that one build serves many runs. Each endpoint
// reports its latency's median and 95th percentile (p50-ms, p95-ms).
func BenchmarkDomain(b *testing.B) {
	d := domainOnce(b)
	for _, q := range d.queries() {
		b.Run(q.name, func(b *testing.B) {
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				t := time.Now()
				d.send(b, q, i)
				lat = append(lat, time.Since(t))
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))]) / float64(time.Millisecond)
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
}

// TestBuildDomain builds a small platform through the portal and checks
// that the API sees what the generator made.
func TestBuildDomain(t *testing.T) {
	d := newDomain(t, t.TempDir(), 0.0005)
	var orgs struct {
		Organisations []portal.Organisation `json:"organisations"`
	}
	d.get(t, "/api/v1/organisations?limit=1000", d.admin, &orgs)
	if got, want := len(orgs.Organisations), d.shape.Organisations; got != want {
		t.Errorf("got %d organisations, want %d", got, want)
	}
	var rows struct {
		Total int `json:"total"`
	}
	d.get(t, "/api/v1/datasets/"+synth.DatasetID(0)+"/access", d.admin, &rows)
	if want := d.shape.Organisations + d.shape.Communities + d.shape.OrgGroups; rows.Total != want {
		t.Errorf("access table of %s: got %d rows, want %d", synth.DatasetID(0), rows.Total, want)
	}
}

// domain is a server holding a synthetic platform.
type domain struct {
	url   string
	shape synth.Shape
	admin string // the administrator's token
	user  string // a typical account's token
	// delegated is the token of organisation 0's first delegated
	// administrator.
	delegated string
}

var (
	domainMu  sync.Mutex
	domainSrv *domain
)

// domainOnce builds (or reopens) the benchmark platform once per process.
func domainOnce(b *testing.B) *domain {
	domainMu.Lock()
	defer domainMu.Unlock()
	if domainSrv == nil {
		f := 0.002
		if s := os.Getenv("OCTROI_BENCH_DOMAIN"); s != "" {
			var err error
			if f, err = strconv.ParseFloat(s, 64); err != nil {
				b.Fatalf("OCTROI_BENCH_DOMAIN=%q: %v", s, err)
			}
		}
		dir := os.Getenv("OCTROI_BENCH_DOMAIN_DIR")
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp("", "octroi-domain"); err != nil {
				b.Fatal(err)
			}
		}
		domainSrv = newDomain(b, dir, f)
	}
	return domainSrv
}

// newDomain serves the portal from dir and builds the platform there
// (fraction f of synth.PlatformShape) unless dir already holds it. The
// server lives as long as the process.
func newDomain(tb testing.TB, dir string, f float64) *domain {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "octroi.db")
	_, err := os.Stat(path)
	built := err == nil
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	cfg := server.Default()
	cfg.DataDir = dir
	srv, err := server.New(ctx, cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	srv.Start(ctx)
	ts := httptest.NewServer(srv.Handler())
	p := srv.Portal().(*portal.Service) // the benchmark acts as several people
	acc, admin, err := p.Bootstrap(ctx, "admin@example.org", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		tb.Fatal(err)
	}
	shape := synth.PlatformShape.Scaled(f)
	shape.Config.Seed = 1
	if !built {
		start := time.Now()
		stats, err := synth.BuildDomain(ctx, p, acc.ID, shape, synth.DomainOptions{
			Accepted: shape.Communities * 4,
			Progress: func(phase string, n int, took time.Duration) { tb.Logf("built %d %s in %s", n, phase, took) },
		})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Logf("built %+v in %s", stats, time.Since(start))
		if _, err := p.CreateDataset(ctx, acc.ID, portal.Dataset{ID: "BENCH-BULK", Title: "Bulk", Owner: synth.OrganisationID(0), Default: portal.LevelSearch}); err != nil {
			tb.Fatal(err)
		}
	}
	runtime.GC()
	_, user, err := p.Bootstrap(ctx, synth.AccountEmail(shape.Users/2), "x", nil)
	if err != nil {
		tb.Fatal(err)
	}
	_, delegated, err := p.Bootstrap(ctx, synth.AccountEmail(0), "x", nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &domain{url: ts.URL, shape: shape, admin: admin, user: user, delegated: delegated}
}

// query is one request of the benchmark; body, when set, makes it a POST
// and gets the iteration number (bulk changes alternate two levels).
type query struct {
	name, path, token string
	body              func(i int) any
}

func (d *domain) queries() []query {
	mid := synth.AccountID(d.shape.Users / 2)
	var groups []portal.GroupRef
	for i := range min(100, d.shape.Organisations) {
		groups = append(groups, portal.GroupRef{Kind: portal.GroupOrganisation, ID: synth.OrganisationID(i)})
	}
	levels := [2]portal.Level{portal.LevelConsult, portal.LevelDownload}
	ds := synth.DatasetID(0)
	return []query{
		{name: "accounts/first", path: "/accounts?limit=50", token: d.admin},
		{name: "accounts/after", path: "/accounts?limit=50&after=" + mid, token: d.admin},
		{name: "accounts/search-name", path: "/accounts?limit=20&q=%C3%A9lo", token: d.admin},
		{name: "accounts/search-last-name", path: "/accounts?limit=20&q=lef", token: d.delegated},
		{name: "accounts/search-email", path: "/accounts?limit=20&q=thomas.mar", token: d.delegated},
		{name: "organisations/first", path: "/organisations?limit=50", token: d.user},
		{name: "organisations/name", path: "/organisations?name=frejus", token: d.user},
		{name: "organisations/rare", path: "/organisations?name=zzz", token: d.user},
		{name: "members/largest", path: "/organisations/" + synth.OrganisationID(0) + "/members?limit=50", token: d.admin},
		{name: "org-groups/first", path: "/org-groups?limit=50", token: d.user},
		{name: "communities/admin", path: "/communities?limit=50", token: d.admin},
		{name: "communities/user", path: "/communities?limit=50", token: d.user},
		{name: "community-members", path: "/communities/" + synth.CommunityID(0) + "/members", token: d.admin},
		{name: "datasets/admin", path: "/datasets?limit=50", token: d.admin},
		{name: "datasets/owner", path: "/datasets?limit=50&owner=" + synth.OrganisationID(0), token: d.admin},
		{name: "catalogue/user", path: "/catalogue/searchable?limit=50", token: d.user},
		{name: "access/all", path: "/datasets/" + ds + "/access", token: d.admin},
		{name: "access/filtered", path: "/datasets/" + ds + "/access?kind=organisation&org_type=research&sort=level&order=desc", token: d.admin},
		{name: "access/name", path: "/datasets/" + ds + "/access?name=fre&offset=20", token: d.admin},
		{name: "bulk/100", path: "/datasets/BENCH-BULK/access/bulk", token: d.admin, body: func(i int) any {
			return portal.BulkAction{Groups: groups, Action: "grant", Mode: "replace", Level: levels[i%2]}
		}},
	}
}

func (d *domain) send(tb testing.TB, q query, i int) {
	method, body := "GET", []byte(nil)
	if q.body != nil {
		method = "POST"
		var err error
		if body, err = json.Marshal(q.body(i)); err != nil {
			tb.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, d.url+"/api/v1"+q.path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+q.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("%s %s: %d %s %v", method, q.path, resp.StatusCode, b, err)
	}
}

func (d *domain) get(tb testing.TB, path, token string, v any) {
	tb.Helper()
	req, err := http.NewRequest("GET", d.url+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		tb.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		tb.Fatal(fmt.Errorf("GET %s: %w", path, err))
	}
}
