// Package conformance finds SpiceDB's own validation files for the tests
// that hold octroi to them. The files are not part of the repository: they
// sit in shared/conformance beside it, where CI lays them out. Without
// them a test is skipped on a developer's machine, and fails in CI (env CI
// set), where they must be present.
package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

// Files returns the paths of the conformance files, sorted.
func Files(t testing.TB) []string {
	t.Helper()
	root, err := moduleRoot()
	if err == nil {
		files, _ := filepath.Glob(filepath.Join(root, "..", "shared", "conformance", "*", "*.yaml"))
		if len(files) > 0 {
			return files
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("SpiceDB's conformance files are missing beside the repository (../shared/conformance): CI must have them")
	}
	t.Skip("SpiceDB's conformance files are not beside the repository (../shared/conformance)")
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
