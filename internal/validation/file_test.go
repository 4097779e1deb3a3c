package validation

import (
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/tuple"
)

func mustRead(t *testing.T, path string) *File {
	t.Helper()
	f, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile(%s): got error:\n%v\nwant none", path, err)
	}
	return f
}

func TestAllConstructs(t *testing.T) {
	const path = "testdata/all_constructs.yaml"
	f := mustRead(t, path)
	data, _ := os.ReadFile(path)
	lines := splitLines(data)

	if !strings.HasPrefix(f.Schema, "definition user {}\n\ndefinition group {") {
		t.Errorf("schema: got %q", f.Schema[:40])
	}
	if f.SchemaFile != "" || len(f.Warnings) != 0 {
		t.Errorf("got SchemaFile %q, warnings %v; want none", f.SchemaFile, f.Warnings)
	}
	// "relation member" is on line 4 of the schema text, column 3.
	if p, l, c := f.SchemaPos(4, 3); p != path || !containsAt(lines[l-1], c, "relation member") {
		t.Errorf("SchemaPos(4, 3): got %s:%d:%d, which is %q", p, l, c, lines[l-1])
	}
	if got, want := f.SchemaError(4, 3, "boom").Error(), path+":7:5: schema: boom"; got != want {
		t.Errorf("SchemaError: got %s, want %s", got, want)
	}

	wantRels := []struct {
		line int
		text string
	}{
		{23, "document:readme#viewer@user:tom"},
		{25, "document:readme#viewer@group:eng#member"},
		{27, "group:eng#member@user:ann"},
		{29, `document:readme#viewer@user:sarah[on_day:{"day":"tue"}]`},
		{31, "document:public#viewer@user:*"},
		{33, "document:public#banned@user:fred[on_day]"},
		{35, "document:public#banned@user:tom[expiration:2030-01-02T15:04:05Z]"},
	}
	if len(f.Relationships) != len(wantRels) {
		t.Fatalf("got %d relationships, want %d", len(f.Relationships), len(wantRels))
	}
	for i, w := range wantRels {
		r := f.Relationships[i]
		if got := tuple.Format(r.Relationship); got != w.text || r.Line != w.line || r.Column != 3 {
			t.Errorf("relationship %d: got %s at %d:%d, want %s at %d:3", i, got, r.Line, r.Column, w.text, w.line)
		}
	}

	wantAsserts := []struct {
		where, text string
		line, col   int
		ctx         map[string]any
	}{
		{"assertTrue[0]", "document:readme#view@user:tom", 38, 8, nil},
		{"assertTrue[1]", "document:readme#view@user:sarah", 39, 8, map[string]any{"day": "mon"}},
		{"assertCaveated[0]", "document:readme#view@user:sarah", 41, 7, nil},
		{"assertFalse[0]", "document:readme#view@user:fred", 43, 8, nil},
	}
	if len(f.Assertions) != len(wantAsserts) {
		t.Fatalf("got %d assertions, want %d", len(f.Assertions), len(wantAsserts))
	}
	for i, w := range wantAsserts {
		a := f.Assertions[i]
		got := tuple.Format(a.Relationship)
		if a.Where() != w.where || got != w.text || a.Line != w.line || a.Column != w.col || !reflect.DeepEqual(a.Context, w.ctx) {
			t.Errorf("assertion %d: got %s %s %v at %d:%d, want %s %s %v at %d:%d",
				i, a.Where(), got, a.Context, a.Line, a.Column, w.where, w.text, w.ctx, w.line, w.col)
		}
	}

	if len(f.Validation) != 3 {
		t.Fatalf("got %d validation keys, want 3", len(f.Validation))
	}
	v := f.Validation[1]
	if v.Resource.String() != "document:public#view" || v.Line != 50 || len(v.Subjects) != 1 {
		t.Fatalf("validation[1]: got %v at line %d with %d subjects", v.Resource, v.Line, len(v.Subjects))
	}
	s := v.Subjects[0]
	want := ExpectedSubject{
		Subject: tuple.SubjectRef{Type: "user", ID: "*"},
		Exclusions: []ExcludedSubject{
			{Subject: tuple.SubjectRef{Type: "user", ID: "fred"}, Caveated: true},
			{Subject: tuple.SubjectRef{Type: "user", ID: "tom"}},
		},
		Paths: []tuple.ObjectRelation{{Object: tuple.ObjectRef{Type: "document", ID: "public"}, Relation: "viewer"}},
		Line:  51, Column: 8,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("validation[1][0]: got %#v, want %#v", s, want)
	}
	if got := f.Validation[0].Subjects[3]; !got.Caveated || got.Subject.ID != "sarah" {
		t.Errorf("validation[0][3]: got %v, want caveated user:sarah", got)
	}
	if got := f.Validation[2]; got.Resource.Relation != "viewer" || len(got.Subjects) != 0 {
		t.Errorf("validation[2]: got %v", got)
	}
}

