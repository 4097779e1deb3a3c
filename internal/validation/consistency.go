package validation

import (
	"context"
	"fmt"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/tuple"
)

// checkConsistency checks every (object, member, subject) triple of the
// file's world with Check, and demands that CheckBulk, LookupResources,
// LookupSubjects and Expand give the same answer. Disagreements are
// failures of the report; an error is returned only when a query fails.
func checkConsistency(ctx context.Context, e *engine.Engine, rep *Report, f *File, now time.Time) error {
	at := engine.At{Now: now}
	objs := objects(e, now)
	subjects := subjectsOf(e, objs, now)
	s := e.Schema()
	for _, o := range objs {
		d := s.Definition(o.Type)
		if d == nil {
			continue
		}
		for _, m := range members(d) {
			tree, _, err := e.Expand(ctx, engine.ExpandRequest{Resource: o, Permission: m}, at)
			if err != nil {
				return fmt.Errorf("expand %s#%s: %w", o, m, err)
			}
			lsCache := map[tuple.SubjectRef][]engine.SubjectResult{}
			reqs := make([]engine.CheckRequest, len(subjects))
			for i, sub := range subjects {
				reqs[i] = engine.CheckRequest{Resource: o, Permission: m, Subject: sub}
			}
			bulk, bulkErrs, _, err := e.CheckBulk(ctx, reqs, at)
			if err != nil {
				return err
			}
			for i, sub := range subjects {
				rep.Pairs++
				where := fmt.Sprintf("%s#%s@%s", o, m, sub)
				got, _, err := e.Check(ctx, reqs[i], at)
				if err != nil {
					return fmt.Errorf("check %s: %w", where, err)
				}
				if bulkErrs[i] != nil || bulk[i].Result != got.Result {
					rep.fail(f, 0, 0, "consistency", "%s: check says %s, bulk check says %s (%v)", where, got.Result, bulk[i].Result, bulkErrs[i])
				}
				lr, _, _, err := e.LookupResources(ctx, engine.LookupResourcesRequest{ResourceType: o.Type, Permission: m, Subject: sub}, at)
				if err != nil {
					return fmt.Errorf("lookup resources %s#%s@%s: %w", o.Type, m, sub, err)
				}
				if r := lrResult(lr, o.ID); r != got.Result {
					rep.fail(f, 0, 0, "consistency", "%s: check says %s, lookup resources says %s", where, got.Result, r)
				}
				kind := tuple.SubjectRef{Type: sub.Type, Relation: sub.Relation}
				ls, ok := lsCache[kind]
				if !ok {
					ls, _, err = e.LookupSubjects(ctx, engine.LookupSubjectsRequest{Resource: o, Permission: m, SubjectType: sub.Type, SubjectRelation: sub.Relation}, at)
					if err != nil {
						return fmt.Errorf("lookup subjects %s#%s for %s: %w", o, m, sub.Type, err)
					}
					lsCache[kind] = ls
				}
				if r := lsResult(ls, sub); r != got.Result {
					rep.fail(f, 0, 0, "consistency", "%s: check says %s, lookup subjects says %s", where, got.Result, r)
				}
				if r := expandResult(e, tree, sub); r != got.Result {
					rep.fail(f, 0, 0, "consistency", "%s: check says %s, expand says %s", where, got.Result, r)
				}
			}
		}
	}
	return nil
}

// subjectsOf lists the subjects worth checking: every object as a plain
// subject, and every subject set that relationships name.
func subjectsOf(e *engine.Engine, objs []tuple.ObjectRef, now time.Time) []tuple.SubjectRef {
	seen := map[tuple.SubjectRef]bool{}
	var out []tuple.SubjectRef
	add := func(s tuple.SubjectRef) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, o := range objs {
		add(tuple.SubjectRef{Type: o.Type, ID: o.ID})
	}
	for _, r := range e.Index().All(now) {
		if r.Subject.Relation != "" {
			add(r.Subject)
		}
	}
	return out
}

