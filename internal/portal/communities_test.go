package portal_test

import (
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestCommunitySupervisorIsTheCreator: the supervisor is whoever creates
// the community, for good; a supervisor named otherwise is refused rather
// than ignored.
func TestCommunitySupervisorIsTheCreator(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		head := e.head()
		_, err := svc.CreateCommunity(ctx, "stranger", portal.Community{Name: "X", Supervisor: "reg"})
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.UpdateCommunity(ctx, "csup", portal.Community{ID: "club", Name: "Club SIG", Supervisor: "part"})
		wantErr(t, err, portal.ErrInvalid)
		if e.head() != head {
			t.Fatal("a refused supervisor wrote something")
		}
		c := must[portal.Community](t)(svc.CreateCommunity(ctx, "stranger", portal.Community{Name: "X", Supervisor: "stranger"}))
		c = must[portal.Community](t)(svc.UpdateCommunity(ctx, "stranger", portal.Community{ID: c.ID, Name: "Y", Supervisor: "stranger"}))
		if c.Supervisor != "stranger" || c.Name != "Y" {
			t.Errorf("community %+v", c)
		}
	})
}
