package portal_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestPageOwnersAgreeWithCreatePage: the owners a face offers are those
// CreatePage accepts, for each kind of person (publishers of one
// organisation, registered members, a disabled publisher, strangers,
// anonymous visitors, the platform's administrator and page editors).
func TestPageOwnersAgreeWithCreatePage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.ContentRoleHolder](t)(svc.SetContentRole(ctx, w.admin, portal.ContentPageEditor, user("part"), true))
		orgIDs := func(o portal.PageOwners) []string {
			var ids []string
			for _, m := range o.Orgs {
				ids = append(ids, m.Organisation)
			}
			return ids
		}
		for _, c := range []struct {
			actor    string
			platform bool
			orgs     []string
		}{
			{"", false, nil},
			{"stranger", false, nil},
			{"reg", false, nil},
			{"dis", false, nil}, // ign's delegated administrator, disabled
			{"ed", false, []string{"ign"}},
			{"adm", false, []string{"ign"}},
			{"adm2", false, []string{"region"}},
			{"part", true, nil},
			{w.admin, true, nil},
		} {
			o := must[portal.PageOwners](t)(svc.PageOwners(ctx, c.actor))
			if o.Platform != c.platform || !slices.Equal(orgIDs(o), c.orgs) || o.May() != (c.platform || len(c.orgs) > 0) {
				t.Errorf("%q: owners %+v, want platform %v, organisations %v", c.actor, o, c.platform, c.orgs)
			}
			if len(o.Orgs) > 0 && o.Orgs[0].Name == "" {
				t.Errorf("%q: organisation %s unnamed", c.actor, o.Orgs[0].Organisation)
			}
			for i, owner := range []string{"", "ign", "region"} {
				p := portal.Page{ID: "p-" + strconv.Itoa(i) + "-" + strconv.Itoa(len(c.actor)) + c.actor, Title: "Page", Owner: owner}
				_, err := svc.CreatePage(ctx, c.actor, p)
				offered := o.Platform || slices.Contains(c.orgs, owner)
				if (err == nil) != offered {
					t.Errorf("%q creating a page of %q: %v, offered %v", c.actor, owner, err, offered)
				}
			}
		}
	})
}