func lrResult(rs []engine.LookupResult, id string) engine.Result {
	for _, r := range rs {
		if r.ID == id {
			return r.Result
		}
	}
	return engine.NoPermission
}

// Three-valued operators on engine results (Conditional is "unknown").
func rOr(a, b engine.Result) engine.Result {
	switch {
	case a == engine.HasPermission || b == engine.HasPermission:
		return engine.HasPermission
	case a == engine.Conditional || b == engine.Conditional:
		return engine.Conditional
	}
	return engine.NoPermission
}

func rAnd(a, b engine.Result) engine.Result {
	switch {
	case a == engine.NoPermission || b == engine.NoPermission:
		return engine.NoPermission
	case a == engine.Conditional || b == engine.Conditional:
		return engine.Conditional
	}
	return engine.HasPermission
}

func rNot(a engine.Result) engine.Result {
	switch a {
	case engine.HasPermission:
		return engine.NoPermission
	case engine.NoPermission:
		return engine.HasPermission
	}
	return a
}

func lsResult(rs []engine.SubjectResult, sub tuple.SubjectRef) engine.Result {
	out := engine.NoPermission
	for _, r := range rs {
		switch {
		case r.Subject == sub:
			out = rOr(out, r.Result)
		case r.Subject.ID == tuple.Wildcard && sub.Relation == "":
			w := r.Result
			for _, x := range r.Excluded {
				if x.Subject == sub {
					w = x.Result // an excluded subject's whole membership
				}
			}
			out = rOr(out, w)
		}
	}
	return out
}

// expandResult evaluates an expansion tree for one subject.
func expandResult(e *engine.Engine, n *engine.ExpandNode, sub tuple.SubjectRef) engine.Result {
	if n == nil {
		return engine.NoPermission
	}
	var r engine.Result
	if sub.Relation != "" && n.Object == sub.Object() && n.Member == sub.Relation && n.Op != "nil" {
		r = engine.HasPermission // a set holds itself
	} else {
		r = expandOp(e, n, sub)
	}
	if n.Caveat != nil {
		r = rAnd(r, caveatResult(e, n.Caveat))
	}
	return r
}

func expandOp(e *engine.Engine, n *engine.ExpandNode, sub tuple.SubjectRef) engine.Result {
	switch n.Op {
	case "leaf":
		out := engine.NoPermission
		for _, s := range n.Subjects {
			var r engine.Result
			switch {
			case s.Subject == sub:
				r = engine.HasPermission
			case s.Subject.ID == tuple.Wildcard && s.Subject.Type == sub.Type && sub.Relation == "" && sub.ID != tuple.Wildcard:
				r = engine.HasPermission
			case s.Expanded != nil:
				r = expandResult(e, s.Expanded, sub)
			}
			if r != engine.NoPermission && s.Caveat != nil {
				r = rAnd(r, caveatResult(e, s.Caveat))
			}
			out = rOr(out, r)
		}
		return out
	case "union":
		out := engine.NoPermission
		for _, k := range n.Children {
			out = rOr(out, expandResult(e, k, sub))
		}
		return out
	case "intersection":
		if len(n.Children) == 0 {
			return engine.NoPermission
		}
		out := engine.HasPermission
		for _, k := range n.Children {
			out = rAnd(out, expandResult(e, k, sub))
		}
		return out
	case "exclusion":
		out := expandResult(e, n.Children[0], sub)
		for _, k := range n.Children[1:] {
			out = rAnd(out, rNot(expandResult(e, k, sub)))
		}
		return out
	}
	return engine.NoPermission
}

func caveatResult(e *engine.Engine, c *tuple.Caveat) engine.Result {
	cv := e.Schema().Caveat(c.Name)
	if cv == nil || cv.Program == nil {
		return engine.NoPermission
	}
	res, err := cv.Program.Eval(context.Background(), c.Context, nil)
	switch {
	case err != nil:
		return engine.NoPermission
	case len(res.Missing) > 0:
		return engine.Conditional
	case res.Value:
		return engine.HasPermission
	}
	return engine.NoPermission
}
