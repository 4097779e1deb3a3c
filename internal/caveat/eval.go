package caveat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// ErrCostLimitExceeded is wrapped by the error Eval returns when evaluation
// needed more than CostLimit.
var ErrCostLimitExceeded = errors.New("caveat evaluation exceeded its cost limit")

// errCostLimit is the cause of an *EvalError past CostLimit: it says what
// the caller can change.
var errCostLimit = fmt.Errorf("%w of %d: the expression does too much work for the values given; pass smaller lists or maps, or simplify the expression",
	ErrCostLimitExceeded, CostLimit)

// ParamError is the error for a context value that does not convert to its
// parameter's declared type, or (from ValidateContext) a context key that is
// not a parameter.
type ParamError struct {
	Caveat string
	Param  string
	Err    error
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("caveat %q: parameter %q: %v", e.Caveat, e.Param, e.Err)
}

func (e *ParamError) Unwrap() error { return e.Err }

// EvalError is the error for an expression that fails at run time, such as
// in_cidr given a malformed CIDR, a missing map key, or a division by zero.
type EvalError struct {
	Caveat string
	Err    error
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("caveat %q: evaluation failed: %v", e.Caveat, e.Err)
}

func (e *EvalError) Unwrap() error { return e.Err }

// maxInlineParams is how many converted values an activation holds without
// a second allocation.
const maxInlineParams = 4

// activation resolves parameters to their converted values for CEL.
type activation struct {
	p      *Program
	vals   []ref.Val // indexed like p.params; nil when not given
	inline [maxInlineParams]ref.Val
}

func (a *activation) ResolveName(name string) (any, bool) {
	for i := range a.p.params {
		if a.p.params[i].Name == name {
			if v := a.vals[i]; v != nil {
				return v, true
			}
			return nil, false
		}
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// partialActivation is an activation that tells CEL which parameters are
// unknown, so that partial evaluation can decide without them when it can.
type partialActivation struct {
	*activation
	unknowns []*interpreter.AttributePattern
}

func (a *partialActivation) UnknownAttributePatterns() []*interpreter.AttributePattern {
	return a.unknowns
}

// AsPartialActivation lets cel-go find the unknown patterns.
func (a *partialActivation) AsPartialActivation() (interpreter.PartialActivation, bool) {
	return a, true
}

// bind converts the context values of the declared parameters, the
// relationship's own context rel winning over the request's req, and counts
// the parameters the expression uses that neither gives.
func (p *Program) bind(rel, req map[string]any) (*activation, int, error) {
	act := &activation{p: p}
	if len(p.params) <= maxInlineParams {
		act.vals = act.inline[:len(p.params)]
	} else {
		act.vals = make([]ref.Val, len(p.params))
	}
	missing := 0
	for i := range p.params {
		name := p.params[i].Name
		v, ok := rel[name]
		if !ok {
			v, ok = req[name]
		}
		if !ok {
			if p.used[i] {
				missing++
			}
			continue
		}
		rv, err := p.types[i].convert(v, p.adapter)
		if err != nil {
			return nil, 0, &ParamError{Caveat: p.name, Param: name,
				Err: fmt.Errorf("%s: %w", p.types[i], err)}
		}
		act.vals[i] = rv
	}
	return act, missing, nil
}

// Eval evaluates the caveat with the union of the relationship's context rel
// and the request's context req; for a key in both, rel's value is used
// (SpiceDB's rule). Keys that are not parameters are ignored. Values are
// converted to the declared types as described in the package doc; a value
// that does not convert is a *ParamError.
//
// When the expression needs parameters neither context gives, Eval still
// decides if it can (false && x is false); otherwise the Result lists the
// missing parameters and its Value is meaningless. A failure at run time is
// an *EvalError; past CostLimit the error wraps ErrCostLimitExceeded. When
// ctx ends, before or during evaluation, the error is ctx's (wrapped), so
// that callers tell a request that gave up from a faulty caveat.
func (p *Program) Eval(ctx context.Context, rel, req map[string]any) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("caveat %q not evaluated: %w", p.name, err)
	}
	act, missing, err := p.bind(rel, req)
	if err != nil {
		return Result{}, err
	}
	var out ref.Val
	if missing == 0 {
		out, err = p.run(ctx, p.fast, act)
	} else {
		pa := &partialActivation{activation: act, unknowns: make([]*interpreter.AttributePattern, 0, missing)}
		for i, v := range act.vals {
			if v == nil && p.used[i] {
				pa.unknowns = append(pa.unknowns, p.unknown[i])
			}
		}
		out, err = p.run(ctx, p.partial, pa)
	}
	if err != nil && costLimitExceeded(err) {
		return Result{}, &EvalError{Caveat: p.name, Err: errCostLimit}
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		// Whatever came out is not to be trusted: an interrupted
		// comprehension is an error value that CEL's logic can absorb
		// (error && unknown is unknown, error || true is true).
		return Result{}, fmt.Errorf("caveat %q: evaluation stopped: %w", p.name, ctxErr)
	}
	if unk, ok := out.(*types.Unknown); ok {
		return Result{Missing: missingNames(unk)}, nil
	}
	if err != nil {
		return Result{}, &EvalError{Caveat: p.name, Err: err}
	}
	b, ok := out.(types.Bool)
	if !ok {
		return Result{}, &EvalError{Caveat: p.name, Err: fmt.Errorf("result is %s, not bool", out.Type().TypeName())}
	}
	return Result{Value: bool(b)}, nil
}

