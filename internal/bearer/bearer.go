// Package bearer makes and recognises octroi's bearer secrets, the
// personal tokens of the portal and the operator tokens of the server
// alike: what they are made of, how they are stored, how often their use is
// recorded. It sits below both, so that neither depends on the other for
// it.
//
// A secret is a prefix naming its kind (so that people and secret scanners
// recognise a leaked one) and 32 random bytes in base64url. Only its hex
// SHA-256 is stored, which is enough for secrets of that entropy: there is
// nothing to brute-force, so no salt or slow hash is needed, and a
// database leak reveals no usable token.
package bearer

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// New returns a fresh secret: prefix, then 32 random bytes in base64url.
func New(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash returns the hex SHA-256 of a secret: what is stored of it.
func Hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
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
