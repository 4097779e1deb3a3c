package validation

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/conformance"
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
	files := conformance.Files(t)
	runFiles(t, filepath.Join(filepath.Dir(files[0]), "*.yaml"))
}
