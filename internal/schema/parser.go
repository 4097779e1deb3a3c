package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/octroi/octroi/internal/caveat"
)

// maxNesting bounds parenthesised nesting in expressions and type
// arguments in caveat parameters, so that hostile input cannot exhaust
// the stack.
const maxNesting = 200

// Parse parses and checks a schema. On failure it returns a nil *Schema
// and an ErrorList holding every problem found, in source order; syntax
// errors are reported alone (the semantic checks need a complete tree).
func Parse(src string) (*Schema, error) {
	p := &parser{lx: newLexer(src), s: &Schema{}}
	p.tok = p.lx.next()
	p.parseFile()
	if len(p.errs) > 0 {
		return nil, p.errs.sorted()
	}
	s := p.s
	errs := check(s)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return s, nil
}

type parser struct {
	lx   *lexer
	tok  token
	errs ErrorList
	s    *Schema

	sawDefinition bool
	// consumed collects the comments of every token consumed since the
	// current element started, so that comments inside an element are
	// kept with it.
	consumed []comment
}

// maxErrors bounds how many syntax errors one Parse reports: past that
// the rest are mostly consequences of the first ones.
const maxErrors = 50

func (p *parser) errorf(pos Pos, format string, args ...any) {
	switch {
	case len(p.errs) < maxErrors:
		p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	case len(p.errs) == maxErrors:
		p.errs = append(p.errs, &Error{Pos: pos, Msg: "too many errors; stopping here"})
	}
}

// next consumes the current token.
func (p *parser) next() {
	p.consumed = append(p.consumed, p.tok.comments...)
	p.tok = p.lx.next()
}

// startElement begins collecting the comments of an element whose first
// token is the current one.
func (p *parser) startElement() { p.consumed = nil }

// elementComments returns the comments of the tokens consumed since
// startElement.
func (p *parser) elementComments() []string {
	out := make([]string, 0, len(p.consumed))
	for _, c := range p.consumed {
		out = append(out, c.text)
	}
	p.consumed = nil
	return out
}

// lineComment takes a `//` comment that follows the just-finished element
// on its last line.
func (p *parser) lineComment() string {
	if len(p.tok.comments) > 0 {
		c := p.tok.comments[0]
		if c.sameLine && strings.HasPrefix(c.text, "//") {
			p.tok.comments = p.tok.comments[1:]
			// Whether a blank line separates the element from what follows
			// is now decided after the removed comment.
			if len(p.tok.comments) > 0 {
				p.tok.blankBefore = p.tok.comments[0].blankBefore
			} else {
				p.tok.blankBefore = p.tok.gapAfterComments
				p.tok.gapAfterComments = false
			}
			return strings.TrimRight(c.text, " \t")
		}
	}
	return ""
}

// describe names the current token for an error message.
func (p *parser) describe() string {
	switch p.tok.kind {
	case tIdent:
		return "`" + p.tok.text + "`"
	case tIllegal:
		return p.tok.msg
	case tSemi:
		if p.tok.text == "" {
			return "end of line"
		}
	}
	return p.tok.kind.String()
}

// unexpected reports the current token as not what was expected. An
// illegal token reports its own problem instead.
func (p *parser) unexpected(expected string) {
	if p.tok.kind == tIllegal {
		p.errorf(p.tok.pos, "%s", p.tok.msg)
		return
	}
	p.errorf(p.tok.pos, "expected %s, found %s", expected, p.describe())
}

func (p *parser) isWord(w string) bool { return p.tok.kind == tIdent && p.tok.text == w }

// atTopLevelStart reports whether the current token can start a top-level
// element: where recovery resumes.
func (p *parser) atTopLevelStart() bool {
	return p.isWord("definition") || p.isWord("caveat") || (p.isWord("use") && p.tok.nl)
}

// syncTop skips to the next top-level element after an error.
func (p *parser) syncTop() {
	for p.tok.kind != tEOF && !p.atTopLevelStart() {
		p.next()
	}
}

// syncMember skips to the next member or the end of the definition after
// an error in a member.
func (p *parser) syncMember() {
	for p.tok.kind != tEOF && p.tok.kind != tRBrace {
		if p.tok.kind == tSemi {
			p.next()
			return
		}
		if p.tok.nl && (p.isWord("relation") || p.isWord("permission") || p.atTopLevelStart()) {
			return
		}
		p.next()
	}
}

