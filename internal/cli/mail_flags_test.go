package cli

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/server"
)

func TestExpiryDays(t *testing.T) {
	for in, want := range map[string][]int{"30,7": {30, 7}, " 7 , 1 ": {7, 1}, "": nil} {
		got, err := expiryDays(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: got %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"30d", "0", "-1", "7,x"} {
		if _, err := expiryDays(in); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--grant-expiry-notices") {
			t.Errorf("%q: got %v, want a usage error naming the flag", in, err)
		}
	}
}

// TestDemoSaysWhereEMailsGo: the demo tells a newcomer how to read its
// e-mails, or where they go.
func TestDemoSaysWhereEMailsGo(t *testing.T) {
	var b bytes.Buffer
	printDemoMail(&b, "http://127.0.0.1:8080", server.MailConfig{})
	if !strings.Contains(b.String(), "mailpit") || !strings.Contains(b.String(), "--smtp-addr 127.0.0.1:1025") || !strings.Contains(b.String(), "--public-url http://127.0.0.1:8080") {
		t.Errorf("got %s", b.String())
	}
	b.Reset()
	printDemoMail(&b, "http://x", server.MailConfig{SMTPAddr: "mail.example.org:587", SMTPPassword: "hunter2"})
	if !strings.Contains(b.String(), "mail.example.org:587") || strings.Contains(b.String(), "hunter2") {
		t.Errorf("got %s", b.String())
	}
}

// TestServeHelpNamesTheMailFlags: serve --help documents every mail flag
// with its variable.
func TestServeHelpNamesTheMailFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	_ = runServe(t.Context(), []string{"-h"}, &out, &errOut)
	help := out.String() + errOut.String()
	for _, f := range []string{"smtp-addr", "OCTROI_SMTP_ADDR", "smtp-user", "smtp-password", "OCTROI_SMTP_PASSWORD_FILE", "smtp-tls", "mail-from", "public-url", "grant-expiry-notices", "grant-expiry-check"} {
		if !strings.Contains(help, f) {
			t.Errorf("serve --help does not name %s", f)
		}
	}
}
