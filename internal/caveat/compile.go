package caveat

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
)

// MaxExpressionSize is the longest caveat expression Compile accepts, in
// bytes (SpiceDB's limit is 100,000 characters).
const MaxExpressionSize = 100_000

// Program is a compiled caveat. It is immutable and safe for concurrent use.
type Program struct {
	name   string
	expr   string
	params []Param
	types  []*paramType
	// used[i] tells whether the expression refers to params[i].
	used []bool
	// unknown[i] is the partial-evaluation pattern marking params[i] absent.
	unknown []*cel.AttributePatternType
	adapter types.Adapter
	// fast evaluates when every used parameter is given; partial evaluates
	// with the absent ones marked unknown.
	fast, partial cel.Program
	// interruptible tells whether the programs look at the request's
	// context while they run (only comprehensions do).
	interruptible bool
}

// Name returns the caveat's name as given to Compile.
func (p *Program) Name() string { return p.name }

// Expression returns the caveat's expression text as given to Compile.
func (p *Program) Expression() string { return p.expr }

// Params returns a copy of the declared parameters, in declaration order.
func (p *Program) Params() []Param { return append([]Param(nil), p.params...) }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// celReserved are CEL's keywords and reserved words: a parameter cannot be
// named after one, since the expression could not refer to it.
var celReserved = map[string]bool{
	"true": true, "false": true, "null": true, "in": true,
	"as": true, "break": true, "const": true, "continue": true, "else": true,
	"for": true, "function": true, "if": true, "import": true, "let": true,
	"loop": true, "package": true, "namespace": true, "return": true,
	"var": true, "void": true, "while": true,
}

// Compile type-checks expr against the declared params and returns the
// compiled caveat. Every problem found is reported in a CompileErrors:
// problems in the expression at their line and column in expr; problems of
// the parameter list (bad or duplicate name, unknown type) at line 0.
func Compile(name string, params []Param, expr string) (*Program, error) {
	var errs CompileErrors
	ptypes := make([]*paramType, len(params))
	seen := make(map[string]bool, len(params))
	opts := []cel.EnvOption{
		cel.DefaultUTCTimeZone(true),
		ipAddressEnvOption(),
	}
	for i, prm := range params {
		switch {
		case !identRE.MatchString(prm.Name):
			errs = append(errs, CompileError{Msg: fmt.Sprintf("parameter %q: not a valid name", prm.Name)})
			continue
		case celReserved[prm.Name]:
			errs = append(errs, CompileError{Msg: fmt.Sprintf("parameter %q: name is reserved in CEL", prm.Name)})
			continue
		case seen[prm.Name]:
			errs = append(errs, CompileError{Msg: fmt.Sprintf("parameter %q: declared more than once", prm.Name)})
			continue
		}
		seen[prm.Name] = true
		t, err := parseType(prm.Type)
		if err != nil {
			errs = append(errs, CompileError{Msg: fmt.Sprintf("parameter %q: %v", prm.Name, err)})
			// Declare it anyway so the expression is still checked.
			t = &paramType{kind: kindAny, cel: cel.DynType}
		}
		ptypes[i] = t
		opts = append(opts, cel.Variable(prm.Name, t.cel))
	}
	if len(expr) > MaxExpressionSize {
		errs = append(errs, CompileError{Line: 1, Col: 1,
			Msg: fmt.Sprintf("caveat expression is %d bytes long, more than the %d allowed", len(expr), MaxExpressionSize)})
		return nil, errs
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, append(errs, CompileError{Msg: fmt.Sprintf("caveat %q: %v", name, err)})
	}
	ast, iss := env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		for _, e := range iss.Errors() {
			line, col := 1, 1
			if loc := e.Location; loc != nil && loc.Line() > 0 {
				line, col = loc.Line(), byteColumn(expr, loc.Line(), loc.Column())
			}
			errs = append(errs, CompileError{Line: line, Col: col, Msg: rewordCELError(name, e.Message)})
		}
		return nil, errs
	}
	if out := ast.OutputType(); !out.IsExactType(cel.BoolType) {
		line, col := firstTokenPosition(expr)
		errs = append(errs, CompileError{Line: line, Col: col,
			Msg: fmt.Sprintf("caveat expression must evaluate to bool, got %s", out)})
	}
	if len(errs) > 0 {
		return nil, errs
	}

	p := &Program{
		name:    name,
		expr:    expr,
		params:  append([]Param(nil), params...),
		types:   ptypes,
		used:    make([]bool, len(params)),
		unknown: make([]*cel.AttributePatternType, len(params)),
		adapter: env.CELTypeAdapter(),
	}
	index := make(map[string]int, len(params))
	for i, prm := range params {
		index[prm.Name] = i
		p.unknown[i] = cel.AttributePattern(prm.Name)
	}
	for _, ref := range ast.NativeRep().ReferenceMap() {
		// Function references have overload ids; identifiers do not. A
		// comprehension variable that shadows a parameter marks it used,
		// which only means a missing value goes through partial evaluation.
		if i, ok := index[ref.Name]; ok && len(ref.OverloadIDs) == 0 {
			p.used[i] = true
		}
	}
	lim, interruptible := limits(env, ast)
	p.interruptible = interruptible
	if p.fast, err = env.Program(ast, append([]cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}, lim...)...); err != nil {
		return nil, CompileErrors{{Line: 1, Col: 1, Msg: fmt.Sprintf("caveat %q: %v", name, err)}}
	}
	if p.partial, err = env.Program(ast, append([]cel.ProgramOption{cel.EvalOptions(cel.OptPartialEval)}, lim...)...); err != nil {
		return nil, CompileErrors{{Line: 1, Col: 1, Msg: fmt.Sprintf("caveat %q: %v", name, err)}}
	}
	return p, nil
}

var undeclaredRE = regexp.MustCompile(`^undeclared reference to '([^']*)' \(in container ''\)$`)

// rewordCELError makes CEL's message for an unknown identifier say what it
// means here.
func rewordCELError(caveat, msg string) string {
	if m := undeclaredRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("unknown identifier %q: not a parameter of caveat %q", m[1], caveat)
	}
	return msg
}

// byteColumn turns CEL's 0-based code-point column on a 1-based line into a
// 1-based byte column.
func byteColumn(src string, line, runeCol int) int {
	for l := 1; l < line; l++ {
		i := strings.IndexByte(src, '\n')
		if i < 0 {
			return runeCol + 1
		}
		src = src[i+1:]
	}
	if i := strings.IndexByte(src, '\n'); i >= 0 {
		src = src[:i]
	}
	b := 0
	for n := 0; n < runeCol && b < len(src); n++ {
		_, size := utf8.DecodeRuneInString(src[b:])
		b += size
	}
	if b >= len(src) && runeCol > utf8.RuneCountInString(src) {
		b += runeCol - utf8.RuneCountInString(src)
	}
	return b + 1
}

// firstTokenPosition is the 1-based line and byte column of the first
// non-blank character of src (1:1 if there is none).
func firstTokenPosition(src string) (int, int) {
	line, col := 1, 1
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			line, col = line+1, 1
		case ' ', '\t', '\r':
			col++
		default:
			return line, col
		}
	}
	return 1, 1
}
