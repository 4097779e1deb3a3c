package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	dir := t.TempDir()
	tok, info, err := CreateToken(dir, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "oct_") || len(tok) < 40 {
		t.Errorf("token %q looks weak", tok)
	}
	if _, _, err := CreateToken(dir, "ci"); err == nil {
		t.Error("a second token named ci was accepted")
	}
	b, err := os.ReadFile(filepath.Join(dir, TokensFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), tok) || !strings.Contains(string(b), HashToken(tok)) {
		t.Errorf("tokens.json must hold the hash only: %s", b)
	}
	if st, _ := os.Stat(filepath.Join(dir, TokensFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("tokens.json mode %v, want 0600", st.Mode().Perm())
	}

	hashes := filepath.Join(dir, "hashes")
	os.WriteFile(hashes, []byte("# ops\n"+HashToken("from-file")+"\n"), 0o600)
	cfg := Default()
	cfg.DataDir, cfg.Tokens, cfg.TokenHashesFile = dir, []string{"from-env"}, hashes
	a, err := newAuthenticator(cfg, func(string, error) {})
	if err != nil {
		t.Fatal(err)
	}
	a.recheck = 0
	for _, c := range []struct {
		tok  string
		want bool
	}{{tok, true}, {"from-env", true}, {"from-file", true}, {"nope", false}, {"", false}, {info.SHA256, false}} {
		if got := a.Authenticate(c.tok); got != c.want {
			t.Errorf("Authenticate(%q) = %v, want %v", c.tok, got, c.want)
		}
	}
	if _, err := RevokeToken(dir, info.ID); err != nil {
		t.Fatal(err)
	}
	if a.Authenticate(tok) {
		t.Error("a revoked token is still accepted")
	}
	list, _ := ListTokens(dir)
	if len(list) != 0 {
		t.Errorf("after revoke: %v", list)
	}
	os.WriteFile(hashes, []byte("not a hash\n"), 0o600)
	if _, err := newAuthenticator(cfg, nil); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad hashes file: %v", err)
	}
}