func (p *parser) parseFile() {
	for p.tok.kind != tEOF {
		switch {
		case p.tok.kind == tSemi:
			p.next()
		case p.isWord("definition"):
			p.parseDefinition()
		case p.isWord("caveat"):
			p.parseCaveat()
		case p.isWord("use"):
			p.parseUse()
		default:
			p.unexpected("`definition`, `caveat` or `use`")
			p.next()
			p.syncTop()
		}
	}
	for _, c := range p.tok.comments {
		p.s.EndComments = append(p.s.EndComments, c.text)
	}
}

func (p *parser) parseUse() {
	p.startElement()
	usePos := p.tok.pos
	p.s.useGap = p.s.useGap || p.tok.gapAfterComments
	p.next()
	if p.tok.kind != tIdent {
		p.unexpected("a flag name after `use`, as in `use expiration`")
		p.syncTop()
		return
	}
	if p.tok.text != "expiration" {
		p.errorf(p.tok.pos, "unknown flag `use %s`: the only flag is `use expiration`", p.tok.text)
		p.next()
		p.syncTop()
		return
	}
	p.next()
	if p.sawDefinition {
		p.errorf(usePos, "`use expiration` must come before any definition or caveat: move it to the top of the schema")
	}
	p.s.UseComments = append(p.s.UseComments, p.elementComments()...)
	p.s.UseExpiration = true
	if !p.endOfStatement("`use expiration`") {
		p.syncTop()
	}
}

// endOfStatement consumes what ends a statement: `;`, a line break, or
// (without consuming it) a closing brace or the end of input.
func (p *parser) endOfStatement(what string) bool {
	switch {
	case p.tok.kind == tSemi:
		p.next()
		return true
	case p.tok.kind == tRBrace || p.tok.kind == tEOF || p.tok.nl:
		return true
	}
	p.unexpected("end of line after " + what)
	return false
}

// typePath parses a type or caveat name: identifiers joined by `/`
// (`tenant/user`, `org/team/user`).
func (p *parser) typePath(what string) (string, Pos, bool) {
	pos := p.tok.pos
	if p.tok.kind != tIdent || reserved[p.tok.text] {
		p.unexpected(what)
		return "", pos, false
	}
	var b strings.Builder
	b.WriteString(p.tok.text)
	p.next()
	for p.tok.kind == tSlash {
		p.next()
		if p.tok.kind != tIdent || reserved[p.tok.text] {
			p.unexpected("a name after `/` in `" + b.String() + "/…`")
			return "", pos, false
		}
		b.WriteByte('/')
		b.WriteString(p.tok.text)
		p.next()
	}
	return b.String(), pos, true
}

// elementHead parses the keyword and name that open a definition or a
// caveat (`what` names it in messages), reporting an invalid name through
// check. When it returns false it has skipped to the next element.
func (p *parser) elementHead(what string, check func(string) string) (first token, name string, namePos Pos, ok bool) {
	p.sawDefinition = true
	p.startElement()
	first = p.tok
	p.next()
	name, namePos, ok = p.typePath("a " + what + " name after `" + what + "`")
	if !ok {
		p.syncTop()
		return first, "", namePos, false
	}
	if msg := check(name); msg != "" {
		p.errorf(namePos, "invalid %s name `%s`: %s", what, name, msg)
	}
	return first, name, namePos, true
}

func (p *parser) parseDefinition() {
	first, name, _, ok := p.elementHead("definition", checkTypeName)
	if !ok {
		return
	}
	d := &Definition{Pos: first.pos, Name: name, members: map[string]any{}, gap: first.gapAfterComments}
	if p.tok.kind != tLBrace {
		p.unexpected("`{` after `definition " + name + "`")
		p.syncTop()
		return
	}
	p.next()
	d.Comments = p.elementComments()
	d.Doc = docComment(first)
	for {
		switch {
		case p.tok.kind == tRBrace:
			for _, c := range p.tok.comments {
				d.EndComments = append(d.EndComments, c.text)
			}
			p.tok.comments = nil
			p.next()
			d.LineComment = p.lineComment()
			p.s.Definitions = append(p.s.Definitions, d)
			return
		case p.tok.kind == tSemi:
			p.next()
		case p.isWord("relation"):
			p.parseRelation(d)
		case p.isWord("permission"):
			p.parsePermission(d)
		case p.tok.kind == tEOF || (p.tok.nl && p.atTopLevelStart()):
			p.errorf(d.Pos, "definition `%s` is not closed: add `}` after its last member", name)
			return
		default:
			p.unexpected("`relation`, `permission` or `}`")
			p.next()
			p.syncMember()
		}
	}
}

