// Package loadgen drives an octroi server over its HTTP API with the
// synthetic portal dataset of package synth, and reports throughput and
// latency per operation. It is the engine of `octroi bench`.
//
// A run has two phases. Load (optional) writes synth.Schema and loads the
// dataset, timing the load alone (the dataset is generated, and encoded,
// into memory first), either through the streamed import endpoint or, with
// LoadVia = ViaWrite, through the batch write API (LoadBatch touches per
// call, LoadWriters calls at a time); it reports relationships per second
// overall and, for writes, for each tenth of the dataset, so that a load
// that slows as the data grows shows it, then asks every check query of the drive phase
// in bulk and counts wrong answers. Drive runs Workers
// goroutines for Duration (or MaxRequests requests, whichever comes
// first), each picking its next request from the Mix:
//
//   - check: one query of synth's Checks, whose answer is known; every
//     answer is compared with it and a wrong one counts as a mismatch;
//   - bulk: BulkSize such queries in one check-bulk call, each verified;
//   - lookup: every dataset one of LookupUsers typical users may search,
//     streamed as NDJSON; the count is compared with synth's own count;
//   - write: a touch of WriteBatch relationships on offerings that exist
//     only for the benchmark, so that no answer above changes.
//
// A run that sees a mismatch or an error has failed (Report.Failed): a load
// test that gets wrong answers fast has measured nothing worth having.
//
// The target must be this machine: Run refuses endpoints that are not
// loopback addresses, and its HTTP client refuses to connect anywhere else.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/client"
	"github.com/octroi/octroi/internal/synth"
	"github.com/octroi/octroi/internal/tuple"
)

