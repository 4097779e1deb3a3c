// Package api is octroi's HTTP JSON API under /api/v1. It has two faces:
//
//   - the low-level API — schema, relationships, permissions and watch —
//     built on a Backend (the server implements one over a store, an index
//     and an engine), for operators and integrators;
//   - the portal endpoints — me, accounts, organisations, communities,
//     groups of organisations, datasets and their access levels,
//     catalogue, content pages, maps, audit — built on a Portal (the data-platform domain),
//     for the people of the platform and the applications acting for them.
//
// # The domain
//
// The API depends on the domain through interfaces it declares itself, on
// its side (domain.go): one small interface per noun — Accounts, Members,
// Datasets, Access, Catalogue… —, each with only the methods its handlers
// call, gathered in the Portal struct. A handler reaches the domain only
// through its noun's interface. Package portal knows nothing of HTTP nor
// of these interfaces: *portal.Service implements them all, and the
// server, which wires the two, gives it to every field and checks at
// compile time that it fits. The other faces (web UI, gateway) declare
// their own, so that none depends on more of the domain than it uses.
//
// The operations, their bodies and their errors are described by the
// OpenAPI 3.1 document openapi.json, embedded and served at GET
// /api/v1/openapi.json.
//
// # Authentication
//
// Every operation but the OpenAPI document takes a bearer token
// (Authorization: Bearer <token>), of one of two kinds:
//
//   - operator tokens (Options.Authenticate: `octroi token create`, which
//     makes "octop_…" secrets, OCTROI_TOKEN) reach the low-level API only.
//     On portal endpoints they are answered 403 forbidden: the portal acts
//     as a person, and an operator token is nobody.
//   - personal tokens (Portal.Callers.Authenticate: `octroi admin
//     create-user`, POST /me/tokens, `octroi serve --demo`) reach the
//     portal endpoints only and act as their account, whose rights the
//     portal checks for every action. On the low-level API they are
//     answered 403 forbidden: relationships bypass the portal's
//     invariants.
//
// In place of a personal token, a browser may present the session cookie
// that POST /api/v1/auth/sign-in sets (see auth.go and package signin): it
// acts as its account wherever a personal token does, and its
// state-changing requests must come from the platform's own pages
// (http.CrossOriginProtection). A request with a bearer token is
// authenticated by the token alone.
//
// A token is told apart by lookup, Options.Authenticate first (it must
// answer from memory: it is asked on every request), then
// Portal.Callers.Authenticate; the prefixes ("oct_" personal, "octop_" operator)
// are for people and secret scanners. A missing, unknown or revoked token
// is 401 unauthenticated. Tokens and secrets are never logged; the request
// log names the caller (the account, or the operator token's name) and the
// account an operator acts for on the catalogue filters.
//
// # Conventions
//
//   - Bodies are JSON (see the types in wire.go); unknown fields are
//     refused, so that a misspelt field is an error rather than ignored.
//   - Every read takes an optional "consistency": minimize_latency (the
//     default), at_least_as_fresh with a consistency token, or
//     fully_consistent. Every answer carries a consistency_token, an opaque
//     string; a client that passes the token of its write to its next read
//     reads its own write.
//   - Every answer carries X-Request-ID: the client's own when plain (see
//     package reqid), else a fresh one. The request log and the audit
//     entries of the request's changes record it.
//   - Errors are RFC 9457 application/problem+json documents with a stable
//     "code" (see errors.go) and a "detail" that says what is wrong; internal
//     error text is logged, never sent.
//   - Lookups answer JSON pages with a cursor, or stream every result as
//     NDJSON when the request says Accept: application/x-ndjson.
//   - Portal lists take cursor and limit query parameters and answer a
//     cursor for the next page (absent after the last); creations answer
//     201 with the record, deletions 204. Levels travel by name (private,
//     search, consult, download).
//
// Handlers are safe for concurrent use; each request runs with the
// configured timeout (streams excepted: they end when the client leaves or
// the server shuts down).
package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/problem"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/reqid"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Prefix is the path prefix of every operation.
const Prefix = "/api/v1"

// Mode is a read's consistency requirement.
type Mode int

const (
	// MinimizeLatency reads the local index as it is.
	MinimizeLatency Mode = iota
	// AtLeastAsFresh reads at Freshness.Revision or later.
	AtLeastAsFresh
	// FullyConsistent reads at the store's head revision or later.
	FullyConsistent
)

// Freshness is a decoded consistency requirement.
type Freshness struct {
	Mode     Mode
	Revision store.Revision // for AtLeastAsFresh
}

