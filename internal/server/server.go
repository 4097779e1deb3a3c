// Package server wires octroi together: a durable store, the in-memory
// index that follows it, the engine over that index, and the HTTP API,
// health endpoints and metrics in front of them.
//
// # Start-up and following
//
// New refuses a database whose migration version is not this binary's (the
// error says to run `octroi migrate`), loads every relationship into a
// fresh index (LoadAll) and reads the schema. Start then follows the
// store's changelog: woken by Subscribe (LISTEN/NOTIFY on PostgreSQL,
// in-process on SQLite) and polling every PollInterval as a fallback — on
// SQLite the only way to see other processes' writes —, it applies
// Changes(after) revision by revision, re-reading the schema at a schema
// change. When the changelog no longer reaches back to the index's
// revision (ErrRevisionTooOld, or ErrFutureRevision after a restore) it
// loads a new index beside the old one and swaps them; readers keep
// working meanwhile.
//
// # Consistency
//
// Writes are validated against the schema, committed to the store, and
// answered only once the local index has applied their revision, so a
// client that reads with the token of its write reads its own write on
// this node. Schema writes exclude relationship writes of this process
// while they check what is stored, so that no relationship the new schema
// refuses slips in between (with several nodes on PostgreSQL a concurrent
// write on another node is not excluded: run schema changes that remove
// relations when writers are quiet). Reads say how fresh they must be
// (api.Freshness): as is, at least a token's revision, or the store's head.
//
// # Tokens
//
// Operator tokens (the low-level API's) and personal tokens (the portal's)
// are credentials in the store, kept in memory by a credentials.Cache that
// follows the store like the index (woken by Subscribe, polling every
// PollInterval), so that checking one never waits for the database and a
// token revoked on one node is refused by every node within the
// follower's delay; operator tokens from the configuration (OCTROI_TOKEN,
// a hashes file) are accepted besides.
//
// # Operations
//
// /healthz answers while the process runs; /readyz once the index is loaded
// and was caught up with the store within ReadyLag; /metrics exposes a
// registry of this Server (never the global one), to operator tokens on
// the API port or to anyone on a listener of its own (MetricsAddr). The
// API listener holds MaxConns connections at most, and every request's
// body and writes are bounded in time (BodyTimeout, WriteTimeout), so
// that clients that stall cannot hold the server's connections. A GC loop trims the
// index's old versions and the store's changelog. Run serves until its
// context ends, then stops accepting, lets in-flight requests finish and
// ends streams; every acknowledged write was committed before it was
// acknowledged, so none is lost.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/mail"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/signin"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
	"github.com/octroi/octroi/internal/ui"
)

// Server is one octroi node. Create it with New; its methods are safe for
// concurrent use.
type Server struct {
	cfg   Config
	store store.Store
	log   *slog.Logger
	auth  *credentials.Operators
	creds *credentials.Cache // nil with a store without documents

	cur atomic.Pointer[state]

	// schemaMu: relationship writes hold it shared, schema writes
	// exclusively (see the package doc).
	schemaMu sync.RWMutex

	// follower bookkeeping, for /readyz and the lag metric.
	head      atomic.Uint64 // latest head revision seen
	caughtUp  atomic.Int64  // unix nanos when the index last matched the head
	applyHist prometheus.Histogram
	reloads   prometheus.Counter

	// the API listener's connections, for their metrics.
	conns        atomic.Pointer[limitListener]
	connsRefused prometheus.Counter

	portal *portal.Service // nil with Config.NoPortal
	mailer *mail.Sender    // nil without the portal or an SMTP server
	// gw is the gateway (gateway.go); nil with Config.NoPortal.
	gw     *gatewayParts
	signin *signin.Service      // nil with Config.NoPortal
	oidc   *signin.OIDC         // nil without a provider
	tokens *signin.AccessTokens // the provider's access tokens (oauth2.go); nil without one

	reg       *prometheus.Registry
	metrics   *api.Metrics
	done      chan struct{} // closed when shutdown starts: ends streams
	once      sync.Once
	startOnce sync.Once
	// bgStop ends the background work Start began; bgDone waits for it.
	bgStop context.CancelFunc
	bgDone sync.WaitGroup
}

