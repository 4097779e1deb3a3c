package schema

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/octroi/octroi/internal/caveat"
)

// The semantic checks mirror what SpiceDB's compiler and type system
// reject (pkg/schema typesystem validation, pkg/namespace aliasing), so
// that every schema SpiceDB accepts is accepted here and the reverse:
//
//   - duplicate definitions, caveats, members of a definition, and
//     duplicate subject types within one relation;
//   - subject types naming an unknown definition, an unknown relation or
//     permission of it, or an unknown caveat;
//   - a subject type `t#rel` whose relation includes a wildcard, directly
//     or through further subject relations (wildcards are not transitive);
//   - `with expiration` without `use expiration`;
//   - expressions naming unknown relations or permissions;
//   - arrows whose left side is unknown, a permission, or a relation that
//     includes a wildcard (directly or transitively);
//   - permissions that only alias one another in a cycle (`a = b`, `b = a`).
//
// SpiceDB accepts an arrow to a relation or permission that none of the
// walked relation's subject types has (the arrow is then always empty); so
// does octroi, reporting it in Schema.Warnings instead.

type checker struct {
	s    *Schema
	errs ErrorList
}

func (c *checker) errorf(pos Pos, format string, args ...any) {
	c.errs = append(c.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) warnf(pos Pos, format string, args ...any) {
	c.s.Warnings = append(c.s.Warnings, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// check runs the semantic checks on a syntactically complete schema and
// fills in its lookup tables and compiled caveats.
func check(s *Schema) ErrorList {
	c := &checker{s: s}
	s.defs = make(map[string]*Definition, len(s.Definitions))
	s.caveats = make(map[string]*Caveat, len(s.Caveats))
	for _, d := range s.Definitions {
		if prev, dup := s.defs[d.Name]; dup {
			c.errorf(d.Pos, "duplicate definition `%s`: it is already defined at %s", d.Name, prev.Pos)
			continue
		}
		s.defs[d.Name] = d
	}
	for _, cv := range s.Caveats {
		if prev, dup := s.caveats[cv.Name]; dup {
			c.errorf(cv.Pos, "duplicate caveat `%s`: it is already defined at %s", cv.Name, prev.Pos)
			continue
		}
		s.caveats[cv.Name] = cv
	}
	for _, cv := range s.Caveats {
		c.compileCaveat(cv)
	}
	for _, d := range s.Definitions {
		for _, r := range d.Relations {
			c.checkRelation(d, r)
		}
		for _, p := range d.Permissions {
			c.checkExpr(d, p, p.Expr)
		}
		c.checkAliasCycles(d)
	}
	return c.errs
}

func (c *checker) compileCaveat(cv *Caveat) {
	prog, err := caveat.Compile(cv.Name, cv.Params, cv.Expression)
	if err == nil {
		cv.Program = prog
		return
	}
	var ces caveat.CompileErrors
	if !errors.As(err, &ces) {
		c.errorf(cv.ExprPos, "in caveat `%s`: %v", cv.Name, err)
		return
	}
	for _, ce := range ces {
		pos := cv.Pos // line 0: a problem of the parameter list
		if ce.Line > 0 {
			pos = exprToSchemaPos(cv.Expression, cv.ExprPos, ce.Line, ce.Col)
		}
		c.errorf(pos, "in caveat `%s`: %s", cv.Name, ce.Msg)
	}
}

// exprToSchemaPos maps a position within a caveat expression (1-based
// line, 1-based column in bytes, as the caveat package reports them) to
// the schema source (columns in runes), given where the expression starts.
func exprToSchemaPos(expr string, start Pos, line, col int) Pos {
	lines := strings.Split(strings.ReplaceAll(expr, "\r\n", "\n"), "\n")
	runeCol := col
	if line >= 1 && line <= len(lines) && col >= 1 {
		l := lines[line-1]
		if col-1 <= len(l) {
			runeCol = utf8.RuneCountInString(l[:col-1]) + 1
		}
	}
	if runeCol < 1 {
		runeCol = 1
	}
	if line <= 1 {
		return Pos{start.Line, start.Col + runeCol - 1}
	}
	return Pos{start.Line + line - 1, runeCol}
}

// allowedTypeSource writes an allowed type the way it is written in a
// schema (`user`, `user:*`, `group#member`, `user with c and expiration`).
func allowedTypeSource(t *AllowedType) string {
	var b strings.Builder
	b.WriteString(t.Type)
	switch {
	case t.Wildcard:
		b.WriteString(":*")
	case t.Relation != "":
		b.WriteString("#")
		b.WriteString(t.Relation)
	}
	switch {
	case t.Caveat != "" && t.Expiration:
		b.WriteString(" with " + t.Caveat + " and expiration")
	case t.Caveat != "":
		b.WriteString(" with " + t.Caveat)
	case t.Expiration:
		b.WriteString(" with expiration")
	}
	return b.String()
}

func (c *checker) checkRelation(d *Definition, r *Relation) {
	seen := map[string]bool{}
	for _, t := range r.Types {
		if t.Expiration && !c.s.UseExpiration {
			if t.Caveat == "" && c.s.caveats["expiration"] != nil {
				// Without the flag, SpiceDB reads `with expiration` as a
				// caveat named expiration, and one exists.
				t.Expiration, t.Caveat, t.caveatPos = false, "expiration", t.expPos
			} else {
				c.errorf(t.expPos, "`with expiration` requires `use expiration` at the top of the schema")
			}
		}
		src := allowedTypeSource(t)
		if seen[src] {
			c.errorf(t.Pos, "duplicate subject type `%s` in relation `%s`", src, r.Name)
		}
		seen[src] = true

		td := c.s.defs[t.Type]
		if td == nil {
			c.errorf(t.Pos, "unknown subject type `%s` in relation `%s`: no definition is named `%s`; add `definition %s {}` or fix the name", t.Type, r.Name, t.Type, t.Type)
		} else if t.Relation != "" {
			if !td.HasMember(t.Relation) {
				c.errorf(t.relPos, "subject type `%s#%s` in relation `%s`: definition `%s` has no relation or permission `%s`", t.Type, t.Relation, r.Name, t.Type, t.Relation)
			} else if via, wc := c.wildcardVia(td, t.Relation, map[string]bool{}); wc != "" {
				c.errorf(t.Pos, "subject type `%s#%s` in relation `%s` includes the wildcard `%s:*` through relation `%s`: wildcards cannot be included transitively; allow `%s:*` directly on `%s` instead", t.Type, t.Relation, r.Name, wc, via, wc, r.Name)
			}
		}
		if t.Caveat != "" && c.s.caveats[t.Caveat] == nil {
			c.errorf(t.caveatPos, "unknown caveat `%s` in relation `%s`: declare it with `caveat %s(…) { … }` or fix the name", t.Caveat, r.Name, t.Caveat)
		}
	}
}

// wildcardVia reports whether relation rel of d can hold a wildcard
// subject, directly or through subject relations (`group#member` whose
// member allows `user:*`): it returns the relation that allows it and the
// wildcard's type. Permissions have no subject types and never do, as in
// SpiceDB.
func (c *checker) wildcardVia(d *Definition, rel string, visited map[string]bool) (via, wildcardType string) {
	key := d.Name + "#" + rel
	if visited[key] {
		return "", ""
	}
	visited[key] = true
	r := d.Relation(rel)
	if r == nil {
		return "", ""
	}
	for _, t := range r.Types {
		if t.Wildcard {
			return key, t.Type
		}
	}
	for _, t := range r.Types {
		if t.Relation == "" {
			continue
		}
		if td := c.s.defs[t.Type]; td != nil {
			if via, wc := c.wildcardVia(td, t.Relation, visited); wc != "" {
				return via, wc
			}
		}
	}
	return "", ""
}

func (c *checker) checkExpr(d *Definition, p *Permission, e Expr) {
	switch e := e.(type) {
	case *Union:
		for _, ch := range e.Children {
			c.checkExpr(d, p, ch)
		}
	case *Intersection:
		for _, ch := range e.Children {
			c.checkExpr(d, p, ch)
		}
	case *Exclusion:
		c.checkExpr(d, p, e.Base)
		c.checkExpr(d, p, e.Subtracted)
	case *RelRef:
		if !d.HasMember(e.Name) {
			c.errorf(e.Pos, "permission `%s` refers to `%s`, which is not a relation or permission of definition `%s`", p.Name, e.Name, d.Name)
		}
	case *Arrow:
		c.checkArrow(d, p, e)
	}
}

func (c *checker) checkArrow(d *Definition, p *Permission, a *Arrow) {
	text := arrowSource(a)
	if !d.HasMember(a.Tupleset) {
		c.errorf(a.Pos, "arrow `%s` in permission `%s` walks `%s`, which is not a relation of definition `%s`", text, p.Name, a.Tupleset, d.Name)
		return
	}
	r := d.Relation(a.Tupleset)
	if r == nil {
		c.errorf(a.Pos, "arrow `%s` in permission `%s` walks `%s`, which is a permission: the left side of an arrow must be a relation", text, p.Name, a.Tupleset)
		return
	}
	if via, wc := c.wildcardVia(d, a.Tupleset, map[string]bool{}); wc != "" {
		c.errorf(a.Pos, "arrow `%s` in permission `%s` walks relation `%s`, which includes the wildcard `%s:*` (through `%s`): wildcard relations cannot be on the left side of an arrow", text, p.Name, a.Tupleset, wc, via)
		return
	}
	for _, t := range r.Types {
		if td := c.s.defs[t.Type]; td != nil && td.HasMember(a.Computed) {
			return
		}
	}
	c.warnf(a.Pos, "arrow `%s` in permission `%s` can never match: none of the subject types of relation `%s` (%s) has a relation or permission `%s`", text, p.Name, a.Tupleset, typeList(r.Types), a.Computed)
}

func arrowSource(a *Arrow) string {
	switch {
	case a.Written == "any" || a.Written == "all":
		return a.Tupleset + "." + a.Written + "(" + a.Computed + ")"
	case a.Written == "" && a.Func == ArrowAll:
		return a.Tupleset + ".all(" + a.Computed + ")"
	}
	return a.Tupleset + "->" + a.Computed
}

func typeList(ts []*AllowedType) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = "`" + allowedTypeSource(t) + "`"
	}
	return strings.Join(out, ", ")
}

// checkAliasCycles rejects permissions that are each only another
// permission (`permission a = b`) in a cycle, as SpiceDB does when it
// computes permission aliases: such a permission has no meaning.
func (c *checker) checkAliasCycles(d *Definition) {
	alias := map[string]string{}
	for _, p := range d.Permissions {
		if ref, ok := p.Expr.(*RelRef); ok && d.Permission(ref.Name) != nil {
			alias[p.Name] = ref.Name
		}
	}
	resolved := func(name string) bool {
		_, isAlias := alias[name]
		return !isAlias
	}
	for changed := true; changed; {
		changed = false
		for name, target := range alias {
			if resolved(target) {
				delete(alias, name)
				changed = true
			}
		}
	}
	if len(alias) == 0 {
		return
	}
	var names []string
	var first *Permission
	for _, p := range d.Permissions {
		if _, ok := alias[p.Name]; ok {
			names = append(names, "`"+p.Name+"`")
			if first == nil {
				first = p
			}
		}
	}
	c.errorf(first.Pos, "in definition `%s`, permissions %s only refer to one another in a cycle: at least one of them must be defined from a relation, an arrow or nil", d.Name, strings.Join(names, ", "))
}
