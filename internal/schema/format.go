package schema

import (
	"strings"
)

// Format returns the canonical text of s, in the style of SpiceDB's own
// formatter (zed): `use expiration` first, then caveats and definitions in
// source order separated by one blank line, members indented by four
// spaces in source order, expressions with the fewest parentheses that
// keep their meaning, and every comment kept. A blank line in the source
// between two members is kept (collapsed to one), and a member with
// comments gets a blank line before it, as zed does.
//
// For a parsed schema, Parse(Format(s)) succeeds and formats to the same
// text again.
func Format(s *Schema) string {
	var b strings.Builder
	first := true
	sep := func() {
		if !first {
			b.WriteString("\n")
		}
		first = false
	}
	if s.UseExpiration {
		sep()
		writeComments(&b, "", s.UseComments)
		gapAfter(&b, s.UseComments, s.useGap)
		b.WriteString("use expiration\n")
	}
	ci, di := 0, 0
	for ci < len(s.Caveats) || di < len(s.Definitions) {
		// Merge by position: the source order of caveats and definitions.
		if di >= len(s.Definitions) || (ci < len(s.Caveats) && !posLess(s.Definitions[di].Pos, s.Caveats[ci].Pos)) {
			sep()
			formatCaveat(&b, s.Caveats[ci])
			ci++
			continue
		}
		sep()
		formatDefinition(&b, s.Definitions[di])
		di++
	}
	if len(s.EndComments) > 0 {
		sep()
		writeComments(&b, "", s.EndComments)
	}
	return b.String()
}

const indent = "    "

// writeComments writes comments verbatim, one per line, at the given
// indentation; the continuation lines of a block comment are re-indented
// so that its ` * ` column lines up with the opening `/*`.
func writeComments(b *strings.Builder, ind string, comments []string) {
	for _, c := range comments {
		lines := strings.Split(strings.ReplaceAll(c, "\r\n", "\n"), "\n")
		b.WriteString(ind)
		b.WriteString(strings.TrimRight(lines[0], " \t\r"))
		b.WriteString("\n")
		for _, l := range lines[1:] {
			l = strings.TrimSpace(l)
			switch {
			case l == "":
			case strings.HasPrefix(l, "*"):
				b.WriteString(ind + " " + l)
			default:
				b.WriteString(ind + "   " + l)
			}
			b.WriteString("\n")
		}
	}
}

// gapAfter keeps a blank line between comments and the element they
// precede (such a comment is not the element's doc comment).
func gapAfter(b *strings.Builder, comments []string, gap bool) {
	if gap && len(comments) > 0 {
		b.WriteString("\n")
	}
}

// leadingComments returns what to write before an element: its comments,
// or when it has none (a schema built in code), its Doc as a doc comment.
func leadingComments(comments []string, doc string) []string {
	if len(comments) > 0 || doc == "" {
		return comments
	}
	if !strings.Contains(doc, "\n") {
		return []string{"/** " + strings.ReplaceAll(doc, "*/", "* /") + " */"}
	}
	var b strings.Builder
	b.WriteString("/**\n")
	for _, l := range strings.Split(doc, "\n") {
		b.WriteString(strings.TrimRight(" * "+strings.ReplaceAll(l, "*/", "* /"), " "))
		b.WriteString("\n")
	}
	b.WriteString(" */")
	return []string{b.String()}
}

func writeLineComment(b *strings.Builder, c string) {
	if c != "" {
		b.WriteString(" ")
		b.WriteString(c)
	}
	b.WriteString("\n")
}

func formatDefinition(b *strings.Builder, d *Definition) {
	writeComments(b, "", leadingComments(d.Comments, d.Doc))
	gapAfter(b, d.Comments, d.gap)
	b.WriteString("definition ")
	b.WriteString(d.Name)
	if len(d.Relations) == 0 && len(d.Permissions) == 0 && len(d.EndComments) == 0 {
		b.WriteString(" {}")
		writeLineComment(b, d.LineComment)
		return
	}
	b.WriteString(" {\n")
	ri, pi := 0, 0
	firstMember := true
	for ri < len(d.Relations) || pi < len(d.Permissions) {
		var comments []string
		var blank bool
		var line string
		var lineComment string
		var gap bool
		if pi >= len(d.Permissions) || (ri < len(d.Relations) && !posLess(d.Permissions[pi].Pos, d.Relations[ri].Pos)) {
			r := d.Relations[ri]
			ri++
			comments, blank, lineComment, gap = leadingComments(r.Comments, r.Doc), r.blankBefore, r.LineComment, r.gap
			line = formatRelation(r)
		} else {
			p := d.Permissions[pi]
			pi++
			comments, blank, lineComment, gap = leadingComments(p.Comments, p.Doc), p.blankBefore, p.LineComment, p.gap
			line = "permission " + p.Name + " = " + formatExpr(p.Expr)
		}
		if !firstMember && (blank || len(comments) > 0) {
			b.WriteString("\n")
		}
		firstMember = false
		writeComments(b, indent, comments)
		gapAfter(b, comments, gap)
		b.WriteString(indent)
		b.WriteString(line)
		writeLineComment(b, lineComment)
	}
	writeComments(b, indent, d.EndComments)
	b.WriteString("}")
	writeLineComment(b, d.LineComment)
}

