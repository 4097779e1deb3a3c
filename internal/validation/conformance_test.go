package validation

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/conformance"
)

func TestConformanceFilesParse(t *testing.T) {
	for _, path := range conformance.Files(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(data, path)
			if err != nil {
				t.Fatalf("got error:\n%v\nwant none", err)
			}
			if f.Schema == "" {
				t.Errorf("got empty schema")
			}
			if len(f.Warnings) > 0 {
				t.Errorf("got warnings %v, want none", f.Warnings)
			}
			// Every relationship must have been placed on the file line that
			// holds its text.
			lines := splitLines(data)
			for _, r := range f.Relationships {
				if r.Line < 1 || r.Line > len(lines) {
					t.Errorf("relationship %s: line %d out of range", r.Relationship, r.Line)
					continue
				}
				if got := lines[r.Line-1]; !containsAt(got, r.Column, r.Resource.String()) {
					t.Errorf("relationship %s placed at %d:%d, where the file has %q", r.Relationship, r.Line, r.Column, got)
				}
			}
			for _, a := range f.Assertions {
				if got := lines[a.Line-1]; !containsAt(got, a.Column, a.Relationship.Resource.String()) {
					t.Errorf("%s placed at %d:%d, where the file has %q", a.Where(), a.Line, a.Column, got)
				}
			}
		})
	}
}
