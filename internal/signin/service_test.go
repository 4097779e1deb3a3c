package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/store/storetest"
)

// env is a portal on a real SQLite database, with its index following
// the store, a credentials cache of sessions and a clock the test moves.
type env struct {
	t      testing.TB
	ctx    context.Context
	st     *sqlite.Store
	idx    *index.Index
	eng    *engine.Engine
	creds  *credentials.Cache
	portal *portal.Service
	signin *Service
	mu     sync.Mutex
	clock  time.Time
	admin  string
}

func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clock
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = e.clock.Add(d)
}

func newEnv(t testing.TB) *env {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "octroi.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteSchema(ctx, portal.Schema); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, st: st, idx: index.New(), clock: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	sch, err := schema.Parse(portal.Schema)
	if err != nil {
		t.Fatal(err)
	}
	e.eng = engine.New(e.idx)
	e.eng.SetSchema(sch)
	if e.creds, err = credentials.NewCache(ctx, st, nil, portal.KindToken, portal.KindSession); err != nil {
		t.Fatal(err)
	}
	if e.portal, err = portal.New(portal.Config{Docs: st, Store: st, Engine: func() *engine.Engine { return e.eng }, Sync: e.sync, Now: e.now, Credentials: e.creds}); err != nil {
		t.Fatal(err)
	}
	if e.signin, err = New(Config{Accounts: e.portal, Sessions: e.creds, IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 8 * time.Hour, Params: testParams, Now: e.now}); err != nil {
		t.Fatal(err)
	}
	admin, _, err := e.portal.Bootstrap(ctx, "admin@example.org", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	e.admin = admin.ID
	return e
}

// sync applies the changelog to the index until it has applied rev.
func (e *env) sync(ctx context.Context, rev store.Revision) error {
	return storetest.SyncIndex(ctx, e.st, e.idx, rev)
}

// link reads the last link's secret of kind sent to account, where the
// e-mail is made from: the notice record, or the outbox entry when the
// outbox keeps links out of notices.
func (e *env) link(account, kind string) string {
	e.t.Helper()
	secret := ""
	for _, where := range []struct{ kind, parent string }{{"notice", account}, {"mail", "pending"}} {
		docs, err := e.st.ListDocs(e.ctx, where.kind, where.parent, "", 0)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, d := range docs {
			var n struct {
				Kind    string            `json:"kind"`
				To      string            `json:"to"`
				Account string            `json:"account"`
				Data    map[string]string `json:"data"`
			}
			if err := json.Unmarshal(d.Data, &n); err != nil {
				e.t.Fatal(err)
			}
			if n.Kind != kind || (n.To != account && n.Account != account) || n.Data[portal.NoticeSecret] == "" {
				continue
			}
			u, err := url.Parse(n.Data[portal.NoticeSecret])
			if err != nil {
				e.t.Fatal(err)
			}
			secret = u.Query().Get("token")
		}
	}
	if secret == "" {
		e.t.Fatalf("no %s link for %s", kind, account)
	}
	return secret
}

// person creates an account through an account manager's invitation and
// sets its password through the link.
func (e *env) person(email, password string) portal.Account {
	e.t.Helper()
	a, err := e.portal.CreateAccount(e.ctx, e.admin, portal.Account{Email: email, Name: email})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.signin.SetPasswordWithLink(e.ctx, e.link(a.ID, portal.NoticeAccountCreated), password); err != nil {
		e.t.Fatal(err)
	}
	return a
}

func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	if err == nil || keyOf(err) != key {
		t.Fatalf("got error %v, want %s", err, key)
	}
}

const goodPassword = "correct horse battery staple"

var here = Client{Address: "192.0.2.1", UserAgent: "test"}

