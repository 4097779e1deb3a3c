package mail_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/mail"
)

// TestGrantCreatedAndKeyClosedMessages: the grant made for someone says
// whether it is theirs in person or their community's, and until when;
// the key that no longer opens anything is named (escaped in HTML) with
// the grant that expired last.
func TestGrantCreatedAndKeyClosedMessages(t *testing.T) {
	r, err := mail.NewRenderer("https://data.example.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, personal, community, until string
	}{
		{"en", "made the grant Accès BD TOPO for you,", "for your community Club SIG", "until 24 December 2026"},
		{"fr", "vous a accordé la permission Accès BD TOPO", "à votre communauté Club SIG", "jusqu'au 24 décembre 2026"},
	} {
		m, err := r.Render(sample("grant.created", c.lang))
		if err != nil || !strings.Contains(m.Text, c.personal) || strings.Contains(m.Text, "Club SIG") || !strings.Contains(m.Text, c.until) ||
			!strings.Contains(m.Text, "https://data.example.org/me/grants") || !strings.Contains(m.Subject, "Accès BD TOPO") {
			t.Errorf("%s personal: %v\n%s\n%s", c.lang, err, m.Subject, m.Text)
		}
		s := sample("grant.created", c.lang)
		delete(s.Data, "beneficiary")
		delete(s.Data, "expires")
		m, err = r.Render(s)
		if err != nil || !strings.Contains(m.Text, c.community) || strings.Contains(m.Text, c.personal) || strings.Contains(m.Text, c.until) ||
			!strings.Contains(m.HTML, c.community) {
			t.Errorf("%s community, no expiry: %v\n%s\n%s", c.lang, err, m.Text, m.HTML)
		}
		m, err = r.Render(sample("key.grants_expired", c.lang))
		if err != nil || !strings.Contains(m.Subject, "QGIS <poste 3>") || !strings.Contains(m.Text, "Accès BD TOPO") ||
			!strings.Contains(m.HTML, "QGIS &lt;poste 3&gt;") || strings.Contains(m.HTML, "<poste") {
			t.Errorf("%s key: %v\n%s\n%s\n%s", c.lang, err, m.Subject, m.Text, m.HTML)
		}
	}
}
