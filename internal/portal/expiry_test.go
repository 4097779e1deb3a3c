package portal_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// expiryNotices returns, per account, the kinds of the expiry notices it
// got, in order.
func expiryNotices(t *testing.T, e *env, accounts ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, a := range accounts {
		for _, n := range must[[]portal.Notice](t)(e.svc.Notices(e.ctx, a, "", 1000)) {
			if n.Kind == "grant.expiring" || n.Kind == "grant.expired" {
				out[a] = append(out[a], n.Kind+"@"+n.Data["expires"])
			}
		}
	}
	return out
}

// TestGrantExpiryNotices: a grant's beneficiaries (in person, and the
// administrators of a beneficiary community), and its grantor's editors
// and delegated administrators (the disabled one by no e-mail), are told once per window that it expires,
// then once that it expired; the nearest window only when a grant starts
// inside several; again after the expiry changes; never for a grant
// without expiry; and concurrent runs (as on several nodes) tell once.
func TestGrantExpiryNotices(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		servicesWorld(t, e, w)
		svc, ctx := e.svc, e.ctx
		day := 24 * time.Hour
		exp := e.clock.Now().Add(40 * day).Truncate(time.Second)
		g := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Accès BD TOPO", Services: []string{"topo-wms"},
			Users: []string{"stranger"}, Communities: []string{"club"}, Expires: &exp}))
		late := e.clock.Now().Add(3 * day).Truncate(time.Second)
		g2 := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Court", Services: []string{"topo-wms"}, Users: []string{"reg"}, Expires: &late}))
		must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Forever", Services: []string{"topo-wms"}, Users: []string{"part"}}))

		run := func() int {
			t.Helper()
			// As on three nodes at once.
			var wg sync.WaitGroup
			var mu sync.Mutex
			total := 0
			for range 3 {
				wg.Go(func() {
					n, err := svc.GrantExpiryNotices(ctx, nil)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				})
			}
			wg.Wait()
			return total
		}
		// g2 starts inside the 7-day window: told once, of that window.
		if n := run(); n != 1 {
			t.Fatalf("first run told of %d grants, want 1 (the short one)", n)
		}
		got := expiryNotices(t, e, "reg", "ed", "adm", "stranger", "csup", "part")
		lateS := late.Format(time.RFC3339)
		if !slices.Equal(got["reg"], []string{"grant.expiring@" + lateS}) || !slices.Equal(got["ed"], got["reg"]) || !slices.Equal(got["adm"], got["reg"]) ||
			len(got["stranger"]) != 0 || len(got["part"]) != 0 {
			t.Fatalf("got %v", got)
		}
		// The mail goes with it, to the beneficiary and the grantor.
		queued := map[string]bool{}
		for _, m := range must[[]portal.Mail](t)(svc.Outbox().Mails(ctx, portal.MailPending, "", 0)) {
			if m.Kind == "grant.expiring" {
				queued[m.Account] = true
				if m.Names["grant"] != "Court" || m.Data["grant"] != g2.ID {
					t.Errorf("got names %v data %v", m.Names, m.Data)
				}
			}
		}
		if !queued["reg"] || !queued["ed"] || !queued["adm"] || len(queued) != 3 {
			t.Errorf("e-mails queued for %v, want reg, ed and adm (dis, disabled, gets none)", queued)
		}
		if n := run(); n != 0 {
			t.Fatalf("a second run told of %d grants", n)
		}
		// 10 days on: g enters its 30-day window; g2 has expired.
		e.clock.Advance(10 * day)
		if n := run(); n != 2 {
			t.Fatalf("told of %d grants, want 2", n)
		}
		// 24 more: g's 7-day window.
		e.clock.Advance(24 * day)
		if n := run(); n != 1 {
			t.Fatalf("told of %d grants, want 1", n)
		}
		// g is extended: it is told of anew, at its new expiry.
		ext := exp.Add(3 * day)
		must[portal.Grant](t)(svc.UpdateGrant(ctx, "ed", g.ID, portal.GrantChange{SetExpires: true, Expires: &ext}))
		if n := run(); n != 1 {
			t.Fatalf("told of %d grants after the extension, want 1", n)
		}
		e.clock.Advance(10 * day)
		if n := run(); n != 1 {
			t.Fatalf("told of %d grants after expiry, want 1", n)
		}
		if n := run(); n != 0 {
			t.Fatalf("told of %d grants again", n)
		}
		got = expiryNotices(t, e, "stranger", "csup", "part", "ed")
		expS, extS := exp.Format(time.RFC3339), ext.Format(time.RFC3339)
		want := []string{"grant.expiring@" + expS, "grant.expiring@" + expS, "grant.expiring@" + extS, "grant.expired@" + extS}
		if !slices.Equal(got["stranger"], want) || !slices.Equal(got["csup"], want) {
			t.Errorf("stranger got %v, csup %v; want %v", got["stranger"], got["csup"], want)
		}
		if len(got["part"]) != 0 {
			t.Errorf("a participant of the community (not its administrator), beneficiary of a grant without expiry, got %v", got["part"])
		}
		if len(got["ed"]) != 6 { // g2's two, g's four
			t.Errorf("the grantor's editor got %v", got["ed"])
		}
	})
}
