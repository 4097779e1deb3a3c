package mail_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/mail"
	"github.com/octroi/octroi/internal/portal"
)

// TestCancelledRequestMessages: the author of a request cancelled by a
// deletion reads which request (the dataset, the community it was for)
// and why, from the notice's own names (what they named is deleted),
// escaped in HTML.
func TestCancelledRequestMessages(t *testing.T) {
	r, err := mail.NewRenderer("https://data.example.org")
	if err != nil {
		t.Fatal(err)
	}
	why := map[string]map[string]string{
		"fr": {portal.CancelDatasetDeleted: "le jeu de données a été supprimé", portal.CancelCommunityDeleted: "la communauté a été supprimée", portal.CancelServicesDeleted: "les services demandés ont été supprimés", portal.CancelGrantDeleted: "la permission à renouveler a été supprimée"},
		"en": {portal.CancelDatasetDeleted: "the dataset was deleted", portal.CancelCommunityDeleted: "the community was deleted", portal.CancelServicesDeleted: "the services asked for were deleted", portal.CancelGrantDeleted: "the grant it would renew was deleted"},
	}
	for _, lang := range mail.Languages {
		for _, cause := range portal.CancelCauses {
			s := sample("access_request.cancelled", lang)
			s.Data["cause"], s.Data["dataset_title"] = cause, "BD <TOPO>"
			if cause == portal.CancelCommunityDeleted {
				s.Data["community_name"] = "Club SIG"
			}
			m, err := r.Render(s)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, cause, err)
			}
			if !strings.Contains(m.Subject, "BD <TOPO>") || !strings.Contains(m.Text, why[lang][cause]) || !strings.Contains(m.HTML, why[lang][cause]) ||
				!strings.Contains(m.HTML, "BD &lt;TOPO&gt;") || strings.Contains(m.HTML, "BD <TOPO>") ||
				!strings.Contains(m.Text, "https://data.example.org/access-requests") {
				t.Errorf("%s %s:\n%s\n%s\n%s", lang, cause, m.Subject, m.Text, m.HTML)
			}
			if got := strings.Contains(m.Text, "Club SIG"); got != (cause == portal.CancelCommunityDeleted) {
				t.Errorf("%s %s: names the community: %v\n%s", lang, cause, got, m.Text)
			}
		}
	}
}

// TestGrantDeletedMessages: the beneficiary of a grant deleted with its
// last service reads its name (the notice's own: the grant is gone), its
// producer's, and why.
func TestGrantDeletedMessages(t *testing.T) {
	r, err := mail.NewRenderer("https://data.example.org")
	if err != nil {
		t.Fatal(err)
	}
	for lang, why := range map[string]string{"fr": "tous les services qu'elle couvrait ont été supprimés", "en": "every service it covered was deleted"} {
		s := sample("grant.deleted", lang)
		s.Data["grant_name"], s.Data["cause"] = "Licence <hydro>", portal.GrantDeletedServices
		delete(s.Names, "grant") // deleted: only the notice names it
		m, err := r.Render(s)
		if err != nil || !strings.Contains(m.Subject, "Licence <hydro>") || !strings.Contains(m.Text, why) || !strings.Contains(m.Text, "IGN <Institut>") ||
			!strings.Contains(m.HTML, "Licence &lt;hydro&gt;") || !strings.Contains(m.Text, "https://data.example.org/me/grants") {
			t.Errorf("%s: %v\n%s\n%s\n%s", lang, err, m.Subject, m.Text, m.HTML)
		}
	}
}
