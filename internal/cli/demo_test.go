package cli

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/server"
)

// TestPrintDemo: every start prints each active person's token; a later
// start says, in English and French, that it found the demo and that the
// earlier tokens are revoked.
func TestPrintDemo(t *testing.T) {
	people := []server.DemoAccount{
		{Email: "a@demo", RoleEN: "editor of x", RoleFR: "éditeur de x", Token: "oct_secret"},
		{Email: "d@demo", RoleEN: "no role (account disabled)", RoleFR: "aucun rôle (compte désactivé)", Disabled: true},
	}
	var first, later strings.Builder
	printDemo(&first, "http://x", people, true)
	printDemo(&later, "http://x", people, false)
	if f := first.String(); !strings.Contains(f, "oct_secret") || !strings.Contains(f, "Demo platform created") || strings.Contains(f, "revoked") {
		t.Errorf("first start:\n%s", f)
	}
	l := later.String()
	if !strings.Contains(l, "oct_secret") || !strings.Contains(l, "last start are revoked") ||
		!strings.Contains(l, "sont révoqués") || !strings.Contains(l, "editor of x / éditeur de x") || !strings.Contains(l, "désactivé : pas de jeton") {
		t.Errorf("later start:\n%s", l)
	}
}
