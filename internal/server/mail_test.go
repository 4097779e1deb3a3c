package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/server"
)

// TestMailSettings: without an SMTP server the server says once that
// e-mails stay in the outbox; with one it names its settings but never
// the password; bad settings are refused naming their flag.
func TestMailSettings(t *testing.T) {
	ctx := context.Background()
	start := func(mc server.MailConfig) (string, error) {
		dir := t.TempDir()
		st := openStore(t, dir, true)
		cfg := portalConfig(dir)
		cfg.Mail = mc
		var logs bytes.Buffer
		_, err := server.New(ctx, cfg, st, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
		return logs.String(), err
	}
	logs, err := start(server.Default().Mail)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs, "no SMTP server configured"); n != 1 {
		t.Errorf("the warning appears %d times, want once:\n%s", n, logs)
	}
	good := server.MailConfig{SMTPAddr: "smtp.example.org:587", SMTPTLS: "starttls", SMTPUser: "octroi", SMTPPassword: "hunter2-secret",
		MailFrom: "no-reply@example.org", PublicURL: "https://data.example.org"}
	logs, err = start(good)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs, "smtp.example.org:587") || strings.Contains(logs, "hunter2") || strings.Contains(logs, "no SMTP server") {
		t.Errorf("got logs:\n%s", logs)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		change func(*server.MailConfig)
		want   string
	}{
		{func(m *server.MailConfig) { m.MailFrom = "" }, "--mail-from"},
		{func(m *server.MailConfig) { m.PublicURL = "data.example.org" }, "--public-url"},
		{func(m *server.MailConfig) { m.SMTPTLS = "yes" }, "--smtp-tls"},
		{func(m *server.MailConfig) { m.SMTPPasswordFile = pw }, "not both"},
		{func(m *server.MailConfig) {
			m.SMTPPassword, m.SMTPPasswordFile = "", filepath.Join(t.TempDir(), "missing")
		}, "--smtp-password-file"},
		{func(m *server.MailConfig) { m.SMTPAddr = "" }, "without --smtp-addr"},
	} {
		m := good
		tt.change(&m)
		if _, err := start(m); err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("got %v, want an error naming %s (never the password)", err, tt.want)
		}
	}
	m := good
	m.SMTPPassword, m.SMTPPasswordFile = "", pw
	if _, err := start(m); err != nil {
		t.Errorf("password from a file: %v", err)
	}
}
