package tuple

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestMatchersAgreeWithTheGrammar holds the hand-written matchers to the
// regular expressions they replace, on random strings near the grammar.
func TestMatchersAgreeWithTheGrammar(t *testing.T) {
	for _, m := range []struct {
		name  string
		re    *regexp.Regexp
		match func(string) bool
	}{
		{"type", regexp.MustCompile(typeNameExpr), matchTypeName},
		{"relation", regexp.MustCompile(relationExpr), matchRelation},
		{"object id", regexp.MustCompile(objectIDExpr), matchObjectID},
	} {
		r := rand.New(rand.NewPCG(7, 11))
		alphabet := "ab_z09/Aé|-=+*#:"
		for range 200_000 {
			n := r.IntN(70)
			if r.IntN(10) == 0 {
				n = 60 + r.IntN(12)
			}
			var b strings.Builder
			for range n {
				b.WriteByte(alphabet[r.IntN(len(alphabet))])
			}
			s := b.String()
			if got, want := m.match(s), m.re.MatchString(s); got != want {
				t.Fatalf("%s %q: matcher says %v, expression says %v", m.name, s, got, want)
			}
		}
		for _, s := range []string{"abc", strings.Repeat("a", 63) + "/" + strings.Repeat("b", 64), strings.Repeat("a", 64) + "/abc", strings.Repeat("a", 65), "ab", "a_", "ab_", "a__b"} {
			if got, want := m.match(s), m.re.MatchString(s); got != want {
				t.Errorf("%s %q: matcher says %v, expression says %v", m.name, s, got, want)
			}
		}
	}
}
