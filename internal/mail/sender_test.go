package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/octroi/octroi/internal/mail"
	"github.com/octroi/octroi/internal/mail/mailpittest"
	"github.com/octroi/octroi/internal/pgtest"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const publicURL = "https://data.example.org"

// node is one octroi server on a shared database, reached through its
// HTTP API, as a browser or a script would.
type node struct {
	t   testing.TB
	srv *server.Server
	h   http.Handler
	box portal.Outbox
	st  store.Store
}

// database names a database every node of a test opens.
type database struct {
	name string
	url  func(t *testing.T) string
}

var databases = []database{
	{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "octroi.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.URL(t) }},
}

// newNode starts a server on datastore ds; mc configures its own sender
// (none when SMTPAddr is empty).
func newNode(t testing.TB, ds string, mc server.MailConfig) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := server.Default()
	cfg.DataDir, cfg.Datastore, cfg.Mail = t.TempDir(), ds, mc
	cfg.PollInterval = 50 * time.Millisecond
	if cfg.Mail.SMTPTLS == "" {
		cfg.Mail.SMTPTLS = "starttls"
	}
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(ctx, cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start(ctx)
	t.Cleanup(func() { cancel(); st.Close() })
	box, ok := srv.Outbox()
	if !ok {
		t.Fatal("no outbox")
	}
	return &node{t: t, srv: srv, h: srv.Handler(), box: box, st: st}
}

// call sends an API request with a personal token and decodes the answer.
func (n *node) call(token, method, path string, body, out any) {
	n.t.Helper()
	if code, answer := n.try(token, method, path, body, out); code >= 300 {
		n.t.Fatalf("%s %s: %d %s", method, path, code, answer)
	}
}

// try sends an API request and returns its status and body, decoding a
// successful answer into out.
func (n *node) try(token, method, path string, body, out any) (int, string) {
	n.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	n.h.ServeHTTP(rec, req)
	if out != nil && rec.Code < 300 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			n.t.Fatal(err)
		}
	}
	return rec.Code, rec.Body.String()
}

// platform makes an administrator and an organisation ign whose delegated
// administrator is adm (adm@example.org), and returns the administrator's
// token and adm's.
func (n *node) platform() (admin, adm string) {
	n.t.Helper()
	ctx := context.Background()
	_, tok, err := n.srv.Portal().Bootstrap(ctx, "root@example.org", "Root", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		n.t.Fatal(err)
	}
	// Made the way `octroi admin create-user` does, so that the e-mails
	// the tests count are theirs only (an account an account manager
	// creates gets an invitation e-mail).
	admAcc, admTok, err := n.srv.Portal().Bootstrap(ctx, "adm@example.org", "Adèle Admin", nil)
	if err != nil {
		n.t.Fatal(err)
	}
	n.call(tok, "POST", "/api/v1/organisations", map[string]any{"id": "ign", "name": "IGN", "type": "state_service", "first_admin": admAcc.ID}, nil)
	return tok, admTok
}

// addMembers creates n new members of ign as its delegated administrator:
// each gets an account.created e-mail at name-i@example.org.
func (n *node) addMembers(admTok, name string, count int) []string {
	n.t.Helper()
	var out []string
	for i := range count {
		addr := fmt.Sprintf("%s-%d@example.org", name, i)
		n.call(admTok, "POST", "/api/v1/organisations/ign/members", map[string]any{
			"new_account": map[string]any{"email": addr, "name": fmt.Sprintf("Person %s %d", name, i)}, "role": "registered"}, nil)
		out = append(out, addr)
	}
	return out
}

func (n *node) mails(status string) []portal.Mail {
	n.t.Helper()
	ms, err := n.box.Mails(context.Background(), status, "", 0)
	if err != nil {
		n.t.Fatal(err)
	}
	return ms
}

// clock is the senders' clock: real time plus what the test adds.
type clock struct {
	mu  sync.Mutex
	add time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.add)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.add += d
}

func senderConfig(mp *mailpittest.Server, c *clock) mail.Config {
	return mail.Config{Addr: mp.SMTP, TLS: mail.TLSNone, From: "Plateforme <no-reply@example.org>", PublicURL: publicURL, Now: c.Now,
		RootCAs: mp.RootCAs, Timeout: 10 * time.Second, Lease: time.Minute, Batch: 5}
}