func TestLiteralAndSchemaFile(t *testing.T) {
	f := mustRead(t, "testdata/literal.yaml")
	if f.SchemaLine != 2 || f.SchemaIndent != 2 {
		t.Errorf("schema position: got line %d indent %d, want 2 and 2", f.SchemaLine, f.SchemaIndent)
	}
	if len(f.Relationships) != 2 || f.Relationships[0].Line != 9 || f.Relationships[1].Line != 10 || f.Relationships[1].Column != 5 {
		t.Errorf("relationships: got %v", f.Relationships)
	}
	if len(f.Assertions) != 0 || len(f.Validation) != 0 {
		t.Errorf("got assertions %v and validation %v, want none", f.Assertions, f.Validation)
	}

	f = mustRead(t, "testdata/schemafile.yaml")
	if f.SchemaFile != "testdata/schemas/doc.zed" || !strings.Contains(f.Schema, "relation viewer: user") {
		t.Errorf("got SchemaFile %q and schema %q", f.SchemaFile, f.Schema)
	}
	if p, l, c := f.SchemaPos(4, 3); p != "testdata/schemas/doc.zed" || l != 4 || c != 3 {
		t.Errorf("SchemaPos(4, 3): got %s:%d:%d, want testdata/schemas/doc.zed:4:3", p, l, c)
	}
	if r := f.Relationships; len(r) != 1 || r[0].Line != 2 || r[0].Column != 17 {
		t.Errorf("flow-scalar relationship: got %v, want one at 2:17", r)
	}
	if a := f.Assertions; len(a) != 1 || a[0].Line != 4 || a[0].Column != 17 {
		t.Errorf("flow-sequence assertion: got %v, want one at 4:17", a)
	}
}

// TestBadFiles has one file per class of error; the message is checked in
// full, position included.
func TestBadFiles(t *testing.T) {
	tests := []struct{ file, want string }{
		{"bad_yaml.yaml", "testdata/bad_yaml.yaml:2: invalid YAML: did not find expected ',' or ']'"},
		{"bad_not_mapping.yaml", "testdata/bad_not_mapping.yaml:1:1: a validation file must be a YAML mapping (schema:, relationships:, …), not a list"},
		{"bad_no_schema.yaml", "testdata/bad_no_schema.yaml:1:1: no schema: give schema or schemaFile"},
		{"bad_legacy.yaml", "testdata/bad_legacy.yaml:2:1: validation_tuples: legacy section no longer supported: use schema and relationships"},
		{"bad_schema_and_schemafile.yaml", "testdata/bad_schema_and_schemafile.yaml:3:13: schemaFile: only one of schema or schemaFile can be given"},
		{"bad_schemafile_missing.yaml", "testdata/bad_schemafile_missing.yaml:1:13: schemaFile: cannot read schema file: open testdata/schemas/missing.zed: no such file or directory"},
		{"bad_schemafile_nonlocal.yaml", `testdata/bad_schemafile_nonlocal.yaml:1:13: schemaFile: schema file "../schemas/doc.zed" is not local: it must be a relative path inside the validation file's directory`},
		{"bad_relationship.yaml", `testdata/bad_relationship.yaml:6:21: relationships: invalid subject type "Us er": must match ^([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$ in "document:a#viewer@Us er:tom"`},
		{"bad_duplicate.yaml", "testdata/bad_duplicate.yaml:5:3: relationships: duplicate relationship document:a#viewer@user:tom (first at line 4)"},
		{"bad_assertions_shape.yaml", "testdata/bad_assertions_shape.yaml:4:3: assertions: must be a mapping of assertTrue, assertCaveated and assertFalse, not a list"},
		{"bad_assertion.yaml", `testdata/bad_assertion.yaml:7:29: assertTrue[2]: missing subject id in "document:a#view@user:"`},
		{"bad_assertion_context.yaml", `testdata/bad_assertion_context.yaml:5:38: assertFalse[0]: invalid caveat context after "with": must be a JSON object`},
		{"bad_validation_key.yaml", "testdata/bad_validation_key.yaml:4:13: validation[document:a]: invalid key: unexpected end of input: expected '#' before the relation"},
		{"bad_expected_subject.yaml", "testdata/bad_expected_subject.yaml:6:9: validation[document:a#view][1]: only a wildcard subject (type:*) can have exclusions"},
	}
	for _, tt := range tests {
		f, err := ReadFile("testdata/" + tt.file)
		if err == nil {
			t.Errorf("%s: got no error, want %s", tt.file, tt.want)
			continue
		}
		if f != nil {
			t.Errorf("%s: got a *File along with the error, want nil", tt.file)
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("%s: got error of type %T, want a non-empty ErrorList", tt.file, err)
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.file, err, tt.want)
		}
	}
}

