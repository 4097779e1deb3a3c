package ui_test

import (
	"context"
	"encoding/csv"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

var actionCell = regexp.MustCompile(`<td><code>([^<]*)</code></td>`)

// actions are the actions of the audit table's rows, in order.
func actions(body string) []string {
	var out []string
	for _, m := range actionCell.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestAuditLogForAdministrators(t *testing.T) {
	s := newSite(t)
	alice := s.as(t, "alice.martin")
	// A change now is the newest entry, at the top.
	if res, body := alice.post(t, "/admin/org-groups/create", url.Values{"id": {"audit-probe"}, "name": {"Sonde"}}); res.StatusCode != 303 {
		t.Fatalf("create group = %d\n%s", res.StatusCode, body)
	}
	res, body := alice.get(t, "/admin/audit")
	if res.StatusCode != 200 {
		t.Fatalf("audit = %d\n%s", res.StatusCode, body)
	}
	got := actions(body)
	if len(got) != 50 || got[0] != "org_group.create" || !strings.Contains(body, `rel="next"`) {
		t.Fatalf("first page: %d rows from %q, want 50 newest first with a next page", len(got), got[:min(3, len(got))])
	}
	// The next page goes on with older entries, the filters kept.
	next := regexp.MustCompile(`href="(/admin/audit\?[^"]*before=[0-9]+[^"]*)" rel="next"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no link to older entries")
	}
	res, older := alice.get(t, strings.ReplaceAll(next[1], "&amp;", "&"))
	if res.StatusCode != 200 || len(actions(older)) == 0 || !strings.Contains(older, "Older entries matching") {
		t.Errorf("older page = %d, %d rows", res.StatusCode, len(actions(older)))
	}

	// Filters: what (a family), resource (type), who (an e-mail).
	_, body = alice.get(t, "/admin/audit?action=community.invitation&type=community")
	got = actions(body)
	if len(got) == 0 {
		t.Fatal("no community.invitation entries")
	}
	for _, a := range got {
		if !strings.HasPrefix(a, "community.invitation.") {
			t.Errorf("action filter kept %s", a)
		}
	}
	lina := s.accounts["lina.littoral"]
	_, body = alice.get(t, "/admin/audit?actor="+url.QueryEscape("lina.littoral@demo.octroi.dev"))
	got = actions(body)
	if len(got) == 0 || strings.Contains(body, `<span class="id">`+s.accounts["alice.martin"]+`</span>`) || !strings.Contains(body, lina) {
		t.Errorf("who=lina's e-mail: %q", got)
	}
	_, byID := alice.get(t, "/admin/audit?actor="+lina)
	if len(actions(byID)) != len(got) {
		t.Errorf("who=lina's id: %d rows, by e-mail %d", len(actions(byID)), len(got))
	}
	_, body = alice.get(t, "/admin/audit?type=community&id=observatoire-littoral")
	for _, m := range regexp.MustCompile(`<td><span class="id">([^<]*)</span></td>`).FindAllStringSubmatch(body, -1) {
		if m[1] != "community:observatoire-littoral" {
			t.Errorf("resource filter kept %s", m[1])
		}
	}
	// When: from a day after today, nothing.
	_, body = alice.get(t, "/admin/audit?from=2999-01-01")
	if len(actions(body)) != 0 || !strings.Contains(body, "No entry matches") {
		t.Errorf("from 2999: %d rows", len(actions(body)))
	}
	_, body = alice.get(t, "/admin/audit?from=2000-01-01&to=2999-12-31&type=org_group")
	if got := actions(body); len(got) < 2 || got[0] != "org_group.create" {
		t.Errorf("org groups from 2000 to 2999: %q", got)
	}
}

func TestAuditFiltersRefuseBadInputBesideTheField(t *testing.T) {
	s := newSite(t)
	alice := s.as(t, "alice.martin")
	for _, c := range []struct {
		query, field, en, fr string
	}{
		{"from=07/12/2026", "au-from", "07/12/2026 is not a day: write it YYYY-MM-DD", "07/12/2026 n'est pas un jour : écrivez-le AAAA-MM-JJ"},
		{"from=2026-12-07&to=2026-12-01", "au-to", "To: the last day comes on or after the first.", "Au : le dernier jour vient le même jour que le premier ou après."},
		{"id=observatoire-littoral", "au-id", "Resource identifier: choose the type of resource too.", "Identifiant de la ressource : choisissez aussi le type de ressource."},
		{"type=nope", "au-type", "Type of resource: choose one of the list.", "Type de ressource : choisissez-en un de la liste."},
		{"actor=nobody%40example.org", "au-actor", "Who: no account has the e-mail nobody@example.org.", "Qui : aucun compte n'a le courriel nobody@example.org."},
	} {
		for lang, want := range map[string]string{"en": c.en, "fr": c.fr} {
			res, body := alice.get(t, "/admin/audit?"+c.query, "Accept-Language", lang)
			if res.StatusCode != 400 {
				t.Errorf("%s (%s) = %d, want 400", c.query, lang, res.StatusCode)
				continue
			}
			tied := regexp.MustCompile(`id="` + c.field + `"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="` + c.field + `"|id="` + c.field + `"[^>]*aria-describedby="[^"]*` + c.field + `-err`)
			if !strings.Contains(body, `id="`+c.field+`-err"`) || !tied.MatchString(body) {
				t.Errorf("%s (%s): the error is not tied to %s", c.query, lang, c.field)
			}
			if !strings.Contains(body, strings.ReplaceAll(want, "'", "&#39;")) {
				t.Errorf("%s (%s): no %q in\n%s", c.query, lang, want, body)
			}
			// What was typed stays in the form.
			if c.field == "au-from" && !strings.Contains(body, `value="07/12/2026"`) {
				t.Errorf("the bad date typed is lost")
			}
		}
	}
	if res, _ := alice.get(t, "/admin/audit/export.csv?from=bad"); res.StatusCode != 400 {
		t.Errorf("export with a bad date = %d, want 400", res.StatusCode)
	}
}

func TestAuditExportIsCSVOfTheSameSelection(t *testing.T) {
	s := newSite(t)
	alice := s.as(t, "alice.martin")
	res, body := alice.get(t, "/admin/audit/export.csv?type=community")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export = %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	p := s.srv.Portal().(*portal.Service)
	want, err := p.PlatformAudit(context.Background(), s.accounts["alice.martin"], store.AuditQuery{ResourceType: "community", Newest: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want)+1 || strings.Join(rows[0], ",") != "seq,at,actor,action,resource,request_id,before,after" {
		t.Fatalf("export: %d rows (header %q), want %d entries", len(rows), rows[0], len(want))
	}
	for i, r := range rows[1:] {
		if r[4] != want[i].Resource || r[3] != want[i].Action || !strings.HasPrefix(r[4], "community:") {
			t.Errorf("row %d = %q, want %s %s", i, r, want[i].Action, want[i].Resource)
		}
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d: cell %q would run as a formula", i, cell)
			}
		}
	}
}

// TestAuditIsRefusedToNonAdministrators: anonymous visitors must sign in;
// an account manager, a delegated administrator (who reads their
// organisation's entries through the API) and a community supervisor are
// refused the screen and the export whatever they filter on, a filter
// naming what they manage, or a bad one, included.
func TestAuditIsRefusedToNonAdministrators(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/admin/audit", "/admin/audit/export.csv"} {
		if res, _ := s.get(t, path); res.StatusCode != 401 {
			t.Errorf("anonymous %s = %d, want 401", path, res.StatusCode)
		}
		for _, who := range []string{"claire.comptes", "regine.sud", "lina.littoral"} {
			reader := s.as(t, who)
			for _, q := range []string{"", "?type=organisation&id=region-sud", "?type=community&id=observatoire-littoral", "?actor=" + s.accounts[who], "?from=bad", "?action=organisation"} {
				res, body := reader.get(t, path+q)
				if res.StatusCode != 403 || strings.Contains(body, "<code>") || strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
					t.Errorf("%s %s%s = %d, want 403 and nothing of the log", who, path, q, res.StatusCode)
				}
			}
		}
	}
}

// TestAuditExportStreamsEveryPage: more entries than one read of the
// export (1,000) all come out, newest first, once each.
func TestAuditExportStreamsEveryPage(t *testing.T) {
	s := newSite(t)
	p := s.srv.Portal().(*portal.Service)
	alice := s.accounts["alice.martin"]
	ctx := context.Background()
	err := p.Batch(ctx, alice, func(ctx context.Context) error {
		for i := range 1100 {
			if _, err := p.CreateOrgGroup(ctx, alice, portal.OrgGroup{ID: "lot-" + strconv.Itoa(i), Name: "Lot " + strconv.Itoa(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, body := s.as(t, "alice.martin").get(t, "/admin/audit/export.csv?type=org_group&action=org_group.create")
	if res.StatusCode != 200 {
		t.Fatalf("export = %d", res.StatusCode)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	last := int64(1 << 62)
	for _, r := range rows[1:] {
		seq, _ := strconv.ParseInt(r[0], 10, 64)
		if seq >= last || seen[r[4]] {
			t.Fatalf("row %q out of order or repeated", r)
		}
		last, seen[r[4]] = seq, true
	}
	// The demo's group and the 1,100 of the batch.
	if len(seen) != 1101 || !seen["org_group:lot-0"] || !seen["org_group:lot-1099"] || !seen["org_group:communes-du-var"] {
		t.Errorf("export holds %d groups, want 1101", len(seen))
	}
}