// Config says what to run. Zero fields take the defaults of Defaults.
type Config struct {
	Endpoint string // loopback only, e.g. http://127.0.0.1:8080
	Token    string // API token; "" for a server run with --no-auth

	Relationships int   // size of the synthetic dataset
	Seed          int64 // selects the dataset and the queries
	// Now is the instant the dataset's expirations are drawn around; the
	// check answers hold while the server's clock is within a day after
	// it, so a database loaded earlier must be driven with the Now it was
	// loaded with. Zero means midnight UTC today.
	Now  time.Time
	Load bool // write the schema and load the dataset first
	// LoadVia is ViaImport (the default) or ViaWrite; LoadBatch and
	// LoadWriters shape a ViaWrite load.
	LoadVia     string
	LoadBatch   int
	LoadWriters int

	Workers     int           // concurrent requests
	Duration    time.Duration // drive phase length; 0: load only
	MaxRequests int64         // cap on requests of the drive phase
	Mix         Mix

	Queries     int           // distinct check queries drawn from synth
	BulkSize    int           // items per bulk check
	LookupUsers int           // distinct users whose searchable datasets are looked up
	WriteBatch  int           // relationships per write
	Timeout     time.Duration // per non-streamed request; lookups get 4×

	// GatewayRequests are the forward-auth requests of the gateway
	// operation, each with the status it must get (see
	// ReadGatewayRequests); needed when the mix has gateway.
	GatewayRequests []GatewayRequest

	// PID, when > 0, is the server's process id on this machine: its
	// resident memory is sampled before, during and after the drive.
	PID int
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Defaults returns the configuration of a default `octroi bench`.
func Defaults() Config {
	return Config{
		Endpoint:      "http://127.0.0.1:8080",
		Relationships: 1_000_000,
		Seed:          1,
		Load:          true,
		LoadVia:       ViaImport,
		LoadBatch:     1000,
		LoadWriters:   4,
		Workers:       16,
		Duration:      30 * time.Second,
		MaxRequests:   100_000_000,
		Mix:           DefaultMix,
		Queries:       20_000,
		BulkSize:      50,
		LookupUsers:   16,
		WriteBatch:    5,
		Timeout:       10 * time.Second,
	}
}

func (c Config) validate() error {
	var errs []error
	if c.Relationships < 1 {
		errs = append(errs, errors.New("relationships must be ≥ 1"))
	}
	if c.Workers < 1 || c.Workers > 4096 {
		errs = append(errs, errors.New("workers must be between 1 and 4096"))
	}
	if c.Duration < 0 || c.Duration > 24*time.Hour {
		errs = append(errs, errors.New("duration must be between 0 (no drive phase) and 24h"))
	}
	if c.MaxRequests < 1 {
		errs = append(errs, errors.New("max requests must be ≥ 1"))
	}
	if c.Mix.total() == 0 {
		errs = append(errs, errors.New("the mix has no operation of positive weight"))
	}
	if c.Queries < 1 || c.BulkSize < 1 || c.LookupUsers < 1 || c.WriteBatch < 1 {
		errs = append(errs, errors.New("queries, bulk size, lookup users and write batch must be ≥ 1"))
	}
	if c.LoadVia != ViaImport && c.LoadVia != ViaWrite {
		errs = append(errs, fmt.Errorf("load via %q: want %s or %s", c.LoadVia, ViaImport, ViaWrite))
	}
	if c.LoadBatch < 1 || c.LoadWriters < 1 || c.LoadWriters > 4096 {
		errs = append(errs, errors.New("load batch must be ≥ 1 and load writers between 1 and 4096"))
	}
	if c.Timeout <= 0 {
		errs = append(errs, errors.New("timeout must be positive"))
	}
	if strings.HasPrefix(c.Endpoint, unixPrefix) && (c.Load || c.Mix.total() != c.Mix[OpGateway]) {
		errs = append(errs, errors.New("a unix: endpoint (a forward-auth listener) serves only the gateway operation: use --no-load --mix gateway=1"))
	}
	return errors.Join(errs...)
}

// Run runs the load and drive phases and returns the report; it returns an
// error only when the run could not take place (bad configuration, a
// refused endpoint, a failed load). Wrong answers and failed requests are
// in the report: check Report.Failed. Cancelling ctx ends the drive early.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	endpoint, err := CheckLoopback(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	cfg.Endpoint = endpoint
	if cfg.Now.IsZero() {
		cfg.Now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	logw := cfg.Log
	if logw == nil {
		logw = io.Discard
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logw, format+"\n", args...) }

	hc := NewHTTPClient(cfg.Workers)
	defer hc.CloseIdleConnections()
	cl := client.New(cfg.Endpoint, cfg.Token)
	cl.HTTP = hc

	scfg := synth.Config{Relationships: cfg.Relationships, Seed: cfg.Seed, Now: cfg.Now}
	rep := &Report{
		Endpoint: cfg.Endpoint, Relationships: cfg.Relationships, Seed: cfg.Seed, Now: cfg.Now,
		Workers: cfg.Workers, Mix: cfg.Mix.String(), BulkSize: cfg.BulkSize,
	}
	if !cfg.Load && cfg.Mix.total() == cfg.Mix[OpGateway] {
		rep.Relationships = 0 // the gateway's requests come from a file: no synthetic dataset
	}
	start := time.Now()
	shape := synth.Plan(scfg)
	d := &driver{cfg: cfg, shape: shape, hc: hc, auth: authHeader(cfg.Token)}
	if cfg.Load {
		var cpu time.Duration
		if cfg.PID > 0 {
			if cpu, err = ReadCPU(cfg.PID); err != nil {
				return nil, err
			}
		}
		lr, err := d.load(ctx, cl, scfg, logf)
		if err != nil {
			return nil, err
		}
		if cfg.PID > 0 {
			// One read of the stored relationships first: a store that
			// brings its tables up to date after acknowledging (SQLite's
			// changelog-first writes) finishes that work now, inside
			// the CPU figure.
			if _, err := cl.Read(ctx, api.ReadRequest{Filter: api.Filter{ResourceType: "dataset"}, Limit: 1}); err != nil {
				return nil, fmt.Errorf("reading after the load: %w", err)
			}
			after, err := ReadCPU(cfg.PID)
			if err != nil {
				return nil, err
			}
			lr.ServerCPUMicros = float64((after - cpu).Microseconds()) / float64(lr.Relationships)
		}
		rep.Load = lr
		if err := d.verifyLoad(ctx, shape.Checks(cfg.Queries, cfg.Seed), lr); err != nil {
			return nil, err
		}
		logf("verified the load: %d checks, %d wrong answers", lr.Verified, lr.Mismatches)
		start = time.Now()
	}
	if cfg.Mix[OpCheck] > 0 || cfg.Mix[OpBulk] > 0 {
		d.queries = shape.Checks(cfg.Queries, cfg.Seed)
		d.checkBodies = make([][]byte, len(d.queries))
		d.items = make([][]byte, len(d.queries))
		for i, q := range d.queries {
			item := api.CheckItem{Resource: q.Resource.String(), Permission: q.Permission, Subject: q.Subject.String()}
			d.items[i], _ = json.Marshal(item)
			d.checkBodies[i], _ = json.Marshal(api.CheckRequest{Resource: item.Resource, Permission: item.Permission, Subject: item.Subject})
		}
	}
	if cfg.Mix[OpLookup] > 0 {
		for _, u := range shape.SampleUsers(cfg.LookupUsers, cfg.Seed) {
			body, _ := json.Marshal(api.LookupResourcesRequest{ResourceType: "dataset", Permission: "search", Subject: "user:" + u})
			d.lookups = append(d.lookups, lookupQuery{user: u, body: body, want: shape.SearchableDatasets(u)})
		}
		if len(d.lookups) == 0 {
			return nil, errors.New("the dataset has no typical user to look up for: use more relationships")
		}
	}
	if cfg.Mix[OpGateway] > 0 && len(cfg.GatewayRequests) == 0 {
		return nil, errors.New("the mix has gateway but no gateway requests were given (--gateway-requests FILE)")
	}
	if cfg.Mix[OpGateway] > 0 {
		if d.gw, err = newGatewayClient(cfg); err != nil {
			return nil, err
		}
		if d.gw != nil {
			defer d.gw.close()
		}
	}
	if cfg.Duration == 0 {
		return rep, nil
	}
	logf("prepared %d check queries and %d lookup users in %s", len(d.queries), len(d.lookups), time.Since(start).Round(time.Millisecond))

	if cfg.PID > 0 {
		rss, _, err := ReadRSS(cfg.PID)
		if err != nil {
			return nil, err
		}
		rep.RSS = &RSS{BeforeKiB: rss, MaxKiB: rss}
	}
	logf("driving: %d workers, %s, mix %s", cfg.Workers, cfg.Duration, cfg.Mix)
	d.drive(ctx, rep)
	return rep, nil
}

