package signin

import (
	"errors"
	"strings"
	"testing"
)

// testParams keep tests fast; the format and logic are the same.
var testParams = Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashVerify(t *testing.T) {
	h := testParams.Hash("correct horse battery staple")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not in PHC format with its parameters", h)
	}
	if h2 := testParams.Hash("correct horse battery staple"); h2 == h {
		t.Error("two hashes of one password are equal: no salt?")
	}
	for _, tt := range []struct {
		params     Params
		password   string
		ok, rehash bool
	}{
		{testParams, "correct horse battery staple", true, false},
		{testParams, "correct horse battery stapl", false, false},
		{testParams, "", false, false},
		{Params{Memory: 2048, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, "correct horse battery staple", true, true},
		{Params{Memory: 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}, "wrong", false, false},
	} {
		ok, rehash, err := tt.params.Verify(tt.password, h)
		if err != nil || ok != tt.ok || rehash != tt.rehash {
			t.Errorf("Verify(%q) with %+v: got %v, %v, %v; want %v, %v", tt.password, tt.params, ok, rehash, err, tt.ok, tt.rehash)
		}
	}
}

func TestMalformedHashes(t *testing.T) {
	good := testParams.Hash("x")
	parts := strings.Split(good, "$")
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=1024,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=0,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5], // 95 GiB: never allocated
		"$argon2id$v=19$m=1024,t=1000,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=1,p=1,x=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1024,t=1,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=1024,t=1,p=1$" + parts[4] + "$c2hvcnQ",
		good + "$",
	} {
		if _, _, err := testParams.Verify("x", bad); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify against %q: got %v, want ErrMalformedHash", bad, err)
		}
	}
}

// FuzzVerify: whatever is stored, Verify neither panics nor accepts a
// password against a hash it did not make.
func FuzzVerify(f *testing.F) {
	f.Add("x", testParams.Hash("x"))
	f.Add("", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("a", "$argon2id$v=19$m=,t=,p=$$")
	f.Fuzz(func(t *testing.T, password, phc string) {
		h, err := parsePHC(phc)
		if err != nil {
			return
		}
		if h.p.Memory > 1<<14 || h.p.Time > 2 {
			return // valid but slow: not what fuzzing is for
		}
		_, _, _ = testParams.Verify(password, phc)
	})
}

func TestCommonPasswords(t *testing.T) {
	if n := len(common()); n < 10000 {
		t.Errorf("the common list holds %d passwords, want about 10,000", n)
	}
	for _, p := range []string{"password123", "Password123", "azertyuiop", "1234567890", "motdepasse1", "qwertyuiop", "iloveyou1", "password2024", "dragon1990"} {
		if !IsCommon(p) {
			t.Errorf("%q is not found common", p)
		}
	}
	for _, p := range []string{"correct horse battery staple", "Ma-carte-des-sentiers-2026", "k8#Vq2!mZr"} {
		if IsCommon(p) {
			t.Errorf("%q is found common", p)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tt := range []struct {
		password, email string
		key             string // "" : accepted
	}{
		{"correct horse battery staple", "ada@example.org", ""},
		{"short", "ada@example.org", "signin.password_short"},
		{"éééééééééé", "ada@example.org", ""}, // ten characters, twenty bytes
		{"ééééé", "ada@example.org", "signin.password_short"},
		{strings.Repeat("a", MaxPasswordLen+1), "ada@example.org", "signin.password_long"},
		{"password123", "ada@example.org", "signin.password_common"},
		{"ada.lovelace@example.org", "Ada.Lovelace@example.org", "signin.password_email"},
		{"ada.lovelace", "ada.lovelace@example.org", "signin.password_email"},
		{"ab\xffcdefghijk", "ada@example.org", "signin.password_encoding"},
	} {
		err := checkPassword("password", tt.password, tt.email)
		got := ""
		var perr interface{ Error() string }
		if err != nil {
			perr = err
			got = keyOf(err)
		}
		if got != tt.key {
			t.Errorf("checkPassword(%q): got %q (%v), want %q", tt.password, got, perr, tt.key)
		}
		if err != nil && !strings.Contains(err.Error(), "password") {
			t.Errorf("%q: the message does not name the field: %v", tt.password, err)
		}
	}
}
