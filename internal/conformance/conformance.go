// Package conformance finds SpiceDB's own validation files for the tests
// that hold octroi to them.
//
// The files are not part of the repository: they are the 73 files SpiceDB
// v1.56.0 runs in its own integration tests
// (internal/services/integrationtesting/testconfigs/, Apache-2.0), laid out
// beside the repository in ../shared/conformance/<version>/ on the team's
// machines and in CI. OCTROI_CONFORMANCE_DIR names another folder holding
// them (files at <dir>/*/*.yaml or <dir>/*.yaml).
//
// The contract, so that nothing is skipped without a word where it matters:
//   - OCTROI_CONFORMANCE_DIR set: the files must be there; a test fails
//     when they are not (.ci/run sets it when ../shared is present).
//   - unset, files found beside the repository: they are used.
//   - unset, files absent: the tests that need them skip, saying where the
//     files come from. The project's own tests never need them.
package conformance

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// EnvDir is the environment variable that names the corpus folder and
// makes it mandatory.
const EnvDir = "OCTROI_CONFORMANCE_DIR"

// Files returns the paths of the conformance files, sorted. It skips t, or
// fails it when EnvDir is set, if there are none.
func Files(t testing.TB) []string {
	t.Helper()
	files, where := find()
	if len(files) > 0 {
		return files
	}
	if os.Getenv(EnvDir) != "" {
		t.Fatalf("%s=%s holds no SpiceDB validation files (*.yaml or */*.yaml)", EnvDir, os.Getenv(EnvDir))
	}
	t.Skipf("SpiceDB's conformance files are not at %s: they are SpiceDB v1.56.0's "+
		"internal/services/integrationtesting/testconfigs/*.yaml; put them there or set %s (see README, Test)", where, EnvDir)
	return nil
}

// File returns the path of the conformance file named name.
func File(t testing.TB, name string) string {
	t.Helper()
	for _, f := range Files(t) {
		if filepath.Base(f) == name {
			return f
		}
	}
	t.Fatalf("no conformance file %s", name)
	return ""
}

// find returns the corpus files and the folder it looked in.
func find() ([]string, string) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return nil, "../shared/conformance"
		}
		dir = filepath.Join(root, "..", "shared", "conformance")
	}
	var files []string
	for _, pattern := range []string{"*.yaml", filepath.Join("*", "*.yaml")} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		files = append(files, m...)
	}
	sort.Strings(files)
	return files, dir
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