// TestSendsOverSMTP: the e-mails of real actions arrive at a real SMTP
// server, over STARTTLS, implicit TLS and plain SMTP, with
// authentication: addressed to the account, in its language, plain text
// and HTML, with the outbox entry's id as Message-ID; the outbox marks
// them sent.
func TestSendsOverSMTP(t *testing.T) {
	for _, mode := range []string{mail.TLSStartTLS, mail.TLSImplicit, mail.TLSNone} {
		t.Run(mode, func(t *testing.T) {
			mp := mailpittest.Start(t, mailpittest.Options{TLS: mode, User: "octroi", Password: "s3cret-pw"})
			n := newNode(t, databases[0].url(t), server.MailConfig{})
			_, adm := n.platform()
			// adm reads English; the new member French (the default).
			n.call(adm, "PUT", "/api/v1/me/language", map[string]any{"language": "en"}, nil)
			n.addMembers(adm, "new", 1)
			var stranger string
			{
				_, tok, err := n.srv.Portal().Bootstrap(context.Background(), "stranger@example.org", "Stéphane", nil)
				if err != nil {
					t.Fatal(err)
				}
				stranger = tok
			}
			n.call(stranger, "POST", "/api/v1/organisations/ign/join-requests", map[string]any{"message": "bonjour"}, nil)
			c := &clock{}
			cfg := senderConfig(mp, c)
			cfg.TLS, cfg.User, cfg.Password = mode, "octroi", "s3cret-pw"
			reg := prometheus.NewRegistry()
			cfg.Metrics = reg
			s, err := mail.New(cfg, n.box)
			if err != nil {
				t.Fatal(err)
			}
			sent, err := s.Drain(context.Background())
			if err != nil || sent != 2 {
				t.Fatalf("sent %d (%v), want 2: %+v", sent, err, n.mails(portal.MailPending))
			}
			got := mp.WaitFor(2)
			byTo := map[string]mailpittest.Message{}
			for _, m := range got {
				byTo[m.ToList()] = m
			}
			welcome, join := byTo["new-0@example.org"], byTo["adm@example.org"]
			if welcome.Subject != "Votre compte sur data.example.org" || !strings.Contains(welcome.Text, "Adèle Admin a créé pour vous un compte") ||
				!strings.Contains(welcome.HTML, "<strong>IGN</strong>") {
				t.Errorf("welcome: got %q\n%s\n%s", welcome.Subject, welcome.Text, welcome.HTML)
			}
			if join.Subject != "Request to join IGN" || !strings.Contains(join.Text, "Stéphane (stranger@example.org) asks to join") ||
				!strings.Contains(join.Text, publicURL+"/organisations/ign/join-requests") || join.From.Address != "no-reply@example.org" {
				t.Errorf("join request: got %q from %v\n%s", join.Subject, join.From, join.Text)
			}
			if len(got) != 2 {
				t.Errorf("got %d messages, want 2", len(got))
			}
			sentMails := n.mails(portal.MailSentStatus)
			if len(sentMails) != 2 || len(n.mails(portal.MailPending)) != 0 {
				t.Fatalf("outbox: %d sent, %d pending", len(sentMails), len(n.mails(portal.MailPending)))
			}
			ids := map[string]bool{}
			for _, m := range sentMails {
				ids[m.ID+"@data.example.org"] = true
			}
			for _, m := range got {
				if !ids[m.MessageID] {
					t.Errorf("Message-ID %q is no outbox entry's", m.MessageID)
				}
			}
			if v := testutil.ToFloat64(s.Metrics()[0]); v != 2 {
				t.Errorf("octroi_mail_sent_total = %v, want 2", v)
			}
			// Nothing is left to send, and nothing is sent again.
			if sent, err := s.Drain(context.Background()); sent != 0 || err != nil {
				t.Errorf("a second drain sent %d (%v)", sent, err)
			}
		})
	}
}

