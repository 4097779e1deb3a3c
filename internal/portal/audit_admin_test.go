package portal_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// TestPlatformAudit: the administrators' log filters by action family,
// resource type, actor and dates, newest first, and stays closed to
// everyone else whatever they filter on — a delegated administrator naming
// their own organisation included (Audit would answer them that).
func TestPlatformAudit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		actions := func(es []store.AuditEntry) []string {
			var out []string
			for _, a := range es {
				out = append(out, a.Action)
			}
			return out
		}
		all := must[[]store.AuditEntry](t)(svc.PlatformAudit(ctx, w.admin, store.AuditQuery{Limit: 1000}))
		oldest := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Limit: 1000}))
		if len(all) == 0 || len(all) != len(oldest) || all[0].Seq != oldest[0].Seq {
			t.Fatalf("PlatformAudit without Newest: %d entries, Audit %d", len(all), len(oldest))
		}
		newest := must[[]store.AuditEntry](t)(svc.PlatformAudit(ctx, w.admin, store.AuditQuery{Newest: true, Limit: 3}))
		if len(newest) != 3 || newest[0].Seq != oldest[len(oldest)-1].Seq || newest[2].Seq > newest[1].Seq {
			t.Errorf("newest first: %+v", newest)
		}
		next := must[[]store.AuditEntry](t)(svc.PlatformAudit(ctx, w.admin, store.AuditQuery{Newest: true, Limit: 3, BeforeSeq: newest[2].Seq}))
		if len(next) == 0 || next[0].Seq >= newest[2].Seq {
			t.Errorf("next page newest first: %+v", next)
		}
		comm := must[[]store.AuditEntry](t)(svc.PlatformAudit(ctx, w.admin, store.AuditQuery{Action: "community.invitation", ResourceType: "community"}))
		if got := actions(comm); len(got) == 0 || slices.ContainsFunc(got, func(a string) bool { return !strings.HasPrefix(a, "community.invitation.") }) {
			t.Errorf("community.invitation family: %q", got)
		}
		orgs := must[[]store.AuditEntry](t)(svc.PlatformAudit(ctx, w.admin, store.AuditQuery{ResourceType: "organisation", Actor: w.admin, Newest: true}))
		if len(orgs) == 0 || slices.ContainsFunc(orgs, func(a store.AuditEntry) bool { return a.Actor != w.admin || a.Resource[:13] != "organisation:" }) {
			t.Errorf("organisations by the administrator: %+v", orgs)
		}
		later := e.clock.Now().Add(time.Hour)
		if got := must[[]store.AuditEntry](t)(svc.PlatformAudit(ctx, w.admin, store.AuditQuery{Since: later})); len(got) != 0 {
			t.Errorf("since a later time: %d entries", len(got))
		}
		_, err := svc.PlatformAudit(ctx, w.admin, store.AuditQuery{Since: later, Until: later})
		wantErr(t, err, portal.ErrInvalid)

		for _, a := range actors {
			if a == "admin" {
				continue
			}
			for _, q := range []store.AuditQuery{{}, {Resource: "organisation:ign"}, {Actor: a}, {ResourceType: "community"}, {Resources: []string{"organisation:ign"}}} {
				if _, err := svc.PlatformAudit(ctx, a, q); !errors.Is(err, portal.ErrForbidden) {
					t.Errorf("PlatformAudit as %s with %+v: %v, want ErrForbidden", a, q, err)
				}
			}
		}
		_, err = svc.PlatformAudit(ctx, "", store.AuditQuery{})
		wantErr(t, err, portal.ErrUnauthenticated)
	})
}
