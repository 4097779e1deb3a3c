package validation

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// pinnedNow is the instant at which the files of testdata/portal/pinned
// are judged, so that they can state expirations to the second.
var pinnedNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// TestPortalRulesPinned runs the portal validation files that are judged at
// pinnedNow (expiry to the second), with the consistency check.
func TestPortalRulesPinned(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(portalDir, "pinned", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no validation files in %s/pinned", portalDir)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run(context.Background(), f, Options{Now: pinnedNow, Consistency: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Assertions == 0 {
				t.Error("no assertion ran")
			}
			for _, e := range rep.Failures {
				t.Error(e)
			}
		})
	}
}
