package cli

import (
	"net/http"
	"strings"
	"testing"
)

// demoSignIn checks that the printed password signs every demo person
// with a token in (and so the disabled one, who has none, out).
func demoSignIn(t *testing.T, url, printed string, toks map[string]string) {
	t.Helper()
	const label = "Mot de passe de chaque compte ci-dessus : "
	i := strings.Index(printed, label)
	if i < 0 {
		t.Fatalf("no password printed:\n%s", printed)
	}
	password := strings.Fields(printed[i+len(label):])[0]
	signIn := func(email string) int {
		resp, err := http.Post(url+"/api/v1/auth/sign-in", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	n := 0
	for email := range toks {
		if code := signIn(email); code != 200 {
			t.Errorf("sign-in of %s with the printed password: %d", email, code)
		}
		if n++; n == 3 {
			break // each costs a password hash
		}
	}
	if code := signIn("denis.desactive@demo.octroi.dev"); code != 401 {
		t.Errorf("the disabled account signs in: %d", code)
	}
}
