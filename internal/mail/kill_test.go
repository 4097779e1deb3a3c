package mail_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/mail"
	"github.com/octroi/octroi/internal/mail/mailpittest"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
)

// Environment of the sender process that TestSenderProcessKilled starts
// (this test binary again, running TestHelperSenderProcess).
const (
	envHelper    = "OCTROI_MAIL_HELPER"
	envDatastore = "OCTROI_MAIL_HELPER_DATASTORE"
	envSMTP      = "OCTROI_MAIL_HELPER_SMTP"
	envKillAfter = "OCTROI_MAIL_HELPER_KILL_AFTER"
)

// TestHelperSenderProcess is not a test: it is the sender process that
// TestSenderProcessKilled kills. It sends until it has marked
// OCTROI_MAIL_HELPER_KILL_AFTER messages sent, says so, and then waits,
// holding the leases of the rest of its batch, to be killed.
func TestHelperSenderProcess(t *testing.T) {
	if os.Getenv(envHelper) == "" {
		t.Skip("the sender process of TestSenderProcessKilled")
	}
	killAfter, _ := strconv.Atoi(os.Getenv(envKillAfter))
	n := newNode(t, os.Getenv(envDatastore), server.MailConfig{})
	s, err := mail.New(mail.Config{Addr: os.Getenv(envSMTP), TLS: mail.TLSNone, From: "no-reply@example.org", PublicURL: publicURL,
		Timeout: 10 * time.Second, Lease: time.Minute, Batch: 5}, n.box)
	if err != nil {
		t.Fatal(err)
	}
	marked := 0
	mail.SetHook(s, func(step, id string) {
		switch {
		case step == "marked":
			marked++
			fmt.Printf("marked %d\n", marked)
		case step == "claimed" && marked == killAfter:
			fmt.Println("holding")
			select {} // until SIGKILL
		}
	})
	_, err = s.Drain(context.Background())
	t.Fatalf("the sender was not killed (%v)", err)
}

// TestSenderProcessKilled: a sender process is killed (SIGKILL: no
// cleanup, its database connection cut) after sending three messages,
// holding the leases of two more. Nothing is lost: once its leases run
// out another sender sends those and the rest; nothing arrives twice.
func TestSenderProcessKilled(t *testing.T) {
	if os.Getenv(envHelper) != "" {
		t.Skip("in the helper process")
	}
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			mp := mailpittest.Start(t, mailpittest.Options{})
			ds := db.url(t)
			n := newNode(t, ds, server.MailConfig{})
			_, adm := n.platform()
			addrs := n.addMembers(adm, "k", 8)

			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSenderProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), envHelper+"=1", envDatastore+"="+ds, envSMTP+"="+mp.SMTP, envKillAfter+"=3")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var lines []string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines = append(lines, sc.Text())
				if sc.Text() == "holding" {
					break
				}
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if !strings.Contains(strings.Join(lines, "\n"), "marked 3\nholding") {
				t.Fatalf("the sender process said %q", lines)
			}
			if got := len(mp.Messages()); got != 3 {
				t.Fatalf("%d arrived before the kill, want 3", got)
			}
			leased := 0
			for _, m := range n.mails(portal.MailPending) {
				if m.LeaseOwner != "" {
					leased++
				}
			}
			if leased != 2 || len(n.mails(portal.MailSentStatus)) != 3 {
				t.Fatalf("after the kill: %d leased, %d sent; want 2 and 3", leased, len(n.mails(portal.MailSentStatus)))
			}

			c := &clock{}
			s, err := mail.New(senderConfig(mp, c), n.box)
			if err != nil {
				t.Fatal(err)
			}
			if sent, err := s.Drain(context.Background()); err != nil || sent != 3 {
				t.Fatalf("before the leases run out: sent %d (%v), want the 3 unclaimed", sent, err)
			}
			c.Advance(time.Minute + time.Second)
			if sent, err := s.Drain(context.Background()); err != nil || sent != 2 {
				t.Fatalf("after the leases ran out: sent %d (%v), want the 2 the dead process held", sent, err)
			}
			got := mp.WaitFor(len(addrs))
			seen := map[string]int{}
			for _, m := range got {
				seen[m.ToList()]++
			}
			for _, a := range addrs {
				if seen[a] != 1 {
					t.Errorf("%s got %d messages, want 1", a, seen[a])
				}
			}
			if len(got) != len(addrs) {
				t.Errorf("got %d messages, want %d", len(got), len(addrs))
			}
		})
	}
}