// TestRefusedAddressFailsOnceAndIsReported: the SMTP server refuses one
// address (550): its e-mail fails at the first attempt, without a retry,
// is audited as mail.failed and counted; the others are sent.
func TestRefusedAddressFailsOnceAndIsReported(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{AllowedRecipients: `^(?:good|adm)`})
	n := newNode(t, databases[0].url(t), server.MailConfig{})
	admin, adm := n.platform()
	n.addMembers(adm, "good", 2)
	n.addMembers(adm, "bounce", 1)
	c := &clock{}
	s, err := mail.New(senderConfig(mp, c), n.box)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := s.Drain(context.Background())
	if err != nil || sent != 2 {
		t.Fatalf("sent %d (%v), want 2", sent, err)
	}
	failed := n.mails(portal.MailFailedStatus)
	if len(failed) != 1 || failed[0].To != "bounce-0@example.org" || failed[0].Attempts != 1 || !strings.Contains(failed[0].LastError, "550") {
		t.Fatalf("got failed %+v, want bounce-0 failed at its first attempt with the server's 550", failed)
	}
	if got := testutil.ToFloat64(s.Metrics()[2]); got != 1 {
		t.Errorf("octroi_mail_failed_total = %v, want 1", got)
	}
	var audit struct {
		Entries []struct {
			Action   string          `json:"action"`
			Resource string          `json:"resource"`
			After    json.RawMessage `json:"after"`
		} `json:"entries"`
	}
	n.call(admin, "GET", "/api/v1/audit?resource=account:"+failed[0].Account, nil, &audit)
	last := audit.Entries[len(audit.Entries)-1]
	if last.Action != "mail.failed" || !strings.Contains(string(last.After), "bounce-0@example.org") {
		t.Errorf("got audit %s %s, want mail.failed naming the address", last.Action, last.After)
	}
	// Later drains leave it alone.
	c.Advance(24 * time.Hour)
	if sent, _ := s.Drain(context.Background()); sent != 0 || len(mp.Messages()) != 2 {
		t.Errorf("a failed e-mail was tried again")
	}
}

// TestTemporaryFailureIsRetriedWithBackoff: while the server answers 451
// the entry waits, longer after each attempt, and it is sent once the
// server takes it; it is given up after MaxMailAttempts.
func TestTemporaryFailureIsRetriedWithBackoff(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{})
	n := newNode(t, databases[0].url(t), server.MailConfig{})
	_, adm := n.platform()
	n.addMembers(adm, "later", 1)
	c := &clock{}
	cfg := senderConfig(mp, c)
	cfg.Backoff = time.Minute
	s, err := mail.New(cfg, n.box)
	if err != nil {
		t.Fatal(err)
	}
	mp.Chaos(0, 451)
	var waits []time.Duration
	for range 3 {
		if sent, err := s.Drain(context.Background()); sent != 0 || err != nil {
			t.Fatalf("sent %d (%v) while the server refuses", sent, err)
		}
		m := n.mails(portal.MailPending)[0]
		waits = append(waits, time.Until(m.NextAttempt)-c.add)
		if !strings.Contains(m.LastError, "451") {
			t.Errorf("last error %q, want the server's 451", m.LastError)
		}
		// Not due yet: nothing happens.
		if sent, _ := s.Drain(context.Background()); sent != 0 {
			t.Fatal("retried before its time")
		}
		c.Advance(time.Until(m.NextAttempt) - c.add + time.Second)
	}
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		if waits[i] < want-5*time.Second || waits[i] > want+time.Second {
			t.Errorf("wait %d: got %v, want %v", i+1, waits[i], want)
		}
	}
	mp.Chaos(0, 0)
	if sent, err := s.Drain(context.Background()); sent != 1 || err != nil {
		t.Fatalf("sent %d (%v) once the server takes it, want 1", sent, err)
	}
	if m := n.mails(portal.MailSentStatus); len(m) != 1 || m[0].Attempts != 4 {
		t.Fatalf("got %+v, want sent at attempt 4", m)
	}
	if got := testutil.ToFloat64(s.Metrics()[1]); got != 3 {
		t.Errorf("octroi_mail_retries_total = %v, want 3", got)
	}

	// Never forever: after MaxMailAttempts it is given up.
	n.addMembers(adm, "never", 1)
	mp.Chaos(0, 451)
	for range portal.MaxMailAttempts {
		if _, err := s.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		c.Advance(7 * time.Hour)
	}
	if f := n.mails(portal.MailFailedStatus); len(f) != 1 || f[0].Attempts != portal.MaxMailAttempts {
		t.Fatalf("got failed %+v, want given up after %d attempts", f, portal.MaxMailAttempts)
	}
	if len(n.mails(portal.MailPending)) != 0 {
		t.Error("an entry is still pending")
	}
}

