package portal

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold is the one form every name search compares: lower case, without
// accents or other combining marks, so that "frejus" finds "Fréjus" and
// "ILE" finds "Île". Names are decomposed (NFD) so that the marks stand
// apart, the marks (Unicode category Mn) dropped, then lower-cased.
func fold(s string) string {
	// ASCII has no marks to drop and decomposes to itself: lower-casing
	// is the whole fold, without the transformer chain's buffers (a
	// search over thousands of names folded each of them).
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s // cannot happen on valid UTF-8; compare as written then
	}
	return strings.ToLower(out)
}