// memberName parses the name of a relation or permission.
func (p *parser) memberName(kind string) (string, Pos, bool) {
	pos := p.tok.pos
	if p.tok.kind != tIdent {
		p.unexpected("a " + kind + " name after `" + kind + "`")
		return "", pos, false
	}
	name := p.tok.text
	p.next()
	if reserved[name] {
		p.errorf(pos, "`%s` is a keyword and cannot name a %s", name, kind)
		return "", pos, false
	}
	if msg := checkRelationName(name); msg != "" {
		p.errorf(pos, "invalid %s name `%s`: %s", kind, name, msg)
	}
	return name, pos, true
}

func (p *parser) parseRelation(d *Definition) {
	p.startElement()
	first := p.tok
	r := &Relation{Pos: first.pos, blankBefore: first.blankBefore, gap: first.gapAfterComments}
	p.next()
	name, _, ok := p.memberName("relation")
	if !ok {
		p.syncMember()
		return
	}
	r.Name = name
	if p.tok.kind != tColon {
		p.unexpected("`:` after `relation " + name + "`, as in `relation " + name + ": user`")
		p.syncMember()
		return
	}
	p.next()
	for {
		t, ok := p.allowedType()
		if !ok {
			p.syncMember()
			return
		}
		r.Types = append(r.Types, t)
		if p.tok.kind != tPipe {
			break
		}
		p.next()
	}
	r.Comments = p.elementComments()
	r.Doc = docComment(first)
	if !p.endOfStatement("relation `" + name + "`") {
		p.syncMember()
		return
	}
	r.LineComment = p.lineComment()
	d.Relations = append(d.Relations, r)
	p.addMember(d, name, r, r.Pos)
}

func (p *parser) addMember(d *Definition, name string, m any, pos Pos) {
	if prev, dup := d.members[name]; dup {
		what := "relation"
		if _, ok := prev.(*Permission); ok {
			what = "permission"
		}
		p.errorf(pos, "duplicate relation/permission name `%s` in definition `%s`: a %s of that name is already defined at %s", name, d.Name, what, memberPos(prev))
		return
	}
	d.members[name] = m
}

func memberPos(m any) Pos {
	switch m := m.(type) {
	case *Relation:
		return m.Pos
	case *Permission:
		return m.Pos
	}
	return Pos{}
}

// allowedType parses one subject type of a relation:
// `type`, `type:*`, `type#rel`, each optionally followed by
// `with caveat`, `with expiration` or `with caveat and expiration`.
func (p *parser) allowedType() (*AllowedType, bool) {
	name, pos, ok := p.typePath("a subject type")
	if !ok {
		return nil, false
	}
	t := &AllowedType{Type: name, Pos: pos}
	switch p.tok.kind {
	case tColon:
		p.next()
		if p.tok.kind != tStar {
			p.unexpected("`*` after `" + name + ":` (a wildcard is written `" + name + ":*`)")
			return nil, false
		}
		p.next()
		t.Wildcard = true
		if p.tok.kind == tHash {
			p.errorf(p.tok.pos, "a wildcard subject type cannot have a relation: write `%s:*` or `%s#relation`, not both", name, name)
			return nil, false
		}
	case tHash:
		p.next()
		t.relPos = p.tok.pos
		switch p.tok.kind {
		case tEllipsis:
			// `type#...` is the plain object, as in SpiceDB.
			p.next()
		case tIdent:
			t.Relation = p.tok.text
			p.next()
		default:
			p.unexpected("a relation name after `" + name + "#`")
			return nil, false
		}
		if p.tok.kind == tColon {
			p.errorf(p.tok.pos, "a wildcard subject type cannot have a relation: write `%s:*` or `%s#relation`, not both", name, name)
			return nil, false
		}
	}
	if !p.isWord("with") {
		return t, true
	}
	p.next()
	if p.isWord("expiration") {
		t.Expiration = true
		t.expPos = p.tok.pos
		p.next()
		return t, true
	}
	cav, cavPos, ok := p.typePath("a caveat name or `expiration` after `with`")
	if !ok {
		return nil, false
	}
	t.Caveat, t.caveatPos = cav, cavPos
	if p.isWord("and") {
		p.next()
		if !p.isWord("expiration") {
			p.unexpected("`expiration` after `with " + cav + " and`")
			return nil, false
		}
		t.Expiration = true
		t.expPos = p.tok.pos
		p.next()
	}
	return t, true
}

