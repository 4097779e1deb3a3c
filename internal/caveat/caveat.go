// Package caveat compiles and evaluates caveats: named CEL expressions over
// typed parameters that make a relationship conditional.
//
// # Types
//
// The parameter types are SpiceDB's, declared to CEL as follows:
//
//	int        int
//	uint       int, whose values must be non-negative (as in SpiceDB, so
//	           that `count < 10` type-checks without a 10u literal)
//	bool       bool
//	string     string
//	double     double
//	bytes      bytes
//	duration   google.protobuf.Duration
//	timestamp  google.protobuf.Timestamp (functions use UTC by default)
//	list<T>    list(T)
//	map<T>     map(string, T): keys are always strings
//	ipaddress  a custom type with one method, ip.in_cidr(string) bool
//	any        dyn
//
// The expression must type-check to exactly bool.
//
// # Context values
//
// Context values arrive JSON-shaped (float64, string, bool, []any,
// map[string]any, nil) or already typed, and are converted to the declared
// types before evaluation:
//
//	int, uint  an integral JSON number, any Go integer or float with an
//	           integral value in range, json.Number, or a decimal string;
//	           uint also refuses negatives
//	double     any Go number, json.Number or a numeric string
//	bool       bool; string: string
//	bytes      []byte, or a standard base64 string
//	duration   time.Duration, or a Go duration string such as "1h30m"
//	timestamp  time.Time, or an RFC 3339 string
//	ipaddress  an IPv4 or IPv6 address string, netip.Addr or net.IP
//	list<T>    []any or any Go slice, converted element by element
//	map<T>     map[string]any or any Go map with string keys, value by value
//	any        passed through (JSON null becomes CEL null)
//
// A value that cannot be converted (including null for a typed parameter)
// is a *ParamError naming the parameter and saying what was wrong.
//
// # Evaluation
//
// Eval takes two contexts, the relationship's and the request's; where both
// give a parameter the relationship's value wins (SpiceDB's rule). Keys that
// are not parameters are ignored. When the expression needs a parameter that
// neither gives, partial evaluation still decides when it can (`a || b` with
// a true is true); otherwise the Result lists the missing parameters. Each
// evaluation is bounded by CostLimit, and stops when the request's context
// ends (see Eval).
//
// ValidateContext is for contexts written with relationships: like SpiceDB
// on writes, it refuses keys that are not parameters and values that do not
// convert.
//
// # Errors
//
// Compile reports every problem it finds as CompileErrors. Positions are
// relative to the expression text: lines and columns are 1-based, columns
// count bytes. Problems in the parameter list (bad or duplicate names,
// unknown types) have Line 0, as they are not in the expression.
//
// A *Program is immutable and safe for concurrent use.
package caveat

import (
	"fmt"
	"strings"
)

// Param is one declared caveat parameter.
type Param struct {
	Name string
	Type string // as written, e.g. "int", "list<string>", "map<any>", "ipaddress"
}

// Result is the outcome of evaluating a caveat against a context.
type Result struct {
	// Value is meaningful only when Missing is empty.
	Value bool
	// Missing lists (sorted) the parameters the expression needed but the
	// context did not give; when not empty the outcome is unknown.
	Missing []string
}

// CompileError is one problem in a caveat's expression, at a 1-based line
// and column of the expression text (not of the schema around it).
type CompileError struct {
	Line, Col int
	Msg       string
}

// Error gives "line:col: msg", or only msg when Line is 0 (a problem of the
// parameter list rather than of the expression).
func (e CompileError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// CompileErrors is the error Compile returns: every problem found, never empty.
type CompileErrors []CompileError

func (l CompileErrors) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}
