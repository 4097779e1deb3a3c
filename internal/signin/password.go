package signin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. They are stored with every hash
// (PHC string format), so that raising them never invalidates a stored
// password: a hash made with other parameters still verifies, and is
// re-made with the current ones at the next successful sign-in.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// DefaultParams are OWASP's recommended argon2id settings (19 MiB, two
// passes, one lane): tens of milliseconds on one core, a cost a sign-in
// pays once and a guesser at every guess, with memory small enough that
// the hashes a server runs at once (see Service) stay within bounds.
// Stronger parameters apply to each password at its next sign-in.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// ErrMalformedHash is returned for a stored string that is no argon2id hash
// in PHC format.
var ErrMalformedHash = errors.New("signin: malformed password hash")

// b64 is the PHC format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// Hash returns the argon2id hash of password with a fresh random salt, in
// PHC string format:
//
//	$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>
func (p Params) Hash(password string) string {
	salt := make([]byte, p.SaltLen)
	_, _ = rand.Read(salt) // never fails (crypto/rand)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches the PHC string phc, and whether
// phc was made with parameters other than p (the caller then stores
// p.Hash(password) in its place). The comparison is constant-time.
func (p Params) Verify(password, phc string) (ok, rehash bool, err error) {
	h, err := parsePHC(phc)
	if err != nil {
		return false, false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.p.Time, h.p.Memory, h.p.Threads, uint32(len(h.key)))
	ok = subtle.ConstantTimeCompare(key, h.key) == 1
	return ok, ok && (h.p.Memory != p.Memory || h.p.Time != p.Time || h.p.Threads != p.Threads || uint32(len(h.key)) != p.KeyLen || uint32(len(h.salt)) != p.SaltLen), nil
}

type phcHash struct {
	p         Params
	salt, key []byte
}

// Bounds on stored parameters, so that a tampered or corrupt hash cannot
// make a sign-in allocate gigabytes or spin for minutes.
const (
	maxMemory = 1 << 21 // 2 GiB in KiB
	maxTime   = 64
)

func parsePHC(s string) (phcHash, error) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phcHash{}, ErrMalformedHash
	}
	var h phcHash
	seen := 0
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return phcHash{}, ErrMalformedHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return phcHash{}, ErrMalformedHash
		}
		switch k {
		case "m":
			h.p.Memory, seen = uint32(n), seen|1
		case "t":
			h.p.Time, seen = uint32(n), seen|2
		case "p":
			if n > 255 {
				return phcHash{}, ErrMalformedHash
			}
			h.p.Threads, seen = uint8(n), seen|4
		default:
			return phcHash{}, ErrMalformedHash
		}
	}
	if seen != 7 || h.p.Time == 0 || h.p.Time > maxTime || h.p.Threads == 0 || h.p.Memory < 8*uint32(h.p.Threads) || h.p.Memory > maxMemory {
		return phcHash{}, ErrMalformedHash
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return phcHash{}, ErrMalformedHash
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return phcHash{}, ErrMalformedHash
	}
	h.p.KeyLen, h.p.SaltLen = uint32(len(h.key)), uint32(len(h.salt))
	return h, nil
}