// state is an index and the engine over it; a reload swaps both at once.
type state struct {
	idx *index.Index
	eng *engine.Engine
}

// New checks the store's version, loads the index and reads the schema.
// The store stays the caller's to close, after the Server is done.
func New(ctx context.Context, cfg Config, st store.Store, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := st.CheckVersion(ctx); err != nil {
		var ve *store.VersionError
		if errors.As(err, &ve) {
			return nil, ve // its message says what to run
		}
		return nil, fmt.Errorf("checking the database version: %w", err)
	}
	s := &Server{cfg: cfg, store: st, log: log, reg: prometheus.NewRegistry(), done: make(chan struct{})}
	{
		kinds := []string{credentials.KindOperatorToken}
		if !cfg.NoPortal {
			kinds = append(kinds, portal.KindToken, portal.KindAccessKey, portal.KindSession)
		}
		c, err := credentials.NewDecodingCache(ctx, st, log, portal.DecodeCredential, kinds...)
		if err != nil {
			return nil, err
		}
		s.creds = c
	}
	if !cfg.NoAuth {
		a, err := credentials.NewOperators(cfg.Tokens, cfg.TokenHashesFile, s.creds)
		if err != nil {
			return nil, err
		}
		if !a.Configured() {
			// With the portal, people's personal tokens are enough; the
			// low-level API then refuses everyone until an operator
			// token is created (and read at the next poll).
			if cfg.NoPortal {
				return nil, errors.New("no API token configured: create one with `octroi token create --name NAME`, or set OCTROI_TOKEN, or pass --token-hashes-file (--no-auth serves without authentication, for development only)")
			}
			log.Info("no operator token configured: the low-level API (schema, relationships, permissions, watch) is closed until `octroi token create`; portal endpoints take personal tokens")
		}
		s.auth = a
	}
	if !cfg.NoPortal {
		if err := s.ensurePortalSchema(ctx); err != nil {
			return nil, err
		}
	}
	s.registerMetrics()
	start := time.Now()
	stt, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	s.cur.Store(stt)
	s.head.Store(stt.idx.Revision())
	s.caughtUp.Store(time.Now().UnixNano())
	log.Info("index loaded", "relationships", stt.idx.Len(), "revision", stt.idx.Revision(), "duration", time.Since(start))
	if !cfg.NoPortal {
		if s.portal, err = s.newPortal(); err != nil {
			return nil, err
		}
		if err := s.setupMail(); err != nil {
			return nil, err
		}
		if err := s.newGateway(); err != nil {
			return nil, err
		}
		if s.signin, s.oidc, err = s.newSignIn(ctx); err != nil {
			return nil, err
		}
		if err := s.setupAccessTokens(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Server) registerMetrics() {
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.metrics = api.NewMetrics(s.reg)
	s.applyHist = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "octroi_changelog_apply_duration_seconds",
		Help:    "Time to read and apply one page of changelog entries to the index.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
	})
	s.reloads = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "octroi_index_reloads_total",
		Help: "Full reloads of the index because the changelog no longer reached back to it.",
	})
	s.connsRefused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "octroi_http_connections_refused_total",
		Help: "Connections closed at once because their remote address had --max-conns-per-ip open.",
	})
	s.reg.MustRegister(s.applyHist, s.reloads, s.connsRefused,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "octroi_http_connections_open", Help: "Open connections of the API listener (bounded by --max-conns)."},
			func() float64 {
				if l := s.conns.Load(); l != nil {
					return float64(len(l.slots))
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "octroi_index_relationships", Help: "Live relationships in the index."},
			func() float64 { return float64(s.cur.Load().idx.Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "octroi_index_revision", Help: "Revision the index has applied."},
			func() float64 { return float64(s.cur.Load().idx.Revision()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "octroi_index_revision_lag", Help: "Store head revision seen minus the index's revision."},
			func() float64 { return float64(s.lag()) }),
	)
}

func (s *Server) lag() uint64 {
	h, r := s.head.Load(), s.cur.Load().idx.Revision()
	if h > r {
		return h - r
	}
	return 0
}