func (p *parser) parsePermission(d *Definition) {
	p.startElement()
	first := p.tok
	perm := &Permission{Pos: first.pos, blankBefore: first.blankBefore, gap: first.gapAfterComments}
	p.next()
	name, _, ok := p.memberName("permission")
	if !ok {
		p.syncMember()
		return
	}
	perm.Name = name
	if p.tok.kind != tEq {
		p.unexpected("`=` after `permission " + name + "`")
		p.syncMember()
		return
	}
	p.next()
	e, ok := p.expr(0)
	if !ok {
		p.syncMember()
		return
	}
	perm.Expr = e
	perm.Comments = p.elementComments()
	perm.Doc = docComment(first)
	if !p.endOfStatement("permission `" + name + "`") {
		p.syncMember()
		return
	}
	perm.LineComment = p.lineComment()
	d.Permissions = append(d.Permissions, perm)
	p.addMember(d, name, perm, perm.Pos)
}

// Operator precedence, verified against SpiceDB's parser: `+` binds
// tightest, then `&`, then `-`; all three are left-associative. So
// `a - b + c` is `a - (b + c)` and `a + b & c` is `(a + b) & c`.

// expr parses an exclusion: intersection ('-' intersection)*.
func (p *parser) expr(depth int) (Expr, bool) {
	left, ok := p.intersection(depth)
	if !ok {
		return nil, false
	}
	for p.tok.kind == tMinus {
		p.next()
		right, ok := p.intersection(depth)
		if !ok {
			return nil, false
		}
		left = &Exclusion{Pos: left.Position(), Base: left, Subtracted: right}
	}
	return left, true
}

// intersection parses union ('&' union)*, flattened: a parenthesised
// intersection inside an intersection means the same, so the tree stays
// canonical.
func (p *parser) intersection(depth int) (Expr, bool) {
	return p.nary(depth, tAmp, p.union,
		func(e Expr) []Expr {
			if in, ok := e.(*Intersection); ok {
				return in.Children
			}
			return []Expr{e}
		},
		func(pos Pos, kids []Expr) Expr { return &Intersection{Pos: pos, Children: kids} })
}

// union parses primary ('+' primary)*, flattened.
func (p *parser) union(depth int) (Expr, bool) {
	return p.nary(depth, tPlus, p.primary,
		func(e Expr) []Expr {
			if u, ok := e.(*Union); ok {
				return u.Children
			}
			return []Expr{e}
		},
		func(pos Pos, kids []Expr) Expr { return &Union{Pos: pos, Children: kids} })
}

// nary parses operand (op operand)*. A single operand is returned as is;
// several become build's node, each operand's terms as flatten gives them.
func (p *parser) nary(depth int, op tokKind, operand func(int) (Expr, bool), flatten func(Expr) []Expr, build func(Pos, []Expr) Expr) (Expr, bool) {
	first, ok := operand(depth)
	if !ok {
		return nil, false
	}
	if p.tok.kind != op {
		return first, true
	}
	kids := append([]Expr(nil), flatten(first)...)
	for p.tok.kind == op {
		p.next()
		e, ok := operand(depth)
		if !ok {
			return nil, false
		}
		kids = append(kids, flatten(e)...)
	}
	return build(first.Position(), kids), true
}

const expectOperand = "a relation or permission name, `nil` or `(`"

