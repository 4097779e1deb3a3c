package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/loadgen"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store/sqlite"
)

func TestReadGatewayRequests(t *testing.T) {
	rs, err := loadgen.ReadGatewayRequests(strings.NewReader("# comment\n200\tGET\t/wms?a=b\tapikey: okey_x\tReferer: https://a/\n\n401\tGET\t/wms\n"))
	if err != nil || len(rs) != 2 || rs[0].Header.Get("Apikey") != "okey_x" || rs[0].Header.Get("Referer") != "https://a/" || rs[1].Status != 401 {
		t.Fatalf("%+v %v", rs, err)
	}
	for _, bad := range []string{"200\tGET", "ok\tGET\t/x", "200\tGET\thttp://x/", "200\tGET\t/x\tnocolon"} {
		if _, err := loadgen.ReadGatewayRequests(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestGatewayMix drives the gateway operation against a real portal
// server: every answer verified, and a wrong expectation is caught.
func TestGatewayMix(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.Open(ctx, filepath.Join(dir, server.DatabaseFile), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := server.Default()
	cfg.DataDir = dir
	s, err := server.New(ctx, cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()
	t.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	base := "http://" + ln.Addr().String()
	svc := s.Portal().(*portal.Service)
	admin, tok, err := svc.Bootstrap(ctx, "admin@example.org", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOrganisation(ctx, admin.ID, portal.Organisation{ID: "ign", Name: "IGN", Type: portal.OrgStateService}, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDataset(ctx, admin.ID, portal.Dataset{ID: "D", Title: "D", Owner: "ign"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateService(ctx, admin.ID, portal.MapService{ID: "wms", Dataset: "D", Title: "W", Type: portal.ServiceWMS, Path: "/wms", Upstream: "http://127.0.0.1:1/", Layers: []string{"roads"}, Available: true}); err != nil {
		t.Fatal(err)
	}
	g, err := svc.CreateGrant(ctx, admin.ID, portal.Grant{Name: "L", Services: []string{"wms"}, Users: []string{admin.ID}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"name": "bench", "type": "HASH", "accesses": []map[string]string{{"grant": g.ID, "service": "wms"}}})
	req, _ := http.NewRequest("POST", base+"/api/v1/me/keys", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("creating a key: %v %v", res, err)
	}
	var ck struct{ Secret string }
	json.NewDecoder(res.Body).Decode(&ck)
	res.Body.Close()
	reqs := "200\tGET\t/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads&apikey=" + url.QueryEscape(ck.Secret) + "\n" +
		"401\tGET\t/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads\n" +
		"403\tGET\t/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=other\tapikey: " + ck.Secret + "\n"
	rs, err := loadgen.ReadGatewayRequests(strings.NewReader(reqs))
	if err != nil {
		t.Fatal(err)
	}
	lc := loadgen.Defaults()
	lc.Endpoint, lc.Load, lc.Workers, lc.Duration = base, false, 2, time.Second
	lc.Mix = loadgen.Mix{loadgen.OpGateway: 1}
	lc.GatewayRequests = rs
	rep := run(t, lc)
	if rep.Failed() || rep.Total.Count == 0 {
		t.Fatalf("gateway mix failed: %+v", rep.Total)
	}
	// A wrong expectation is a mismatch.
	rs[1].Status = 200
	lc.GatewayRequests, lc.Duration = rs, 300*time.Millisecond
	if rep := run(t, lc); !rep.Failed() {
		t.Fatal("a wrong answer went unnoticed")
	}
}