func authHeader(token string) string {
	if token == "" {
		return ""
	}
	return "Bearer " + token
}

// load writes the schema and loads the dataset (see Config.LoadVia),
// generated into memory first so that the rate measured is the server's,
// not the generator's.
func (d *driver) load(ctx context.Context, cl *client.Client, scfg synth.Config, logf func(string, ...any)) (*LoadResult, error) {
	if _, err := cl.WriteSchema(ctx, api.WriteSchemaRequest{Schema: synth.Schema}); err != nil {
		return nil, fmt.Errorf("writing the benchmark schema: %w", err)
	}
	genStart := time.Now()
	if d.cfg.LoadVia == ViaWrite {
		var rels []tuple.Relationship
		st, err := synth.Generate(scfg, func(r tuple.Relationship) error {
			rels = append(rels, r)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("generating the dataset: %w", err)
		}
		logf("generated %d relationships in %s", st.Total, time.Since(genStart).Round(time.Millisecond))
		return d.loadByWrites(ctx, rels, d.cfg.LoadBatch, d.cfg.LoadWriters, logf)
	}
	var buf bytes.Buffer
	buf.Grow(scfg.Relationships * 64)
	st, err := synth.Generate(scfg, func(r tuple.Relationship) error {
		buf.WriteString(tuple.Format(r))
		buf.WriteByte('\n')
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("generating the dataset: %w", err)
	}
	logf("generated %d relationships (%d MiB of text) in %s; importing", st.Total, buf.Len()>>20, time.Since(genStart).Round(time.Millisecond))
	start := time.Now()
	res, err := cl.Import(ctx, bytes.NewReader(buf.Bytes()))
	elapsed := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("importing the dataset: %w", err)
	}
	if res.Imported != st.Total {
		return nil, fmt.Errorf("importing the dataset: the server imported %d relationships, want %d", res.Imported, st.Total)
	}
	lr := &LoadResult{Via: ViaImport, Relationships: res.Imported, Bytes: int64(buf.Len()), Seconds: elapsed.Seconds(),
		PerSecond: float64(res.Imported) / elapsed.Seconds()}
	logf("imported %d relationships in %s: %.0f relationships/s", res.Imported, elapsed.Round(time.Millisecond), lr.PerSecond)
	return lr, nil
}

type lookupQuery struct {
	user string
	body []byte
	want int
}

// driver holds what every worker reads; workers write only their own
// stats.
type driver struct {
	cfg         Config
	shape       synth.Shape
	hc          *http.Client
	auth        string
	queries     []synth.Query
	checkBodies [][]byte
	items       [][]byte // each query as a check-bulk item
	lookups     []lookupQuery
	gw          *gatewayClient // the gateway operation's lean client (nil: net/http)
	sent        atomic.Int64

	mu       sync.Mutex
	examples []string // first few errors and mismatches, for the report
}

const maxExamples = 8

func (d *driver) example(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.examples) < maxExamples {
		d.examples = append(d.examples, fmt.Sprintf(format, args...))
	}
}

