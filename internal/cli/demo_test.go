package cli

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/server"
)

// TestPrintDemo: the first start prints each person's token; a later one
// prints the people and roles without tokens, and says where the tokens
// went and how to get a new one, in English and French.
func TestPrintDemo(t *testing.T) {
	people := []server.DemoAccount{
		{Email: "a@demo", RoleEN: "editor of x", RoleFR: "éditeur de x", Token: "oct_secret"},
		{Email: "d@demo", RoleEN: "no role (account disabled)", RoleFR: "aucun rôle (compte désactivé)", Disabled: true},
	}
	var first, later strings.Builder
	printDemo(&first, "http://x", people, true)
	printDemo(&later, "http://x", people, false)
	if !strings.Contains(first.String(), "oct_secret") || !strings.Contains(first.String(), "never again") {
		t.Errorf("first start:\n%s", first.String())
	}
	l := later.String()
	if strings.Contains(l, "oct_") || strings.Contains(l, "TOKEN / JETON") || !strings.Contains(l, "printed at its first start") ||
		!strings.Contains(l, "premier démarrage") || !strings.Contains(l, "octroi admin create-user") || !strings.Contains(l, "editor of x / éditeur de x") {
		t.Errorf("later start:\n%s", l)
	}
}