// TestNodesDieAndRestartWithoutLossOrDuplicate: two nodes on one
// database; senders die (their context ends, their claims stay) after
// claiming, after sending and marking, and a new sender takes over once
// the leases run out; senders also race. Every e-mail arrives exactly
// once.
func TestNodesDieAndRestartWithoutLossOrDuplicate(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			mp := mailpittest.Start(t, mailpittest.Options{})
			ds := db.url(t)
			a := newNode(t, ds, server.MailConfig{})
			b := newNode(t, ds, server.MailConfig{})
			_, adm := a.platform()
			addrs := a.addMembers(adm, "p", 12)
			c := &clock{}
			cfg := senderConfig(mp, c)

			// Node a's sender dies after the server accepted its second
			// message and it was marked, holding the rest of its batch.
			ctxA, killA := context.WithCancel(context.Background())
			sa, err := mail.New(cfg, a.box)
			if err != nil {
				t.Fatal(err)
			}
			marked := 0
			mail.SetHook(sa, func(step, id string) {
				if step == "marked" {
					if marked++; marked == 2 {
						killA()
					}
				}
			})
			if n, _ := sa.Drain(ctxA); n != 2 {
				t.Fatalf("node a sent %d before dying, want 2", n)
			}
			// Node b's sender dies right after claiming, before sending.
			ctxB, killB := context.WithCancel(context.Background())
			sb, err := mail.New(cfg, b.box)
			if err != nil {
				t.Fatal(err)
			}
			mail.SetHook(sb, func(step, id string) {
				if step == "claimed" {
					killB()
				}
			})
			if n, _ := sb.Drain(ctxB); n != 0 {
				t.Fatalf("node b sent %d, want 0", n)
			}
			if got := len(mp.Messages()); got != 2 {
				t.Fatalf("%d arrived, want 2", got)
			}
			// While the leases hold, a restarted sender finds nothing of
			// theirs.
			restarted, err := mail.New(cfg, b.box)
			if err != nil {
				t.Fatal(err)
			}
			before := len(b.mails(portal.MailPending))
			n1, err := restarted.Drain(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if left := len(b.mails(portal.MailPending)); left != before-n1 || left == 0 {
				t.Fatalf("%d pending after sending %d of %d: the leased ones must wait", left, n1, before)
			}
			// The leases run out: two senders, one per node, race for the
			// rest.
			c.Advance(cfg.Lease + time.Second)
			ra, err := mail.New(cfg, a.box)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for _, s := range []*mail.Sender{ra, restarted} {
				wg.Go(func() {
					if _, err := s.Drain(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			got := mp.WaitFor(len(addrs))
			seen := map[string]int{}
			for _, m := range got {
				seen[m.ToList()]++
			}
			for _, addr := range addrs {
				if seen[addr] != 1 {
					t.Errorf("%s got %d messages, want 1", addr, seen[addr])
				}
			}
			if len(got) != len(addrs) {
				t.Errorf("got %d messages, want %d", len(got), len(addrs))
			}
			if p := a.mails(portal.MailPending); len(p) != 0 {
				t.Errorf("%d still pending", len(p))
			}
		})
	}
}

// TestServerSendsWithItsFlags: a server given an SMTP server sends the
// outbox by itself; one without keeps it, and a later start with one
// sends what was queued.
func TestServerSendsWithItsFlags(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{User: "octroi", Password: "pw-from-file"})
	dir := t.TempDir()
	ds := "sqlite:" + filepath.Join(dir, "octroi.db")
	quiet := newNode(t, ds, server.MailConfig{})
	_, adm := quiet.platform()
	quiet.addMembers(adm, "queued", 1)
	if len(quiet.mails(portal.MailPending)) != 1 {
		t.Fatal("no e-mail queued")
	}
	pw := filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(pw, []byte("pw-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	newNode(t, ds, server.MailConfig{SMTPAddr: mp.SMTP, SMTPTLS: "none", SMTPUser: "octroi", SMTPPasswordFile: pw,
		MailFrom: "no-reply@example.org", PublicURL: publicURL})
	got := mp.WaitFor(1)
	if got[0].ToList() != "queued-0@example.org" {
		t.Errorf("got a message to %s", got[0].ToList())
	}
}

// TestAccessRequestsAndExpiryAreMailed: on a node given an SMTP server
// and an expiry check, an access request reaches its deciders, its
// decision the requester, and the grant it made, which expires in three
// days, is announced to its beneficiary and its grantor, once.
func TestAccessRequestsAndExpiryAreMailed(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{})
	n := newNode(t, databases[0].url(t), server.MailConfig{SMTPAddr: mp.SMTP, SMTPTLS: "none", MailFrom: "no-reply@example.org",
		PublicURL: publicURL, ExpiryNoticeDays: []int{7}, ExpiryCheckInterval: 50 * time.Millisecond})
	_, adm := n.platform()
	n.call(adm, "POST", "/api/v1/datasets", map[string]any{"id": "IGNF_TOPO", "title": "BD TOPO", "owner": "ign", "default_level": "search"}, nil)
	n.call(adm, "POST", "/api/v1/services", map[string]any{"id": "topo", "dataset": "IGNF_TOPO", "title": "BD TOPO WMS", "type": "wms",
		"path": "/wms/ign", "upstream": "http://127.0.0.1:9/wms", "layers": []string{"a"}, "available": true}, nil)
	_, stranger, err := n.srv.Portal().Bootstrap(context.Background(), "stranger@example.org", "Stéphane", nil)
	if err != nil {
		t.Fatal(err)
	}
	var req struct {
		ID string `json:"id"`
	}
	n.call(stranger, "POST", "/api/v1/access-requests", map[string]any{"dataset": "IGNF_TOPO", "message": "pour un projet"}, &req)
	expires := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	n.call(adm, "POST", "/api/v1/access-requests/"+req.ID+"/decision", map[string]any{"decision": "accept", "expires": expires, "name": "Accès projet"}, nil)
	got := mp.WaitFor(4)
	subjects := map[string][]string{}
	for _, m := range got {
		subjects[m.ToList()] = append(subjects[m.ToList()], m.Subject)
	}
	date := fmt.Sprintf("%d ", expires.Day())
	want := map[string][]string{
		"adm@example.org":      {"Demande d'accès à BD TOPO", "La permission Accès projet expire le " + date},
		"stranger@example.org": {"Accès à BD TOPO accordé", "La permission Accès projet expire le " + date},
	}
	for to, subs := range want {
		if len(subjects[to]) != len(subs) {
			t.Errorf("%s got %q, want %q", to, subjects[to], subs)
			continue
		}
		for _, s := range subs {
			found := false
			for _, g := range subjects[to] {
				found = found || strings.HasPrefix(g, s)
			}
			if !found {
				t.Errorf("%s got %q, want one starting %q", to, subjects[to], s)
			}
		}
	}
	// The check goes on: nothing more arrives.
	time.Sleep(300 * time.Millisecond)
	if got := mp.Messages(); len(got) != 4 {
		t.Errorf("%d messages arrived, want 4", len(got))
	}
}