// opStats are one worker's counts for one operation.
type opStats struct {
	hist       *Histogram
	errors     int64
	mismatches int64
	items      int64 // checks answered, for bulk; results received, for lookups
}

func newStats() *[numOps]opStats {
	var s [numOps]opStats
	for i := range s {
		s[i].hist = NewHistogram()
	}
	return &s
}

func (d *driver) drive(ctx context.Context, rep *Report) {
	stopRSS := make(chan struct{})
	var rssDone sync.WaitGroup
	if rep.RSS != nil {
		rssDone.Go(func() { d.sampleRSS(rep.RSS, stopRSS) })
	}
	deadline := time.Now().Add(d.cfg.Duration)
	start := time.Now()
	all := make([]*[numOps]opStats, d.cfg.Workers)
	var wg sync.WaitGroup
	for w := range d.cfg.Workers {
		all[w] = newStats()
		wg.Go(func() { d.worker(ctx, w, deadline, all[w]) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopRSS)
	rssDone.Wait()
	if rep.RSS != nil {
		if rss, hwm, err := ReadRSS(d.cfg.PID); err == nil {
			rep.RSS.AfterKiB, rep.RSS.PeakKiB = rss, hwm
			rep.RSS.MaxKiB = max(rep.RSS.MaxKiB, rss)
		}
	}
	rep.Seconds = elapsed.Seconds()
	total := NewHistogram()
	var tot OpResult
	tot.Op = "total"
	for op := range numOps {
		if d.cfg.Mix[op] == 0 {
			continue
		}
		h := NewHistogram()
		var r OpResult
		r.Op = Op(op).String()
		for _, s := range all {
			h.Merge(s[op].hist)
			r.Errors += s[op].errors
			r.Mismatches += s[op].mismatches
			r.Items += s[op].items
		}
		total.Merge(h)
		r.fill(h, elapsed)
		if Op(op) == OpBulk {
			r.ItemsPerSecond = float64(r.Items) / elapsed.Seconds()
		}
		if Op(op) == OpLookup && r.Count > 0 {
			r.MeanResults = float64(r.Items) / float64(r.Count)
		}
		rep.Ops = append(rep.Ops, r)
		tot.Errors += r.Errors
		tot.Mismatches += r.Mismatches
	}
	tot.fill(total, elapsed)
	rep.Total = tot
	rep.Examples = d.examples
}

func (d *driver) sampleRSS(r *RSS, stop <-chan struct{}) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if rss, _, err := ReadRSS(d.cfg.PID); err == nil {
				r.MaxKiB = max(r.MaxKiB, rss)
			}
		}
	}
}