// Registry is the server's Prometheus registry.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Engine returns the current engine (the one over the current index).
func (s *Server) CurrentEngine() *engine.Engine { return s.cur.Load().eng }

// load builds a new state from the store: every relationship, then the
// schema (read after the relationships, so that a schema written in
// between is either seen here or met later in the changelog).
func (s *Server) load(ctx context.Context) (*state, error) {
	idx := index.New()
	var rev store.Revision
	_, err := idx.Load(func(add func(tuple.Relationship)) (uint64, error) {
		var err error
		rev, err = s.store.LoadAll(ctx, func(r tuple.Relationship) error {
			add(r)
			return nil
		})
		return uint64(rev), err
	})
	if err != nil {
		if rev != 0 || !errors.Is(err, index.ErrStaleRevision) {
			return nil, fmt.Errorf("loading relationships: %w", err)
		}
		// An empty database is at revision 0, where the index starts.
		idx = index.New()
	}
	st := &state{idx: idx, eng: engine.New(idx)}
	if err := s.loadSchema(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Server) loadSchema(ctx context.Context, st *state) error {
	text, _, err := s.store.ReadSchema(ctx)
	if errors.Is(err, store.ErrNoSchema) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the schema: %w", err)
	}
	sch, err := schema.Parse(text)
	if err != nil {
		return fmt.Errorf("the stored schema does not parse: %w", err)
	}
	st.eng.SetSchema(sch)
	return nil
}

// Start runs the changelog follower, the credential cache's and the GC
// loop until ctx ends. Only the first call starts them (Serve calls
// it too): the index has one follower.
func (s *Server) Start(ctx context.Context) {
	s.startOnce.Do(func() {
		ctx, s.bgStop = context.WithCancel(ctx)
		s.bgDone.Go(func() { s.follow(ctx) })
		if s.creds != nil {
			s.bgDone.Go(func() { s.followCredentials(ctx) })
		}
		if s.cfg.GCInterval > 0 {
			s.bgDone.Go(func() { s.gcLoop(ctx) })
		}
		if s.mailer != nil {
			s.bgDone.Go(func() { s.mailer.Run(ctx) })
		}
		if s.portal != nil && s.cfg.Mail.ExpiryCheckInterval > 0 {
			s.bgDone.Go(func() { s.expiryLoop(ctx) })
		}
		if s.gw != nil {
			s.bgDone.Go(func() { s.gw.usage.Run(ctx) })
		}
		if s.tokens != nil {
			s.bgDone.Go(func() { s.tokens.Run(ctx) })
		}
	})
}

// Stop ends the background work Start began and waits until it has
// returned (the usage log has written its last batch), so that the store
// can be closed after it. It may be called more than once, and without
// Start.
func (s *Server) Stop() {
	s.startOnce.Do(func() {}) // orders Stop after a concurrent Start
	if s.bgStop != nil {
		s.bgStop()
	}
	s.bgDone.Wait()
}

// follow keeps the index caught up with the store.
func (s *Server) follow(ctx context.Context) {
	wake, err := s.store.Subscribe(ctx)
	if err != nil {
		s.log.Warn("changelog subscription failed; polling only", "error", err)
	}
	store.Follow(ctx, wake, s.cfg.PollInterval, func() {
		if err := s.catchUp(ctx); err != nil && ctx.Err() == nil {
			if errors.Is(err, store.ErrRevisionTooOld) || errors.Is(err, store.ErrFutureRevision) {
				s.log.Warn("index cannot follow the changelog; reloading", "reason", err)
				if err := s.reload(ctx); err != nil && ctx.Err() == nil {
					s.log.Error("reloading the index", "error", err)
				}
			} else {
				s.log.Error("following the changelog", "error", err)
			}
		}
	})
}

// followCredentials keeps the credential cache caught up with the store,
// woken like the index's follower.
func (s *Server) followCredentials(ctx context.Context) {
	wake, err := s.store.Subscribe(ctx)
	if err != nil {
		s.log.Warn("changelog subscription failed; credentials poll only", "error", err)
	}
	s.creds.Follow(ctx, wake, s.cfg.PollInterval)
}