// TestMailPreferencesOverTheAPI: a person sees which e-mails they may turn
// off, turns one off (and then gets no such e-mail), and is told, in their
// language, which field is wrong when they name one they may not.
func TestMailPreferencesOverTheAPI(t *testing.T) {
	n := newNode(t, databases[0].url(t), server.MailConfig{})
	_, adm := n.platform()
	var prefs struct {
		Optional []string `json:"optional"`
		Off      []string `json:"off"`
	}
	n.call(adm, "GET", "/api/v1/me/mail-preferences", nil, &prefs)
	if !slices.Contains(prefs.Optional, "join_request.created") || slices.Contains(prefs.Optional, "account.created") || prefs.Off == nil || len(prefs.Off) != 0 {
		t.Fatalf("got %+v", prefs)
	}
	code, answer := n.try(adm, "PUT", "/api/v1/me/mail-preferences", map[string]any{"off": []string{"account.created"}}, nil)
	if code != http.StatusBadRequest || !strings.Contains(answer, "mail_off") || !strings.Contains(answer, "account.created") {
		t.Errorf("got %d %s, want 400 naming mail_off", code, answer)
	}
	n.call(adm, "PUT", "/api/v1/me/mail-preferences", map[string]any{"off": []string{"join_request.created"}}, &prefs)
	if !slices.Equal(prefs.Off, []string{"join_request.created"}) {
		t.Fatalf("got %+v", prefs)
	}
	_, stranger, err := n.srv.Portal().Bootstrap(context.Background(), "stranger@example.org", "S", nil)
	if err != nil {
		t.Fatal(err)
	}
	n.call(stranger, "POST", "/api/v1/organisations/ign/join-requests", map[string]any{}, nil)
	if p := n.mails(portal.MailPending); len(p) != 0 {
		t.Errorf("queued %+v for an e-mail turned off", p)
	}
}
