package portal_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// TestOnlyAdministratorsActOnAdministrators: an account manager manages
// accounts, not the platform administrators (directly, or as members of a
// community holding the role), whom they could otherwise lock out; the
// refusal says why, and nothing is written.
func TestOnlyAdministratorsActOnAdministrators(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		tok, _, err := svc.CreateToken(ctx, w.admin, "cli", nil)
		ok(t, err)
		// csup is an administrator as a member of a community that holds
		// the role (no portal action grants that yet: written directly).
		must[portal.Community](t)(svc.CreateCommunity(ctx, w.admin, portal.Community{ID: "ops", Name: "Exploitation"}))
		joinCommunity(t, e, w.admin, "ops", "csup")
		r, err := tuple.Parse("platform:main#administrator@community:ops#member")
		ok(t, err)
		rev, err := e.st.Write(ctx, store.WriteRequest{Updates: []store.Update{{Op: store.Touch, Relationship: r}}})
		ok(t, err)
		ok(t, e.sync(ctx, rev))
		csupTok, _, err := svc.CreateToken(ctx, "csup", "cli", nil)
		ok(t, err)

		head := e.head()
		for _, target := range []string{w.admin, "csup"} {
			_, err = svc.SetAccountStatus(ctx, "manager", target, portal.AccountDisabled)
			wantErr(t, err, portal.ErrForbidden)
			if !strings.Contains(err.Error(), "only a platform administrator may disable a platform administrator") {
				t.Errorf("refusal %q does not say why", err)
			}
		}
		for _, id := range []string{tok.ID, csupTok.ID} {
			err = svc.RevokeToken(ctx, "manager", id)
			wantErr(t, err, portal.ErrForbidden)
		}
		if e.head() != head {
			t.Fatal("a refused action wrote something")
		}
		// The administrators themselves may; and a manager still manages
		// everyone else.
		must[portal.Account](t)(svc.SetAccountStatus(ctx, w.admin, "csup", portal.AccountDisabled))
		_, err = svc.SetAccountStatus(ctx, "manager", "csup", portal.AccountActive)
		wantErr(t, err, portal.ErrForbidden)
		must[portal.Account](t)(svc.SetAccountStatus(ctx, w.admin, "csup", portal.AccountActive))
		ok(t, svc.RevokeToken(ctx, "csup", csupTok.ID))
		must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "reg", portal.AccountDisabled))
	})
}
