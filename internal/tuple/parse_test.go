package tuple

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	t = t.UTC()
	return &t
}

func TestParseValid(t *testing.T) {
	long := strings.Repeat("a", 1024)
	tests := []struct {
		in     string
		want   Relationship
		format string // canonical form; "" means the input itself
	}{
		{
			in:   "document:readme#viewer@user:tom",
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"}},
		},
		{
			in:     "document:readme#viewer@user:tom#...",
			want:   Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"}},
			format: "document:readme#viewer@user:tom",
		},
		{
			in:   "document:readme#viewer@group:eng#member",
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{"group", "eng", "member"}},
		},
		{
			in:   "document:readme#viewer@user:*",
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "*"}},
		},
		{
			in: "org/identity_team/group:ultragroup#member@org/identity_team/user:someguy",
			want: Relationship{Resource: ObjectRef{"org/identity_team/group", "ultragroup"}, Relation: "member",
				Subject: SubjectRef{Type: "org/identity_team/user", ID: "someguy"}},
		},
		{
			in: "document:--=base64YWZzZGZh-ZHNmZHPwn5iK8J+YivC/fmIrwn5iK==#writer@user:a|b_c",
			want: Relationship{Resource: ObjectRef{"document", "--=base64YWZzZGZh-ZHNmZHPwn5iK8J+YivC/fmIrwn5iK=="}, Relation: "writer",
				Subject: SubjectRef{Type: "user", ID: "a|b_c"}},
		},
		{
			in:   "document:" + long + "#viewer@user:" + long,
			want: Relationship{Resource: ObjectRef{"document", long}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: long}},
		},
		{
			in: "document:readme#viewer@user:tom[only_on_weekdays]",
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"},
				Caveat: &Caveat{Name: "only_on_weekdays"}},
		},
		{
			in: `document:readme#viewer@user:tom[foo/bar/only_on_tuesday:{"day": "mon", "a": [1, "]"], "n": {"z": true, "b": null}}]`,
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"},
				Caveat: &Caveat{Name: "foo/bar/only_on_tuesday", Context: map[string]any{
					"day": "mon", "a": []any{1.0, "]"}, "n": map[string]any{"z": true, "b": nil}}}},
			format: `document:readme#viewer@user:tom[foo/bar/only_on_tuesday:{"a":[1,"]"],"day":"mon","n":{"b":null,"z":true}}]`,
		},
		{
			in: `document:readme#viewer@user:tom[cav:{}]`,
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"},
				Caveat: &Caveat{Name: "cav"}},
			format: `document:readme#viewer@user:tom[cav]`,
		},
		{
			in: "document:readme#viewer@user:tom[expiration:2030-01-02T15:04:05Z]",
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"},
				Expiration: ts("2030-01-02T15:04:05Z")},
		},
		{
			in: "document:readme#viewer@user:tom[expiration:2030-01-02T17:04:05.25+02:00]",
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"},
				Expiration: ts("2030-01-02T15:04:05.25Z")},
			format: "document:readme#viewer@user:tom[expiration:2030-01-02T15:04:05.25Z]",
		},
		{
			in: `document:readme#viewer@user:tom[only_on_weekdays:{"day":"mon"}][expiration:2030-01-02T15:04:05Z]`,
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"},
				Caveat: &Caveat{Name: "only_on_weekdays", Context: map[string]any{"day": "mon"}}, Expiration: ts("2030-01-02T15:04:05Z")},
		},
		{
			// A caveat may be called "expiration": it is one when a context follows.
			in: `document:readme#viewer@user:tom[expiration:{"a":1}]`,
			want: Relationship{Resource: ObjectRef{"document", "readme"}, Relation: "viewer", Subject: SubjectRef{Type: "user", ID: "tom"},
				Caveat: &Caveat{Name: "expiration", Context: map[string]any{"a": 1.0}}},
		},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): unexpected error %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q):\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
		want := tt.format
		if want == "" {
			want = tt.in
		}
		if f := Format(got); f != want {
			t.Errorf("Format(Parse(%q)):\n got %s\nwant %s", tt.in, f, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("a", 1025)
	tests := []struct {
		in   string
		want string // full error text
	}{
		{"", `column 1: missing resource type`},
		{"document:readme#viewer@Us er:tom", `column 24: invalid subject type "Us er": must match ` + typeNameExpr},
		{"Document:readme#viewer@user:tom", `column 1: invalid resource type "Document": must match ` + typeNameExpr},
		{"do:readme#viewer@user:tom", `column 1: invalid resource type "do": must match ` + typeNameExpr},
		{"org/:readme#viewer@user:tom", `column 1: invalid resource type "org/": must match ` + typeNameExpr},
		{"document#viewer@user:tom", `column 9: unexpected '#': expected ':' after the resource type`},
		{"document:#viewer@user:tom", `column 10: missing resource id`},
		{"document:read me#viewer@user:tom", `column 10: invalid resource id "read me": must match ` + objectIDExpr},
		{"document:*#viewer@user:tom", `column 10: invalid resource id "*": a wildcard is only allowed as a subject id`},
		{"document:" + long + "#viewer@user:tom", `column 10: invalid resource id: 1025 characters long, at most 1024 are allowed`},
		{"document:readme@user:tom", `column 16: unexpected '@': expected '#' before the relation`},
		{"document:readme#Viewer@user:tom", `column 17: invalid relation "Viewer": must match ` + relationExpr},
		{"document:readme#viewer", `column 23: unexpected end of input: expected '@' before the subject`},
		{"document:readme#viewer@user", `column 28: unexpected end of input: expected ':' after the subject type`},
		{"document:readme#viewer@user:tom#", `column 33: missing subject relation`},
		{"document:readme#viewer@user:tom#me", `column 33: invalid subject relation "me": must match ` + relationExpr},
		{"document:readme#viewer@user:*#member", `column 31: a wildcard subject cannot have a relation ("member")`},
		{"document:readme#viewer@user:tom ", `column 29: invalid subject id "tom ": must match ` + objectIDExpr},
		{"document:readme#viewer@user:tom[", `column 33: missing caveat name`},
		{"document:readme#viewer@user:tom[Cav]", `column 33: invalid caveat name "Cav": must match ` + typeNameExpr},
		{"document:readme#viewer@user:tom[cav", `column 36: unexpected end of input: expected ']' to close the caveat`},
		{"document:readme#viewer@user:tom[cav:x]", `column 37: invalid caveat context: must be a JSON object starting with '{'`},
		{`document:readme#viewer@user:tom[cav:{"a":}]`, `column 42: invalid caveat context JSON: invalid character '}' looking for beginning of value`},
		{`document:readme#viewer@user:tom[cav:{"a":1}x]`, `column 44: unexpected 'x': expected ']' to close the caveat`},
		{`document:readme#viewer@user:tom[cav]x`, `column 37: unexpected 'x': expected '[' to open a caveat or expiration`},
		{`document:readme#viewer@user:tom[cav][other]`, `column 37: a relationship has at most one caveat`},
		{`document:readme#viewer@user:tom[expiration:2030-01-02T15:04:05Z][cav]`, `column 65: the caveat must come before the expiration`},
		{`document:readme#viewer@user:tom[expiration:2030-01-02T15:04:05Z][expiration:2030-01-02T15:04:05Z]`, `column 65: a relationship has at most one expiration`},
		{`document:readme#viewer@user:tom[expiration:tomorrow]`, `column 44: invalid expiration "tomorrow": must be an RFC 3339 date and time such as 2030-01-02T15:04:05Z`},
		{`document:readme#viewer@user:tom[expiration:9999-12-31T23:00:00-05:00]`, `column 44: invalid expiration "9999-12-31T23:00:00-05:00": out of range once converted to UTC`},
		{`dócument:readme#viewer@user:tom`, `column 1: invalid resource type "dócument": must match ` + typeNameExpr},
		{`document:réadme#viewer@user:tom`, `column 10: invalid resource id "réadme": must match ` + objectIDExpr},
		{`document:é#viewer@user:tom@`, `column 10: invalid resource id "é": must match ` + objectIDExpr},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q): got no error, want %s", tt.in, tt.want)
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): got error of type %T, want *ParseError", tt.in, err)
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

func TestParseSubjectAndObject(t *testing.T) {
	subjects := []struct {
		in      string
		want    SubjectRef
		wantErr string
	}{
		{in: "user:tom", want: SubjectRef{Type: "user", ID: "tom"}},
		{in: "group:x_y#member", want: SubjectRef{"group", "x_y", "member"}},
		{in: "user:*", want: SubjectRef{Type: "user", ID: "*"}},
		{in: "user:tom#...", want: SubjectRef{Type: "user", ID: "tom"}},
		{in: "user:tom@", wantErr: `column 9: unexpected '@' after the subject`},
		{in: "user", wantErr: `column 5: unexpected end of input: expected ':' after the subject type`},
	}
	for _, tt := range subjects {
		got, err := ParseSubject(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseSubject(%q): got error %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSubject(%q): got %#v, %v, want %#v", tt.in, got, err, tt.want)
		}
		if got.IsWildcard() != (tt.want.ID == "*") {
			t.Errorf("ParseSubject(%q).IsWildcard(): got %v", tt.in, got.IsWildcard())
		}
	}

	if got, err := ParseObject("document:readme"); err != nil || got != (ObjectRef{"document", "readme"}) {
		t.Errorf("ParseObject: got %#v, %v, want document:readme", got, err)
	}
	for in, want := range map[string]string{
		"document:*":        `column 10: invalid object id "*": a wildcard is only allowed as a subject id`,
		"document:a#viewer": `column 11: unexpected '#' after the object`,
	} {
		if _, err := ParseObject(in); err == nil || err.Error() != want {
			t.Errorf("ParseObject(%q): got error %v, want %s", in, err, want)
		}
	}

	if got, err := ParseObjectRelation("document:readme#view"); err != nil || got.String() != "document:readme#view" {
		t.Errorf("ParseObjectRelation: got %#v, %v", got, err)
	}
	for in, want := range map[string]string{
		"document:readme":       `column 16: unexpected end of input: expected '#' before the relation`,
		"document:readme#...":   `column 17: invalid relation "...": must match ` + relationExpr,
		"document:readme#view@": `column 21: unexpected '@' after the relation`,
	} {
		if _, err := ParseObjectRelation(in); err == nil || err.Error() != want {
			t.Errorf("ParseObjectRelation(%q): got error %v, want %s", in, err, want)
		}
	}
}

func TestKeyAndEqual(t *testing.T) {
	a, _ := Parse(`document:a#viewer@user:tom[cav:{"x":1}]`)
	b, _ := Parse(`document:a#viewer@user:tom[expiration:2030-01-02T15:04:05Z]`)
	c, _ := Parse(`document:a#viewer@user:tom#...`)
	d, _ := Parse(`document:a#viewer@group:tom#member`)
	e, _ := Parse(`document:a#viewer@user:tom[cav:{"x":1.0}]`)
	if a.Key() != b.Key() || a.Key() != c.Key() {
		t.Errorf("keys differ for the same fact: %v %v %v", a.Key(), b.Key(), c.Key())
	}
	if a.Key() == d.Key() {
		t.Errorf("keys equal for different facts: %v", d.Key())
	}
	if got, want := a.Key().String(), "document:a#viewer@user:tom"; got != want {
		t.Errorf("Key().String(): got %s, want %s", got, want)
	}
	if Equal(a, b) || Equal(a, c) || !Equal(a, e) || !Equal(c, c) {
		t.Errorf("Equal: got wrong answers")
	}
}

func TestParseLines(t *testing.T) {
	text := "// a comment\n\n  document:a#viewer@user:tom  \n\tdocument:a#viewer@User:x\n   // indented comment\ndocument:b#viewer@user:*\n"
	rels, errs := ParseLines(text)
	if len(rels) != 2 || rels[0].Line != 3 || rels[1].Line != 6 {
		t.Fatalf("got %v, want relationships at lines 3 and 6", rels)
	}
	if got, want := Format(rels[1].Relationship), "document:b#viewer@user:*"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want 1: %v", len(errs), errs)
	}
	if got, want := errs[0].Error(), `line 4: column 20: invalid subject type "User": must match `+typeNameExpr; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"document:readme#viewer@user:tom",
		"document:readme#viewer@group:eng#member",
		"document:readme#viewer@user:*",
		"document:readme#viewer@user:tom#...",
		"org/team/document:a|b=c+d#viewer@org/team/user:x-y_z/w",
		`document:readme#viewer@user:tom[only_on_weekdays:{"day":"mon","n":[1.5,null,{"a":"]"}]}]`,
		`document:readme#viewer@user:tom[cav][expiration:2030-01-02T15:04:05.123456789+01:00]`,
		`document:readme#viewer@user:tom[expiration:{"x":-0}]`,
		`document:readme#viewer@user:tom[cav:{"\u00e9\ud800":"\u003c&"}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Column < 1 || pe.Column > len([]rune(s))+1 {
				t.Fatalf("Parse(%q): bad error %#v", s, err)
			}
			return
		}
		text := Format(r)
		r2, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))) = Parse(%q): %v", s, text, err)
		}
		if !Equal(r, r2) || !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip of %q through %q: got %#v, want %#v", s, text, r2, r)
		}
		if again := Format(r2); again != text {
			t.Fatalf("Format not stable: %q then %q", text, again)
		}
	})
}
