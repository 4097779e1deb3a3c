package mail_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/mail"
	"github.com/octroi/octroi/internal/portal"
)

func sample(kind, lang string) portal.Mail {
	return portal.Mail{
		ID: "0001", Account: "ann", To: "ann@example.org", Language: lang, Kind: kind,
		Data: map[string]string{"organisation": "ign", "community": "club", "account": "bob", "by": "carl", "role": "delegated_admin",
			"request": "r1", "reason": "bienvenue", "dataset": "IGNF_BDTOPO", "grant": "g1", "expires": "2026-12-24T17:30:00Z", "beneficiary": "true",
			"name": "QGIS <poste 3>"},
		Names: map[string]string{"recipient": "Ann", "organisation": "IGN <Institut>", "community": "Club SIG", "account": "Bob",
			"account_email": "bob@example.org", "by": "Carl", "dataset": "BD TOPO®", "grant": "Accès BD TOPO"},
	}
}

// TestEveryKindRendersInBothLanguages: each kind with messages of its own
// has a subject, a text and an HTML body in French and in English, with
// the names it is about, the role in words and links under the public URL;
// nothing is left unrendered.
func TestEveryKindRendersInBothLanguages(t *testing.T) {
	r, err := mail.NewRenderer("https://data.example.org/portail/")
	if err != nil {
		t.Fatal(err)
	}
	role := map[string]string{"fr": "administrateur délégué", "en": "delegated administrator"}
	seen := map[string]string{}
	withRole := map[string]bool{"account.created": true, "join_request.accepted": true, "community.invitation.created": true}
	for _, kind := range mail.Kinds {
		if !portal.MailedKind(kind) {
			t.Errorf("%s has templates but is not e-mailed", kind)
		}
		for _, lang := range mail.Languages {
			sm := sample(kind, lang)
			if kind == "account.password_reset" || kind == "account.verify_email" {
				sm.Data["link"] = "/auth/set-password?token=s3cr3t"
			}
			m, err := r.Render(sm)
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, kind, err)
			}
			all := m.Subject + m.Text + m.HTML
			for _, bad := range []string{"<no value>", "!(", "{{", "%!"} {
				if strings.Contains(all, bad) {
					t.Errorf("%s/%s holds %q:\n%s", lang, kind, bad, all)
				}
			}
			if m.Subject == "" || strings.Contains(m.Subject, "\n") {
				t.Errorf("%s/%s: subject %q", lang, kind, m.Subject)
			}
			if !strings.Contains(m.Text, "https://data.example.org/portail/") || !strings.Contains(m.HTML, `href="https://data.example.org/portail/`) {
				t.Errorf("%s/%s: no link under the public URL:\n%s\n%s", lang, kind, m.Text, m.HTML)
			}
			if !strings.Contains(m.Text, "Ann") {
				t.Errorf("%s/%s: the text does not greet its recipient:\n%s", lang, kind, m.Text)
			}
			if strings.Contains(m.HTML, "IGN <Institut>") {
				t.Errorf("%s/%s: a name is not escaped in HTML", lang, kind)
			}
			if withRole[kind] && !strings.Contains(m.Text, role[lang]) {
				t.Errorf("%s/%s: the role is not in words:\n%s", lang, kind, m.Text)
			}
			if prev, dup := seen[m.Subject]; dup {
				t.Errorf("%s/%s has the subject of %s", lang, kind, prev)
			}
			seen[m.Subject] = lang + "/" + kind
		}
	}
	fr, _ := r.Render(sample("join_request.created", "fr"))
	en, _ := r.Render(sample("join_request.created", "en"))
	for lang, want := range map[string]string{"fr": "24 décembre 2026 à 17:30 (UTC)", "en": "24 December 2026, 17:30 UTC"} {
		m, _ := r.Render(sample("grant.expiring", lang))
		if !strings.Contains(m.Subject, want) || !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Errorf("%s: the expiry is not written %q:\n%s\n%s", lang, want, m.Subject, m.Text)
		}
	}
	if !strings.Contains(fr.Text, "demande à rejoindre") || !strings.Contains(en.Text, "asks to join") ||
		!strings.Contains(en.Text, "https://data.example.org/portail/organisations/ign/join-requests") {
		t.Errorf("got\n%s\n%s", fr.Text, en.Text)
	}
	for _, lang := range mail.Languages {
		m := sample("account.password_reset", lang)
		m.Data["link"] = "/auth/set-password?token=s3cr3t"
		got, err := r.Render(m)
		if err != nil || !strings.Contains(got.Text, "https://data.example.org/portail/auth/set-password?token=s3cr3t") ||
			!strings.Contains(got.HTML, `href="https://data.example.org/portail/auth/set-password?token=s3cr3t"`) {
			t.Errorf("%s: %v\n%s\n%s", lang, err, got.Text, got.HTML)
		}
	}
	// The welcome of an account made outside any organisation names none.
	for _, lang := range mail.Languages {
		m := sample("account.created", lang)
		delete(m.Data, "organisation")
		m.Data["link"] = "/auth/set-password?token=t"
		got, err := r.Render(m)
		if err != nil || strings.Contains(got.Text, "IGN") || !strings.Contains(got.Text, "/auth/set-password?token=t") {
			t.Errorf("%s: %v\n%s", lang, err, got.Text)
		}
	}
	// An account without a language reads French.
	def, _ := r.Render(sample("join_request.created", ""))
	if def.Subject != fr.Subject {
		t.Errorf("got subject %q without a language, want French %q", def.Subject, fr.Subject)
	}
}

