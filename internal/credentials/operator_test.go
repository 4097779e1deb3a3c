package credentials

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/bearer"
)

// TestConfiguredTokens: tokens in clear and a hashes file are accepted
// besides the stored ones; a hash itself is not a token; a bad hashes file
// names its line.
func TestConfiguredTokens(t *testing.T) {
	hashes := filepath.Join(t.TempDir(), "hashes")
	os.WriteFile(hashes, []byte("# ops\n"+bearer.Hash("from-file")+"\n\nsha256:"+strings.ToUpper(bearer.Hash("upper"))+"\n"), 0o600)
	o, err := NewOperators([]string{"from-env", " "}, hashes, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tok, wantName string
		want          bool
	}{
		{"from-env", "(configured)", true}, {"from-file", "(hashes file)", true}, {"upper", "(hashes file)", true},
		{"nope", "", false}, {"", "", false}, {" ", "", false}, {bearer.Hash("from-file"), "", false},
	} {
		if name, got := o.Authenticate(c.tok); got != c.want || name != c.wantName {
			t.Errorf("Authenticate(%q) = %q, %v, want %q, %v", c.tok, name, got, c.wantName, c.want)
		}
	}
	os.WriteFile(hashes, []byte("not a hash\n"), 0o600)
	if _, err := NewOperators(nil, hashes, nil); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad hashes file: got %v, want an error naming line 1", err)
	}
}

// TestStoredTokensWithoutDatabase: lookups read memory only, so they go on
// when the database is gone; a failing refresh keeps the credentials read
// last and is logged once, not at every poll; no secret nor hash is logged.
func TestStoredTokensWithoutDatabase(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t, filepath.Join(t.TempDir(), "octroi.db"))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_, secret, err := CreateOperatorToken(ctx, st, "test", "ci")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	c, err := NewCache(ctx, st, slog.New(slog.NewTextHandler(&logs, nil)), KindOperatorToken)
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewOperators(nil, "", c)
	if err != nil {
		t.Fatal(err)
	}
	if name, ok := o.Authenticate(secret); !o.Configured() || !ok || name != "ci" {
		t.Fatalf("a stored token: got Authenticate = %q, %v, want its name ci, true", name, ok)
	}
	st.Close()
	for range 3 {
		if err := c.Refresh(ctx); err == nil {
			t.Fatal("Refresh on a closed store: got no error, want one")
		}
	}
	_, kept := o.Authenticate(secret)
	if _, other := o.Authenticate(secret + "x"); !kept || other {
		t.Error("after failed refreshes, the tokens read last must stay in force, and only them")
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Errorf("a failing database logged %d times, want once:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), bearer.Hash(secret)) {
		t.Errorf("the log shows a secret or its hash:\n%s", logs.String())
	}
}
