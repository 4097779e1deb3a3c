package portal_test

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// TestOutboxIsWrittenWithTheNotice: a join request queues one e-mail per
// delegated administrator, addressed to their e-mail, in their language,
// with the names the message shows; a refused action queues nothing.
func TestOutboxIsWrittenWithTheNotice(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Account](t)(svc.SetLanguage(ctx, "adm", "adm", "en"))
		_, err := svc.SetLanguage(ctx, "adm", "adm", "de")
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.SetLanguage(ctx, "stranger", "adm", "fr")
		if err == nil {
			t.Fatal("a stranger set someone else's language")
		}
		before := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0))
		r := must[portal.JoinRequest](t)(svc.RequestJoin(ctx, "stranger", "ign", "bonjour"))
		_, err = svc.RequestJoin(ctx, "stranger", "ign", "again") // refused: one pending request
		wantErr(t, err, portal.ErrConflict)
		after := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0))
		queued := after[len(before):]
		// adm is ign's delegated administrator; dis is one too, disabled:
		// it gets the notice, not the e-mail.
		if len(queued) != 1 || queued[0].Account != "adm" || queued[0].Kind != "join_request.created" {
			t.Fatalf("got %+v, want a join_request.created e-mail to adm only", queued)
		}
		m := queued[0]
		if m.To != "adm@example.org" || m.Language != "en" {
			t.Errorf("got to %q in %q, want adm@example.org in en", m.To, m.Language)
		}
		if ns := must[[]store.Doc](t)(e.st.ListDocs(ctx, "notice", "dis", "", 100)); len(ns) == 0 {
			t.Error("the disabled administrator has no notice")
		}
		if m.Data["request"] != r.ID || m.Names["organisation"] != "IGN" || m.Names["account"] != "Person stranger" || m.Names["account_email"] != "stranger@example.org" {
			t.Errorf("got data %v names %v", m.Data, m.Names)
		}
		ns := must[[]portal.Notice](t)(svc.Notices(ctx, "adm", "", 100))
		if ns[len(ns)-1].ID != m.ID {
			t.Errorf("got mail %s, want the notice's id %s", m.ID, ns[len(ns)-1].ID)
		}
		// Notices that are not e-mailed queue nothing.
		n := len(after)
		must[portal.JoinRequest](t)(svc.CancelJoinRequest(ctx, "stranger", r.ID))
		if got := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0)); len(got) != n {
			t.Errorf("cancelling queued %d e-mails", len(got)-n)
		}
	})
}

// TestOutboxKeepsSecretsOutOfNoticesAndAudit: a link travels in the
// outbox entry only, and leaves it once the e-mail is sent.
func TestOutboxKeepsSecretsOutOfNoticesAndAudit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		const link = "/reset/SECRET-abcdef"
		ok(t, svc.NotifyForTest(ctx, "reg", "account.password_reset", map[string]string{"link": link, "secret_code": "123456", "expires": "2026-06-02"}))
		for _, n := range must[[]portal.Notice](t)(svc.Notices(ctx, "reg", "", 100)) {
			if b, _ := json.Marshal(n); strings.Contains(string(b), "SECRET") || strings.Contains(string(b), "123456") {
				t.Fatalf("the notice holds the secret: %s", b)
			}
		}
		ms := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0))
		m := ms[len(ms)-1]
		if m.Kind != "account.password_reset" || m.Data["link"] != link || m.Data["expires"] != "2026-06-02" {
			t.Fatalf("got %+v, want the reset e-mail with its link", m)
		}
		claimed := must[[]portal.Mail](t)(svc.Outbox().ClaimMail(ctx, "node-a", e.clock.Now(), time.Minute, 100))
		if len(claimed) != len(ms) {
			t.Fatalf("claimed %d, want %d", len(claimed), len(ms))
		}
		ok(t, svc.Outbox().MailSent(ctx, "node-a", m.ID, e.clock.Now()))
		sent := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailSentStatus, "", 0))
		if len(sent) != 1 || sent[0].Data["link"] != "" || sent[0].Data["secret_code"] != "" || sent[0].Data["expires"] == "" {
			t.Fatalf("got sent %+v, want the entry without its secrets", sent)
		}
		audit := must[[]store.AuditEntry](t)(e.st.Audit(ctx, store.AuditQuery{Limit: 10000}))
		for _, a := range audit {
			if strings.Contains(string(a.Before)+string(a.After), "SECRET") {
				t.Fatalf("audit entry %s holds the secret", a.Action)
			}
		}
	})
}