// run evaluates prg on act. Only a program with a comprehension looks at
// ctx while it runs (cel-go checks for interruption in comprehension loops
// alone); watching a context costs allocations, so the others, bounded by
// the cost limit, and evaluations under a context that cannot end, skip it.
func (p *Program) run(ctx context.Context, prg cel.Program, act any) (ref.Val, error) {
	var (
		out ref.Val
		err error
	)
	if p.interruptible && ctx.Done() != nil {
		out, _, err = prg.ContextEval(ctx, act)
	} else {
		out, _, err = prg.Eval(act)
	}
	return out, err
}

func costLimitExceeded(err error) bool {
	var cancelled interpreter.EvalCancelledError
	return errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded
}

func missingNames(unk *types.Unknown) []string {
	var names []string
	for _, id := range unk.IDs() {
		trails, _ := unk.GetAttributeTrails(id)
		for _, t := range trails {
			if v := t.Variable(); v != "" && !slices.Contains(names, v) {
				names = append(names, v)
			}
		}
	}
	sort.Strings(names)
	return names
}

// ValidateContext checks a context written with a relationship: as SpiceDB
// does on writes, every key must be a declared parameter (a *ParamError
// naming the key and listing the declared parameters otherwise) and every
// value must convert to its parameter's type. Keys are checked in sorted
// order, so the error is deterministic.
func (p *Program) ValidateContext(ctx map[string]any) error {
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		i := slices.IndexFunc(p.params, func(prm Param) bool { return prm.Name == k })
		if i < 0 {
			return &ParamError{Caveat: p.name, Param: k, Err: fmt.Errorf("unknown parameter (declared: %s)", p.declared())}
		}
		if _, err := p.types[i].convert(ctx[k], p.adapter); err != nil {
			return &ParamError{Caveat: p.name, Param: k, Err: fmt.Errorf("%s: %w", p.types[i], err)}
		}
	}
	return nil
}

func (p *Program) declared() string {
	if len(p.params) == 0 {
		return "none"
	}
	names := make([]string, len(p.params))
	for i, prm := range p.params {
		names[i] = prm.Name + " " + p.types[i].String()
	}
	return strings.Join(names, ", ")
}

// compile-time checks that the activations are what cel-go expects.
var (
	_ interpreter.Activation        = (*activation)(nil)
	_ interpreter.PartialActivation = (*partialActivation)(nil)
	_ cel.Program                   = cel.Program(nil)
)
