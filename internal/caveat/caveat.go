// Package caveat compiles and evaluates caveats: named CEL expressions over
// typed parameters that make a relationship conditional.
//
// The parameter types are SpiceDB's: int, uint, bool, string, double, bytes,
// duration, timestamp, list<T>, map<T> (string keys), ipaddress (with the
// in_cidr method) and any. Context values arrive JSON-shaped (float64,
// string, bool, []any, map[string]any) and are converted to the declared
// types before evaluation; a value that cannot be converted is an error that
// names the parameter.
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

func (e CompileError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// CompileErrors is the error Compile returns: every problem found, never empty.
type CompileErrors []CompileError

func (l CompileErrors) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}
