package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/pgtest"
)

// binary is the octroi executable built by TestMain. It is set once, before
// any test runs, and only read afterwards.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run builds the binary, runs the tests and cleans up; it is separate from
// TestMain so that deferred cleanups run before os.Exit.
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "octroi-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "octroi")
	if err := build(binary); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building octroi:", err)
		return 1
	}
	defer pgtest.Stop()
	return m.Run()
}

// build compiles ./cmd/octroi of the enclosing module into out.
func build(out string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return err
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		if gr := os.Getenv("GOROOT"); gr != "" {
			gobin = filepath.Join(gr, "bin", "go")
		} else {
			return fmt.Errorf("the go command is not on PATH: %w", err)
		}
	}
	start := time.Now()
	cmd := exec.Command(gobin, "build", "-o", out, "./cmd/octroi")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, b)
	}
	fmt.Fprintf(os.Stderr, "e2e: built %s in %s\n", out, time.Since(start).Round(time.Millisecond))
	return nil
}

// moduleRoot returns the nearest directory at or above dir holding go.mod.
func moduleRoot(dir string) (string, error) {
	for range 32 { // bounded: a path has fewer levels than this
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("no go.mod above the test's working directory")
}
