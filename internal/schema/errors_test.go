package schema

import (
	"errors"
	"strings"
	"testing"
)

// TestParseErrors checks the exact positioned message of each rule.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		// Syntax.
		{"unknown top level", "relation viewer: user",
			[]string{"1:1: expected `definition`, `caveat` or `use`, found `relation`"}},
		{"illegal character", "definition user {}\n$",
			[]string{"2:1: unexpected character '$'"}},
		{"unterminated comment", "definition user {}\n/* never closed",
			[]string{"2:1: unterminated comment: close it with `*/`"}},
		{"missing brace", "definition user {\n    relation viewer: user\n\ndefinition doc {}",
			[]string{"1:1: definition `user` is not closed: add `}` after its last member"}},
		{"missing colon", "definition user {}\ndefinition doc {\n    relation viewer user\n}",
			[]string{"3:21: expected `:` after `relation viewer`, as in `relation viewer: user`, found `user`"}},
		{"several errors recovered", "definition doc {\n    relation viewer: \n    permission view = viewer +\n    relation okay: doc\n    permission p2 = (okay\n}\ndefinition xyz y {}",
			[]string{
				"3:5: expected a subject type, found `permission`",
				"4:5: expected a relation or permission name, `nil` or `(`, found `relation`",
				"5:16: invalid permission name `p2`: a name has 3 to 64 lowercase letters, digits or underscores, starts with a letter and does not end with an underscore",
				"6:1: expected `)` or an operator (`+`, `&`, `-`), found `}`",
				"7:16: expected `{` after `definition xyz`, found `y`",
			}},
		{"two statements on a line", "definition user {}\ndefinition doc {\n    relation a1b: user relation c2d: user\n}",
			[]string{"3:24: expected end of line after relation `a1b`, found `relation`"}},
		{"keyword as name", "definition doc {\n    relation nil: doc\n}",
			[]string{"2:14: `nil` is a keyword and cannot name a relation"}},
		{"invalid relation name", "definition doc {\n    relation Viewer: doc\n}",
			[]string{"2:14: invalid relation name `Viewer`: a name has 3 to 64 lowercase letters, digits or underscores, starts with a letter and does not end with an underscore"}},
		{"invalid definition name", "definition my/u {}",
			[]string{"1:12: invalid definition name `my/u`: its part `my` is not a valid name: a name has 3 to 64 lowercase letters, digits or underscores, starts with a letter and does not end with an underscore"}},
		{"wildcard with relation", "definition user {}\ndefinition doc {\n    relation viewer: user:*#member\n}",
			[]string{"3:28: a wildcard subject type cannot have a relation: write `user:*` or `user#relation`, not both"}},
		{"relation then wildcard", "definition user {}\ndefinition doc {\n    relation viewer: user#member:*\n}",
			[]string{"3:33: a wildcard subject type cannot have a relation: write `user:*` or `user#relation`, not both"}},
		{"nested arrow", "definition doc {\n    relation parent: doc\n    permission view = parent->parent->view\n}",
			[]string{"3:37: nested arrows are not supported: an arrow walks one relation to a relation or permission of its subjects; define that permission on the subject type and arrow to it"}},
		{"bad arrow function", "definition doc {\n    relation parent: doc\n    permission view = parent.some(view)\n}",
			[]string{"3:30: expected `any` or `all` after `parent.`, found `some`"}},
		{"use unknown flag", "use magic\ndefinition user {}",
			[]string{"1:5: unknown flag `use magic`: the only flag is `use expiration`"}},
		{"use after definition", "definition user {}\nuse expiration",
			[]string{"2:1: `use expiration` must come before any definition or caveat: move it to the top of the schema"}},
		{"unknown param type", "caveat c1x(a int, b float) { a > 1 }",
			[]string{"1:21: unknown caveat parameter type `float`: use int, uint, bool, string, double, bytes, duration, timestamp, list<T>, map<T>, ipaddress or any"}},
		{"list without element type", "caveat c1x(a list) { a.size() > 1 }",
			[]string{"1:14: `list` needs an element type, as in `list<string>`"}},
		{"scalar with type argument", "caveat c1x(a int<string>) { a > 1 }",
			[]string{"1:17: `int` takes no type argument"}},
		{"map with two arguments", "caveat c1x(a map<string, int>) { true }",
			[]string{"1:14: `map` takes exactly 1 type argument, got 2"}},
		{"duplicate parameter", "caveat c1x(a int, a int) { a > 1 }",
			[]string{"1:19: duplicate parameter `a` in caveat `c1x` (first declared at 1:12)"}},
		{"no parameters", "caveat c1x() { true }",
			[]string{"1:12: expected a parameter name, as in `caveat c1x(day string)`, found `)`"}},
		{"empty caveat body", "caveat c1x(a int) {   }",
			[]string{"1:19: caveat `c1x` has an empty expression: write a CEL expression between the braces"}},
		{"unclosed caveat body", "caveat c1x(a int) { a > 1",
			[]string{"1:20: caveat body is not closed: missing `}`"}},
		{"unterminated CEL string", "caveat c1x(a string) { a == \"x }\n}",
			[]string{"1:29: unterminated string in caveat expression"}},

		// Semantics.
		{"duplicate definition", "definition user {}\ndefinition user {}",
			[]string{"2:1: duplicate definition `user`: it is already defined at 1:1"}},
		{"duplicate caveat", "caveat c1x(a int) { a > 1 }\ncaveat c1x(a int) { a > 2 }",
			[]string{"2:1: duplicate caveat `c1x`: it is already defined at 1:1"}},
		{"duplicate member", "definition user {}\ndefinition doc {\n    relation viewer: user\n    permission viewer = viewer\n}",
			[]string{"4:5: duplicate relation/permission name `viewer` in definition `doc`: a relation of that name is already defined at 3:5"}},
		{"duplicate subject type", "definition user {}\ndefinition doc {\n    relation viewer: user | user\n}",
			[]string{"3:29: duplicate subject type `user` in relation `viewer`"}},
		{"unknown subject type", "definition doc {\n    relation viewer: usr\n}",
			[]string{"2:22: unknown subject type `usr` in relation `viewer`: no definition is named `usr`; add `definition usr {}` or fix the name"}},
		{"unknown subject relation", "definition group {}\ndefinition doc {\n    relation viewer: group#member\n}",
			[]string{"3:28: subject type `group#member` in relation `viewer`: definition `group` has no relation or permission `member`"}},
		{"transitive wildcard", "definition user {}\ndefinition group {\n    relation member: user:*\n}\ndefinition doc {\n    relation viewer: group#member\n}",
			[]string{"6:22: subject type `group#member` in relation `viewer` includes the wildcard `user:*` through relation `group#member`: wildcards cannot be included transitively; allow `user:*` directly on `viewer` instead"}},
		{"unknown caveat", "definition user {}\ndefinition doc {\n    relation viewer: user with on_tuesday\n}",
			[]string{"3:32: unknown caveat `on_tuesday` in relation `viewer`: declare it with `caveat on_tuesday(…) { … }` or fix the name"}},
		{"expiration without use", "definition user {}\ndefinition doc {\n    relation viewer: user with expiration\n}",
			[]string{"3:32: `with expiration` requires `use expiration` at the top of the schema"}},
		{"caveat and expiration without use", "caveat c1x(a int) { a > 1 }\ndefinition user {}\ndefinition doc {\n    relation viewer: user with c1x and expiration\n}",
			[]string{"4:40: `with expiration` requires `use expiration` at the top of the schema"}},
		{"unknown reference", "definition doc {\n    relation owner: doc\n    permission view = owner + viewer\n}",
			[]string{"3:31: permission `view` refers to `viewer`, which is not a relation or permission of definition `doc`"}},
		{"arrow over unknown", "definition doc {\n    permission view = parent->view\n}",
			[]string{"2:23: arrow `parent->view` in permission `view` walks `parent`, which is not a relation of definition `doc`"}},
		{"arrow over permission", "definition doc {\n    relation parent: doc\n    permission upward = parent\n    permission view = upward->view\n}",
			[]string{"4:23: arrow `upward->view` in permission `view` walks `upward`, which is a permission: the left side of an arrow must be a relation"}},
		{"arrow over wildcard", "definition user {}\ndefinition doc {\n    relation parent: doc | user:*\n    permission view = parent.all(view)\n}",
			[]string{"4:23: arrow `parent.all(view)` in permission `view` walks relation `parent`, which includes the wildcard `user:*` (through `doc#parent`): wildcard relations cannot be on the left side of an arrow"}},
		{"arrow over transitive wildcard", "definition user {}\ndefinition group {\n    relation member: user | user:*\n}\ndefinition doc {\n    relation parent: doc#owner\n    relation owner: group#member\n    permission view = parent->view\n}",
			[]string{
				"6:22: subject type `doc#owner` in relation `parent` includes the wildcard `user:*` through relation `group#member`: wildcards cannot be included transitively; allow `user:*` directly on `parent` instead",
				"7:21: subject type `group#member` in relation `owner` includes the wildcard `user:*` through relation `group#member`: wildcards cannot be included transitively; allow `user:*` directly on `owner` instead",
				"8:23: arrow `parent->view` in permission `view` walks relation `parent`, which includes the wildcard `user:*` (through `group#member`): wildcard relations cannot be on the left side of an arrow",
			}},
		{"alias cycle", "definition doc {\n    relation viewer: doc\n    permission aaa = bbb\n    permission bbb = ccc\n    permission ccc = aaa\n    permission ddd = aaa\n    permission eee = viewer + eee\n}",
			[]string{"3:5: in definition `doc`, permissions `aaa`, `bbb`, `ccc`, `ddd` only refer to one another in a cycle: at least one of them must be defined from a relation, an arrow or nil"}},
		{"self alias", "definition doc {\n    permission view = view\n}",
			[]string{"2:5: in definition `doc`, permissions `view` only refer to one another in a cycle: at least one of them must be defined from a relation, an arrow or nil"}},
		{"caveat compile error", "caveat c1x(a int) {\n    a > 1 &&\n    b\n}",
			[]string{"3:5: in caveat `c1x`: unknown identifier \"b\": not a parameter of caveat \"c1x\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.src)
			if err == nil {
				t.Fatalf("Parse: got no error, want %q", tt.want)
			}
			if s != nil {
				t.Errorf("Parse: got a schema with an error, want nil")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse: got error of type %T, want ErrorList", err)
			}
			got := make([]string, len(list))
			for i, e := range list {
				got[i] = e.Error()
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Parse errors:\ngot  %q\nwant %q", got, tt.want)
			}
		})
	}
}
