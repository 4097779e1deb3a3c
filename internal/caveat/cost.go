package caveat

import (
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/interpreter"
)

const (
	// CostLimit bounds the work of one evaluation, in CEL cost units: about
	// one per elementary operation, one per element for the operations that
	// walk lists and maps (in, ==, !=, comprehensions), a tenth per byte for
	// those that walk strings. Evaluation stops with an error wrapping
	// ErrCostLimitExceeded past it, so that no expression (a comprehension
	// over a huge context list, nested comprehensions, a long chain of
	// comparisons of large lists) can stall an authorization check; reaching
	// it takes a fraction of a second to about two seconds of one core.
	//
	// One exception: cel-go's cost tracking (v0.31) takes time that grows
	// with the square of the comprehension iterations of an evaluation (an
	// exists over 40,000 elements: 3 s for 240,000 units, 10 ms untracked).
	// What bounds the time of a long comprehension is therefore the
	// request's context, which Eval watches in comprehension loops.
	CostLimit = 1_000_000

	// interruptEvery is how many comprehension iterations run between two
	// looks at the request's context: often enough to stop within
	// microseconds, rarely enough that looking costs nothing measurable.
	interruptEvery = 100
)

// limits returns the options that bound the evaluations of a checked
// expression, and whether they watch the request's context.
//
// Every expression is bounded by CostLimit, charged at the real price of
// comparing containers (containerCost), unless cel-go's static estimate,
// which assumes every list, map and string as long as can be, shows that
// it cannot reach the limit whatever the context: then metering would only
// cost time (about a microsecond and eight allocations per evaluation, four
// times the evaluation of `n == 42`). Expressions with a comprehension, the
// only place cel-go looks at a context while it evaluates, are interrupted
// when the request's context ends.
func limits(env *cel.Env, ast *cel.Ast) (opts []cel.ProgramOption, interruptible bool) {
	if est, err := env.EstimateCost(ast, unsized{}); err != nil || est.Max > CostLimit {
		opts = append(opts, cel.CostLimit(CostLimit), cel.CostTracking(containerCost{}))
	}
	if hasComprehension(ast) {
		opts = append(opts, cel.InterruptCheckFrequency(interruptEvery))
		interruptible = true
	}
	return opts, interruptible
}

// unsized gives the static estimate no size for any value, so that it
// assumes the largest.
type unsized struct{}

func (unsized) EstimateSize(checker.AstNode) *checker.SizeEstimate { return nil }

func (unsized) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// hasComprehension tells whether the checked expression contains a
// comprehension (from the all, exists, exists_one, map or filter macros).
func hasComprehension(a *cel.Ast) bool {
	found := false
	celast.PreOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.ComprehensionKind {
			found = true
		}
	}))
	return found
}

// containerCost prices the operators that walk lists and maps at one unit
// per value they may visit. cel-go's default charges a comparison of two
// lists a tenth of the shorter one's length (its price for bytes of
// strings) and nothing for nested values, and charges one unit for any
// operator whose operands are dyn (the any type): comparing lists of
// strings costs hundreds of nanoseconds per element, so 1,500 comparisons
// of 250,000-element lists ran for over a minute within the limit. It is
// keyed by function rather than overload, since operators on dyn operands
// carry no overload id. For everything else it defers to cel-go (nil).
type containerCost struct{}

func (containerCost) CallCost(function, _ string, args []ref.Val, _ ref.Val) *uint64 {
	if len(args) != 2 {
		return nil
	}
	switch function {
	case operators.Equals, operators.NotEquals:
		a, b := args[0], args[1]
		if !isContainer(a) || !isContainer(b) {
			return nil
		}
		if size(b) < size(a) {
			a = b
		}
		return units(values(a, CostLimit)) // a comparison stops within the smaller one
	case operators.In:
		list, ok := args[1].(traits.Lister)
		if !ok {
			return nil // a map lookup: constant time
		}
		if isContainer(args[0]) {
			return units(values(list, CostLimit)) // each element is compared in depth
		}
		return units(uint64(size(list)))
	}
	return nil
}

// units boxes a cost, so that only the calls that return one allocate.
func units(n uint64) *uint64 { return &n }

var _ interpreter.ActualCostEstimator = containerCost{}

func isContainer(v ref.Val) bool {
	switch v.(type) {
	case traits.Lister, traits.Mapper:
		return true
	}
	return false
}

func size(v ref.Val) int64 {
	if s, ok := v.(traits.Sizer); ok {
		if n, ok := s.Size().(types.Int); ok {
			return int64(n)
		}
	}
	return 1
}

// values counts v and the values it holds, at every depth, stopping once
// the count passes limit (the evaluation stops there anyway, and counting
// further would cost as much as the comparison it prices).
func values(v ref.Val, limit uint64) uint64 {
	n := uint64(1)
	var it traits.Iterator
	switch c := v.(type) {
	case traits.Lister:
		it = c.Iterator()
	case traits.Mapper:
		it = c.Iterator()
	default:
		return n
	}
	m, isMap := v.(traits.Mapper)
	for n <= limit && it.HasNext() == types.True {
		e := it.Next()
		if isMap {
			// e is a key, a scalar; its value may hold more.
			n++
			e, _ = m.Find(e)
		}
		if n <= limit {
			n += values(e, limit-n)
		}
	}
	return n
}
