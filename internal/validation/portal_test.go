package validation

import (
	"path/filepath"
	"testing"
)

// portalDir holds one validation file per rule of the built-in portal
// schema (internal/portal/portal.zed), each reading the real schema through
// the portal.zed symbolic link in that directory (zed refuses a schemaFile
// outside the validation file's directory).
const portalDir = "../../testdata/portal"

// TestPortalRules runs every portal validation file with the consistency
// check (every pair through every API) and fails on any failure.
func TestPortalRules(t *testing.T) {
	pattern := filepath.Join(portalDir, "*.yaml")
	paths, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		// runFiles would skip; a missing rule set is a failure here.
		t.Fatalf("no validation files in %s", portalDir)
	}
	runFiles(t, pattern)
}
