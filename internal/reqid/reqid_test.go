package reqid

import (
	"context"
	"strings"
	"testing"
)

// TestValid: plain short ids are kept; empty, long ones and those that
// could forge a log line are not; New makes valid ones.
func TestValid(t *testing.T) {
	for id, want := range map[string]bool{
		"trace-abc.1": true, "": false, strings.Repeat("a", MaxLen+1): false,
		"a b": false, "a\nb": false, "é": false, strings.Repeat("a", MaxLen): true,
	} {
		if Valid(id) != want {
			t.Errorf("Valid(%q) = %v, want %v", id, !want, want)
		}
	}
	if id := New(); !Valid(id) || id == New() {
		t.Errorf("New() = %q", id)
	}
	if From(context.Background()) != "" || From(With(context.Background(), "x")) != "x" {
		t.Error("With/From do not round-trip")
	}
}
