package mail_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/octroi/octroi/internal/mail"
	"github.com/octroi/octroi/internal/mail/mailpittest"
	"github.com/octroi/octroi/internal/server"
)

// BenchmarkRender: one e-mail, plain text and HTML.
func BenchmarkRender(b *testing.B) {
	r, err := mail.NewRenderer(publicURL)
	if err != nil {
		b.Fatal(err)
	}
	m := sample("join_request.created", "fr")
	for b.Loop() {
		if _, err := r.Render(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDrain: claim, render, send to a real SMTP server (mailpit, over
// loopback, one connection per message) and mark sent, on SQLite; the
// e-mails are queued (by real API calls) before the timer starts.
func BenchmarkDrain(b *testing.B) {
	mp := mailpittest.Start(b, mailpittest.Options{})
	n := newNode(b, "sqlite:"+filepath.Join(b.TempDir(), "octroi.db"), server.MailConfig{})
	_, adm := n.platform()
	n.addMembers(adm, "bench", b.N)
	s, err := mail.New(senderConfig(mp, &clock{}), n.box)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	sent, err := s.Drain(context.Background())
	if err != nil || sent != b.N {
		b.Fatalf("sent %d (%v), want %d", sent, err, b.N)
	}
}
