package schema

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// conformanceDir holds SpiceDB's own validation files (each with a
// `schema:` key). It is not part of the repository: the test skips when it
// is absent; CI provides it.
const conformanceDir = "/work/shared/conformance/spicedb-v1.56.0"

// TestSpiceDBConformanceSchemas parses every schema of SpiceDB's test
// files: all of them are valid SpiceDB schemas, so all must be accepted,
// and formatting must be stable on them.
func TestSpiceDBConformanceSchemas(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(conformanceDir, "*.yaml"))
	if len(files) == 0 {
		t.Skipf("no SpiceDB conformance files in %s", conformanceDir)
	}
	for _, f := range files {
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
