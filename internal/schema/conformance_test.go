package schema

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/octroi/octroi/internal/conformance"
)

// TestSpiceDBConformanceSchemas parses every schema of SpiceDB's test
// files: all of them are valid SpiceDB schemas, so all must be accepted,
// and formatting must be stable on them.
func TestSpiceDBConformanceSchemas(t *testing.T) {
	for _, f := range conformance.Files(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Schema string `yaml:"schema"`
			}
			if err := yaml.Unmarshal(data, &doc); err != nil {
				t.Fatalf("reading YAML: %v", err)
			}
			if doc.Schema == "" {
				t.Fatal("no schema key")
			}
			s, err := Parse(doc.Schema)
			if err != nil {
				t.Fatalf("Parse: got error\n%v\nwant none; schema:\n%s", err, doc.Schema)
			}
			checkFormatStable(t, s)
		})
	}
}