func TestParseInline(t *testing.T) {
	const schema = "schema: \"definition user {}\"\n"
	tests := []struct {
		name, yaml string
		wantErr    string // "" for success
		check      func(t *testing.T, f *File)
	}{
		{
			name: "folded without blank lines joins two relationships into one bad line",
			yaml: schema + "relationships: >-\n  document:a#viewer@user:tom\n  document:b#viewer@user:tom\n",
			wantErr: `x.yaml:3:26: relationships: invalid subject id "tom document": must match ^[a-zA-Z0-9/_|\-=+]+$` +
				` in "document:a#viewer@user:tom document:b#viewer@user:tom"`,
		},
		{
			name: "folded with more-indented and several blank lines",
			yaml: schema + "relationships: >\n  document:a#viewer@user:tom\n\n\n  // comment\n\n  document:b#viewer@user:tom\n",
			check: func(t *testing.T, f *File) {
				if r := f.Relationships; len(r) != 2 || r[0].Line != 3 || r[1].Line != 8 {
					t.Errorf("got %v, want lines 3 and 8", r)
				}
			},
		},
		{
			name: "plain multi-line scalar",
			yaml: schema + "relationships:\n  document:a#viewer@user:tom\n\n  document:b#viewer@user:tom\n",
			check: func(t *testing.T, f *File) {
				if r := f.Relationships; len(r) != 2 || r[0].Line != 3 || r[1].Line != 5 || r[1].Column != 3 {
					t.Errorf("got %v, want 3:3 and 5:3", r)
				}
			},
		},
		{
			name:    "double-quoted with escapes falls back to the scalar's position",
			yaml:    schema + "relationships: \"document:a#viewer@user:tom\\ndocument:b#viewer@user:\"\n",
			wantErr: `x.yaml:2: relationships: column 24: missing subject id in "document:b#viewer@user:"`,
		},
		{
			name: "nulls everywhere",
			yaml: schema + "relationships: null\nassertions:\n  assertTrue: null\nvalidation:\n  document:a#view: null\n",
			check: func(t *testing.T, f *File) {
				if len(f.Relationships) != 0 || len(f.Assertions) != 0 || len(f.Validation) != 1 {
					t.Errorf("got %v %v %v", f.Relationships, f.Assertions, f.Validation)
				}
			},
		},
		{
			name: "unknown keys are warnings",
			yaml: schema + "extra: 1\nassertions:\n  assertMaybe: []\n",
			check: func(t *testing.T, f *File) {
				want := "x.yaml:2:1: extra: unknown key, ignored\n" +
					`x.yaml:4:3: assertions: unknown key "assertMaybe", ignored (want assertTrue, assertCaveated or assertFalse)`
				if got := f.Warnings.Error(); got != want {
					t.Errorf("got warnings\n%s\nwant\n%s", got, want)
				}
			},
		},
		{
			name:    "duplicate top-level key",
			yaml:    schema + "relationships: \"\"\nrelationships: \"\"\n",
			wantErr: "x.yaml:3:1: relationships: duplicate key (first at line 2)",
		},
		{
			name:    "duplicate validation key",
			yaml:    schema + "validation:\n  document:a#view: []\n  document:a#view: []\n",
			wantErr: "x.yaml:4:3: validation[document:a#view]: duplicate key (first at line 3)",
		},
		{
			name:    "validation entries must be a list",
			yaml:    schema + "validation:\n  document:a#view: \"[user:tom] is <document:a#viewer>\"\n",
			wantErr: `x.yaml:3:20: validation[document:a#view]: must be a list of expected subjects such as "[user:tom] is <document:a#view>", not a scalar`,
		},
		{
			name:    "empty file",
			yaml:    "",
			wantErr: "x.yaml: empty validation file: it needs at least a schema or schemaFile",
		},
		{
			name:    "multi-line assertion",
			yaml:    schema + "assertions:\n  assertTrue:\n    - |\n      document:a#view@user:tom\n      document:a#view@user:tom\n",
			wantErr: "x.yaml:5:7: assertTrue[0]: an assertion must be on one line",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.yaml), "x.yaml")
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("got no error, want %s", tt.wantErr)
				}
				if got := err.Error(); got != tt.wantErr {
					t.Fatalf("got\n%s\nwant\n%s", got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}

func TestSeveralErrors(t *testing.T) {
	yaml := "schema: \"definition user {}\"\nrelationships: |-\n  a:b#c@d:e\nassertions:\n  assertTrue: [1, [x]]\n  assertFalse: x\n"
	_, err := Parse([]byte(yaml), "x.yaml")
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want an ErrorList", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Where+"@"+strconv.Itoa(e.Line))
	}
	want := []string{"relationships@3", "assertTrue[0]@5", "assertTrue[1]@5", "assertFalse@6"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v\n%v", got, want, err)
	}
}
