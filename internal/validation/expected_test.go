package validation

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/tuple"

	"github.com/octroi/octroi/internal/conformance"
)

func onr(typ, id, rel string) tuple.ObjectRelation {
	return tuple.ObjectRelation{Object: tuple.ObjectRef{Type: typ, ID: id}, Relation: rel}
}

func TestParseExpectedSubject(t *testing.T) {
	tests := []struct {
		in     string
		want   ExpectedSubject
		format string // canonical; "" means the input itself
	}{
		{
			in:   "[user:tom] is <document:1#viewer>",
			want: ExpectedSubject{Subject: tuple.SubjectRef{Type: "user", ID: "tom"}, Paths: []tuple.ObjectRelation{onr("document", "1", "viewer")}},
		},
		{
			in: "[group:x#member] is <document:1#viewer>/<document:1#editor>",
			want: ExpectedSubject{Subject: tuple.SubjectRef{Type: "group", ID: "x", Relation: "member"},
				Paths: []tuple.ObjectRelation{onr("document", "1", "viewer"), onr("document", "1", "editor")}},
			format: "[group:x#member] is <document:1#editor>/<document:1#viewer>",
		},
		{
			in:     "  [ user:tom#... ]   is   <document:1#viewer> / <document:1#viewer1>  ",
			want:   ExpectedSubject{Subject: tuple.SubjectRef{Type: "user", ID: "tom"}, Paths: []tuple.ObjectRelation{onr("document", "1", "viewer"), onr("document", "1", "viewer1")}},
			format: "[user:tom] is <document:1#viewer1>/<document:1#viewer>", // zed sorts "<…>" text: '1' < '>'
		},
		{
			in:   "[user:tom[...]] is <document:1#viewer>",
			want: ExpectedSubject{Subject: tuple.SubjectRef{Type: "user", ID: "tom"}, Caveated: true, Paths: []tuple.ObjectRelation{onr("document", "1", "viewer")}},
		},
		{
			in:   "[user:*] is <document:1#viewer>",
			want: ExpectedSubject{Subject: tuple.SubjectRef{Type: "user", ID: "*"}, Paths: []tuple.ObjectRelation{onr("document", "1", "viewer")}},
		},
		{
			in: "[user:*[...] - {user:b-c[...],user:a}] is <document:1#viewer>",
			want: ExpectedSubject{Subject: tuple.SubjectRef{Type: "user", ID: "*"}, Caveated: true,
				Exclusions: []ExcludedSubject{{Subject: tuple.SubjectRef{Type: "user", ID: "b-c"}, Caveated: true}, {Subject: tuple.SubjectRef{Type: "user", ID: "a"}}},
				Paths:      []tuple.ObjectRelation{onr("document", "1", "viewer")}},
			format: "[user:*[...] - {user:a, user:b-c[...]}] is <document:1#viewer>",
		},
		{
			in: "[org/user:a-b] is <org/doc:x|y#viewer>",
			want: ExpectedSubject{Subject: tuple.SubjectRef{Type: "org/user", ID: "a-b"},
				Paths: []tuple.ObjectRelation{onr("org/doc", "x|y", "viewer")}},
		},
	}
	for _, tt := range tests {
		got, err := ParseExpectedSubject(tt.in)
		if err != nil {
			t.Errorf("ParseExpectedSubject(%q): got error %v, want none", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseExpectedSubject(%q):\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
		want := tt.format
		if want == "" {
			want = tt.in
		}
		if s := got.String(); s != want {
			t.Errorf("String(): got %s, want %s", s, want)
		}
		// The canonical form reads back to the same thing.
		again, err := ParseExpectedSubject(got.String())
		if err != nil || again.String() != got.String() {
			t.Errorf("round trip of %q: got %v, %v", got.String(), again, err)
		}
	}
}

func TestParseExpectedSubjectErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `column 1: expected subject must start with '[' as in "[user:tom] is <document:1#viewer>"`},
		{"user:tom is <document:1#viewer>", `column 1: expected subject must start with '[' as in "[user:tom] is <document:1#viewer>"`},
		{"[user:tom is <document:1#viewer>", `column 33: missing ']' closing the subject opened at column 1`},
		{"[] is <document:1#viewer>", `column 2: missing subject`},
		{"[User:tom] is <document:1#viewer>", `column 2: invalid subject type "User": must match ^([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$`},
		{"[user:tom[cav]] is <document:1#viewer>", `column 10: a caveated subject is marked with "[...]", nothing else`},
		{"[user:tom - {user:a}] is <document:1#viewer>", `column 2: only a wildcard subject (type:*) can have exclusions`},
		{"[user:* {user:a}] is <document:1#viewer>", `column 9: exclusions must follow the wildcard as " - {…}"`},
		{"[user:*-{user:a}] is <document:1#viewer>", `column 9: exclusions must follow the wildcard as " - {…}"`},
		{"[user:* - {user:a] is <document:1#viewer>", `column 18: missing '}' closing the exclusions`},
		{"[user:* - {user:a, }] is <document:1#viewer>", `column 20: missing excluded subject`},
		{"[user:* - {user:a, user:*}] is <document:1#viewer>", `column 19: an excluded subject cannot be a wildcard`},
		{"[user:* - {user:a, user:b!}] is <document:1#viewer>", `column 25: invalid subject id "b!": must match ^[a-zA-Z0-9/_|\-=+]+$`},
		{"[user:tom] <document:1#viewer>", `column 12: expected "is" after the subject`},
		{"[user:tom] is", `column 14: expected '<' starting a relation such as <document:1#viewer>`},
		{"[user:tom] is document:1#viewer", `column 15: expected '<' starting a relation such as <document:1#viewer>`},
		{"[user:tom] is <document:1#viewer", `column 33: missing '>' closing the relation`},
		{"[user:tom] is <document:1>", `column 26: unexpected end of input: expected '#' before the relation`},
		{"[user:tom] is <document:1#viewer>, <document:1#editor>", `column 34: unexpected ',': relations are separated by '/'`},
		{"[user:tom] is <document:1#viewer>/", `column 35: expected '<' starting a relation such as <document:1#viewer>`},
	}
	for _, tt := range tests {
		_, err := ParseExpectedSubject(tt.in)
		if err == nil {
			t.Errorf("ParseExpectedSubject(%q): got no error, want %s", tt.in, tt.want)
			continue
		}
		if _, ok := err.(*tuple.ParseError); !ok {
			t.Errorf("ParseExpectedSubject(%q): got %T, want *tuple.ParseError", tt.in, err)
		}
		if err.Error() != tt.want {
			t.Errorf("ParseExpectedSubject(%q):\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

func mustExpected(t *testing.T, ss ...string) []ExpectedSubject {
	t.Helper()
	var out []ExpectedSubject
	for _, s := range ss {
		e, err := ParseExpectedSubject(s)
		if err != nil {
			t.Fatalf("ParseExpectedSubject(%q): %v", s, err)
		}
		out = append(out, e)
	}
	return out
}

func TestFormatValidation(t *testing.T) {
	m := map[string][]ExpectedSubject{
		"document:z#view": mustExpected(t, "[user:tom] is <document:z#viewer>"),
		"document:a#view": mustExpected(t,
			"[user:tom] is <document:a#viewer>/<document:a#editor>",
			"[user:* - {user:b, user:a[...]}] is <document:a#viewer>",
			"[group:eng#member] is <document:a#viewer>",
		),
		"document:a#nobody": nil,
	}
	want := `document:a#nobody: []
document:a#view:
  - "[group:eng#member] is <document:a#viewer>"
  - "[user:* - {user:a[...], user:b}] is <document:a#viewer>"
  - "[user:tom] is <document:a#editor>/<document:a#viewer>"
document:z#view:
  - "[user:tom] is <document:z#viewer>"
`
	got := string(FormatValidation(m))
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := string(FormatValidation(nil)); got != "{}\n" {
		t.Errorf("FormatValidation(nil): got %q, want \"{}\\n\"", got)
	}

	// What FormatValidation writes, Parse reads back to the same map.
	file := "schema: \"definition user {}\"\nvalidation:\n" + indent(got)
	f, err := Parse([]byte(file), "x.yaml")
	if err != nil {
		t.Fatalf("reading the output back: %v", err)
	}
	if again := string(FormatValidation(f.ValidationMap())); again != want {
		t.Errorf("round trip: got\n%s\nwant\n%s", again, want)
	}
}

func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "")
}

func TestReplaceValidation(t *testing.T) {
	m := map[string][]ExpectedSubject{"document:a#view": mustExpected(t, "[user:tom] is <document:a#viewer>")}
	section := "validation:\n  document:a#view:\n    - \"[user:tom] is <document:a#viewer>\"\n"
	tests := []struct{ name, in, want string }{
		{
			name: "appends when absent",
			in:   "schema: |-\n  definition user {}\n# trailing comment",
			want: "schema: |-\n  definition user {}\n# trailing comment\n" + section,
		},
		{
			name: "replaces in the middle, keeping what follows",
			in:   "schema: x\nvalidation:\n  old#thing:\n    - \"[a:b] is <c:d#e>\"\n\n# about assertions\nassertions: null\n",
			want: "schema: x\n" + section + "\n# about assertions\nassertions: null\n",
		},
		{
			name: "replaces at the end, before a document end marker",
			in:   "---\nschema: x\nvalidation: {}\n...\n",
			want: "---\nschema: x\n" + section + "...\n",
		},
	}
	for _, tt := range tests {
		got, err := ReplaceValidation([]byte(tt.in), m)
		if err != nil {
			t.Errorf("%s: got error %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s: got\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
	got, err := ReplaceValidation([]byte("schema: x\nvalidation:\n  a:b#c: []\n"), nil)
	if err != nil || string(got) != "schema: x\nvalidation: {}\n" {
		t.Errorf("empty map: got %q, %v", got, err)
	}
	if _, err := ReplaceValidation([]byte("- a\n"), m); err == nil {
		t.Errorf("list document: got no error")
	}
}

// TestReplaceValidationConformance rewrites the validation section of every
// conformance file and checks the result still parses to the same content.
func TestReplaceValidationConformance(t *testing.T) {
	for _, name := range []string{"arrowsublr.yaml", "multiplepathssamelookupresult.yaml", "basicrbac.yaml"} {
		path := conformance.File(t, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		before, err := Parse(data, path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string][]ExpectedSubject{"document:a#view": mustExpected(t, "[user:tom] is <document:a#viewer>")}
		out, err := ReplaceValidation(data, m)
		if err != nil {
			t.Fatal(err)
		}
		after, err := Parse(out, path)
		if err != nil {
			t.Fatalf("%s after replacement: %v\n%s", name, err, out)
		}
		if after.Schema != before.Schema || len(after.Relationships) != len(before.Relationships) || len(after.Assertions) != len(before.Assertions) {
			t.Errorf("%s: replacement changed other sections", name)
		}
		if got := string(FormatValidation(after.ValidationMap())); got != string(FormatValidation(m)) {
			t.Errorf("%s: got validation %s", name, got)
		}
	}
}
