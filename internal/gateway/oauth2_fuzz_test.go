package gateway

import (
	"strings"
	"testing"
)

// FuzzParseBearer: a token read from an Authorization header is never
// empty, holds only RFC 6750's b64token characters, is no longer than
// maxBearer, and is what follows the scheme and its spaces; a header
// read as Bearer is one isBearer says is Bearer.
func FuzzParseBearer(f *testing.F) {
	for _, s := range []string{"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "bearer  abc==", "Bearer", "Bearer ", "Bearer a b", "Bearer ===", "Basic dXNlcjpwYXNz", "BearerX abc", "Bearer \x00", "Bearer é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, auth string) {
		tok, ok := ParseBearer(auth)
		if !ok {
			if tok != "" {
				t.Fatalf("%q: refused but gave %q", auth, tok)
			}
			return
		}
		if !isBearer(auth) {
			t.Fatalf("%q read as Bearer, but isBearer says no", auth)
		}
		if tok == "" || len(tok) > maxBearer || !strings.HasSuffix(auth, tok) {
			t.Fatalf("%q: token %q", auth, tok)
		}
		if strings.TrimLeft(auth[len("bearer"):], " ") != tok {
			t.Fatalf("%q: token %q is not all that follows the scheme", auth, tok)
		}
		body := strings.TrimRight(tok, "=")
		if body == "" || strings.Trim(body, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/") != "" {
			t.Fatalf("%q: token %q holds characters outside b64token", auth, tok)
		}
		if again, ok := ParseBearer("Bearer " + tok); !ok || again != tok {
			t.Fatalf("%q: %q does not read back", auth, tok)
		}
	})
}