// TestOutboxClaimsAreExclusive: senders racing for the same entries each
// get a disjoint share; a lease that ran out is taken over; retries wait
// for their time and stop after MaxMailAttempts; a refused address fails
// at once and is audited, without its data.
func TestOutboxClaimsAreExclusive(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for range 10 {
			ok(t, svc.NotifyForTest(ctx, "reg", "account.invitation", map[string]string{"link": "/x"}))
		}
		total := len(must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0)))
		now := e.clock.Now()
		var mu sync.Mutex
		owner := map[string]string{}
		var wg sync.WaitGroup
		for _, node := range []string{"a", "b", "c", "d"} {
			wg.Go(func() {
				for {
					ms, err := svc.Outbox().ClaimMail(ctx, node, now, time.Minute, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ms) == 0 {
						return
					}
					mu.Lock()
					for _, m := range ms {
						if prev, dup := owner[m.ID]; dup {
							t.Errorf("%s claimed by %s and %s", m.ID, prev, node)
						}
						owner[m.ID] = node
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(owner) != total {
			t.Fatalf("claimed %d, want %d", len(owner), total)
		}
		// Nothing is due while leased.
		if ms := must[[]portal.Mail](t)(svc.Outbox().ClaimMail(ctx, "e", now.Add(59*time.Second), time.Minute, 100)); len(ms) != 0 {
			t.Fatalf("claimed %d leased entries", len(ms))
		}
		// The leases run out: node e takes everything over.
		later := now.Add(time.Minute)
		ms := must[[]portal.Mail](t)(svc.Outbox().ClaimMail(ctx, "e", later, time.Minute, 100))
		if len(ms) != total || ms[0].Attempts != 2 {
			t.Fatalf("got %d entries (attempts %d), want %d at attempt 2", len(ms), ms[0].Attempts, total)
		}
		// The old holder's failure report is ignored: e holds it now.
		if final := must[bool](t)(svc.Outbox().MailFailed(ctx, owner[ms[0].ID], ms[0].ID, "x", true, later, later)); final {
			t.Error("a former holder failed an entry")
		}
		// A temporary failure waits for its next attempt.
		first := ms[0]
		next := later.Add(10 * time.Minute)
		if final := must[bool](t)(svc.Outbox().MailFailed(ctx, "e", first.ID, "421 try later", false, later, next)); final {
			t.Fatal("a temporary failure at attempt 2 was final")
		}
		for _, m := range ms[1:] {
			ok(t, svc.Outbox().MailSent(ctx, "e", m.ID, later))
		}
		if got := must[[]portal.Mail](t)(svc.Outbox().ClaimMail(ctx, "f", next.Add(-time.Second), time.Minute, 100)); len(got) != 0 {
			t.Fatalf("claimed %d entries before their next attempt", len(got))
		}
		at := next
		for attempt := 3; ; attempt++ {
			got := must[[]portal.Mail](t)(svc.Outbox().ClaimMail(ctx, "f", at, time.Minute, 100))
			if len(got) != 1 || got[0].ID != first.ID || got[0].Attempts != attempt {
				t.Fatalf("attempt %d: got %+v", attempt, got)
			}
			final := must[bool](t)(svc.Outbox().MailFailed(ctx, "f", first.ID, "421 try later", false, at, at.Add(time.Second)))
			if final != (attempt == portal.MaxMailAttempts) {
				t.Fatalf("attempt %d: final %v", attempt, final)
			}
			if final {
				break
			}
			at = at.Add(time.Second)
		}
		failed := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailFailedStatus, "", 0))
		if len(failed) != 1 || failed[0].Data["link"] != "" || failed[0].LastError != "421 try later" {
			t.Fatalf("got failed %+v", failed)
		}
		audit := must[[]store.AuditEntry](t)(e.st.Audit(ctx, store.AuditQuery{Resource: "account:" + first.Account}))
		last := audit[len(audit)-1]
		if last.Action != "mail.failed" || !strings.Contains(string(last.After), first.To) || strings.Contains(string(last.After), "/x") {
			t.Errorf("got audit %s %s, want mail.failed naming the address, without the link", last.Action, last.After)
		}
		// Sent and failed entries are not claimed again, nor changed.
		ok(t, svc.Outbox().MailSent(ctx, "f", first.ID, at))
		if got := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailFailedStatus, "", 0)); len(got) != 1 {
			t.Errorf("a failed entry became sent")
		}
		if got := must[[]portal.Mail](t)(svc.Outbox().ClaimMail(ctx, "g", at.Add(time.Hour), time.Minute, 100)); len(got) != 0 {
			t.Errorf("claimed %d finished entries", len(got))
		}
	})
}

// TestMailOff: an account turns some e-mails off (the notices are still
// recorded); the security ones cannot be, nor unknown kinds; a link still
// reaches it.
func TestMailOff(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for _, bad := range [][]string{{"account.created"}, {"nope"}, {"join_request.created", ""}} {
			_, err := svc.SetMailOff(ctx, "adm", "adm", bad)
			wantErr(t, err, portal.ErrInvalid)
		}
		if _, err := svc.SetMailOff(ctx, "stranger", "adm", nil); err == nil {
			t.Fatal("a stranger changed someone's e-mails")
		}
		a := must[portal.Account](t)(svc.SetMailOff(ctx, "adm", "adm", []string{"join_request.created", "grant.expiring", "join_request.created"}))
		if !slices.Equal(a.MailOff, []string{"grant.expiring", "join_request.created"}) {
			t.Fatalf("got %v", a.MailOff)
		}
		before := len(must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0)))
		must[portal.JoinRequest](t)(svc.RequestJoin(ctx, "stranger", "ign", ""))
		ok(t, svc.NotifyForTest(ctx, "adm", "account.password_reset", map[string]string{"link": "/reset/x"}))
		after := must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0))
		if len(after) != before+1 || after[len(after)-1].Kind != "account.password_reset" {
			t.Fatalf("queued %+v, want the reset e-mail only", after[before:])
		}
		ns := must[[]portal.Notice](t)(svc.Notices(ctx, "adm", "", 100))
		if ns[len(ns)-2].Kind != "join_request.created" {
			t.Error("the join request's notice was not recorded")
		}
		a = must[portal.Account](t)(svc.SetMailOff(ctx, "manager", "adm", nil))
		if len(a.MailOff) != 0 {
			t.Errorf("got %v after clearing", a.MailOff)
		}
	})
}
