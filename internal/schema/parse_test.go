package schema

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/caveat"
)

// exprTree renders an expression with every operator parenthesised, so
// that tests can state the tree the parser built.
func exprTree(e Expr) string {
	switch e := e.(type) {
	case *Union:
		return nary("+", e.Children)
	case *Intersection:
		return nary("&", e.Children)
	case *Exclusion:
		return "(" + exprTree(e.Base) + " - " + exprTree(e.Subtracted) + ")"
	case *RelRef:
		return e.Name
	case *Arrow:
		return arrowSource(e)
	case *Nil:
		return "nil"
	}
	return "?"
}

func nary(op string, cs []Expr) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = exprTree(c)
	}
	return "(" + strings.Join(parts, " "+op+" ") + ")"
}

// TestPrecedence checks the trees SpiceDB's parser builds: `+` binds
// tightest, then `&`, then `-`; `-` is left-associative and binary; `+`
// and `&` are flattened.
func TestPrecedence(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"aaa + bbb + ccc", "(aaa + bbb + ccc)"},
		{"aaa & bbb & ccc", "(aaa & bbb & ccc)"},
		{"aaa - bbb - ccc", "((aaa - bbb) - ccc)"},
		{"aaa + bbb - ccc", "((aaa + bbb) - ccc)"},
		{"aaa - bbb + ccc", "(aaa - (bbb + ccc))"},
		{"aaa + bbb & ccc", "((aaa + bbb) & ccc)"},
		{"aaa & bbb + ccc", "(aaa & (bbb + ccc))"},
		{"aaa - bbb & ccc", "(aaa - (bbb & ccc))"},
		{"aaa & bbb - ccc", "((aaa & bbb) - ccc)"},
		{"aaa + (bbb + ccc)", "(aaa + bbb + ccc)"},
		{"(aaa & bbb) & ccc", "(aaa & bbb & ccc)"},
		{"(aaa + bbb) & (bbb - ccc)", "((aaa + bbb) & (bbb - ccc))"},
		{"aaa - (bbb - ccc)", "(aaa - (bbb - ccc))"},
		{"par->aaa + par.any(bbb) & par.all(ccc)", "((par->aaa + par.any(bbb)) & par.all(ccc))"},
		{"nil", "nil"},
		{"((aaa))", "aaa"},
		{"aaa - nil", "(aaa - nil)"},
	}
	for _, tt := range tests {
		src := "definition doc {\n relation par: doc\n relation aaa: doc\n relation bbb: doc\n relation ccc: doc\n permission ppp = " + tt.expr + "\n}"
		s, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		if got := exprTree(s.Definition("doc").Permission("ppp").Expr); got != tt.want {
			t.Errorf("Parse(%q): got %s, want %s", tt.expr, got, tt.want)
		}
	}
}

