package portal_test

import (
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestMyRights: the engine's answer about the reader's own rights, for
// the screens to offer what the reader may do.
func TestMyRights(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for _, c := range []struct {
			actor, typ, id string
			want           map[string]bool
		}{
			{w.admin, "platform", "", map[string]bool{"administer": true, "manage_accounts": true}},
			{"manager", "platform", "", map[string]bool{"administer": false, "manage_accounts": true}},
			{"adm", "platform", "", map[string]bool{"administer": false, "manage_accounts": false}},
			{w.admin, "community", "club", map[string]bool{"manage": true, "delete": true, "member": false}},
			{"csup", "community", "club", map[string]bool{"manage": true, "delete": true, "member": true}},
			{"stranger", "community", "club", map[string]bool{"manage": false, "delete": false}},
			{"stranger", "community", "no-such-community", map[string]bool{"view": false}},
			{w.admin, "org_group", "partners", map[string]bool{"manage": true}},
			{"adm", "org_group", "partners", map[string]bool{"manage": false}},
		} {
			var perms []string
			for p := range c.want {
				perms = append(perms, p)
			}
			got, err := svc.MyRights(ctx, c.actor, c.typ, c.id, perms...)
			if err != nil {
				t.Fatalf("MyRights(%s, %s:%s): %v", c.actor, c.typ, c.id, err)
			}
			for p, want := range c.want {
				if got[p] != want {
					t.Errorf("MyRights(%s, %s:%s)[%s] = %v, want %v", c.actor, c.typ, c.id, p, got[p], want)
				}
			}
		}
		_, err := svc.MyRights(ctx, "csup", "dataset", "x", "edit")
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.MyRights(ctx, "csup", "community", "club", "participant")
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.MyRights(ctx, "csup", "community", "bad id/x", "view")
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.MyRights(ctx, "", "platform", "", "administer")
		wantErr(t, err, portal.ErrUnauthenticated)
		// A disabled account holds nothing, and may not ask.
		_, err = svc.MyRights(ctx, "dis", "platform", "", "administer")
		if err == nil {
			t.Error("a disabled account asked its rights")
		}
	})
}
