package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/loadgen"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store/sqlite"
)

func TestReadGatewayRequests(t *testing.T) {
	rs, err := loadgen.ReadGatewayRequests(strings.NewReader("# comment\n200\tGET\t/wms?a=b\tapikey: okey_x\tReferer: https://a/\t=X-Octroi-Key: k1\n\n401\tGET\t/wms\t=X-Octroi-Account:\n"))
	if err != nil || len(rs) != 2 || rs[0].Header.Get("Apikey") != "okey_x" || rs[0].Header.Get("Referer") != "https://a/" || rs[1].Status != 401 ||
		rs[0].Expect.Get("X-Octroi-Key") != "k1" || len(rs[0].Header) != 2 || len(rs[1].Expect["X-Octroi-Account"]) != 1 {
		t.Fatalf("%+v %v", rs, err)
	}
	for _, bad := range []string{"200\tGET", "ok\tGET\t/x", "200\tGET\thttp://x/", "200\tGET\t/x\tnocolon", "200\tGET\t/x\t=nocolon", "200\tGET\t/x y",
		"200\tGET\t/x\t=A: 1\t=B: 2\t=C: 3\t=D: 4\t=E: 5", "200\tGET\t/x\tA: 1\rB: 2"} {
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
	var ck struct {
		Key    struct{ ID string }
		Secret string
	}
	json.NewDecoder(res.Body).Decode(&ck)
	res.Body.Close()
	// The allowed answer names the key and its owner to the upstream;
	// the refusal without a key names nobody.
	reqs := "200\tGET\t/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads&apikey=" + url.QueryEscape(ck.Secret) + "\t=X-Octroi-Account: " + admin.ID + "\t=X-Octroi-Key: " + ck.Key.ID + "\n" +
		"401\tGET\t/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads\t=X-Octroi-Account:\t=X-Octroi-Key:\n" +
		"403\tGET\t/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=other\tapikey: " + ck.Secret + "\t=X-Octroi-Reason: unknown_layer\n"
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
	// No synthetic dataset was used: the report names none.
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil || strings.Contains(table.String(), "relationships") || rep.Relationships != 0 {
		t.Errorf("the report of a gateway-only run: %v\n%s", err, table.String())
	}
	// A wrong expectation is a mismatch: a status, an identity, an
	// identity where there must be none.
	for _, wrong := range []func([]loadgen.GatewayRequest){
		func(rs []loadgen.GatewayRequest) { rs[1].Status = 200 },
		func(rs []loadgen.GatewayRequest) { rs[0].Expect.Set("X-Octroi-Account", "someone-else") },
		func(rs []loadgen.GatewayRequest) { rs[0].Expect.Set("X-Octroi-Key", "") },
	} {
		rs, err := loadgen.ReadGatewayRequests(strings.NewReader(reqs))
		if err != nil {
			t.Fatal(err)
		}
		wrong(rs)
		lc.GatewayRequests, lc.Duration = rs, 300*time.Millisecond
		if rep := run(t, lc); !rep.Failed() || rep.Total.Errors > 0 {
			t.Fatalf("a wrong answer went unnoticed (or was an error): %+v", rep.Total)
		}
	}
}

// TestGatewayRawClientAnswers: the gateway operation's own HTTP/1.1
// client reads what a server may answer (a length, chunks, a closed
// connection, HTTP/1.0) and verifies each answer.
func TestGatewayRawClientAnswers(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/gateway/auth" || r.Header.Get("X-Original-Uri") != "/wms?x=1" || r.Header.Get("Apikey") != "k" {
			w.WriteHeader(400)
			return
		}
		w.Header().Set("X-Octroi-Account", "acc")
		switch n.Add(1) % 3 {
		case 0:
			w.Header().Set("Connection", "close")
		case 1:
			w.(http.Flusher).Flush() // chunked
		}
		w.WriteHeader(200)
		io.WriteString(w, "some body")
	}))
	defer srv.Close()
	rs, err := loadgen.ReadGatewayRequests(strings.NewReader("200\tGET\t/wms?x=1\tapikey: k\t=X-Octroi-Account: acc\t=X-Octroi-Key:\n"))
	if err != nil {
		t.Fatal(err)
	}
	lc := loadgen.Defaults()
	lc.Endpoint, lc.Load, lc.Workers, lc.MaxRequests, lc.Duration = srv.URL, false, 2, 60, time.Minute
	lc.Mix = loadgen.Mix{loadgen.OpGateway: 1}
	lc.GatewayRequests = rs
	rep := run(t, lc)
	if rep.Failed() || rep.Total.Count != 60 {
		t.Fatalf("%+v %v", rep.Total, rep.Examples)
	}
	// HTTP/1.0, no length: the body runs to the close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				c.Read(buf)
				io.WriteString(c, "HTTP/1.0 403 Forbidden\r\nX-Octroi-Account: acc\r\n\r\nrefused")
			}()
		}
	}()
	rs[0].Status = 403
	lc.Endpoint, lc.MaxRequests = "http://"+ln.Addr().String(), 10
	rep = run(t, lc)
	if rep.Failed() || rep.Total.Count != 10 {
		t.Fatalf("%+v %v", rep.Total, rep.Examples)
	}
}
