package api_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
)

// TestPortalIncomplete: a Portal without one of its nouns is refused when
// the handler is made, naming the field, not at the first request of that
// noun.
func TestPortalIncomplete(t *testing.T) {
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, "Portal.Callers is nil") {
			t.Errorf("Handler with an empty Portal: panic %v, want one naming Portal.Callers", r)
		}
	}()
	api.Handler(api.Options{Portal: &api.Portal{}})
}
