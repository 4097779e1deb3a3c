// Package schema holds octroi's schema language, which is SpiceDB's: its
// parser, its semantic checks, its canonical formatter, and the compiled form
// the engine evaluates.
//
//	use expiration
//
//	/** a person */
//	definition user {}
//
//	caveat on_network(ip ipaddress, net string) { ip.in_cidr(net) }
//
//	definition document {
//	    relation parent: folder
//	    relation viewer: user | user:* | group#member | user with on_network | user with expiration
//	    permission view = (viewer + parent->view) - banned
//	    permission all_parents_view = parent.all(view)
//	}
//
// Parse never panics; every syntax or semantic error it finds is reported with
// its 1-based line and column, several at once where it can go on. A *Schema
// is immutable once Parse returns it and safe for concurrent use.
package schema

import (
	"fmt"
	"strings"

	"github.com/octroi/octroi/internal/caveat"
)

// Pos is a 1-based line and column in the schema source (columns count
// runes, not bytes).
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Error is one problem found in a schema, at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is what Parse returns when it finds problems: every one it found,
// in source order. It is never empty when returned as an error.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Schema is a parsed and checked schema.
type Schema struct {
	// UseExpiration is set by the top-level `use expiration` directive,
	// which `with expiration` requires.
	UseExpiration bool
	// Definitions and Caveats in source order.
	Definitions []*Definition
	Caveats     []*Caveat

	// UseComments are the comments before the `use expiration` directive
	// and EndComments those after the last definition or caveat, verbatim,
	// so that Format keeps them.
	UseComments []string
	EndComments []string

	// Warnings are things SpiceDB accepts but that are almost certainly
	// mistakes, such as an arrow to a permission that none of the walked
	// relation's subject types has. They never make Parse fail.
	Warnings []*Error

	useGap  bool // a blank line separates UseComments from the directive
	defs    map[string]*Definition
	caveats map[string]*Caveat
}

// Definition returns the definition named name, or nil.
func (s *Schema) Definition(name string) *Definition { return s.defs[name] }

// Caveat returns the caveat named name, or nil.
func (s *Schema) Caveat(name string) *Caveat { return s.caveats[name] }

// Definition is an object type: `definition name { … }`.
type Definition struct {
	Name string
	Doc  string // the doc comment (/** … */) before it, without the markers; "" if none
	Pos  Pos
	// Relations and Permissions in source order.
	Relations   []*Relation
	Permissions []*Permission

	// Comments are the comments before the definition (and inside its
	// header), verbatim; LineComment is a `//` comment on the line of its
	// closing brace; EndComments are those before the closing brace after
	// the last member.
	Comments    []string
	LineComment string
	EndComments []string

	gap     bool           // a blank line separates Comments from the element
	members map[string]any // *Relation or *Permission, by name
}

// Relation returns the relation named name, or nil.
func (d *Definition) Relation(name string) *Relation {
	r, _ := d.members[name].(*Relation)
	return r
}

// Permission returns the permission named name, or nil.
func (d *Definition) Permission(name string) *Permission {
	p, _ := d.members[name].(*Permission)
	return p
}

// HasMember reports whether name is a relation or permission of d.
func (d *Definition) HasMember(name string) bool {
	_, ok := d.members[name]
	return ok
}

// Relation is `relation name: type | type:* | type#rel | type with caveat …`.
type Relation struct {
	Name  string
	Doc   string
	Pos   Pos
	Types []*AllowedType

	// Comments are the comments before the relation (and inside it),
	// verbatim; LineComment is a `//` comment at the end of its line.
	Comments    []string
	LineComment string

	blankBefore bool // a blank line precedes it in the source
	gap         bool // a blank line separates Comments from the element
}

// AllowedType is one alternative of a relation's subject types.
type AllowedType struct {
	Type       string // the subject's object type, e.g. "user" or "tenant/user"
	Relation   string // "member" for group#member; "" for a plain object
	Wildcard   bool   // user:*
	Caveat     string // the caveat required with it (`with name`); "" if none
	Expiration bool   // `with expiration`
	Pos        Pos

	relPos, caveatPos, expPos Pos // where `#rel`, the caveat name and `expiration` are
}

// Permission is `permission name = expression`.
type Permission struct {
	Name string
	Doc  string
	Pos  Pos
	Expr Expr

	// Comments are the comments before the permission (and inside its
	// expression), verbatim; LineComment is a `//` comment at the end of
	// its line.
	Comments    []string
	LineComment string

	blankBefore bool // a blank line precedes it in the source
	gap         bool // a blank line separates Comments from the element
}

// Expr is a permission expression: *Union, *Intersection, *Exclusion,
// *RelRef, *Arrow or *Nil.
type Expr interface {
	Position() Pos
	isExpr()
}

// Union is `a + b + …` (two or more children, flattened).
type Union struct {
	Pos      Pos
	Children []Expr
}

// Intersection is `a & b & …` (two or more children, flattened).
type Intersection struct {
	Pos      Pos
	Children []Expr
}

// Exclusion is `base - subtracted`. Exclusion is left-associative and not
// flattened: `a - b - c` is Exclusion{Exclusion{a, b}, c}.
type Exclusion struct {
	Pos        Pos
	Base       Expr
	Subtracted Expr
}

// RelRef names a relation or permission of the same definition.
type RelRef struct {
	Pos  Pos
	Name string
}

// ArrowFunc says how an arrow combines the objects it walks to.
type ArrowFunc int

const (
	ArrowAny ArrowFunc = iota // `a->b` and `a.any(b)`: some object grants it
	ArrowAll                  // `a.all(b)`: every object grants it (and there is at least one)
)

// Arrow is `tupleset->computed`, `tupleset.any(computed)` or
// `tupleset.all(computed)`: follow the relation Tupleset (a relation, never a
// permission) to its subjects, and evaluate Computed on each of them.
type Arrow struct {
	Pos      Pos
	Tupleset string
	Computed string
	Func     ArrowFunc
	// Written records the spelling used in the source, so that the formatter
	// keeps `.any(…)` when it was written that way.
	Written string // "->", "any" or "all"
}

// Nil is the empty set: `nil`.
type Nil struct {
	Pos Pos
}

func (e *Union) Position() Pos        { return e.Pos }
func (e *Intersection) Position() Pos { return e.Pos }
func (e *Exclusion) Position() Pos    { return e.Pos }
func (e *RelRef) Position() Pos       { return e.Pos }
func (e *Arrow) Position() Pos        { return e.Pos }
func (e *Nil) Position() Pos          { return e.Pos }

func (*Union) isExpr()        {}
func (*Intersection) isExpr() {}
func (*Exclusion) isExpr()    {}
func (*RelRef) isExpr()       {}
func (*Arrow) isExpr()        {}
func (*Nil) isExpr()          {}

// Caveat is `caveat name(param type, …) { CEL expression }`.
type Caveat struct {
	Name       string
	Doc        string
	Pos        Pos
	Params     []caveat.Param
	Expression string // the CEL source between the braces, trimmed
	ExprPos    Pos    // where Expression starts in the schema source
	Program    *caveat.Program

	// Comments are the comments before the caveat (and inside its
	// parameter list), verbatim; LineComment is a `//` comment on the line
	// of its closing brace.
	Comments    []string
	LineComment string

	paramPos []Pos // where each parameter's type starts
	gap      bool  // a blank line separates Comments from the element
}
