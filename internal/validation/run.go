package validation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/tuple"
)

// Options tune Run.
type Options struct {
	// Now is the instant at which expirations are judged (zero: time.Now()).
	Now time.Time
	// Consistency also checks every (resource, permission, subject) pair
	// and demands that Check, CheckBulk, LookupResources, LookupSubjects
	// and Expand agree on each.
	Consistency bool
}

// Report is the outcome of running a file.
type Report struct {
	// Failures, each with its file position; empty when the file passes.
	Failures ErrorList
	// Assertions and Validations count what was run; Pairs counts the
	// pairs checked for consistency.
	Assertions, Validations, Pairs int
	// Computed is the validation section as the engine computes it, for
	// every key of the file's section (or, when the file has none, every
	// permission of every object), ready for FormatValidation.
	Computed map[string][]ExpectedSubject
}

// Run loads f's schema and relationships into a fresh engine and checks its
// assertions and expected relations. It returns an error only when the file
// cannot be run at all (its schema or relationships are invalid: then the
// error is an ErrorList with positions).
func Run(ctx context.Context, f *File, opts Options) (*Report, error) {
	s, err := schema.Parse(f.Schema)
	if err != nil {
		var list schema.ErrorList
		if errors.As(err, &list) {
			out := make(ErrorList, len(list))
			for i, e := range list {
				out[i] = f.SchemaError(e.Pos.Line, e.Pos.Col, e.Msg)
			}
			return nil, out
		}
		return nil, err
	}
	var bad ErrorList
	for _, r := range f.Relationships {
		if err := s.CheckRelationship(r.Relationship); err != nil {
			bad = append(bad, &Error{Path: f.Path, Line: r.Line, Column: r.Column, Where: "relationships", Msg: err.Error()})
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	e, err := load(s, f, now)
	if err != nil {
		return nil, err
	}
	rep := &Report{Computed: map[string][]ExpectedSubject{}}
	at := engine.At{Now: now}
	for _, a := range f.Assertions {
		rep.Assertions++
		r := a.Relationship
		res, _, err := e.Check(ctx, engine.CheckRequest{
			Resource: r.Resource, Permission: r.Relation, Subject: r.Subject, Context: a.Context,
		}, at)
		want := map[AssertionKind]engine.Result{AssertTrue: engine.HasPermission, AssertFalse: engine.NoPermission, AssertCaveated: engine.Conditional}[a.Kind]
		switch {
		case err != nil:
			rep.fail(f, a.Line, a.Column, a.Where(), "%s: %v", a.Text, err)
		case res.Result != want:
			rep.fail(f, a.Line, a.Column, a.Where(), "%s: expected %s, got %s%s", a.Text, want, res.Result, missingNote(res.Missing))
		}
	}
	keys := f.Validation
	if len(keys) == 0 {
		keys = allKeys(e, now)
	}
	for _, x := range keys {
		got, err := computeExpected(ctx, e, x.Resource, at)
		if err != nil {
			rep.fail(f, x.Line, x.Column, "validation", "%s: %v", x.Resource, err)
			continue
		}
		rep.Computed[x.Resource.String()] = got
		if len(f.Validation) == 0 {
			continue
		}
		rep.Validations++
		compareExpected(rep, f, x, got)
	}
	if opts.Consistency {
		if err := checkConsistency(ctx, e, rep, f, now); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func (r *Report) fail(f *File, line, col int, where, format string, args ...any) {
	r.Failures = append(r.Failures, &Error{Path: f.Path, Line: line, Column: col, Where: where, Msg: fmt.Sprintf(format, args...)})
}

func missingNote(m []string) string {
	if len(m) == 0 {
		return ""
	}
	return " (missing " + strings.Join(m, ", ") + ")"
}

func load(s *schema.Schema, f *File, now time.Time) (*engine.Engine, error) {
	idx := index.New()
	if _, err := idx.Load(func(add func(tuple.Relationship)) (uint64, error) {
		for _, r := range f.Relationships {
			add(r.Relationship)
		}
		return 1, nil
	}); err != nil {
		return nil, err
	}
	e := engine.New(idx, engine.WithClock(func() time.Time { return now }))
	e.SetSchema(s)
	return e, nil
}

// allKeys lists object#member for every object that has relationships and
// every member of its type.
func allKeys(e *engine.Engine, now time.Time) []Expectation {
	var out []Expectation
	for _, o := range objects(e, now) {
		d := e.Schema().Definition(o.Type)
		if d == nil {
			continue
		}
		for _, m := range members(d) {
			out = append(out, Expectation{Resource: tuple.ObjectRelation{Object: o, Relation: m}})
		}
	}
	return out
}

func members(d *schema.Definition) []string {
	var out []string
	for _, r := range d.Relations {
		out = append(out, r.Name)
	}
	for _, p := range d.Permissions {
		out = append(out, p.Name)
	}
	return out
}

// objects lists every object named by a visible relationship, as resource
// or subject (wildcards excluded), sorted.
func objects(e *engine.Engine, now time.Time) []tuple.ObjectRef {
	seen := map[tuple.ObjectRef]bool{}
	for _, r := range e.Index().All(now) {
		seen[r.Resource] = true
		if r.Subject.ID != tuple.Wildcard {
			seen[r.Subject.Object()] = true
		}
	}
	out := make([]tuple.ObjectRef, 0, len(seen))
	for o := range seen {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b tuple.ObjectRef) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// computeExpected lists the subjects of resource#relation as the
// `validation` section writes them: every plain subject and subject set
// found (through LookupSubjects), each with the places that hold it
// directly (from the full expansion).
func computeExpected(ctx context.Context, e *engine.Engine, key tuple.ObjectRelation, at engine.At) ([]ExpectedSubject, error) {
	tree, _, err := e.Expand(ctx, engine.ExpandRequest{Resource: key.Object, Permission: key.Relation}, at)
	if err != nil {
		return nil, err
	}
	paths := map[tuple.SubjectRef][]tuple.ObjectRelation{}
	var kinds []tuple.SubjectRef // subject (type, relation) pairs met, Type and Relation only
	walkLeaves(tree, func(n *engine.ExpandNode, s engine.ExpandSubject) {
		p := tuple.ObjectRelation{Object: n.Object, Relation: n.Member}
		if !slices.Contains(paths[s.Subject], p) {
			paths[s.Subject] = append(paths[s.Subject], p)
		}
		k := tuple.SubjectRef{Type: s.Subject.Type, Relation: s.Subject.Relation}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	})
	var out []ExpectedSubject
	for _, k := range kinds {
		found, _, err := e.LookupSubjects(ctx, engine.LookupSubjectsRequest{
			Resource: key.Object, Permission: key.Relation, SubjectType: k.Type, SubjectRelation: k.Relation,
		}, at)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			x := ExpectedSubject{Subject: f.Subject, Caveated: f.Result == engine.Conditional, Paths: paths[f.Subject]}
			for _, ex := range f.Excluded {
				x.Exclusions = append(x.Exclusions, ExcludedSubject{Subject: ex.Subject, Caveated: ex.Result == engine.Conditional})
			}
			if len(x.Paths) == 0 {
				continue // reached only as itself (a set is a member of itself)
			}
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b ExpectedSubject) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

func walkLeaves(n *engine.ExpandNode, fn func(*engine.ExpandNode, engine.ExpandSubject)) {
	if n == nil {
		return
	}
	for _, s := range n.Subjects {
		fn(n, s)
		walkLeaves(s.Expanded, fn)
	}
	for _, k := range n.Children {
		walkLeaves(k, fn)
	}
}

func compareExpected(rep *Report, f *File, x Expectation, got []ExpectedSubject) {
	gotBy := map[string]ExpectedSubject{}
	for _, g := range got {
		gotBy[g.SubjectString()] = g
	}
	wantBy := map[string]bool{}
	for _, w := range x.Subjects {
		key := w.SubjectString()
		wantBy[key] = true
		g, ok := gotBy[key]
		if !ok {
			rep.fail(f, w.Line, w.Column, "validation", "%s: expected subject %s is not found", x.Resource, key)
			continue
		}
		if len(w.Paths) > 0 && pathList(g.Paths) != pathList(w.Paths) {
			rep.fail(f, w.Line, w.Column, "validation", "%s: subject %s is found through %s, expected %s",
				x.Resource, key, pathList(g.Paths), pathList(w.Paths))
		}
	}
	for _, g := range got {
		if !wantBy[g.SubjectString()] {
			rep.fail(f, x.Line, x.Column, "validation", "%s: subject %s is found but not expected (%s)", x.Resource, g.SubjectString(), g.String())
		}
	}
}

func pathList(ps []tuple.ObjectRelation) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = "<" + p.String() + ">"
	}
	slices.Sort(s)
	return strings.Join(s, "/")
}