// worker sends requests until the deadline, the request cap or ctx. A
// request in flight at the deadline completes: cutting it would count a
// healthy request as an error.
func (d *driver) worker(ctx context.Context, w int, deadline time.Time, stats *[numOps]opStats) {
	r := rand.New(rand.NewPCG(uint64(d.cfg.Seed), uint64(w)+1))
	var buf bytes.Buffer
	nq := max(len(d.queries), 1)
	next := w * nq / d.cfg.Workers // spread the workers over the queries
	writes := 0
	for ctx.Err() == nil && time.Now().Before(deadline) && d.sent.Add(1) <= d.cfg.MaxRequests {
		op := d.cfg.Mix.pick(r)
		s := &stats[op]
		start := time.Now()
		var err error
		switch op {
		case OpCheck:
			q := next % nq
			next++
			err = d.check(ctx, q, &buf, s)
		case OpBulk:
			q := next % nq
			next += d.cfg.BulkSize
			err = d.bulk(ctx, q, &buf, s)
		case OpLookup:
			err = d.lookup(ctx, d.lookups[r.IntN(len(d.lookups))], s)
		case OpWrite:
			err = d.write(ctx, w, writes, r, &buf)
			writes++
		case OpGateway:
			err = d.gateway(ctx, w, next%len(d.cfg.GatewayRequests), s)
			next++
		}
		s.hist.Record(time.Since(start))
		if err != nil {
			s.errors++
			d.example("%s: %v", op, err)
		}
	}
}

// post sends body to path and reads the whole answer into buf; a status
// other than 200 is an error carrying the problem's text.
func (d *driver) post(ctx context.Context, path string, body []byte, buf *bytes.Buffer) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	resp, err := d.do(ctx, path, body, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	return err
}

func (d *driver) do(ctx context.Context, path string, body []byte, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", d.cfg.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if d.auth != "" {
		req.Header.Set("Authorization", d.auth)
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return nil, fmt.Errorf("%s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	return resp, nil
}

func allowed(result string) (bool, error) {
	switch result {
	case "has_permission":
		return true, nil
	case "no_permission":
		return false, nil
	}
	return false, fmt.Errorf("result %q: want has_permission or no_permission (the dataset has no caveats)", result)
}

func (d *driver) check(ctx context.Context, q int, buf *bytes.Buffer, s *opStats) error {
	if err := d.post(ctx, "/api/v1/permissions/check", d.checkBodies[q], buf); err != nil {
		return err
	}
	var resp api.CheckResponse
	if err := json.Unmarshal(buf.Bytes(), &resp); err != nil {
		return fmt.Errorf("decoding the check answer: %w", err)
	}
	got, err := allowed(resp.Result)
	if err != nil {
		return err
	}
	if got != d.queries[q].Want {
		s.mismatches++
		d.example("check %s: got %s, want allowed=%t", d.queries[q], resp.Result, d.queries[q].Want)
	}
	return nil
}

func (d *driver) bulk(ctx context.Context, first int, buf *bytes.Buffer, s *opStats) error {
	n := min(d.cfg.BulkSize, len(d.queries))
	body := make([]byte, 0, n*120+16)
	body = append(body, `{"items":[`...)
	for i := range n {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, d.items[(first+i)%len(d.queries)]...)
	}
	body = append(body, "]}"...)
	if err := d.post(ctx, "/api/v1/permissions/check-bulk", body, buf); err != nil {
		return err
	}
	var resp api.CheckBulkResponse
	if err := json.Unmarshal(buf.Bytes(), &resp); err != nil {
		return fmt.Errorf("decoding the bulk check answer: %w", err)
	}
	if len(resp.Results) != n {
		return fmt.Errorf("bulk check of %d items answered %d results", n, len(resp.Results))
	}
	for i, r := range resp.Results {
		if r.Error != nil {
			return fmt.Errorf("bulk check item %d: %s: %s", i, r.Error.Code, r.Error.Message)
		}
		got, err := allowed(r.Result)
		if err != nil {
			return err
		}
		q := d.queries[(first+i)%len(d.queries)]
		if got != q.Want {
			s.mismatches++
			d.example("bulk check %s: got %s, want allowed=%t", q, r.Result, q.Want)
		}
	}
	s.items += int64(n)
	return nil
}

