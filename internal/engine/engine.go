// Package engine answers authorization questions over a schema and an index
// of relationships: Check (and CheckBulk), LookupResources, LookupSubjects,
// Expand and Explain. It knows nothing of datasets or organisations: those
// are a schema and a domain on top.
//
// # Semantics
//
// Results are three-valued: a relationship whose caveat needs a parameter
// that neither the relationship nor the request supplies makes the answer
// conditional (Kleene logic: "has" or "no" still win where they decide the
// outcome whatever the missing value). Expired relationships are invisible.
// Recursion in the data (a group inside itself, a folder its own parent) is
// evaluated as a least fixed point: a path that loops back grants nothing by
// itself, so answers are the same whatever the order of evaluation. A walk
// deeper than the depth limit is an error (ErrDepth), never an answer.
//
// # Cancellation
//
// Every query stops when its context ends, with the context's error
// unwrapped (context.Canceled or context.DeadlineExceeded), never one of the
// errors below: checks, Explain and Expand look at it every 1,024 steps of
// their walk, lookups between rounds, caveats before they are evaluated and,
// in their comprehensions, every 100 iterations.
//
// # Concurrency
//
// An Engine is safe for concurrent use. Every query runs on one consistent
// snapshot of the index (see package index); SetSchema swaps the compiled
// schema atomically, so a query sees either the old schema or the new one.
package engine

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/tuple"
)

// Engine evaluates queries. Create it with New.
type Engine struct {
	idx      *index.Index
	plan     atomic.Pointer[plan]
	now      func() time.Time
	maxDepth int
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock sets the clock that decides which relationships have expired
// (tests use a fixed one).
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// maxDepthLimit bounds WithMaxDepth: a walk's path lives in a fixed array,
// so that a check allocates nothing for it.
const maxDepthLimit = 64

// WithMaxDepth sets how deep a walk may go before it fails with ErrDepth
// (default 50, at most 64).
func WithMaxDepth(d int) Option {
	return func(e *Engine) { e.maxDepth = max(1, min(d, maxDepthLimit)) }
}

// New returns an engine over idx with no schema yet.
func New(idx *index.Index, opts ...Option) *Engine {
	e := &Engine{idx: idx, now: time.Now, maxDepth: 50}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Index returns the engine's index.
func (e *Engine) Index() *index.Index { return e.idx }

// SetSchema makes s the schema that queries evaluate. The caller has checked
// that the stored relationships fit it.
func (e *Engine) SetSchema(s *schema.Schema) {
	e.plan.Store(compile(s, e.idx))
}

// Schema returns the current schema, or nil before SetSchema.
func (e *Engine) Schema() *schema.Schema {
	if p := e.plan.Load(); p != nil {
		return p.s
	}
	return nil
}

// Result is the answer to a check.
type Result uint8

const (
	// NoPermission: the subject does not have the permission.
	NoPermission Result = iota
	// HasPermission: the subject has the permission.
	HasPermission
	// Conditional: the answer depends on caveat parameters the request did
	// not give (listed in Missing).
	Conditional
)

func (r Result) String() string {
	switch r {
	case HasPermission:
		return "has_permission"
	case Conditional:
		return "conditional"
	}
	return "no_permission"
}

// MarshalText writes the result as its name, e.g. "has_permission".
func (r Result) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

func resultOf(t truth) Result {
	switch t.v {
	case yes:
		return HasPermission
	case unknown:
		return Conditional
	}
	return NoPermission
}

// Errors callers can test for with errors.Is. Messages say what is wrong.
var (
	ErrNoSchema      = errors.New("no schema: write a schema first")
	ErrUnknownType   = errors.New("unknown object type")
	ErrUnknownMember = errors.New("unknown relation or permission")
	ErrDepth         = errors.New("maximum depth exceeded")
	ErrCaveat        = errors.New("caveat evaluation failed")
	ErrCursor        = errors.New("invalid cursor")
)

// At says which revision a query reads. Zero reads the latest.
type At struct {
	// Revision pins an exact revision (it must still be kept by the index).
	Revision uint64
	// Now overrides the instant at which expirations are judged; zero means
	// the engine's clock.
	Now time.Time
}

// open returns the current plan and opens a snapshot of the index in
// *snap (the caller's variable: a query allocates no snapshot), at the
// revision and instant at says. On success the caller must Close the
// snapshot.
func (e *Engine) open(at At, snap *index.Snapshot) (*plan, error) {
	p := e.plan.Load()
	if p == nil {
		return nil, ErrNoSchema
	}
	now := at.Now
	if now.IsZero() {
		now = e.now()
	}
	if err := e.idx.ReadInto(snap, at.Revision, now); err != nil {
		return nil, err
	}
	return p, nil
}

// openMember opens a snapshot as open does and resolves typ#name on it, for
// the queries that start from one member of one type. On success the caller
// must Close the snapshot.
func (e *Engine) openMember(at At, snap *index.Snapshot, typ, name string) (*plan, *member, error) {
	p, err := e.open(at, snap)
	if err != nil {
		return nil, nil, err
	}
	m, err := p.permissionOf(typ, name)
	if err != nil {
		snap.Close()
		return nil, nil, err
	}
	return p, m, nil
}

// permissionOf resolves typ#name to a member, with errors that name the fix.
func (p *plan) permissionOf(typ, name string) (*member, error) {
	ms, ok := p.byName[typ]
	if !ok {
		return nil, fmt.Errorf("%w %q: the schema defines no such type", ErrUnknownType, typ)
	}
	m, ok := ms[name]
	if !ok {
		return nil, fmt.Errorf("%w %q on type %q", ErrUnknownMember, name, typ)
	}
	return m, nil
}

// subjectOf checks a subject reference against the schema.
func (p *plan) subjectOf(s tuple.SubjectRef) (*member, error) {
	if _, ok := p.byName[s.Type]; !ok {
		return nil, fmt.Errorf("%w %q (subject): the schema defines no such type", ErrUnknownType, s.Type)
	}
	if s.Relation == "" {
		return nil, nil
	}
	return p.permissionOf(s.Type, s.Relation)
}