// changesPage bounds one read of the changelog.
const changesPage = 1000

// catchUp applies changelog pages until the index is at the head. Only the
// follower goroutine calls it.
func (s *Server) catchUp(ctx context.Context) error {
	st := s.cur.Load()
	for {
		after := store.Revision(st.idx.Revision())
		start := time.Now()
		changes, through, err := s.store.Changes(ctx, after, changesPage)
		if err != nil {
			return err
		}
		if through <= after {
			// Changes reports the head when there is nothing after it.
			s.head.Store(uint64(through))
			s.caughtUp.Store(time.Now().UnixNano())
			return nil
		}
		if err := s.apply(ctx, st, changes, through); err != nil {
			return err
		}
		s.applyHist.Observe(time.Since(start).Seconds())
		if s.head.Load() < uint64(through) {
			s.head.Store(uint64(through))
		}
	}
}

// apply applies changes (whole revisions, oldest first) and then advances
// the index to through.
func (s *Server) apply(ctx context.Context, st *state, changes []store.Change, through store.Revision) error {
	for i := 0; i < len(changes); {
		rev := changes[i].Revision
		var batch []index.Change
		schemaChanged := false
		for ; i < len(changes) && changes[i].Revision == rev; i++ {
			switch c := changes[i]; c.Op {
			case store.ChangeTouch:
				batch = append(batch, index.Change{Op: index.Touch, Rel: c.Relationship})
			case store.ChangeDelete:
				batch = append(batch, index.Change{Op: index.Delete, Rel: c.Relationship})
			case store.ChangeSchema:
				schemaChanged = true
			}
		}
		if schemaChanged {
			// The schema is set before its revision becomes visible, so
			// whoever waited for that revision sees it.
			if err := s.loadSchema(ctx, st); err != nil {
				s.log.Error("applying a schema change", "revision", rev, "error", err)
			}
		}
		if err := st.idx.Apply(uint64(rev), batch); err != nil {
			return fmt.Errorf("applying revision %d: %w", rev, err)
		}
	}
	if through > store.Revision(st.idx.Revision()) {
		return st.idx.Apply(uint64(through), nil)
	}
	return nil
}

// reload replaces the index with a fresh load from the store.
func (s *Server) reload(ctx context.Context) error {
	st, err := s.load(ctx)
	if err != nil {
		return err
	}
	s.cur.Store(st)
	s.reloads.Inc()
	s.log.Info("index reloaded", "relationships", st.idx.Len(), "revision", st.idx.Revision())
	return nil
}

// waitIndex waits until the current index has applied rev. A reload swaps
// the index, so it waits in short slices and looks again.
func (s *Server) waitIndex(ctx context.Context, rev store.Revision) (*state, error) {
	for {
		st := s.cur.Load()
		if st.idx.Revision() >= uint64(rev) {
			return st, nil
		}
		slice, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		err := st.idx.WaitFor(slice, uint64(rev))
		cancel()
		if err == nil {
			return st, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}

// gcLoop trims the index's deleted versions and the store's changelog.
func (s *Server) gcLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.GCInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.GC(ctx)
	}
}

// GC runs one collection of the index and of the store.
func (s *Server) GC(ctx context.Context) {
	idx := s.cur.Load().idx
	n := idx.GC(idx.HorizonBefore(time.Now().Add(-s.cfg.IndexRetention)))
	res, err := s.store.GC(ctx, s.cfg.ChangelogRetention)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("store GC", "error", err)
		}
		return
	}
	s.log.Debug("gc", "index_versions", n, "changes_deleted", res.ChangesDeleted, "expired_deleted", res.ExpiredDeleted)
}

// Ready reports whether the index is loaded and was caught up with the
// store within ReadyLag.
func (s *Server) Ready() error {
	if since := time.Since(time.Unix(0, s.caughtUp.Load())); since > s.cfg.ReadyLag {
		return fmt.Errorf("index not caught up with the store for %s (lag %d revisions)", since.Round(time.Second), s.lag())
	}
	return nil
}

