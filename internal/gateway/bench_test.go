package gateway_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/loadgen"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// The gateway's benchmarks run on a platform of OCTROI_BENCH_KEYS keys
// (default 1,000), each of its own owner, a participant of the community
// the grant is made to, with one access to the restricted service; plus
// OCTROI_BENCH_FILLER other relationships (default 0). At 100,000 keys
// and 400,000 filler the index holds about 1M relationships (BENCHMARKS.md).
//
// The keys are written as the portal stores them (their record format,
// version 1) in bulk, because making 100,000 keys one API call at a time
// would take longer than the benchmark; the decision reads them from the
// same credential cache either way.

type benchPlatform struct {
	e       *env
	secrets []string
}

var benchOnce struct {
	sync.Mutex
	p *benchPlatform
}

// envInts reads a comma-separated list of counts (def when unset or
// unreadable).
func envInts(name string, def int) []int {
	var out []int
	for _, f := range strings.Split(os.Getenv(name), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return []int{def}
		}
		out = append(out, n)
	}
	return out
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n >= 0 {
		return n
	}
	return def
}

func benchSetup(b *testing.B) *benchPlatform {
	benchOnce.Lock()
	defer benchOnce.Unlock()
	if benchOnce.p != nil {
		return benchOnce.p
	}
	keys, filler := envInt("OCTROI_BENCH_KEYS", 1000), envInt("OCTROI_BENCH_FILLER", 0)
	e := newEnv(b)
	e.world(time.Now().Add(24 * time.Hour))
	start := time.Now()
	var rels []string
	flush := func(force bool) {
		if len(rels) >= 5000 || (force && len(rels) > 0) {
			e.write(store.Touch, rels...)
			rels = rels[:0]
		}
	}
	p := &benchPlatform{e: e, secrets: make([]string, keys)}
	now := time.Now().UTC()
	for i := 0; i < keys; {
		n := min(5000, keys-i)
		if _, err := e.st.Transact(e.ctx, func(tx store.DocTx) error {
			for j := i; j < i+n; j++ {
				owner, id, acc := fmt.Sprintf("u%d", j), fmt.Sprintf("k%d", j), fmt.Sprintf("a%d", j)
				p.secrets[j] = portal.KeySecretPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
				data, _ := json.Marshal(map[string]any{"v": 1, "id": id, "name": id, "owner": owner, "type": "HASH", "status": "active",
					"filters": map[string]any{}, "accesses": []map[string]string{{"id": acc, "grant": "g1", "service": "topo"}}, "created": now, "updated": now})
				if err := tx.PutDoc(e.ctx, store.Doc{Kind: portal.KindAccessKey, ID: id, Alt: bearer.Hash(p.secrets[j]), Parent: owner, Data: data}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		for j := i; j < i+n; j++ {
			owner, id, acc := fmt.Sprintf("u%d", j), fmt.Sprintf("k%d", j), fmt.Sprintf("a%d", j)
			rels = append(rels, "community:club#participant@user:"+owner, "key:"+id+"#platform@platform:main", "key:"+id+"#owner@user:"+owner,
				"access:"+acc+"#owner@user:"+owner, "access:"+acc+"#grant@grant:g1", "access:"+acc+"#service@service:topo")
			flush(false)
		}
		i += n
	}
	for j := 0; j < filler; j++ {
		rels = append(rels, fmt.Sprintf("community:f%d#participant@user:f%d", j%5000, j))
		flush(false)
	}
	flush(true)
	creds, err := credentials.NewDecodingCache(e.ctx, e.st, nil, portal.DecodeCredential, portal.KindAccessKey)
	if err != nil {
		b.Fatal(err)
	}
	svc, err := portal.New(portal.Config{Docs: e.st, Store: e.st, Engine: func() *engine.Engine { return e.eng }, Sync: e.sync, Credentials: creds})
	if err != nil {
		b.Fatal(err)
	}
	e.dec.Keys = svc
	b.Logf("platform: %d keys, %d relationships in the index, built in %s", creds.Len(portal.KindAccessKey), e.idx.Len(), time.Since(start).Round(time.Millisecond))
	benchOnce.p = p
	return p
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// BenchmarkDecide: decisions in process, on every core, verified.
func BenchmarkDecide(b *testing.B) {
	p := benchSetup(b)
	for _, c := range []struct {
		name   string
		status int
		in     func(i int) gateway.Input
	}{
		{"allowed", 200, func(i int) gateway.Input {
			return in("/wms", getMap("topo_routes"), "apikey", p.secrets[i%len(p.secrets)])
		}},
		{"layer_refused", 403, func(i int) gateway.Input {
			return in("/wms", getMap("off_layer,topo_bati"), "apikey", p.secrets[i%len(p.secrets)])
		}},
		{"unknown_key", 401, func(i int) gateway.Input { return in("/wms", getMap("topo_routes"), "apikey", "okey_nope") }},
		{"no_key", 401, func(i int) gateway.Input { return in("/wms", getMap("topo_routes")) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			inputs := make([]gateway.Input, 1024)
			for i := range inputs {
				inputs[i] = c.in(i * 7919)
			}
			var n atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op") }()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if d := p.e.dec.Decide(p.e.ctx, inputs[i%int64(len(inputs))]); d.Status != c.status {
						b.Errorf("got %d %s, want %d", d.Status, d.Reason, c.status)
						return
					}
				}
			})
		})
	}
}

// BenchmarkForwardAuthHTTP: forward-auth decisions over HTTP (loopback,
// keep-alive, 32 clients in this process), every answer verified; reports
// decisions per second and the latency quantiles.
func BenchmarkForwardAuthHTTP(b *testing.B) {
	p := benchSetup(b)
	srv := httptest.NewServer(&gateway.ForwardAuth{Decider: p.e.dec})
	defer srv.Close()
	const workers = 32
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	uris := make([]string, 1024)
	for i := range uris {
		uris[i] = "/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=topo_routes&apikey=" + url.QueryEscape(p.secrets[(i*7919)%len(p.secrets)])
	}
	lat := make([][]time.Duration, workers)
	var next atomic.Int64
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				req, _ := http.NewRequest("GET", srv.URL+"/gateway/auth", nil)
				req.Header.Set("X-Original-URI", uris[i%int64(len(uris))])
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil || res.StatusCode != 200 || res.Header.Get("X-Octroi-Account") == "" {
					failed.Add(1)
				}
				if res != nil {
					res.Body.Close()
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d wrong answers", failed.Load())
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	q := func(f float64) float64 { return float64(all[int(f*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/el.Seconds(), "decisions/s")
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	// The CPU this process (server and clients together) spent per
	// decision: what the figures above would be bounded by on an idle
	// machine, since other processes share its cores.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkForwardAuthHandler: the forward-auth handler alone (reading
// the request's headers, deciding, writing the answer's headers), without
// sockets, every answer verified: what the server spends per request
// besides net/http and the system calls.
func BenchmarkForwardAuthHandler(b *testing.B) {
	p := benchSetup(b)
	fa := &gateway.ForwardAuth{Decider: p.e.dec}
	reqs := make([]*http.Request, 1024)
	for i := range reqs {
		reqs[i] = httptest.NewRequest("GET", "/gateway/auth", nil)
		reqs[i].Header.Set("X-Original-URI", "/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=topo_routes&apikey="+url.QueryEscape(p.secrets[(i*7919)%len(p.secrets)]))
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op") }()
	for i := 0; b.Loop(); i++ {
		w := httptest.NewRecorder()
		fa.ServeHTTP(w, reqs[i%len(reqs)])
		if w.Code != 200 || w.Header().Get("X-Octroi-Account") == "" {
			b.Fatalf("got %d %v", w.Code, w.Header())
		}
	}
}

// BenchmarkForwardAuthLean: forward-auth decisions through the listener
// of its own (AuthServer), over loopback TCP and over a Unix socket,
// driven by `octroi bench`'s own lean client (loadgen: one kept-alive
// connection per worker; OCTROI_BENCH_WORKERS of them, default 8, or a
// comma-separated list, one sub-benchmark each) in this process, the
// usage log recording every decision (see withUsageLog),
// every answer verified (status, the account and key named to the
// upstream); 1 in 8 requests presents no key and must be refused with a
// 401 that names nobody. Reports decisions per second, the latency
// quantiles, and the CPU of the whole process (server and clients) per
// decision.
func BenchmarkForwardAuthLean(b *testing.B) {
	p := benchSetup(b)
	workerCounts := envInts("OCTROI_BENCH_WORKERS", 8)
	reqs := make([]loadgen.GatewayRequest, 1024)
	for i := range reqs {
		uri := "/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=topo_routes&BBOX=" + strconv.Itoa(i)
		k := (i * 7919) % len(p.secrets)
		if i%8 == 7 {
			reqs[i] = loadgen.GatewayRequest{Status: 401, Method: "GET", URI: uri, Header: http.Header{},
				Expect: http.Header{gateway.HeaderAccount: {""}}}
			continue
		}
		reqs[i] = loadgen.GatewayRequest{Status: 200, Method: "GET", URI: uri, Header: http.Header{"Apikey": {p.secrets[k]}},
			Expect: http.Header{gateway.HeaderAccount: {"u" + strconv.Itoa(k)}, gateway.HeaderKey: {"k" + strconv.Itoa(k)}}}
	}
	for _, network := range []string{"tcp", "unix"} {
		for _, workers := range workerCounts {
			b.Run(fmt.Sprintf("%s/conns=%d", network, workers), func(b *testing.B) {
				addr, endpoint := "127.0.0.1:0", ""
				if network == "unix" {
					addr = b.TempDir() + "/auth.sock"
					endpoint = "unix:" + addr
				}
				ln, err := net.Listen(network, addr)
				if err != nil {
					b.Fatal(err)
				}
				if network == "tcp" {
					endpoint = "http://" + ln.Addr().String()
				}
				dec, usage := withUsageLog(b, p.e)
				s := &gateway.AuthServer{Auth: &gateway.ForwardAuth{Decider: dec}}
				go s.Serve(ln)
				defer s.Close()
				cfg := loadgen.Defaults()
				cfg.Endpoint, cfg.Load, cfg.Workers, cfg.Mix = endpoint, false, workers, loadgen.Mix{loadgen.OpGateway: 1}
				cfg.GatewayRequests, cfg.Duration, cfg.MaxRequests = reqs, time.Hour, int64(b.N)
				stopProfile := profileMeasured(b)
				cpu0 := cpuTime()
				b.ResetTimer()
				rep, err := loadgen.Run(b.Context(), cfg)
				b.StopTimer()
				cpu := cpuTime() - cpu0
				stopProfile()
				if err != nil {
					b.Fatal(err)
				}
				if t := rep.Total; t.Errors > 0 || t.Mismatches > 0 || t.Count < uint64(b.N) {
					b.Fatalf("%d of %d requests: %d errors, %d wrong answers: %v", t.Count, b.N, t.Errors, t.Mismatches, rep.Examples)
				}
				if usage != nil {
					if n := usage.Dropped(); n > 0 {
						b.Fatalf("the usage log dropped %d of %d events", n, rep.Total.Count)
					}
				}
				b.ReportMetric(rep.Total.OpsPerSecond, "decisions/s")
				b.ReportMetric(rep.Total.P50, "p50-ms")
				b.ReportMetric(rep.Total.P99, "p99-ms")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(rep.Total.Count), "cpu-ns/op")
			})
		}
	}
}

// withUsageLog makes e's Decider record every decision into a usage
// log on e's SQLite store until the benchmark ends, flushed every 2 s as the server's is, unless
// OCTROI_BENCH_USAGE=0 (then the Decider alone and no log): a server
// always records, so the decision rates of BENCHMARKS.md include it.
func withUsageLog(b *testing.B, e *env) (*gateway.Decider, *gateway.UsageLog) {
	if os.Getenv("OCTROI_BENCH_USAGE") == "0" {
		return e.dec, nil
	}
	u := gateway.NewUsageLog(gateway.UsageConfig{Docs: e.st})
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(e.ctx)
	go func() { defer close(done); u.Run(ctx) }()
	e.dec.Usage = u
	b.Cleanup(func() { e.dec.Usage = nil; cancel(); <-done })
	return e.dec, u
}

// profileMeasured writes a CPU profile of the measured part of a
// benchmark to $OCTROI_BENCH_CPUPROFILE (none when unset): -cpuprofile
// would also hold the building of the platform, which takes longer than
// the measurement at 1M relationships.
func profileMeasured(b *testing.B) (stop func()) {
	path := os.Getenv("OCTROI_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
