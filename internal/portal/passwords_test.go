package portal_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// linkSecrets reads the account links' secrets sent to account in
// notices of kind, where the e-mail is made from: the notice record, or
// the outbox entry when the outbox keeps links out of notices (the notices
// API leaves them out either way).
func linkSecrets(t *testing.T, e *env, account, kind string) []string {
	t.Helper()
	var out []string
	for _, where := range []struct{ kind, parent string }{{"notice", account}, {"mail", "pending"}} {
		docs, err := e.st.ListDocs(e.ctx, where.kind, where.parent, "", 0)
		ok(t, err)
		for _, d := range docs {
			var n struct {
				Kind    string            `json:"kind"`
				To      string            `json:"to"`
				Account string            `json:"account"`
				Data    map[string]string `json:"data"`
			}
			ok(t, json.Unmarshal(d.Data, &n))
			if n.Kind != kind || (n.To != account && n.Account != account) {
				continue
			}
			if link := n.Data[portal.NoticeSecret]; link != "" {
				u, err := url.Parse(link)
				ok(t, err)
				if u.Path != portal.LinkPath || u.Query().Get("token") == "" {
					t.Fatalf("link %q", link)
				}
				out = append(out, u.Query().Get("token"))
			}
		}
	}
	return out
}

// noSecretInAudit fails when any audit entry holds one of secrets.
func noSecretInAudit(t *testing.T, e *env, secrets ...string) {
	t.Helper()
	entries, err := e.st.Audit(e.ctx, store.AuditQuery{Limit: 100000})
	ok(t, err)
	for _, en := range entries {
		for _, s := range secrets {
			if strings.Contains(string(en.Before)+string(en.After), s) {
				t.Errorf("audit entry %s holds a link's secret", en.Action)
			}
		}
	}
}

func TestInvitationLink(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		// Created by an account manager: an invitation with a link.
		a := must[portal.Account](t)(svc.CreateAccount(ctx, "manager", portal.Account{Email: "Newcomer@example.org", Name: "Newcomer"}))
		secrets := linkSecrets(t, e, a.ID, portal.NoticeAccountCreated)
		if len(secrets) != 1 {
			t.Fatalf("got %d invitations, want 1", len(secrets))
		}
		for _, n := range must[[]portal.Notice](t)(svc.Notices(ctx, a.ID, "", 10)) {
			if _, ok := n.Data[portal.NoticeSecret]; ok {
				t.Errorf("the notices API shows a link's secret: %+v", n)
			}
		}
		noSecretInAudit(t, e, secrets...)
		// No password yet: nothing to sign in with.
		_, _, err := svc.PasswordHash(ctx, "newcomer@example.org")
		wantErr(t, err, portal.ErrNotFound)

		got := must[portal.Account](t)(svc.LinkAccount(ctx, secrets[0]))
		if got.ID != a.ID {
			t.Errorf("link account %s, want %s", got.ID, a.ID)
		}
		must[portal.Account](t)(svc.UseLink(ctx, secrets[0], "$argon2id$stand-in"))
		acc, hash := mustHash(t)(svc.PasswordHash(ctx, " NEWCOMER@example.org"))
		if acc.ID != a.ID || hash != "$argon2id$stand-in" {
			t.Errorf("password of %s: %q", acc.ID, hash)
		}
		// Single use.
		_, err = svc.UseLink(ctx, secrets[0], "$other")
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.LinkAccount(ctx, secrets[0])
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.UseLink(ctx, "", "$other")
		wantErr(t, err, portal.ErrInvalid)

		// Expired after a week.
		b := must[portal.Account](t)(svc.CreateAccount(ctx, w.admin, portal.Account{Email: "late@example.org", Name: "Late"}))
		late := linkSecrets(t, e, b.ID, portal.NoticeAccountCreated)[0]
		e.clock.Advance(portal.LinkTTL[portal.LinkInvitation])
		_, err = svc.UseLink(ctx, late, "$x")
		wantErr(t, err, portal.ErrInvalid)

		// A disabled account's password is never given out, nor its link used.
		_, _, err = svc.PasswordHash(ctx, "dis@example.org")
		wantErr(t, err, portal.ErrNotFound)
	})
}

func mustHash(t *testing.T) func(a portal.Account, h string, err error) (portal.Account, string) {
	return func(a portal.Account, h string, err error) (portal.Account, string) {
		t.Helper()
		ok(t, err)
		return a, h
	}
}

