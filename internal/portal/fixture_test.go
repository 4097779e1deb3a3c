package portal_test

import (
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// world is the platform most tests start from:
//
//   - admin: platform administrator (bootstrapped); manager: account
//     manager; reader: data reader; stranger: no role anywhere;
//   - organisation ign (state service): reg registered, ed editor, adm
//     delegated admin, dis delegated admin whose account is disabled;
//   - organisation region (local authority): adm2 delegated admin;
//   - community club (private): csup supervisor, part participant;
//   - group of organisations partners: region;
//   - dataset IGNF_BD-TOPO owned by ign, default level search;
//     IGNF_PRIVATE owned by ign, private.
type world struct {
	admin string
}

// actors are every account of the world, for matrices.
var actors = []string{"admin", "manager", "reader", "stranger", "reg", "ed", "adm", "dis", "adm2", "csup", "part"}

func newWorld(t *testing.T, e *env) world {
	t.Helper()
	svc, ctx := e.svc, e.ctx
	admin, _, err := svc.Bootstrap(ctx, "admin@example.org", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
	ok(t, err)
	w := world{admin: admin.ID}
	for _, a := range []struct {
		id    string
		roles []portal.PlatformRole
	}{
		{"manager", []portal.PlatformRole{portal.PlatformAccountManager}},
		{"reader", []portal.PlatformRole{portal.PlatformDataReader}},
		{"stranger", nil}, {"reg", nil}, {"ed", nil}, {"adm", nil}, {"dis", nil}, {"adm2", nil}, {"csup", nil}, {"part", nil},
	} {
		must[portal.Account](t)(svc.CreateAccount(ctx, admin.ID, portal.Account{ID: a.id, Email: a.id + "@example.org", Name: "Person " + a.id, PlatformRoles: a.roles}))
	}
	must[portal.Organisation](t)(svc.CreateOrganisation(ctx, admin.ID, portal.Organisation{ID: "ign", Name: "IGN", Type: portal.OrgStateService}, "adm"))
	must[portal.Organisation](t)(svc.CreateOrganisation(ctx, admin.ID, portal.Organisation{ID: "region", Name: "Région Sud", Type: portal.OrgLocalAuthority}, "adm2"))
	for acc, role := range map[string]portal.OrgRole{"reg": portal.RoleRegistered, "ed": portal.RoleEditor, "dis": portal.RoleDelegatedAdmin} {
		must[portal.Member](t)(svc.AddMember(ctx, "adm", "ign", acc, role))
	}
	must[portal.Community](t)(svc.CreateCommunity(ctx, "csup", portal.Community{ID: "club", Name: "Club SIG"}))
	joinCommunity(t, e, "csup", "club", "part")
	must[portal.OrgGroup](t)(svc.CreateOrgGroup(ctx, admin.ID, portal.OrgGroup{ID: "partners", Name: "Partenaires", Organisations: []string{"region"}}))
	must[portal.Dataset](t)(svc.CreateDataset(ctx, "ed", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "BD TOPO", Owner: "ign", Default: portal.LevelSearch}))
	must[portal.Dataset](t)(svc.CreateDataset(ctx, "ed", portal.Dataset{ID: "IGNF_PRIVATE", Title: "Données internes", Owner: "ign", Default: portal.LevelPrivate}))
	must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "dis", portal.AccountDisabled))
	return w
}

// id maps the world's actor names to account ids (admin's is generated).
func (w world) id(name string) string {
	if name == "admin" {
		return w.admin
	}
	return name
}