// Handler serves the API under /api/v1 and /healthz, /readyz, and
// /metrics for operator tokens unless Config.MetricsAddr gives metrics a
// listener of their own (MetricsHandler). Every answer carries the
// security headers and every request the body and write deadlines (see
// api.Guard).
func (s *Server) Handler() http.Handler {
	o := api.Options{
		Backend:         s,
		Logger:          s.log,
		Metrics:         s.metrics,
		MaxRequestBytes: s.cfg.MaxRequestBytes,
		MaxImportBytes:  s.cfg.MaxImportBytes,
		RequestTimeout:  s.cfg.RequestTimeout,
		MaxBatch:        s.cfg.MaxBatch,
		PollInterval:    s.cfg.PollInterval,
		WriteTimeout:    s.cfg.WriteTimeout,
		Done:            s.done,
		SignIn:          s.apiSignIn(),
	}
	if s.cfg.MetricsAddr == "" {
		o.MetricsHandler = s.metricsHandler()
	}
	if s.auth != nil {
		o.Authenticate = s.auth.Authenticate
	}
	if s.portal != nil {
		o.Portal = apiPortal(s.portal)
		o.Portal.Gateway = explainer{d: s.gw.decider, p: s.portal}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.Ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready:", err)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	// /gateway/auth is served ahead of the mux (gatewayFirst).
	apiHandler := api.Handler(o)
	if s.portal == nil {
		mux.Handle("/", apiHandler)
		return s.gatewayFirst(s.harden(mux))
	}
	// With the portal, the web interface answers every path but the
	// API's and /metrics.
	mux.Handle("/api/", apiHandler)
	mux.Handle("/metrics", apiHandler)
	uc := ui.Config{
		Catalogue:   s.portal,
		Access:      s.portal,
		Members:     s.portal,
		People:      s.portal,
		Tokens:      s.portal,
		Notices:     s.portal,
		Grants:      s.portal,
		Permissions: s.portal,
		Pages:       s.portal,
		Maps:        s.portal,
		Sessions:    s.portal,
		Actor:       func(*http.Request) (string, error) { return "", nil },
		PublicHTTPS: s.publicHTTPS(),
		OIDC:        s.oidc != nil,
		Log:         s.log,
	}
	uc.OIDCName, uc.ClientAddress = s.cfg.SignIn.OIDC.Name, s.clientAddress()
	uc.Audit, uc.OrgGroups, uc.CommunityAdmin = s.portal, s.portal, s.portal
	uc.OrgAdmin = s.portal
	if s.signin != nil {
		uc.SignIn, uc.Actor = s.signin, ui.SessionActor(s.signin)
	}
	uc.Keys, uc.KeyStates, uc.GatewayURL = s.portal, s.UIKeyStates(), s.cfg.GatewayPublicURL
	mux.Handle("/", ui.Handler(uc))
	return s.gatewayFirst(s.harden(mux))
}

// MetricsHandler serves /metrics alone, without authentication: for the
// listener of Config.MetricsAddr.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler())
	return s.harden(mux)
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg})
}

// harden bounds the time of every request's body and writes, and sets the
// security headers of every answer.
func (s *Server) harden(h http.Handler) http.Handler {
	return securityHeaders(api.Guard(h, s.cfg.BodyTimeout, s.cfg.WriteTimeout))
}

// Run serves cfg.Listen until ctx ends, then shuts down gracefully. It
// opens the store, checks its version and closes it at the end. ready, if
// not nil, receives the listening address once requests are accepted.
func Run(ctx context.Context, cfg Config, log *slog.Logger, ready func(addr string)) error {
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := New(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln, ready)
}