// Backend is what the API needs from the server. Methods must be safe for
// concurrent use and honour ctx. Writes return once the backend's own
// engine reflects them, so that a read with the returned revision's token
// never waits.
type Backend interface {
	// Engine returns the engine to query and where to read, after waiting
	// (bounded) for the freshness asked: ErrConsistencyTimeout when the
	// index did not get there in time, ErrTokenAhead when the revision is
	// not the store's.
	Engine(ctx context.Context, f Freshness) (*engine.Engine, engine.At, error)
	// ReadSchema returns the current schema text and its revision, or
	// store.ErrNoSchema.
	ReadSchema(ctx context.Context) (string, store.Revision, error)
	// WriteSchema parses text (a schema.ErrorList on syntax or semantic
	// errors), refuses a schema that would orphan stored relationships
	// (*SchemaInUseError) and, unless dryRun, stores it. It reports the
	// differences with the current schema and the parser's warnings.
	WriteSchema(ctx context.Context, text string, dryRun bool) (SchemaDiff, []string, store.Revision, error)
	// Write validates every update against the schema
	// (*InvalidRelationshipError naming the update) and writes them
	// atomically.
	Write(ctx context.Context, req store.WriteRequest) (store.Revision, error)
	// DeleteByFilter deletes up to limit matching relationships (≤ 0: all).
	DeleteByFilter(ctx context.Context, f store.Filter, limit int) (store.Revision, int, error)
	// ReadRelationships reads one page from the store; the revision is a
	// lower bound of the one read.
	ReadRelationships(ctx context.Context, f store.Filter, after store.Cursor, limit int) ([]tuple.Relationship, store.Cursor, store.Revision, error)
	// Import validates and upserts every relationship of rels in batches;
	// a validation error is an *InvalidRelationshipError whose Index counts
	// the relationships yielded before it.
	Import(ctx context.Context, rels iter.Seq2[tuple.Relationship, error]) (store.Revision, int, error)
	// Export calls fn for every live relationship matching f, from one
	// consistent snapshot, and returns its revision.
	Export(ctx context.Context, f store.Filter, fn func(tuple.Relationship) error) (store.Revision, error)
	// HeadRevision, Changes and Subscribe are the store's changelog (see
	// store.Changelog).
	HeadRevision(ctx context.Context) (store.Revision, error)
	Changes(ctx context.Context, after store.Revision, limit int) ([]store.Change, store.Revision, error)
	Subscribe(ctx context.Context) (<-chan store.Revision, error)
}

// Options configure Handler. Zero limits take the defaults noted.
type Options struct {
	Backend Backend
	// Portal serves the portal endpoints; nil answers them 503.
	Portal *Portal
	// Authenticate reports whether a bearer token is an operator token,
	// valid on the low-level API, and its name for the request log. It is
	// called for every authenticated
	// request, personal tokens included, so it must not wait for a
	// database. Nil leaves the low-level API open (development only).
	// Portal endpoints always need a personal token, checked by
	// Portal.Callers.Authenticate.
	Authenticate func(token string) (name string, ok bool)
	Logger       *slog.Logger // default slog.Default()
	Metrics      *Metrics     // nil: no metrics
	// MetricsHandler serves GET /metrics, for operator tokens (open with
	// --no-auth, like the rest of the low-level API); nil answers 404:
	// the metrics have a listener of their own.
	MetricsHandler http.Handler
	// MaxRequestBytes bounds JSON request bodies (default 4 MiB);
	// MaxImportBytes bounds an import body (default 0: unbounded).
	MaxRequestBytes int64
	MaxImportBytes  int64
	// RequestTimeout bounds every non-streaming request (default 30s).
	RequestTimeout time.Duration
	// MaxBatch bounds the updates of a write, the items of a bulk check and
	// a page size (default 1000).
	MaxBatch int
	// WriteTimeout is how long each write of an answer may wait for the
	// client to read it (default 0: unbounded). Serve the handler through
	// Guard, which bounds request bodies, with the same value.
	WriteTimeout time.Duration
	// PollInterval is how often a watch polls the changelog besides being
	// woken by the store (default 1s).
	PollInterval time.Duration
	// Done, when closed, ends streams (watch) cleanly: the server closes
	// it when it starts shutting down, since Shutdown waits for handlers.
	Done <-chan struct{}
	// SignIn serves /auth and session cookies (auth.go).
	SignIn SignInOptions
}

// Metrics are the API's Prometheus collectors.
type Metrics struct {
	Requests *prometheus.CounterVec   // by operation and status code
	Duration *prometheus.HistogramVec // by operation
}