// primary parses `( expr )`, `nil`, a name, or an arrow.
func (p *parser) primary(depth int) (Expr, bool) {
	switch {
	case p.tok.kind == tLParen:
		if depth >= maxNesting {
			p.errorf(p.tok.pos, "expression nested too deeply (more than %d parentheses)", maxNesting)
			return nil, false
		}
		p.next()
		e, ok := p.expr(depth + 1)
		if !ok {
			return nil, false
		}
		if p.tok.kind != tRParen {
			p.unexpected("`)` or an operator (`+`, `&`, `-`)")
			return nil, false
		}
		p.next()
		return e, true
	case p.isWord("nil"):
		pos := p.tok.pos
		p.next()
		return &Nil{Pos: pos}, true
	case p.tok.kind == tIdent:
		if reserved[p.tok.text] {
			p.unexpected(expectOperand)
			return nil, false
		}
	default:
		p.unexpected(expectOperand)
		return nil, false
	}
	pos, name := p.tok.pos, p.tok.text
	p.next()
	var a *Arrow
	switch p.tok.kind {
	case tArrow:
		p.next()
		if p.tok.kind != tIdent || reserved[p.tok.text] {
			p.unexpected("a relation or permission name after `" + name + "->`")
			return nil, false
		}
		a = &Arrow{Pos: pos, Tupleset: name, Computed: p.tok.text, Func: ArrowAny, Written: "->"}
		p.next()
	case tDot:
		p.next()
		if !p.isWord("any") && !p.isWord("all") {
			p.unexpected("`any` or `all` after `" + name + ".`")
			return nil, false
		}
		fn := p.tok.text
		p.next()
		if p.tok.kind != tLParen {
			p.unexpected("`(` after `" + name + "." + fn + "`")
			return nil, false
		}
		p.next()
		if p.tok.kind != tIdent || reserved[p.tok.text] {
			p.unexpected("a relation or permission name in `" + name + "." + fn + "(…)`")
			return nil, false
		}
		a = &Arrow{Pos: pos, Tupleset: name, Computed: p.tok.text, Func: ArrowAny, Written: fn}
		if fn == "all" {
			a.Func = ArrowAll
		}
		p.next()
		if p.tok.kind != tRParen {
			p.unexpected("`)` to close `" + name + "." + fn + "(" + a.Computed + "`")
			return nil, false
		}
		p.next()
	default:
		return &RelRef{Pos: pos, Name: name}, true
	}
	if p.tok.kind == tArrow || p.tok.kind == tDot {
		p.errorf(p.tok.pos, "nested arrows are not supported: an arrow walks one relation to a relation or permission of its subjects; define that permission on the subject type and arrow to it")
		return nil, false
	}
	return a, true
}

func (p *parser) parseCaveat() {
	first, name, namePos, ok := p.elementHead("caveat", checkCaveatName)
	if !ok {
		return
	}
	c := &Caveat{Pos: first.pos, Name: name, gap: first.gapAfterComments}
	if p.tok.kind != tLParen {
		p.unexpected("`(` and the parameters after `caveat " + name + "`")
		p.syncTop()
		return
	}
	p.next()
	seen := map[string]Pos{}
	for {
		if p.tok.kind != tIdent {
			p.unexpected("a parameter name, as in `caveat " + name + "(day string)`")
			p.syncTop()
			return
		}
		pname, ppos := p.tok.text, p.tok.pos
		p.next()
		if msg := checkParamName(pname); msg != "" {
			p.errorf(ppos, "invalid parameter name `%s`: %s", pname, msg)
		}
		if prev, dup := seen[pname]; dup {
			p.errorf(ppos, "duplicate parameter `%s` in caveat `%s` (first declared at %s)", pname, name, prev)
		}
		seen[pname] = ppos
		tpos := p.tok.pos
		typ, ok := p.paramType(0)
		if !ok {
			p.syncTop()
			return
		}
		c.Params = append(c.Params, caveat.Param{Name: pname, Type: typ})
		c.paramPos = append(c.paramPos, tpos)
		if p.tok.kind != tComma {
			break
		}
		p.next()
	}
	if p.tok.kind != tRParen {
		p.unexpected("`,` or `)` in the parameters of caveat `" + name + "`")
		p.syncTop()
		return
	}
	p.next()
	if len(c.Params) > maxCaveatParams {
		p.errorf(namePos, "caveat `%s` has %d parameters; SpiceDB allows at most %d", name, len(c.Params), maxCaveatParams)
	}
	if p.tok.kind != tLBrace {
		p.unexpected("`{` and the caveat expression after the parameters of `" + name + "`")
		p.syncTop()
		return
	}
	bracePos := p.tok.pos
	// The current token is `{`: the lexer stands just after it, where the
	// CEL text begins. Its comments belong to the caveat header.
	p.consumed = append(p.consumed, p.tok.comments...)
	c.Comments = p.elementComments()
	c.Doc = docComment(first)
	text, start, errPos, msg := p.lx.scanCEL()
	if msg != "" {
		p.errorf(errPos, "%s", msg)
		p.tok = token{kind: tEOF, pos: p.lx.pos()}
		return
	}
	c.Expression, c.ExprPos = trimWithPos(text, start)
	if c.Expression == "" {
		p.errorf(bracePos, "caveat `%s` has an empty expression: write a CEL expression between the braces", name)
	}
	p.tok = p.lx.next()
	c.LineComment = p.lineComment()
	p.s.Caveats = append(p.s.Caveats, c)
}