func TestParseStructure(t *testing.T) {
	src := `use expiration

/** a person */
definition tenant/user {}

// not a doc comment
definition org/team/group {
    relation member: tenant/user#... | org/team/group#member
}

/**
 * A document.
 * Second line.
 */
definition document {
    /** who reads */
    relation viewer: tenant/user:* with on_net | tenant/user with expiration | org/team/group#member with on_net and expiration
    relation parent: document
    permission view = viewer + parent.all(view) + parent->view
}

caveat on_net(ip ipaddress, nets list<string>) {
    nets.exists(n, ip.in_cidr(n)) || {"a": "}"}["a"] == "}"
}
`
	s, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if !s.UseExpiration {
		t.Errorf("UseExpiration: got false, want true")
	}
	if got := len(s.Definitions); got != 3 {
		t.Fatalf("definitions: got %d, want 3", got)
	}
	user := s.Definition("tenant/user")
	if user == nil || user.Doc != "a person" || user.Pos != (Pos{4, 1}) {
		t.Errorf("tenant/user: got %+v, want Doc %q at 4:1", user, "a person")
	}
	if g := s.Definition("org/team/group"); g.Doc != "" || len(g.Comments) != 1 {
		t.Errorf("group: got Doc %q, Comments %q; want no doc, one comment", g.Doc, g.Comments)
	}
	member := s.Definition("org/team/group").Relation("member")
	if got := typeList(member.Types); got != "`tenant/user`, `org/team/group#member`" {
		t.Errorf("member types: got %s", got)
	}
	doc := s.Definition("document")
	if doc.Doc != "A document.\nSecond line." {
		t.Errorf("document Doc: got %q, want %q", doc.Doc, "A document.\nSecond line.")
	}
	viewer := doc.Relation("viewer")
	if viewer.Doc != "who reads" {
		t.Errorf("viewer Doc: got %q", viewer.Doc)
	}
	want := []AllowedType{
		{Type: "tenant/user", Wildcard: true, Caveat: "on_net", Pos: Pos{17, 22}},
		{Type: "tenant/user", Expiration: true, Pos: Pos{17, 50}},
		{Type: "org/team/group", Relation: "member", Caveat: "on_net", Expiration: true, Pos: Pos{17, 80}},
	}
	for i, w := range want {
		g := viewer.Types[i]
		if g.Type != w.Type || g.Relation != w.Relation || g.Wildcard != w.Wildcard || g.Caveat != w.Caveat || g.Expiration != w.Expiration || g.Pos != w.Pos {
			t.Errorf("viewer type %d: got %+v, want %+v", i, *g, w)
		}
	}
	if doc.Permission("view") == nil || doc.Relation("view") != nil || !doc.HasMember("parent") || doc.HasMember("nope") {
		t.Errorf("member lookups wrong")
	}
	arrows := doc.Permission("view").Expr.(*Union).Children
	if a := arrows[1].(*Arrow); a.Func != ArrowAll || a.Written != "all" || a.Tupleset != "parent" || a.Computed != "view" {
		t.Errorf("all arrow: got %+v", *a)
	}
	if a := arrows[2].(*Arrow); a.Func != ArrowAny || a.Written != "->" {
		t.Errorf("-> arrow: got %+v", *a)
	}
	c := s.Caveat("on_net")
	if c == nil || c.Program == nil {
		t.Fatalf("caveat on_net: got %+v, want compiled", c)
	}
	wantParams := []caveat.Param{{Name: "ip", Type: "ipaddress"}, {Name: "nets", Type: "list<string>"}}
	if len(c.Params) != 2 || c.Params[0] != wantParams[0] || c.Params[1] != wantParams[1] {
		t.Errorf("params: got %+v, want %+v", c.Params, wantParams)
	}
	if c.ExprPos != (Pos{23, 5}) || !strings.HasPrefix(c.Expression, "nets.exists") || !strings.HasSuffix(c.Expression, `== "}"`) {
		t.Errorf("expression: got %q at %v, want it at 23:5", c.Expression, c.ExprPos)
	}
	var names []string
	for _, m := range doc.Members() {
		names = append(names, m.MemberName())
	}
	if got := strings.Join(names, ","); got != "viewer,parent,view" {
		t.Errorf("Members: got %s, want viewer,parent,view", got)
	}
	if _, ok := doc.Member("view").(*Permission); !ok || doc.Member("nope") != nil {
		t.Errorf("Member: wrong results")
	}
	if got := len(s.AllowedTypes("document", "viewer")); got != 3 {
		t.Errorf("AllowedTypes(document, viewer): got %d types, want 3", got)
	}
	if s.AllowedTypes("document", "view") != nil || s.AllowedTypes("nope", "viewer") != nil {
		t.Errorf("AllowedTypes of a permission or unknown type: got non-nil, want nil")
	}
}

// TestCaveatErrorPositions checks that positions inside a caveat
// expression map to the schema, counting runes.
func TestCaveatErrorPositions(t *testing.T) {
	src := "caveat c1x(a string) {\n  a == \"é\" && zz\n}"
	_, err := Parse(src)
	want := "2:15: in caveat `c1x`: unknown identifier \"zz\": not a parameter of caveat \"c1x\""
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	src = "caveat c1x(a string) { a == \"é\" && zz }"
	_, err = Parse(src)
	want = "1:36: in caveat `c1x`: unknown identifier \"zz\": not a parameter of caveat \"c1x\""
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestArrowWarning: SpiceDB accepts an arrow to something none of the
// walked subject types has; octroi accepts it too, with a warning.
func TestArrowWarning(t *testing.T) {
	s, err := Parse("definition user {}\ndefinition doc {\n    relation owner: user\n    permission view = owner->view\n}")
	if err != nil {
		t.Fatal(err)
	}
	want := "4:23: arrow `owner->view` in permission `view` can never match: none of the subject types of relation `owner` (`user`) has a relation or permission `view`"
	if len(s.Warnings) != 1 || s.Warnings[0].Error() != want {
		t.Errorf("Warnings: got %v, want [%s]", s.Warnings, want)
	}
}

// TestExpirationCaveatWithoutFlag: without `use expiration`, SpiceDB reads
// `with expiration` as a caveat named expiration.
func TestExpirationCaveatWithoutFlag(t *testing.T) {
	s, err := Parse("caveat expiration(a int) { a > 1 }\ndefinition user {}\ndefinition doc {\n    relation viewer: user with expiration\n}")
	if err != nil {
		t.Fatal(err)
	}
	if at := s.Definition("doc").Relation("viewer").Types[0]; at.Caveat != "expiration" || at.Expiration {
		t.Errorf("got %+v, want caveat expiration", *at)
	}
}

func TestParseAcceptsSpiceDBSyntax(t *testing.T) {
	for _, src := range []string{
		"",
		"// only a comment",
		"definition user {}; definition doc { relation viewer: user; permission view = viewer }",
		"definition user {}\ndefinition doc {\n    relation viewer: user |\n        user:*\n    permission view = viewer +\n        nil\n}",
		"definition aaa/bbb/ccc {}",
		"caveat ns/cav(m map<list<int>>, b bytes, d duration, t timestamp, u uint, x double, y any, z bool) { true }",
		"definition user {}\r\ndefinition doc {\r\n    relation viewer: user\r\n}\r\n",
	} {
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%q): got error %v, want none", src, err)
		}
	}
}
