// Package testbin finds the real programs that tests run against
// (chromium, nginx, caddy, mapserv, mailpit...). A test that lacks one
// skips on a developer's machine and fails when the environment variable
// CI is set, so that CI never passes by silently skipping: .ci/run
// installs every program a test asks for here.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Find returns the path of the first of names found on the PATH (or the
// absolute path itself, when a name is one and the file exists). When none
// is, it skips t, or fails it under CI.
func Find(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Unavailable(t, "none of %v is installed", names)
	return ""
}

// File returns path when it exists; otherwise it skips t, or fails it
// under CI, saying what installs it.
func File(t testing.TB, path, installedBy string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Unavailable(t, "%s is missing (%s installs it)", path, installedBy)
	}
	return path
}

// Unavailable skips t for the reason given, or fails it when CI is set.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s, and CI is set so this fails instead of skipping", msg)
	}
	t.Skip(msg)
}
