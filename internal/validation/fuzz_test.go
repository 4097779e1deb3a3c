package validation

import "testing"

func FuzzParseExpectedSubject(f *testing.F) {
	for _, s := range []string{
		"[user:tom] is <document:1#viewer>",
		"[user:*[...] - {user:a[...], user:b}] is <document:1#viewer>/<document:1#editor>",
		"[[[]]] is <>", "[user:* - {] is", "[user:* -{}]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpectedSubject(s)
		if err != nil {
			return
		}
		// The canonical form must read back to itself.
		again, err := ParseExpectedSubject(e.String())
		if err != nil || again.String() != e.String() {
			t.Fatalf("%q: canonical %q reads back as %q, %v", s, e.String(), again.String(), err)
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add("schema: x\nrelationships: >-\n  document:a#viewer@user:tom\n\n  d\nassertions:\n  assertTrue: ['a with {}']\nvalidation:\n  a:b#c: ['[a:b] is <c:d#e>']\n")
	f.Add("schema: |\n  x\nrelationships: \"a\\nb\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		// Must not panic; errors are fine.
		_, _ = Parse([]byte(s), "fuzz.yaml")
	})
}
