package portal

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold is the one form every name search compares: lower case, without
// accents or other combining marks, so that "frejus" finds "Fréjus" and
// "ILE" finds "Île". Names are decomposed (NFD) so that the marks stand
// apart, the marks (Unicode category Mn) dropped, then lower-cased.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s // cannot happen on valid UTF-8; compare as written then
	}
	return strings.ToLower(out)
}