func formatRelation(r *Relation) string {
	var b strings.Builder
	b.WriteString("relation ")
	b.WriteString(r.Name)
	b.WriteString(": ")
	for i, t := range r.Types {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(allowedTypeSource(t))
	}
	return b.String()
}

// Precedence of the expression operators, as in SpiceDB: `+` binds
// tightest, then `&`, then `-`.
const (
	precExclusion = 1 + iota
	precIntersection
	precUnion
	precLeaf
)

func precedence(e Expr) int {
	switch e := e.(type) {
	case *Exclusion:
		return precExclusion
	case *Intersection:
		if len(e.Children) == 1 {
			return precedence(e.Children[0])
		}
		return precIntersection
	case *Union:
		if len(e.Children) == 1 {
			return precedence(e.Children[0])
		}
		return precUnion
	}
	return precLeaf
}

// formatExpr writes e with the fewest parentheses that keep its meaning:
// a child is parenthesised only when its operator binds less tightly than
// its parent's, or when it is an exclusion on the right of an exclusion
// (exclusion is left-associative).
func formatExpr(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writeChild(b *strings.Builder, e Expr, parens bool) {
	if parens {
		b.WriteString("(")
		writeExpr(b, e)
		b.WriteString(")")
		return
	}
	writeExpr(b, e)
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Union:
		writeNary(b, e.Children, " + ", precUnion)
	case *Intersection:
		writeNary(b, e.Children, " & ", precIntersection)
	case *Exclusion:
		writeChild(b, e.Base, precedence(e.Base) < precExclusion)
		b.WriteString(" - ")
		writeChild(b, e.Subtracted, precedence(e.Subtracted) <= precExclusion)
	case *RelRef:
		b.WriteString(e.Name)
	case *Arrow:
		b.WriteString(arrowSource(e))
	case *Nil:
		b.WriteString("nil")
	default:
		b.WriteString("nil")
	}
}

func writeNary(b *strings.Builder, children []Expr, op string, prec int) {
	if len(children) == 0 {
		b.WriteString("nil")
		return
	}
	for i, c := range children {
		if i > 0 {
			b.WriteString(op)
		}
		writeChild(b, c, precedence(c) < prec)
	}
}

func formatCaveat(b *strings.Builder, c *Caveat) {
	writeComments(b, "", leadingComments(c.Comments, c.Doc))
	gapAfter(b, c.Comments, c.gap)
	b.WriteString("caveat ")
	b.WriteString(c.Name)
	b.WriteString("(")
	for i, p := range c.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Name)
		b.WriteString(" ")
		b.WriteString(p.Type)
	}
	b.WriteString(") {\n")
	for _, l := range caveatBodyLines(c.Expression, c.ExprPos.Col-1) {
		if l != "" {
			b.WriteString(l)
		}
		b.WriteString("\n")
	}
	b.WriteString("}")
	writeLineComment(b, c.LineComment)
}

// caveatBodyLines lays out a caveat expression inside its braces: every
// line indented once, keeping the indentation of the lines after the first
// relative to the first (which started at column firstCol+1 in the source,
// when known) and to each other. An expression with a multi-line string
// literal is left as written after its first line, since re-indenting
// would change the string.
func caveatBodyLines(expr string, firstCol int) []string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(expr), "\r\n", "\n"), "\n")
	lines[0] = indent + lines[0]
	if len(lines) == 1 {
		return lines
	}
	if strings.Contains(expr, "'''") || strings.Contains(expr, `"""`) {
		return lines
	}
	minInd := -1
	if firstCol >= 0 {
		minInd = firstCol
	}
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if minInd < 0 || n < minInd {
			minInd = n
		}
	}
	for i := 1; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t\r")
		if strings.TrimSpace(l) == "" {
			lines[i] = ""
			continue
		}
		lines[i] = indent + l[minInd:]
	}
	return lines
}
