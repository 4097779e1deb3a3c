package schema

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/fmt")

// TestFormatGolden formats each testdata/fmt/*.zed and compares it with
// the .golden file next to it; `go test -run FormatGolden -update`
// rewrites them.
func TestFormatGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/fmt/*.zed")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs in testdata/fmt (err %v)", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(string(src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := Format(s)
			golden := strings.TrimSuffix(in, ".zed") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Format: got\n%s\nwant\n%s", got, want)
			}
			checkFormatStable(t, s)
		})
	}
}

// TestFormatBuiltSchema formats a schema built in code (no comments, no
// positions): Doc comments are written, caveats come before definitions.
func TestFormatBuiltSchema(t *testing.T) {
	s := &Schema{
		Definitions: []*Definition{{
			Name: "doc",
			Doc:  "Documents.\nSecond line.",
			Relations: []*Relation{{Name: "viewer", Doc: "readers", Types: []*AllowedType{
				{Type: "doc"}, {Type: "doc", Wildcard: true}, {Type: "doc", Relation: "viewer", Caveat: "cav"},
			}}},
			Permissions: []*Permission{{Name: "view", Expr: &Exclusion{
				Base:       &Union{Children: []Expr{&RelRef{Name: "viewer"}, &Arrow{Tupleset: "viewer", Computed: "view", Func: ArrowAll}}},
				Subtracted: &Exclusion{Base: &RelRef{Name: "viewer"}, Subtracted: &Nil{}},
			}}},
		}},
	}
	want := `/**
 * Documents.
 * Second line.
 */
definition doc {
    /** readers */
    relation viewer: doc | doc:* | doc#viewer with cav
    permission view = viewer + viewer.all(view) - (viewer - nil)
}
`
	if got := Format(s); got != want {
		t.Errorf("Format: got\n%s\nwant\n%s", got, want)
	}
}