func TestPasswordReset(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		// Unknown, malformed and disabled e-mails: the same nil, no notice.
		for _, email := range []string{"nobody@example.org", "not an address", "", "dis@example.org"} {
			ok(t, svc.RequestPasswordReset(ctx, email))
		}
		if n := len(linkSecrets(t, e, "dis", portal.NoticePasswordReset)); n != 0 {
			t.Errorf("a disabled account got %d reset links", n)
		}
		ok(t, svc.RequestPasswordReset(ctx, "Stranger@Example.org"))
		ok(t, svc.RequestPasswordReset(ctx, "stranger@example.org")) // within a minute: not sent again
		secrets := linkSecrets(t, e, "stranger", portal.NoticePasswordReset)
		if len(secrets) != 1 {
			t.Fatalf("got %d reset links, want 1", len(secrets))
		}
		noSecretInAudit(t, e, secrets...)
		// A session open before the reset ends with it.
		_, sec := must3(t)(svc.OpenSession(ctx, "stranger", e.clock.Now().Add(time.Hour), "192.0.2.1", "test"))
		e.clock.Advance(2 * time.Minute)
		ok(t, svc.RequestPasswordReset(ctx, "stranger@example.org"))
		if n := len(linkSecrets(t, e, "stranger", portal.NoticePasswordReset)); n != 2 {
			t.Fatalf("after a minute: %d reset links, want 2", n)
		}
		must[portal.Account](t)(svc.UseLink(ctx, secrets[0], "$h"))
		if ss := must[[]portal.Session](t)(svc.Sessions(ctx, "stranger", "stranger")); len(ss) != 0 {
			t.Errorf("sessions left after a reset: %+v (%s)", ss, sec[:4])
		}
		// Using one link voids the account's others.
		second := linkSecrets(t, e, "stranger", portal.NoticePasswordReset)[1]
		_, err := svc.UseLink(ctx, second, "$h2")
		wantErr(t, err, portal.ErrInvalid)
		// An hour later a reset link is dead.
		e.clock.Advance(2 * time.Minute)
		ok(t, svc.RequestPasswordReset(ctx, "stranger@example.org"))
		third := linkSecrets(t, e, "stranger", portal.NoticePasswordReset)[2]
		e.clock.Advance(time.Hour)
		_, err = svc.UseLink(ctx, third, "$h3")
		wantErr(t, err, portal.ErrInvalid)
	})
}

func must3(t *testing.T) func(s portal.Session, secret string, err error) (portal.Session, string) {
	return func(s portal.Session, secret string, err error) (portal.Session, string) {
		t.Helper()
		ok(t, err)
		return s, secret
	}
}

func TestRegister(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		ctx := e.ctx
		wantErr(t, e.svc.Register(ctx, "someone@example.org", "Someone"), portal.ErrForbidden) // off by default
		creds, err := credentials.NewCache(ctx, e.st, nil, portal.KindToken, portal.KindSession)
		ok(t, err)
		open, err := portal.New(portal.Config{Docs: e.st, Store: e.st, Engine: func() *engine.Engine { return e.eng }, Sync: e.sync, Now: e.clock.Now, Credentials: creds, SelfRegistration: true})
		ok(t, err)
		wantErr(t, open.Register(ctx, "not an address", "X"), portal.ErrInvalid)
		ok(t, open.Register(ctx, "someone@example.org", "Someone"))
		// Pending: no account anyone could find, add or grant, and no
		// password to sign in with.
		if acc := must[[]portal.Account](t)(open.SearchAccounts(ctx, "manager", "someone", 10)); len(acc) != 0 {
			t.Fatalf("an unverified registration is an account: %+v", acc)
		}
		_, _, err = open.PasswordHash(ctx, "someone@example.org")
		wantErr(t, err, portal.ErrNotFound)
		secrets := linkSecrets(t, e, "someone@example.org", portal.NoticeVerifyEmail)
		if len(secrets) != 1 {
			t.Fatalf("got %d verification links, want 1", len(secrets))
		}
		// Registering again within a minute sends nothing more; after,
		// a new link; both links work until one is used.
		ok(t, open.Register(ctx, "someone@example.org", "Someone"))
		e.clock.Advance(2 * time.Minute)
		ok(t, open.Register(ctx, "someone@example.org", "Someone Else"))
		secrets = linkSecrets(t, e, "someone@example.org", portal.NoticeVerifyEmail)
		if len(secrets) != 2 {
			t.Fatalf("got %d verification links after registering again, want 2", len(secrets))
		}
		// Registering a taken e-mail answers the same, and sends its owner
		// a reset link instead of telling the registrant.
		ok(t, open.Register(ctx, "stranger@example.org", "Impostor"))
		if n := len(linkSecrets(t, e, "stranger", portal.NoticePasswordReset)); n != 1 {
			t.Errorf("the taken e-mail's owner got %d reset links, want 1", n)
		}
		if a := must[portal.Account](t)(open.LinkAccount(ctx, secrets[0])); a.Email != "someone@example.org" {
			t.Errorf("the link's account: %+v", a)
		}
		a := must[portal.Account](t)(open.UseLink(ctx, secrets[0], "$h"))
		if a.Name != "Someone Else" || a.Status != portal.AccountActive {
			t.Errorf("the account made: %+v", a)
		}
		_, h := mustHash(t)(open.PasswordHash(ctx, "someone@example.org"))
		if h != "$h" {
			t.Errorf("hash %q", h)
		}
		if acc := must[[]portal.Account](t)(open.SearchAccounts(ctx, "manager", "someone", 10)); len(acc) != 1 || acc[0].ID != a.ID {
			t.Fatalf("the verified account: %+v", acc)
		}
		_, err = open.UseLink(ctx, secrets[1], "$h2") // used up with the other
		wantErr(t, err, portal.ErrInvalid)
		noSecretInAudit(t, e, secrets...)
	})
}