// NewMetrics creates the API's collectors and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "octroi_http_requests_total",
			Help: "API requests by operation and HTTP status code.",
		}, []string{"operation", "code"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "octroi_http_request_duration_seconds",
			Help:    "API request latency by operation (until the handler returns, streams included).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
	}
	reg.MustRegister(m.Requests, m.Duration)
	return m
}

// handlerFunc is an operation: it writes its answer or returns an error,
// which the adapter turns into a problem document.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one operation of the API.
type Route struct {
	Method, Path string // Path starts with Prefix (but /metrics) and may hold {wildcards}
	Operation    string // the operationId of the OpenAPI document and the metrics label
	stream       bool   // long-lived: no request timeout
	audience     audience
	import_      bool // body bounded by MaxImportBytes
	h            handlerFunc
}

type api struct {
	Options
	routes  []Route
	streams chan struct{} // one token per streamed lookup being computed
}

func (a *api) table() []Route {
	return append([]Route{
		{Method: "GET", Path: "/api/v1/openapi.json", Operation: "getOpenAPI", audience: anyone, h: a.openAPI},
		{Method: "GET", Path: "/api/v1/schema", Operation: "readSchema", h: a.readSchema},
		{Method: "PUT", Path: "/api/v1/schema", Operation: "writeSchema", h: a.writeSchema},
		{Method: "POST", Path: "/api/v1/relationships/write", Operation: "writeRelationships", h: a.writeRelationships},
		{Method: "POST", Path: "/api/v1/relationships/delete", Operation: "deleteRelationships", h: a.deleteRelationships},
		{Method: "GET", Path: "/api/v1/relationships/read", Operation: "readRelationshipsGet", h: a.readRelationships},
		{Method: "POST", Path: "/api/v1/relationships/read", Operation: "readRelationships", h: a.readRelationships},
		{Method: "POST", Path: "/api/v1/relationships/import", Operation: "importRelationships", stream: true, import_: true, h: a.importRelationships},
		{Method: "GET", Path: "/api/v1/relationships/export", Operation: "exportRelationships", stream: true, h: a.exportRelationships},
		{Method: "POST", Path: "/api/v1/permissions/check", Operation: "check", h: a.check},
		{Method: "POST", Path: "/api/v1/permissions/check-bulk", Operation: "checkBulk", h: a.checkBulk},
		{Method: "POST", Path: "/api/v1/permissions/lookup-resources", Operation: "lookupResources", stream: true, h: a.lookupResources},
		{Method: "POST", Path: "/api/v1/permissions/lookup-subjects", Operation: "lookupSubjects", stream: true, h: a.lookupSubjects},
		{Method: "POST", Path: "/api/v1/permissions/expand", Operation: "expand", h: a.expand},
		{Method: "POST", Path: "/api/v1/permissions/explain", Operation: "explain", h: a.explain},
		{Method: "GET", Path: "/api/v1/watch", Operation: "watch", stream: true, h: a.watch},
		{Method: "GET", Path: "/metrics", Operation: "getMetrics", h: a.metrics},
	}, append(append(a.portalTable(), a.grantsTable()...), a.authTable()...)...)
}

// GET /metrics, on the API port: Prometheus metrics for operator tokens.
func (a *api) metrics(w http.ResponseWriter, r *http.Request) error {
	if a.MetricsHandler == nil {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound,
			Msg: "this server serves /metrics on a listener of its own (serve --metrics-addr), not on the API port"}
	}
	a.MetricsHandler.ServeHTTP(w, r)
	return nil
}

// Routes lists the operations Handler serves, for documentation tests.
func Routes() []Route { return (&api{}).table() }

// Handler returns the API. Mount it at "/" or at Prefix+"/": it answers
// every path, with a problem document for the unknown ones.
func Handler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = 4 << 20
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1000
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Portal != nil {
		o.Portal.mustBeComplete()
	}
	a := &api{Options: o, streams: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	a.routes = a.table()
	mux := http.NewServeMux()
	for _, rt := range a.routes {
		mux.Handle(rt.Method+" "+rt.Path, a.adapt(rt))
	}
	// The mux's own 404 and 405 answers are plain text; these keep every
	// error a problem document. Methods are tried to tell 405 from 404.
	notFound := a.adapt(Route{Operation: "notFound", audience: anyone, h: func(w http.ResponseWriter, r *http.Request) error {
		var allowed []string
		for _, m := range []string{"GET", "PUT", "POST", "DELETE", "PATCH"} {
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, p := mux.Handler(r2); p != "" && p != "/" {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			return &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed,
				Msg: fmt.Sprintf("%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allowed, " or "))}
		}
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Msg: fmt.Sprintf("no API operation at %s %s", r.Method, r.URL.Path)}
	}})
	mux.Handle("/", notFound)
	return mux
}

// responseWriter records what a handler wrote, so that the adapter knows
// whether an error can still become a problem document.
type responseWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// For the log: who authenticated (an account id, or "operator:" and
	// the token's name) and the account an operator's catalogue request
	// acted for.
	actor, onBehalfOf string

	rc           *http.ResponseController // of the underlying writer
	writeTimeout time.Duration
	// writeErr is the first failed write: the client left or stopped
	// reading, whatever error the handler then returns.
	writeErr error
}