// TestLinksOfSecrets: a notice's single-use link is shown absolute, under
// the public URL; a kind without templates of its own still carries it;
// a link elsewhere is refused rather than mailed.
func TestLinksOfSecrets(t *testing.T) {
	r, err := mail.NewRenderer("https://data.example.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range mail.Languages {
		m := sample("account.password_reset", lang)
		m.Data["link"] = "/reset/s3cr3t"
		got, err := r.Render(m)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Text, "https://data.example.org/reset/s3cr3t") || !strings.Contains(got.HTML, `href="https://data.example.org/reset/s3cr3t"`) {
			t.Errorf("%s: the link is missing:\n%s\n%s", lang, got.Text, got.HTML)
		}
		m.Kind = "account.created"
		m.Data["link"] = "https://data.example.org/invitation/abc"
		if got, err = r.Render(m); err != nil || !strings.Contains(got.Text, "https://data.example.org/invitation/abc") {
			t.Errorf("%s: got %v\n%s", lang, err, got.Text)
		}
		for _, bad := range []string{"https://evil.example/x", "//evil.example/x", "https://data.example.org.evil/x", "javascript:alert(1)"} {
			m.Data["link"] = bad
			if _, err := r.Render(m); err == nil {
				t.Errorf("%s: link %q was rendered", lang, bad)
			}
		}
	}
	for _, bad := range []string{"", "data.example.org", "ftp://x", "https://", "https://x?y=1", "https://u:p@x"} {
		if _, err := mail.NewRenderer(bad); err == nil {
			t.Errorf("public URL %q accepted", bad)
		}
	}
}

func TestConfigNamesWhatIsWrong(t *testing.T) {
	good := mail.Config{Addr: "smtp.example.org:587", From: "Plateforme <no-reply@example.org>", PublicURL: "https://data.example.org"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		change func(*mail.Config)
		want   string
	}{
		{func(c *mail.Config) { c.Addr = "smtp.example.org" }, "--smtp-addr"},
		{func(c *mail.Config) { c.Addr = "smtp.example.org:0" }, "--smtp-addr"},
		{func(c *mail.Config) { c.TLS = "ssl" }, "--smtp-tls"},
		{func(c *mail.Config) { c.Password = "p" }, "--smtp-user"},
		{func(c *mail.Config) { c.From = "nobody" }, "--mail-from"},
		{func(c *mail.Config) { c.From = "" }, "--mail-from"},
		{func(c *mail.Config) { c.PublicURL = "" }, "--public-url"},
		{func(c *mail.Config) { c.TLS, c.User = "none", "u" }, "in clear"},
	} {
		c := good
		tt.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want an error naming %s", err, tt.want)
		}
	}
	c := good
	c.Password, c.User = "hunter2", "u"
	c.Addr = "bad"
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("got %v: the password must never be shown", err)
	}
}