// trimWithPos trims white space around text, which starts at start, and
// returns where the trimmed text starts.
func trimWithPos(text string, start Pos) (string, Pos) {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return "", start
	}
	lead := text[:strings.Index(text, trimmed)]
	pos := start
	for i := 0; i < len(lead); i++ {
		switch lead[i] {
		case '\n':
			pos.Line++
			pos.Col = 1
		case '\r':
			if i+1 < len(lead) && lead[i+1] == '\n' {
				i++
			}
			pos.Line++
			pos.Col = 1
		default:
			pos.Col++ // only ASCII white space can lead
		}
	}
	return trimmed, pos
}

// paramType parses a caveat parameter type such as `int` or
// `list<map<string>>` and returns it normalised without spaces.
func (p *parser) paramType(depth int) (string, bool) {
	if p.tok.kind != tIdent {
		p.unexpected("a parameter type (" + paramTypeList + ")")
		return "", false
	}
	name, pos := p.tok.text, p.tok.pos
	p.next()
	arity, known := paramTypes[name]
	if !known {
		p.errorf(pos, "unknown caveat parameter type `%s`: use %s", name, paramTypeList)
		return "", false
	}
	if p.tok.kind != tLt {
		if arity > 0 {
			p.errorf(pos, "`%s` needs an element type, as in `%s<string>`", name, name)
			return "", false
		}
		return name, true
	}
	if arity == 0 {
		p.errorf(p.tok.pos, "`%s` takes no type argument", name)
		return "", false
	}
	if depth >= maxNesting {
		p.errorf(p.tok.pos, "parameter type nested too deeply")
		return "", false
	}
	p.next()
	var args []string
	for {
		a, ok := p.paramType(depth + 1)
		if !ok {
			return "", false
		}
		args = append(args, a)
		if p.tok.kind != tComma {
			break
		}
		p.next()
	}
	if p.tok.kind != tGt {
		p.unexpected("`>` to close `" + name + "<…`")
		return "", false
	}
	p.next()
	if len(args) != arity {
		p.errorf(pos, "`%s` takes exactly %d type argument, got %d", name, arity, len(args))
		return "", false
	}
	return name + "<" + strings.Join(args, ",") + ">", true
}

// paramTypes are SpiceDB's caveat parameter types, with how many type
// arguments each takes (map keys are always strings).
var paramTypes = map[string]int{
	"any": 0, "int": 0, "uint": 0, "bool": 0, "string": 0, "double": 0,
	"bytes": 0, "duration": 0, "timestamp": 0, "ipaddress": 0,
	"list": 1, "map": 1,
}

const paramTypeList = "int, uint, bool, string, double, bytes, duration, timestamp, list<T>, map<T>, ipaddress or any"

// maxCaveatParams is SpiceDB's limit on the parameters of one caveat.
const maxCaveatParams = 20

// reserved are SpiceDB's keywords, which cannot name relations or
// permissions.
var reserved = map[string]bool{
	"definition": true, "caveat": true, "relation": true, "permission": true,
	"nil": true, "with": true,
}

// docComment returns the text of the /** */ comment directly before tok
// (no blank line between), without its markers and leading ` * `.
func docComment(tok token) string {
	if len(tok.comments) == 0 || tok.gapAfterComments {
		return ""
	}
	c := tok.comments[len(tok.comments)-1].text
	if !strings.HasPrefix(c, "/**") || c == "/**/" || !strings.HasSuffix(c, "*/") || len(c) < 5 {
		return ""
	}
	body := c[3 : len(c)-2]
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "*") {
			l = strings.TrimPrefix(l, "*")
			l = strings.TrimPrefix(l, " ")
		}
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// sorted orders the errors by position (stable, so several errors at one
// place keep the order they were found in).
func (l ErrorList) sorted() ErrorList {
	out := append(ErrorList(nil), l...)
	sort.SliceStable(out, func(i, j int) bool { return posLess(out[i].Pos, out[j].Pos) })
	return out
}

func posLess(a, b Pos) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}