// TestRegistrationsExpire: a registration nobody verified expires with its
// link, and the purge deletes it; the address can register again. An
// address that got an account meanwhile voids the registration's link.
func TestRegistrationsExpire(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		ctx := e.ctx
		creds, err := credentials.NewCache(ctx, e.st, nil, portal.KindToken, portal.KindSession)
		ok(t, err)
		open, err := portal.New(portal.Config{Docs: e.st, Store: e.st, Engine: func() *engine.Engine { return e.eng }, Sync: e.sync, Now: e.clock.Now, Credentials: creds, SelfRegistration: true})
		ok(t, err)
		ok(t, open.Register(ctx, "late@example.org", "Late"))
		ok(t, open.Register(ctx, "taken@example.org", "Taken"))
		late := linkSecrets(t, e, "late@example.org", portal.NoticeVerifyEmail)[0]
		if n := must[int](t)(open.PurgeRegistrations(ctx)); n != 0 {
			t.Errorf("purged %d live registrations", n)
		}
		// An account manager makes an account for taken@ meanwhile.
		must[portal.Account](t)(open.CreateAccount(ctx, "manager", portal.Account{Email: "taken@example.org", Name: "Taken by hand"}))
		_, err = open.UseLink(ctx, linkSecrets(t, e, "taken@example.org", portal.NoticeVerifyEmail)[0], "$h")
		wantErr(t, err, portal.ErrInvalid)

		e.clock.Advance(portal.LinkTTL[portal.LinkVerify] + time.Minute)
		_, err = open.LinkAccount(ctx, late)
		wantErr(t, err, portal.ErrInvalid)
		// Two nodes purge at once: each registration goes once.
		other, err := portal.New(portal.Config{Docs: e.st, Store: e.st, Engine: func() *engine.Engine { return e.eng }, Sync: e.sync, Now: e.clock.Now, Credentials: creds, SelfRegistration: true})
		ok(t, err)
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, node := range []*portal.Service{open, other} {
			wg.Go(func() {
				n, err := node.PurgeRegistrations(ctx)
				if err != nil {
					t.Errorf("node %d: %v", i, err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		if counts[0]+counts[1] != 2 {
			t.Errorf("two nodes purged %v expired registrations, want 2 in all", counts)
		}
		if n := must[int](t)(open.PurgeRegistrations(ctx)); n != 0 {
			t.Errorf("purged %d more on a second run", n)
		}
		if ds := must[[]store.Doc](t)(e.st.ListDocs(ctx, "registration", "", "", 0)); len(ds) != 0 {
			t.Errorf("%d registrations left", len(ds))
		}
		_, err = open.UseLink(ctx, late, "$h")
		wantErr(t, err, portal.ErrInvalid)
		// Registering again starts afresh.
		ok(t, open.Register(ctx, "late@example.org", "Late"))
		fresh := linkSecrets(t, e, "late@example.org", portal.NoticeVerifyEmail)
		must[portal.Account](t)(open.UseLink(ctx, fresh[len(fresh)-1], "$h"))
		if acc := must[[]portal.Account](t)(open.SearchAccounts(ctx, "manager", "late", 10)); len(acc) != 1 {
			t.Errorf("after registering again: %+v", acc)
		}
	})
}

func TestSessions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		until := e.clock.Now().Add(time.Hour)
		s1, _ := must3(t)(svc.OpenSession(ctx, "stranger", until, "192.0.2.1", strings.Repeat("x", 500)))
		s2, _ := must3(t)(svc.OpenSession(ctx, "stranger", until, "192.0.2.2", "b"))
		s3, _ := must3(t)(svc.OpenSession(ctx, "stranger", until, "192.0.2.3", "c"))
		if len(s1.UserAgent) != 200 {
			t.Errorf("user agent kept at %d bytes", len(s1.UserAgent))
		}
		_, _, err := svc.OpenSession(ctx, "dis", until, "", "")
		wantErr(t, err, portal.ErrForbidden) // disabled
		_, _, err = svc.OpenSession(ctx, "stranger", e.clock.Now(), "", "")
		wantErr(t, err, portal.ErrInvalid)

		// Owners and account managers list and close; others may not.
		_, err = svc.Sessions(ctx, "reg", "stranger")
		wantErr(t, err, portal.ErrForbidden)
		wantErr(t, svc.CloseSession(ctx, "reg", s1.ID), portal.ErrForbidden)
		_, err = svc.CloseSessions(ctx, "reg", "stranger", "")
		wantErr(t, err, portal.ErrForbidden)
		if ss := must[[]portal.Session](t)(svc.Sessions(ctx, "manager", "stranger")); len(ss) != 3 {
			t.Errorf("manager sees %d sessions, want 3", len(ss))
		}
		ok(t, svc.CloseSession(ctx, "stranger", s1.ID))
		wantErr(t, svc.CloseSession(ctx, "stranger", s1.ID), portal.ErrNotFound)
		n, err := svc.CloseSessions(ctx, "stranger", "stranger", s3.ID) // everywhere else
		ok(t, err)
		if ss := must[[]portal.Session](t)(svc.Sessions(ctx, "stranger", "stranger")); n != 1 || len(ss) != 1 || ss[0].ID != s3.ID {
			t.Errorf("after signing out elsewhere: closed %d, left %+v (s2 %s)", n, ss, s2.ID)
		}
		// An account manager may not close an administrator's session.
		sa, _ := must3(t)(svc.OpenSession(ctx, w.admin, until, "", ""))
		wantErr(t, svc.CloseSession(ctx, "manager", sa.ID), portal.ErrForbidden)
		// Disabling ends every session, and re-enabling does not bring them back.
		must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "stranger", portal.AccountDisabled))
		must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "stranger", portal.AccountActive))
		if ss := must[[]portal.Session](t)(svc.Sessions(ctx, "stranger", "stranger")); len(ss) != 0 {
			t.Errorf("sessions after disabling: %+v", ss)
		}
		// Past its absolute expiry a session is not listed.
		must3(t)(svc.OpenSession(ctx, "stranger", e.clock.Now().Add(time.Minute), "", ""))
		e.clock.Advance(time.Minute)
		if ss := must[[]portal.Session](t)(svc.Sessions(ctx, "stranger", "stranger")); len(ss) != 0 {
			t.Errorf("expired sessions listed: %+v", ss)
		}
	})
}