// lookup streams the datasets a user may search and counts them without
// decoding every line: at ~76k lines a full JSON decode would make the
// load generator, not the server, the bottleneck of the measurement.
func (d *driver) lookup(ctx context.Context, q lookupQuery, s *opStats) error {
	ctx, cancel := context.WithTimeout(ctx, 4*d.cfg.Timeout)
	defer cancel()
	resp, err := d.do(ctx, "/api/v1/permissions/lookup-resources", q.body, "application/x-ndjson")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			switch {
			case bytes.Contains(line, []byte(`"result":"has_permission"`)):
				n++
			case bytes.Contains(line, []byte(`"resource_id"`)):
				return fmt.Errorf("lookup for user:%s: a result other than has_permission: %s", q.user, bytes.TrimSpace(line))
			default:
				return fmt.Errorf("lookup for user:%s: stream line %d is not a result: %.200s", q.user, n+1, bytes.TrimSpace(line))
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("lookup for user:%s: stream cut short after %d results: %w", q.user, n, err)
		}
	}
	s.items += int64(n)
	if n != q.want {
		s.mismatches++
		d.example("lookup dataset#search for user:%s: got %d datasets, want %d", q.user, n, q.want)
	}
	return nil
}

// write touches WriteBatch relationships on offerings named bench_w<worker>_<n>,
// which exist only for the benchmark: no check or lookup above reads them.
// Names repeat across runs (n wraps), so rerunning touches rather than grows.
func (d *driver) write(ctx context.Context, w, n int, r *rand.Rand, buf *bytes.Buffer) error {
	req := api.WriteRequest{Updates: make([]api.Update, d.cfg.WriteBatch)}
	off := "offering:bench_w" + strconv.Itoa(w) + "_" + strconv.Itoa(n%10_000)
	base := r.IntN(d.shape.Users) // grantees base, base+1…: distinct, as a write requires
	for i := range req.Updates {
		rel := api.Relationship{Resource: off, Relation: "grantee", Subject: "user:u" + strconv.Itoa((base+i)%d.shape.Users)}
		if i == 0 {
			rel = api.Relationship{Resource: off, Relation: "dataset", Subject: "dataset:ds" + strconv.Itoa(r.IntN(d.shape.Datasets))}
		}
		req.Updates[i] = api.Update{Operation: "touch", Relationship: rel}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if err := d.post(ctx, "/api/v1/relationships/write", body, buf); err != nil {
		return err
	}
	var resp api.WriteResponse
	if err := json.Unmarshal(buf.Bytes(), &resp); err != nil || resp.ConsistencyToken == "" {
		return fmt.Errorf("write answered without a consistency token: %.200s", buf.Bytes())
	}
	return nil
}