func (w *responseWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.extend()
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	w.noteWriteError(err)
	return n, err
}

// FlushError flushes (http.ResponseController calls it), noting a failure
// like Write.
func (w *responseWriter) FlushError() error {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.extend()
	err := w.rc.Flush()
	w.noteWriteError(err)
	return err
}

// extend moves the write deadline: each write may wait writeTimeout for
// the client, so a stream lasts as long as its client reads and no longer
// once it stops.
func (w *responseWriter) extend() {
	if w.writeTimeout > 0 {
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.writeTimeout))
	}
}

func (w *responseWriter) noteWriteError(err error) {
	if err != nil && w.writeErr == nil {
		w.writeErr = err
	}
}

// Unwrap lets http.ResponseController reach the connection's deadlines.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (a *api) adapt(rt Route) http.Handler {
	return http.HandlerFunc(func(w0 http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The request id ties the log line of a request to the audit
		// entries it wrote: a client's own X-Request-ID is kept when plain
		// (so that its logs match ours), else one is made; the answer
		// carries it either way.
		id := r.Header.Get("X-Request-ID")
		if !reqid.Valid(id) {
			id = reqid.New()
		}
		w0.Header().Set("X-Request-ID", id)
		r = r.WithContext(reqid.With(r.Context(), id))
		w := &responseWriter{ResponseWriter: w0, rc: http.NewResponseController(w0), writeTimeout: a.WriteTimeout}
		err := a.serve(rt, w, r)
		started := w.status != 0
		if err != nil {
			a.fail(w, r, rt.Operation, err)
		}
		if w.status == 0 {
			w.status = http.StatusOK
		}
		d := time.Since(start)
		if a.Metrics != nil {
			a.Metrics.Requests.WithLabelValues(rt.Operation, fmt.Sprint(w.status)).Inc()
			a.Metrics.Duration.WithLabelValues(rt.Operation).Observe(d.Seconds())
		}
		// Never the headers or the query: they may carry tokens. Answered
		// requests are debug-level: at tens of thousands of checks per
		// second an info-level line each would cost more than the checks
		// (metrics count them); refusals and failures are info and above.
		level := slog.LevelDebug
		if w.status >= 400 {
			level = slog.LevelInfo
		}
		a.Logger.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("operation", rt.Operation), slog.Int("status", w.status),
			slog.Int64("bytes", w.bytes), slog.Duration("duration", d),
			slog.String("remote", r.RemoteAddr), slog.String("actor", w.actor),
			slog.String("on_behalf_of", w.onBehalfOf), slog.String("request_id", id))
		if err != nil && started {
			// A stream failed half-way: abort the connection so that the
			// client cannot take a truncated answer for a complete one.
			panic(http.ErrAbortHandler)
		}
	})
}