func TestSignInAndSessions(t *testing.T) {
	e := newEnv(t)
	ada := e.person("ada@example.org", goodPassword)

	// Wrong password, unknown e-mail, an account without a password yet:
	// one answer.
	_, _, err := e.signin.SignIn(e.ctx, "ada@example.org", "wrong password!", here)
	wantKey(t, err, "signin.bad_credentials")
	_, _, err = e.signin.SignIn(e.ctx, "nobody@example.org", goodPassword, here)
	wantKey(t, err, "signin.bad_credentials")
	invited, err := e.portal.CreateAccount(e.ctx, e.admin, portal.Account{Email: "invited@example.org", Name: "Invited"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.signin.SignIn(e.ctx, invited.Email, "", here)
	wantKey(t, err, "signin.bad_credentials")

	ses, secret, err := e.signin.SignIn(e.ctx, " ADA@example.org", goodPassword, here)
	if err != nil {
		t.Fatal(err)
	}
	if ses.Account != ada.ID || !ses.ExpiresAt.Equal(e.now().Add(8*time.Hour)) || ses.Address != here.Address {
		t.Errorf("session %+v", ses)
	}
	acc, id, err := e.signin.Authenticate(e.ctx, secret)
	if err != nil || acc.ID != ada.ID || id != ses.ID {
		t.Fatalf("Authenticate: %+v %s %v", acc, id, err)
	}
	_, _, err = e.signin.Authenticate(e.ctx, secret+"x")
	wantKey(t, err, "signin.session_invalid")

	// Idle: used within the timeout it lives on; idle past it, it ends
	// for good.
	e.advance(20 * time.Minute)
	if _, _, err := e.signin.Authenticate(e.ctx, secret); err != nil {
		t.Fatal(err)
	}
	e.advance(31 * time.Minute)
	_, _, err = e.signin.Authenticate(e.ctx, secret)
	wantKey(t, err, "signin.session_expired")
	_, _, err = e.signin.Authenticate(e.ctx, secret)
	wantKey(t, err, "signin.session_invalid") // closed

	// Another node saw it used: this node asks the database before
	// refusing. (A fresh Service is a node that never saw the session.)
	_, secret, _ = e.signin.SignIn(e.ctx, "ada@example.org", goodPassword, here)
	other, _ := New(Config{Accounts: e.portal, Sessions: e.creds, IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 8 * time.Hour, Params: testParams, Now: e.now})
	if _, _, err := other.Authenticate(e.ctx, secret); err != nil {
		t.Fatalf("a node that never saw a fresh session refuses it: %v", err)
	}

	// Absolute: past eight hours, even in use.
	for range 9 {
		e.advance(29 * time.Minute)
		if _, _, err := e.signin.Authenticate(e.ctx, secret); err != nil {
			t.Fatal(err)
		}
		_ = e.creds.Refresh(e.ctx) // records the use, as the follower would
	}
	for range 8 {
		e.advance(29 * time.Minute)
		_, _, err = e.signin.Authenticate(e.ctx, secret)
		if err != nil {
			break
		}
	}
	wantKey(t, err, "signin.session_expired")

	// Sign out.
	_, secret, _ = e.signin.SignIn(e.ctx, "ada@example.org", goodPassword, here)
	if err := e.signin.SignOut(e.ctx, secret); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.signin.Authenticate(e.ctx, secret)
	wantKey(t, err, "signin.session_invalid")
	if err := e.signin.SignOut(e.ctx, secret); err != nil {
		t.Errorf("signing out twice: %v", err)
	}

	// Disabling the account ends its sessions at once.
	_, secret, _ = e.signin.SignIn(e.ctx, "ada@example.org", goodPassword, here)
	if _, err := e.portal.SetAccountStatus(e.ctx, e.admin, ada.ID, portal.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.signin.Authenticate(e.ctx, secret); err == nil {
		t.Error("a disabled account's session is accepted")
	}
	_, _, err = e.signin.SignIn(e.ctx, "ada@example.org", goodPassword, here)
	wantKey(t, err, "signin.bad_credentials")
}

func TestSignInThrottled(t *testing.T) {
	e := newEnv(t)
	e.person("ada@example.org", goodPassword)
	for range 3 {
		_, _, err := e.signin.SignIn(e.ctx, "ada@example.org", "wrong password!", here)
		wantKey(t, err, "signin.bad_credentials")
	}
	_, _, err := e.signin.SignIn(e.ctx, "ada@example.org", goodPassword, here)
	var te *ThrottledError
	if !errors.As(err, &te) || te.RetryAfter != 1 || !errors.Is(err, portal.ErrUnauthenticated) {
		t.Fatalf("got %v, want a ThrottledError of one second", err)
	}
	// Unknown e-mails are throttled alike (the throttle tells nothing).
	for range 3 {
		_, _, _ = e.signin.SignIn(e.ctx, "nobody@example.org", "wrong password!", here)
	}
	_, _, err = e.signin.SignIn(e.ctx, "nobody@example.org", "wrong password!", here)
	if !errors.As(err, &te) {
		t.Errorf("unknown e-mail: got %v, want a ThrottledError", err)
	}
	// From elsewhere, the owner signs in.
	if _, _, err := e.signin.SignIn(e.ctx, "ada@example.org", goodPassword, Client{Address: "198.51.100.7"}); err != nil {
		t.Errorf("the owner, from another address: %v", err)
	}
	e.advance(time.Second)
	if _, _, err := e.signin.SignIn(e.ctx, "ada@example.org", goodPassword, here); err != nil {
		t.Errorf("after the delay: %v", err)
	}
}

func TestPasswordUpgradeAndChange(t *testing.T) {
	e := newEnv(t)
	ada := e.person("ada@example.org", goodPassword)
	_, before, _ := e.portal.PasswordHash(e.ctx, "ada@example.org")
	stronger := testParams
	stronger.Time = 2
	s2, _ := New(Config{Accounts: e.portal, Sessions: e.creds, Params: stronger, Now: e.now})
	ses, _, err := s2.SignIn(e.ctx, "ada@example.org", goodPassword, here)
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := e.portal.PasswordHash(e.ctx, "ada@example.org")
	if after == before || after[:len("$argon2id$v=19$m=1024,t=2")] != "$argon2id$v=19$m=1024,t=2" {
		t.Errorf("hash not upgraded: %s → %s", before, after)
	}
	// Changing: the current password is checked, the new one too; the
	// other sessions end.
	_, otherSecret, _ := s2.SignIn(e.ctx, "ada@example.org", goodPassword, Client{Address: "198.51.100.7"})
	wantKey(t, s2.ChangePassword(e.ctx, ada.ID, ses.ID, "not it at all", "a new passphrase for ada", here), "signin.wrong_password")
	wantKey(t, s2.ChangePassword(e.ctx, ada.ID, ses.ID, goodPassword, "password123", here), "signin.password_common")
	if err := s2.ChangePassword(e.ctx, ada.ID, ses.ID, goodPassword, "a new passphrase for ada", here); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s2.Authenticate(e.ctx, otherSecret); err == nil {
		t.Error("another session survives a password change")
	}
	if _, _, err := s2.SignIn(e.ctx, "ada@example.org", "a new passphrase for ada", Client{Address: "192.0.2.99"}); err != nil {
		t.Error(err)
	}
	// A weak password through a link is refused, and the link stays usable.
	if err := e.signin.RequestPasswordReset(e.ctx, "ada@example.org", here); err != nil {
		t.Fatal(err)
	}
	link := e.link(ada.ID, portal.NoticePasswordReset)
	_, err = e.signin.SetPasswordWithLink(e.ctx, link, "ada@example.org")
	wantKey(t, err, "signin.password_email")
	if _, err := e.signin.SetPasswordWithLink(e.ctx, link, "yet another good passphrase"); err != nil {
		t.Fatal(err)
	}
}

func TestRequestsThrottled(t *testing.T) {
	e := newEnv(t)
	var err error
	for i := range 10 {
		if err = e.signin.RequestPasswordReset(e.ctx, "nobody@example.org", here); err != nil {
			if i < 5 {
				t.Fatalf("request %d refused: %v", i, err)
			}
			break
		}
	}
	var te *ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("ten requests from one address: got %v, want a ThrottledError", err)
	}
	wantKey(t, e.signin.Register(e.ctx, "x@example.org", "X", Client{Address: "198.51.100.7"}), "portal.registration_closed")
}

// TestSignInCostsTheSame: an unknown e-mail, an account without a
// password, a wrong and a right password each cost one password check
// with the same parameters, so that the time an answer takes does not
// tell whether an e-mail has an account (measured by what is computed,
// not by a clock).
func TestSignInCostsTheSame(t *testing.T) {
	e := newEnv(t)
	e.person("ada@example.org", goodPassword)
	if _, err := e.portal.CreateAccount(e.ctx, e.admin, portal.Account{Email: "invited@example.org", Name: "Invited"}); err != nil {
		t.Fatal(err)
	}
	if h, _ := parsePHC(e.signin.dummy); h.p != testParams {
		t.Errorf("the stand-in hash has parameters %+v, want the service's %+v", h.p, testParams)
	}
	for i, tt := range []struct{ email, password string }{
		{"nobody@example.org", goodPassword},
		{"invited@example.org", goodPassword},
		{"ada@example.org", "wrong password!"},
		{"ada@example.org", goodPassword},
	} {
		before := e.signin.verified.Load()
		_, _, _ = e.signin.SignIn(e.ctx, tt.email, tt.password, Client{Address: fmt.Sprint("192.0.2.", i)})
		if n := e.signin.verified.Load() - before; n != 1 {
			t.Errorf("%s: %d password checks, want 1", tt.email, n)
		}
	}
}

func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		DefaultParams.Hash(goodPassword)
	}
}

// BenchmarkAuthenticate: a request's session check (memory: the
// credentials cache, the seen map, the account in the index).
func BenchmarkAuthenticate(b *testing.B) {
	e := newEnv(b)
	e.person("ada@example.org", goodPassword)
	_, secret, err := e.signin.SignIn(e.ctx, "ada@example.org", goodPassword, here)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := e.signin.Authenticate(e.ctx, secret); err != nil {
			b.Fatal(err)
		}
	}
}