func TestSignInWithIdentity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		_ = newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		const iss = "https://idp.example.org"
		// Unknown identity: nobody, unless the platform matches verified
		// e-mails and the provider verified this one.
		_, err := svc.SignInWithIdentity(ctx, iss, "sub-1", "stranger@example.org", true, false)
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.SignInWithIdentity(ctx, iss, "sub-1", "stranger@example.org", false, true)
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.SignInWithIdentity(ctx, iss, "sub-1", "nobody@example.org", true, true)
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.SignInWithIdentity(ctx, iss, "sub-d", "dis@example.org", true, true)
		wantErr(t, err, portal.ErrNotFound) // disabled
		a := must[portal.Account](t)(svc.SignInWithIdentity(ctx, iss, "sub-1", "Stranger@example.org", true, true))
		if a.ID != "stranger" {
			t.Fatalf("linked to %s", a.ID)
		}
		// Linked: found by issuer and subject whatever the e-mail now.
		if a := must[portal.Account](t)(svc.SignInWithIdentity(ctx, iss, "sub-1", "", false, false)); a.ID != "stranger" {
			t.Errorf("found %s", a.ID)
		}
		// The same subject at another issuer is someone else.
		_, err = svc.SignInWithIdentity(ctx, "https://other.example.org", "sub-1", "", false, false)
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.SignInWithIdentity(ctx, iss, "sub 1", "", false, false)
		wantErr(t, err, portal.ErrInvalid)
		ids := must[[]portal.Identity](t)(svc.Identities(ctx, "stranger", "stranger"))
		if len(ids) != 1 || ids[0].Issuer != iss || ids[0].Subject != "sub-1" {
			t.Errorf("identities %+v", ids)
		}
		_, err = svc.Identities(ctx, "reg", "stranger")
		wantErr(t, err, portal.ErrForbidden)
		// Disabled later: the identity no longer signs in.
		must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "stranger", portal.AccountDisabled))
		_, err = svc.SignInWithIdentity(ctx, iss, "sub-1", "", false, false)
		wantErr(t, err, portal.ErrNotFound)
	})
}
