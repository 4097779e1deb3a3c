package validation

import (
	"strings"
	"unicode/utf8"
)

func splitLines(data []byte) []string { return strings.Split(string(data), "\n") }

// containsAt reports whether line has want starting at the 1-based rune
// column col.
func containsAt(line string, col int, want string) bool {
	if col < 1 || !utf8.ValidString(line) {
		return false
	}
	r := []rune(line)
	if col-1 > len(r) {
		return false
	}
	return strings.HasPrefix(string(r[col-1:]), want)
}
