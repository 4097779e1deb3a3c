package mail_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/mail/mailpittest"
	"github.com/octroi/octroi/internal/server"
)

// TestGrantCreatedAndKeyClosedAreMailed: through a real SMTP server, the
// beneficiary of a new grant is told of it (its maker is not); once the
// grant expires, the access key that opened services through it alone is
// announced closed to its owner, once, beside the grant's expiry notices.
func TestGrantCreatedAndKeyClosedAreMailed(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{})
	n := newNode(t, databases[0].url(t), server.MailConfig{SMTPAddr: mp.SMTP, SMTPTLS: "none", MailFrom: "no-reply@example.org",
		PublicURL: publicURL, ExpiryNoticeDays: []int{7}, ExpiryCheckInterval: 50 * time.Millisecond})
	_, adm := n.platform()
	n.call(adm, "POST", "/api/v1/datasets", map[string]any{"id": "IGNF_TOPO", "title": "BD TOPO", "owner": "ign", "default_level": "search"}, nil)
	n.call(adm, "POST", "/api/v1/services", map[string]any{"id": "topo", "dataset": "IGNF_TOPO", "title": "BD TOPO WMS", "type": "wms",
		"path": "/wms/ign", "upstream": "http://127.0.0.1:9/wms", "layers": []string{"a"}, "available": true}, nil)
	acc, stranger, err := n.srv.Portal().Bootstrap(context.Background(), "stranger@example.org", "Stéphane", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A grant that ends in a few seconds, and a key through it alone.
	expires := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	var g struct {
		ID string `json:"id"`
	}
	n.call(adm, "POST", "/api/v1/grants", map[string]any{"name": "Accès éclair", "services": []string{"topo"}, "users": []string{acc.ID}, "expires": expires}, &g)
	n.call(stranger, "POST", "/api/v1/me/keys", map[string]any{"name": "QGIS bureau", "type": "HASH",
		"accesses": []map[string]string{{"grant": g.ID, "service": "topo"}}}, nil)
	got := mp.WaitFor(6)
	subjects := map[string][]string{}
	for _, m := range got {
		subjects[m.ToList()] = append(subjects[m.ToList()], m.Subject)
	}
	for to, want := range map[string][]string{
		"stranger@example.org": {"IGN vous accorde Accès éclair", "La permission Accès éclair expire le", "La permission Accès éclair a expiré",
			"Votre clé d'accès QGIS bureau n'ouvre plus rien"},
		"adm@example.org": {"La permission Accès éclair expire le", "La permission Accès éclair a expiré"},
	} {
		if len(subjects[to]) != len(want) {
			t.Errorf("%s got %q, want %q", to, subjects[to], want)
			continue
		}
		for _, w := range want {
			if !slices.ContainsFunc(subjects[to], func(s string) bool { return strings.HasPrefix(s, w) }) {
				t.Errorf("%s got %q, want one starting %q", to, subjects[to], w)
			}
		}
	}
	// The check goes on: nothing more arrives.
	time.Sleep(300 * time.Millisecond)
	if got := mp.Messages(); len(got) != 6 {
		t.Errorf("%d messages arrived, want 6", len(got))
	}
}
