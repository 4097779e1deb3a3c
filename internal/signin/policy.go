package signin

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:generate go run ./gencommon

// commonGz is the list of common passwords (see gencommon), lower-cased,
// one a line.
//
//go:embed common.txt.gz
var commonGz []byte

// Password length bounds, in characters. The minimum follows NIST SP
// 800-63B for passwords chosen alone (at least 8; 10 here since nothing
// else guards a sign-in), the maximum bounds hashing work per request.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

var common = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("signin: common.txt.gz: " + err.Error()) // embedded at build: a broken file is a build error
	}
	m := make(map[string]struct{}, 12000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		m[sc.Text()] = struct{}{}
	}
	if sc.Err() != nil {
		panic("signin: common.txt.gz: " + sc.Err().Error())
	}
	return m
})

// IsCommon reports whether password is one of the common passwords that
// guessers try first (case does not matter).
func IsCommon(password string) bool {
	_, ok := common()[strings.ToLower(password)]
	return ok
}

// checkPassword refuses a password too short, too long, common, or made
// of the account's e-mail address (or its part before the @): the
// message names the field and the rule.
func checkPassword(field, password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return invalid("signin.password_encoding", field)
	case n < MinPasswordLen:
		return invalid("signin.password_short", field, MinPasswordLen)
	case n > MaxPasswordLen:
		return invalid("signin.password_long", field, MaxPasswordLen)
	case IsCommon(password):
		return invalid("signin.password_common", field)
	}
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	if email != "" && (lower == strings.ToLower(email) || lower == local) {
		return invalid("signin.password_email", field)
	}
	return nil
}