// Serve serves on ln until ctx ends, then shuts down gracefully: the
// listener closes, streams end, in-flight requests get ShutdownTimeout to
// finish. With Config.MetricsAddr it serves /metrics there too. ln is held
// to Config.MaxConns connections (MaxConnsPerIP per remote address).
func (s *Server) Serve(ctx context.Context, ln net.Listener, ready func(addr string)) error {
	extra, err := s.listenExtra()
	if err != nil {
		ln.Close()
		return err
	}
	// The background work outlives the request context: it stops once
	// the servers have shut down (in-flight requests still write).
	s.Start(context.WithoutCancel(ctx))
	defer s.Stop()
	lln := newLimitListener(ln, s.cfg.MaxConns, s.cfg.MaxConnsPerIP, s.connsRefused)
	s.conns.Store(lln)
	apiServer := s.httpServer(s.Handler())
	apiServer.RegisterOnShutdown(s.closeStreams)
	servers := []server{apiServer}
	errc := make(chan error, 1+len(extra))
	go func() { errc <- apiServer.Serve(lln) }()
	for _, x := range extra {
		servers = append(servers, x.srv)
		go func() { errc <- x.srv.Serve(x.ln) }()
		s.log.Info("serving "+x.what, "address", x.ln.Addr().String())
	}
	s.log.Info("serving", "address", ln.Addr().String(), "auth", s.auth != nil, "pid", os.Getpid())
	if ready != nil {
		ready(ln.Addr().String())
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
		s.log.Info("shutting down: finishing in-flight requests", "timeout", s.cfg.ShutdownTimeout)
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	for _, hs := range servers {
		if err := hs.Shutdown(sctx); err != nil {
			s.log.Warn("shutdown timed out; closing remaining connections", "error", err)
			hs.Close()
		}
	}
	pending := len(servers)
	if failed != nil {
		pending-- // already received
	}
	for range pending {
		<-errc
	}
	if failed != nil {
		return failed
	}
	s.log.Info("stopped")
	return nil
}

// listen listens on a TCP address, or on a Unix socket for "unix:" and
// an absolute path (a stale socket file left by a process that ended is
// replaced; one that still answers is not). The socket is made
// readable and writable by its owner and group only: who may connect is
// who may ask forward-auth with the trust of a local proxy.
func listen(addr string) (net.Listener, error) {
	path, ok := strings.CutPrefix(addr, "unix:")
	if !ok {
		return net.Listen("tcp", addr)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("%s is in use by another process", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o660); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// server is what Serve runs and stops: *http.Server, and the gateway's
// own forward-auth server.
type server interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
	Close() error
}

// extraListener is a listener of its own beside the main one, and what
// serves it.
type extraListener struct {
	what string
	ln   net.Listener
	srv  server
}

// listenExtra opens the listeners of the configuration beside the main
// one: metrics, the gateway's proxy mode, the gateway's forward-auth. On
// error none is left open.
func (s *Server) listenExtra() ([]extraListener, error) {
	var out []extraListener
	fail := func(err error) ([]extraListener, error) {
		for _, x := range out {
			x.ln.Close()
		}
		return nil, err
	}
	for _, l := range []struct {
		addr, flag, what string
		gateway          bool
		srv              func() server
		// bounded: at most MaxConns connections (not per address: every
		// connection comes from a proxy or two)
		bounded bool
	}{
		{s.cfg.MetricsAddr, "--metrics-addr", "metrics", false, func() server { return s.httpServer(s.MetricsHandler()) }, false},
		{s.cfg.GatewayAddr, "--gateway-addr", "the gateway's proxy mode", true, func() server { return s.httpServer(s.GatewayProxyHandler()) }, false},
		{s.cfg.GatewayAuthAddr, "--gateway-auth-addr", "the gateway's forward-auth", true, func() server {
			return &gateway.AuthServer{Auth: s.gw.auth, WriteTimeout: s.cfg.WriteTimeout, Log: s.log, Registerer: s.reg}
		}, true},
	} {
		if l.addr == "" {
			continue
		}
		if l.gateway && s.gw == nil {
			return fail(fmt.Errorf("the gateway (%s) needs the data portal: remove --no-portal", l.flag))
		}
		ln, err := listen(l.addr)
		if err != nil {
			return fail(fmt.Errorf("%s listener (%s): %w", l.what, l.flag, err))
		}
		if l.bounded {
			ln = newLimitListener(ln, s.cfg.MaxConns, 0, s.connsRefused)
		}
		out = append(out, extraListener{what: l.what, ln: ln, srv: l.srv()})
	}
	return out, nil
}

func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

func (s *Server) closeStreams() { s.once.Do(func() { close(s.done) }) }