func (a *api) serve(rt Route, w http.ResponseWriter, r *http.Request) error {
	if !rt.stream {
		ctx, cancel := context.WithTimeout(r.Context(), a.RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	r, err := a.authenticate(rt, w, r)
	if err != nil {
		return err
	}
	if err := checkQuery(rt.Operation, r); err != nil {
		return err
	}
	if r.Body != nil {
		limit := a.MaxRequestBytes
		if rt.import_ {
			limit = a.MaxImportBytes
			bodyPerRead(r)
		}
		if limit > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
	}
	return rt.h(w, r)
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// fail answers err as a problem document, unless the handler has already
// started its answer (a stream): then it can only log and cut the stream.
func (a *api) fail(w *responseWriter, r *http.Request, op string, err error) {
	e := toError(err)
	if w.writeErr != nil || e.Code == CodeClientClosedRequest {
		// Not the server's failure: the client left, or stopped reading
		// until the write deadline passed. 499 in the log and the
		// metrics, and only at debug level, since clients do this.
		e = &Error{Status: statusClientClosed, Code: CodeClientClosedRequest, Msg: "the client closed the connection or stopped reading", Err: err}
		if w.status != 0 {
			w.status = e.Status // what the client got was cut short
		}
	}
	level := slog.LevelInfo
	switch {
	case e.Status >= 500:
		level = slog.LevelError
	case e.Status == statusClientClosed:
		level = slog.LevelDebug
	}
	// The detail of err is for the operator's log only.
	a.Logger.LogAttrs(r.Context(), level, "request failed", slog.String("operation", op), slog.String("request_id", reqid.From(r.Context())),
		slog.String("code", e.Code), slog.Int("status", e.Status), slog.String("error", err.Error()))
	if w.status != 0 {
		return
	}
	l := lang(r)
	p := e.problem(l)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", l)
	w.Header().Add("Vary", "Accept-Language")
	w.Header().Del("Content-Length")
	w.WriteHeader(e.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p)
}

// decode reads a JSON body into v, refusing unknown fields and trailing
// data. An empty body decodes as {}; a null one is refused, since
// encoding/json would take it as {} too and hide a client's bug (a
// serialised nil).
func decode(r *http.Request, v any) error {
	br := bufio.NewReader(r.Body)
	if first, err := firstByte(br); err == nil && first == 'n' && isNull(br) {
		return say(http.StatusBadRequest, CodeInvalidJSON, "api.body_null")
	}
	dec := json.NewDecoder(br)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return bodyError(err)
		}
		return badRequest("the request body holds more than one JSON value")
	}
	return nil
}

// firstByte returns the first byte of br that is not JSON white space,
// leaving it unread.
// isNull reports whether br starts with the JSON literal null (after
// firstByte): other bodies starting with n are the decoder's to refuse.
func isNull(br *bufio.Reader) bool {
	b, _ := br.Peek(4)
	return string(b) == "null"
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.Discard(1)
		default:
			return b[0], nil
		}
	}
}

func bodyError(err error) error {
	if e, ok := asBodyTimeout(err); ok {
		return e
	}
	var mb *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mb):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
			Msg: fmt.Sprintf("request body is larger than %d bytes", mb.Limit), Err: err}
	case errors.As(err, &se):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Msg: fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se), Err: err}
	case errors.As(err, &te):
		where := messages.New("json.body")
		if te.Field != "" {
			where = messages.New("json.field", messages.Quote(te.Field))
		}
		return fromProblem(&problem.Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON,
			Msg: messages.New("json.type", where, messages.New(jsonKind(te.Type)), te.Value), Err: err})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Msg: "truncated JSON body", Err: err}
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Msg: strings.TrimPrefix(err.Error(), "json: "), Err: err}
	}
	// Errors of UnmarshalJSON methods (relationship text form) are
	// written for users.
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: err.Error(), Err: err}
}

// jsonKind names what a Go type decodes from in JSON's words (the key of
// the words), so that a message never shows a Go type name.
func jsonKind(t reflect.Type) messages.Key {
	switch t.Kind() {
	case reflect.String:
		return "json.string"
	case reflect.Bool:
		return "json.bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "json.integer"
	case reflect.Float32, reflect.Float64:
		return "json.number"
	case reflect.Slice, reflect.Array:
		return "json.array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "json.object"
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// freshness decodes a consistency requirement.
func freshness(c *Consistency) (Freshness, error) {
	if c == nil {
		return Freshness{}, nil
	}
	n := 0
	for _, set := range []bool{c.MinimizeLatency, c.AtLeastAsFresh != "", c.FullyConsistent} {
		if set {
			n++
		}
	}
	if n > 1 {
		return Freshness{}, badRequest("consistency: set only one of minimize_latency, at_least_as_fresh, fully_consistent")
	}
	switch {
	case c.FullyConsistent:
		return Freshness{Mode: FullyConsistent}, nil
	case c.AtLeastAsFresh != "":
		rev, err := DecodeToken(c.AtLeastAsFresh)
		if err != nil {
			return Freshness{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: "consistency: " + err.Error(), Err: err}
		}
		return Freshness{Mode: AtLeastAsFresh, Revision: rev}, nil
	}
	return Freshness{}, nil
}

func (a *api) engine(ctx context.Context, c *Consistency) (*engine.Engine, engine.At, error) {
	f, err := freshness(c)
	if err != nil {
		return nil, engine.At{}, err
	}
	return a.Backend.Engine(ctx, f)
}

func wantsNDJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/x-ndjson")
}

func flush(w http.ResponseWriter) { _ = http.NewResponseController(w).Flush() }
