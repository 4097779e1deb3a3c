// Package bearer makes octroi's random ids and secrets, and recognises its
// bearer secrets: the personal tokens of the portal, the operator tokens
// and, to come, the access keys alike: what they are made of, how they are
// stored, how often their use is recorded. It sits below everything that
// needs randomness, so that there is one way to make it.
//
// A secret is a prefix naming its kind (so that people and secret scanners
// recognise a leaked one) and 32 random bytes in base64url. Only its hex
// SHA-256 is stored, which is enough for secrets of that entropy: there is
// nothing to brute-force, so no salt or slow hash is needed, and a
// database leak reveals no usable token.
//
// Randomness never fails here, so NewID and NewSecret return no error:
// since Go 1.24 crypto/rand.Read never returns one, it crashes the program
// instead on the legacy systems whose kernel cannot give randomness (see
// go.dev/issue/66821). Carrying an error nobody can get would only invite
// callers to handle it three different ways.
package bearer

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// random returns n bytes from crypto/rand, whose Read never fails (see
// the package doc).
func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// NewID returns a fresh random id: 16 lowercase hex digits (64 bits).
// That is plenty for ids that callers either check for collisions before
// use or prefix with a time, and it is safe in URLs, logs and headers.
func NewID() string {
	return hex.EncodeToString(random(8))
}

// NewSecret returns a fresh secret: prefix, then 32 random bytes in
// base64url.
func NewSecret(prefix string) string {
	return prefix + base64.RawURLEncoding.EncodeToString(random(32))
}

// Hash returns the hex SHA-256 of a secret: what is stored of it.
func Hash(secret string) string {
	var buf [HashLen]byte
	return string(AppendHash(buf[:0], secret))
}

// HashLen is the length of a hash (Hash, AppendHash): 64 hex digits.
const HashLen = 2 * sha256.Size

// shortSecret bounds the secrets AppendHash copies on the stack to hash:
// every secret NewSecret makes, and the user name and password of most
// BASIC keys, fit.
const shortSecret = 128

// AppendHash appends Hash(secret) to dst and returns the extended slice.
// It is Hash for the lookups on every request: with HashLen bytes free in
// dst (a stack array, say) and a secret of up to 128 bytes, it allocates
// nothing, so that a caller can look its hash up in a map by
// m[string(AppendHash(buf[:0], secret))] without allocating either.
func AppendHash(dst []byte, secret string) []byte {
	var sum [sha256.Size]byte
	if len(secret) <= shortSecret {
		var buf [shortSecret]byte
		sum = sha256.Sum256(append(buf[:0], secret...))
	} else {
		sum = sha256.Sum256([]byte(secret))
	}
	return hex.AppendEncode(dst, sum[:])
}

// LastUseEvery bounds how often a token's last use is recorded: each record
// is a database write, and a token in a busy script is used many times a
// second.
const LastUseEvery = time.Minute

// LastUseDue reports whether a use at now should be recorded, given the
// last recorded use (nil: never used).
func LastUseDue(last *time.Time, now time.Time) bool {
	return last == nil || now.Sub(*last) >= LastUseEvery
}
