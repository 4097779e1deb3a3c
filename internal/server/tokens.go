package server

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// API tokens.
//
// Tokens are 32 random bytes (base64url, prefixed "oct_"); only their
// SHA-256 is ever stored, which is enough for tokens of that entropy (no
// salt or slow hash needed: there is nothing to brute-force). They live in
// DataDir/tokens.json (mode 0600), written by `octroi token create|revoke`
// and re-read by a running server when the file changes. A file rather
// than a database table, because the store's migrations belong to the store
// package; with several nodes on one PostgreSQL, give every node the same
// file, or a shared --token-hashes-file, or OCTROI_TOKEN.

// TokensFile is the name of the token file in the data dir.
const TokensFile = "tokens.json"

// TokenInfo describes a stored token; the token itself is never stored.
type TokenInfo struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	SHA256  string    `json:"sha256"`
	Created time.Time `json:"created"`
}

type tokenFile struct {
	Tokens []TokenInfo `json:"tokens"`
}

// HashToken returns the hex SHA-256 of a token, as stored.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func readTokens(dataDir string) (tokenFile, error) {
	var f tokenFile
	b, err := os.ReadFile(filepath.Join(dataDir, TokensFile))
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s: %w", filepath.Join(dataDir, TokensFile), err)
	}
	return f, nil
}

// writeTokens replaces the file atomically, so that a server never reads
// half of it.
func writeTokens(dataDir string, f tokenFile) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dataDir, ".tokens-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dataDir, TokensFile))
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateToken makes a new token named name, stores its hash in the data
// dir, and returns the token: the only time it is ever shown.
func CreateToken(dataDir, name string) (string, TokenInfo, error) {
	if name == "" {
		return "", TokenInfo{}, errors.New("a token needs a name (what or who uses it)")
	}
	f, err := readTokens(dataDir)
	if err != nil {
		return "", TokenInfo{}, err
	}
	for _, t := range f.Tokens {
		if t.Name == name {
			return "", TokenInfo{}, fmt.Errorf("a token named %q exists already (id %s): revoke it or pick another name", name, t.ID)
		}
	}
	tok := "oct_" + randomString(32)
	info := TokenInfo{ID: "tok_" + randomString(6), Name: name, SHA256: HashToken(tok), Created: time.Now().UTC().Truncate(time.Second)}
	f.Tokens = append(f.Tokens, info)
	if err := writeTokens(dataDir, f); err != nil {
		return "", TokenInfo{}, err
	}
	return tok, info, nil
}

// ListTokens returns the stored tokens' descriptions.
func ListTokens(dataDir string) ([]TokenInfo, error) {
	f, err := readTokens(dataDir)
	return f.Tokens, err
}

// RevokeToken deletes the token whose id or name is idOrName. A running
// server stops accepting it within a second.
func RevokeToken(dataDir, idOrName string) (TokenInfo, error) {
	f, err := readTokens(dataDir)
	if err != nil {
		return TokenInfo{}, err
	}
	for i, t := range f.Tokens {
		if t.ID == idOrName || t.Name == idOrName {
			f.Tokens = append(f.Tokens[:i], f.Tokens[i+1:]...)
			return t, writeTokens(dataDir, f)
		}
	}
	return TokenInfo{}, fmt.Errorf("no token with id or name %q (octroi token list shows them)", idOrName)
}

// authenticator accepts the tokens of the configuration and of the token
// file, which it re-reads when its modification time changes (checked at
// most once per recheck).
type authenticator struct {
	static map[string]bool // hashes from OCTROI_TOKEN and the hashes file
	path   string
	log    func(msg string, err error)

	mu        sync.Mutex
	file      map[string]bool
	mtime     time.Time
	size      int64
	checkedAt time.Time
	recheck   time.Duration
}

func newAuthenticator(cfg Config, log func(string, error)) (*authenticator, error) {
	a := &authenticator{static: map[string]bool{}, path: filepath.Join(cfg.DataDir, TokensFile), log: log, recheck: time.Second}
	for _, t := range cfg.Tokens {
		if t = strings.TrimSpace(t); t != "" {
			a.static[HashToken(t)] = true
		}
	}
	if cfg.TokenHashesFile != "" {
		f, err := os.Open(cfg.TokenHashesFile)
		if err != nil {
			return nil, fmt.Errorf("token hashes file: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			line = strings.ToLower(strings.TrimPrefix(line, "sha256:"))
			if b, err := hex.DecodeString(line); err != nil || len(b) != sha256.Size {
				return nil, fmt.Errorf("token hashes file %s line %d: want a hex SHA-256 (64 hex digits)", cfg.TokenHashesFile, n)
			}
			a.static[line] = true
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("token hashes file: %w", err)
		}
	}
	a.reload(time.Now())
	return a, nil
}

// configured reports whether any token could ever be accepted (the file
// may gain tokens later, so its existence counts).
func (a *authenticator) configured() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.static) > 0 || len(a.file) > 0
}

func (a *authenticator) reload(now time.Time) {
	a.checkedAt = now
	st, err := os.Stat(a.path)
	if errors.Is(err, os.ErrNotExist) {
		a.file, a.mtime, a.size = nil, time.Time{}, 0
		return
	}
	if err != nil || (st.ModTime().Equal(a.mtime) && st.Size() == a.size) {
		return
	}
	f, err := readTokens(filepath.Dir(a.path))
	if err != nil {
		// Keep the tokens read last: a broken file must not lock
		// everyone out, nor let anyone in.
		a.log("reading the token file", err)
		return
	}
	m := make(map[string]bool, len(f.Tokens))
	for _, t := range f.Tokens {
		m[strings.ToLower(t.SHA256)] = true
	}
	a.file, a.mtime, a.size = m, st.ModTime(), st.Size()
}

// Authenticate reports whether token is accepted. Safe for concurrent use.
func (a *authenticator) Authenticate(token string) bool {
	h := HashToken(token)
	if a.static[h] {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if now := time.Now(); now.Sub(a.checkedAt) >= a.recheck {
		a.reload(now)
	}
	return a.file[h]
}
