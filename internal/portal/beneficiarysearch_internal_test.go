package portal

import (
	"slices"
	"strings"
	"testing"
)

// TestHasKeyPrefixIsFoldedKeys: the beneficiary search's matcher says
// what a look through foldedKeys would.
func TestHasKeyPrefixIsFoldedKeys(t *testing.T) {
	names := []string{"", "reseau des geomaticiens", "club sig", "  lead space", "a-b c", "l'ecole", "x", "trailing ", "éé ab", "person st"}
	prefixes := []string{"", "r", "reseau d", "des", "geo", "sig", "club", "lead", "b", "c", "ecole", "l'", "x", "trailing", "ab", "éé", "person st", "st", " ", "space", "z"}
	for _, n := range names {
		for _, p := range prefixes {
			want := slices.ContainsFunc(foldedKeys(n), func(k string) bool { return strings.HasPrefix(k, p) })
			if got := hasKeyPrefix(n, p); got != want {
				t.Errorf("hasKeyPrefix(%q, %q) = %v, foldedKeys says %v (%q)", n, p, got, want, foldedKeys(n))
			}
		}
	}
}
