package portal_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// grantActions are the matrix's rows for services, grants and access
// requests (TestRoleActionMatrix).
func grantActions() []action {
	topo := "IGNF_BD-TOPO"
	ignPubs := []string{"admin", "ed", "adm"}
	// but names every actor but those.
	but := func(names ...string) map[string]error {
		return hidden(slices.DeleteFunc(slices.Clone(actors), func(a string) bool { return slices.Contains(names, a) })...)
	}
	service := func(t *testing.T, e *env, w world, n int) string {
		return must[portal.MapService](t)(e.svc.CreateService(e.ctx, "ed", portal.MapService{ID: fmt.Sprintf("svc-%d", n), Dataset: topo, Title: "WMS",
			Type: portal.ServiceWMS, Path: fmt.Sprintf("/wms/m%d", n), Upstream: "https://example.org/wms", Layers: []string{"a"}, Available: true})).ID
	}
	grant := func(t *testing.T, e *env, w world, n int) string {
		return must[portal.Grant](t)(e.svc.CreateGrant(e.ctx, "ed", portal.Grant{Name: "L", Services: []string{service(t, e, w, n)}, Users: []string{"stranger"}})).ID
	}
	// request: the stranger asks for a fresh dataset's restricted service.
	request := func(t *testing.T, e *env, w world, n int) string {
		ds := fmt.Sprintf("DS_%d", n)
		must[portal.Dataset](t)(e.svc.CreateDataset(e.ctx, "ed", portal.Dataset{ID: ds, Title: "D", Owner: "ign", Default: portal.LevelSearch}))
		must[portal.MapService](t)(e.svc.CreateService(e.ctx, "ed", portal.MapService{Dataset: ds, Title: "WMS", Type: portal.ServiceWMS,
			Path: fmt.Sprintf("/wms/r%d", n), Upstream: "https://example.org/wms", Layers: []string{"a"}, Available: true}))
		return must[portal.AccessRequest](t)(e.svc.RequestAccess(e.ctx, "stranger", portal.AccessRequest{Dataset: ds})).ID
	}
	dataset := func(t *testing.T, e *env, w world, n int) string {
		ds := fmt.Sprintf("DS_%d", n)
		must[portal.Dataset](t)(e.svc.CreateDataset(e.ctx, "ed", portal.Dataset{ID: ds, Title: "D", Owner: "ign", Default: portal.LevelSearch}))
		must[portal.MapService](t)(e.svc.CreateService(e.ctx, "ed", portal.MapService{Dataset: ds, Title: "WMS", Type: portal.ServiceWMS,
			Path: fmt.Sprintf("/wms/d%d", n), Upstream: "https://example.org/wms", Layers: []string{"a"}, Available: true}))
		return ds
	}
	return []action{
		{name: "CreateService", allowed: ignPubs, other: hidden("dis"),
			run: func(e *env, w world, a, _ string, n int) error {
				_, err := e.svc.CreateService(e.ctx, w.id(a), portal.MapService{Dataset: topo, Title: "WMS", Type: portal.ServiceWMS,
					Path: fmt.Sprintf("/wms/c%d", n), Upstream: "https://example.org/wms", Layers: []string{"a"}})
				return err
			}},
		{name: "MapServiceOf", allowed: everyoneActive, other: hidden("dis"), prep: service,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.MapServiceOf(e.ctx, w.id(a), target)
				return err
			}},
		{name: "UpdateService", allowed: ignPubs, other: hidden("dis"), prep: service,
			run: func(e *env, w world, a, target string, n int) error {
				_, err := e.svc.UpdateService(e.ctx, w.id(a), portal.MapService{ID: target, Title: "New", Type: portal.ServiceWMS,
					Path: fmt.Sprintf("/wms/m%d", n), Upstream: "https://example.org/wms", Layers: []string{"a"}})
				return err
			}},
		{name: "DeleteService", allowed: ignPubs, other: hidden("dis"), prep: service,
			run: func(e *env, w world, a, target string, _ int) error {
				return e.svc.DeleteService(e.ctx, w.id(a), target)
			}},
		{name: "CreateGrant", allowed: ignPubs, other: hidden("dis"), prep: service,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.CreateGrant(e.ctx, w.id(a), portal.Grant{Name: "L", Services: []string{target}, Users: []string{"stranger"}})
				return err
			}},
		// The beneficiary sees the grant and may not change it.
		{name: "UpdateGrant", allowed: ignPubs, other: but("admin", "ed", "adm", "stranger"), prep: grant,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.UpdateGrant(e.ctx, w.id(a), target, portal.GrantChange{Name: new("Renamed")})
				return err
			}},
		{name: "DeleteGrant", allowed: ignPubs, other: but("admin", "ed", "adm", "stranger"), prep: grant,
			run: func(e *env, w world, a, target string, _ int) error {
				return e.svc.DeleteGrant(e.ctx, w.id(a), target)
			}},
		{name: "GrantOf", allowed: []string{"admin", "ed", "adm", "stranger"}, other: but("admin", "ed", "adm", "stranger"), prep: grant,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.GrantOf(e.ctx, w.id(a), target)
				return err
			}},
		// Only a personal beneficiary gives a grant up; the disabled account
		// may do nothing.
		{name: "RenounceGrant", allowed: []string{"stranger"}, other: but("stranger", "dis"), prep: grant,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.RenounceGrant(e.ctx, w.id(a), target)
				return err
			}},
		{name: "Grants (producer's view)", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.Grants(e.ctx, w.id(a), portal.GrantQuery{})
				return err
			}},
		{name: "MyGrants", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, _, err := e.svc.MyGrants(e.ctx, w.id(a), portal.GrantQuery{})
				return err
			}},
		{name: "RequestAccess", allowed: everyoneActive, other: hidden("dis"), prep: dataset,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.RequestAccess(e.ctx, w.id(a), portal.AccessRequest{Dataset: target})
				return err
			}},
		// Its author may not decide it; to whoever neither asked nor
		// decides, it does not exist.
		{name: "DecideAccessRequest", allowed: ignPubs, other: but("admin", "ed", "adm", "stranger"), prep: request,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.DecideAccessRequest(e.ctx, w.id(a), target, portal.AccessDecision{Reason: "non"})
				return err
			}},
		{name: "CancelAccessRequest", allowed: []string{"stranger"}, other: but("stranger"), prep: request,
			run: func(e *env, w world, a, target string, _ int) error {
				_, err := e.svc.CancelAccessRequest(e.ctx, w.id(a), target)
				return err
			}},
		{name: "AccessRequests (inbox)", allowed: everyoneActive,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.AccessRequests(e.ctx, w.id(a), portal.AccessRequestQuery{Status: portal.AccessPending})
				return err
			}},
		{name: "AccessRequests of ign", allowed: ignPubs,
			run: func(e *env, w world, a, _ string, _ int) error {
				_, err := e.svc.AccessRequests(e.ctx, w.id(a), portal.AccessRequestQuery{Organisation: "ign"})
				return err
			}},
	}
}
