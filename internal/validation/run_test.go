package validation

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func runFiles(t *testing.T, pattern string) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no files match %s", pattern)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run(context.Background(), f, Options{Consistency: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range rep.Failures {
				t.Error(e)
			}
		})
	}
}

func TestRunConformance(t *testing.T) {
	if _, err := os.Stat(conformanceDir); err != nil {
		t.Skip("SpiceDB conformance files not present")
	}
	runFiles(t, filepath.Join(conformanceDir, "*.yaml"))
}
