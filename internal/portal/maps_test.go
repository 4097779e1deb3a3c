package portal_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

var (
	hClub   = portal.Holder{Kind: portal.HolderCommunity, ID: "club"}
	hIGN    = portal.Holder{Kind: portal.HolderOrganisation, ID: "ign"}
	hRegion = portal.Holder{Kind: portal.HolderOrganisation, ID: "region"}
)

// mapWorld adds to the world: the club consults the private dataset
// IGNF_PRIVATE and holds the creator privilege, and its supervisor csup
// made map "net" (owned by the club) showing that dataset.
func mapWorld(t *testing.T, e *env) world {
	t.Helper()
	w := newWorld(t, e)
	svc, ctx := e.svc, e.ctx
	must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, "IGNF_PRIVATE", gClub, lvl(portal.LevelConsult)))
	must[portal.ContentRoleHolder](t)(svc.SetContentRole(ctx, w.admin, portal.ContentMapCreator, hClub, true))
	must[portal.Map](t)(svc.CreateMap(ctx, "csup", portal.Map{ID: "net", Name: "Réseau", Icon: "network",
		Resources: []portal.MapResource{{Kind: portal.ResourceDataset, ID: "IGNF_PRIVATE"}}}, hClub))
	return w
}

// TestMapCreation: map administrators, editors and creator roles create
// maps; a creator only for a role they belong to; nobody else.
func TestMapCreation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := mapWorld(t, e)
		svc, ctx := e.svc, e.ctx
		head := e.head()
		_, err := svc.CreateMap(ctx, "stranger", portal.Map{Name: "M"}, hIGN)
		wantErr(t, err, portal.ErrForbidden)
		// part creates (the club is a creator), but only for the club.
		_, err = svc.CreateMap(ctx, "part", portal.Map{Name: "M"}, hIGN)
		wantErr(t, err, portal.ErrForbidden)
		if !strings.Contains(err.Error(), "a role you belong to") {
			t.Errorf("refusal %q does not say why", err)
		}
		// A single person is never given a privilege on a map.
		_, err = svc.CreateMap(ctx, "part", portal.Map{Name: "M"}, user("part"))
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.CreateMap(ctx, "csup", portal.Map{ID: "net", Name: "M"}, hClub)
		wantErr(t, err, portal.ErrConflict)
		if e.head() != head {
			t.Fatal("a refused creation wrote something")
		}
		m := must[portal.Map](t)(svc.CreateMap(ctx, "part", portal.Map{Name: "M"}, hClub))
		if m.ID == "" || !e.check("map:"+m.ID+"#delete@user:csup") {
			t.Errorf("map %+v: the club does not own it", m)
		}
		// A map editor creates for any role.
		must[portal.ContentRoleHolder](t)(svc.SetContentRole(ctx, w.admin, portal.ContentMapEditor, user("stranger"), true))
		m = must[portal.Map](t)(svc.CreateMap(ctx, "stranger", portal.Map{Name: "M"}, hRegion))
		if !e.check("map:"+m.ID+"#share@user:adm2") || !e.check("map:"+m.ID+"#share@user:stranger") {
			t.Error("map editor's map: region does not own it, or the editor cannot share it")
		}
	})
}

// TestMapPrivileges: read views, write edits, owner shares, deletes and
// sets the name and icon; map editors do all of it on every map; a viewer
// sees every resource, even one they could not open alone.
func TestMapPrivileges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := mapWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "csup", "net", hIGN, portal.MapRead))
		// reg (ign) views, with the private dataset it may not consult.
		if e.check("dataset:IGNF_PRIVATE#consult@user:stranger") {
			t.Fatal("setup: stranger consults the private dataset")
		}
		m := must[portal.Map](t)(svc.Map(ctx, "reg", "net"))
		if len(m.Resources) != 1 || m.Resources[0].ID != "IGNF_PRIVATE" {
			t.Errorf("viewer sees %+v", m.Resources)
		}
		_, err := svc.Map(ctx, "stranger", "net")
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.SetMapResources(ctx, "reg", "net", nil)
		wantErr(t, err, portal.ErrForbidden)
		_, err = svc.UpdateMap(ctx, "reg", portal.Map{ID: "net", Name: "X"})
		wantErr(t, err, portal.ErrForbidden)

		// write: edits, neither shares, deletes nor renames.
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "csup", "net", hIGN, portal.MapWrite))
		must[portal.Map](t)(svc.SetMapResources(ctx, "reg", "net", []portal.MapResource{{Kind: portal.ResourceDataset, ID: "IGNF_PRIVATE"}, {Kind: portal.ResourceDataset, ID: "IGNF_BD-TOPO"}}))
		_, err = svc.UpdateMap(ctx, "reg", portal.Map{ID: "net", Name: "X"})
		wantErr(t, err, portal.ErrForbidden)
		_, err = svc.SetMapShare(ctx, "reg", "net", hRegion, portal.MapRead)
		wantErr(t, err, portal.ErrForbidden)
		wantErr(t, svc.DeleteMap(ctx, "reg", "net"), portal.ErrForbidden)

		// owner: renames.
		m = must[portal.Map](t)(svc.UpdateMap(ctx, "part", portal.Map{ID: "net", Name: "Réseau 2", Icon: "globe"}))
		if m.Name != "Réseau 2" || m.Icon != "globe" || len(m.Resources) != 2 {
			t.Errorf("map %+v", m)
		}
		shares := must[[]portal.MapShare](t)(svc.MapShares(ctx, "part", "net"))
		var got []string
		for _, s := range shares {
			got = append(got, s.Group.ID+"="+string(s.Level)+":"+s.Group.Name)
		}
		if want := []string{"ign=write:IGN", "club=owner:Club SIG"}; !slices.Equal(got, want) {
			t.Errorf("shares %q, want %q", got, want)
		}
		// Lists: what one may view.
		if ms := must[[]portal.Map](t)(svc.Maps(ctx, "reg", "", 10)); len(ms) != 1 || ms[0].ID != "net" {
			t.Errorf("reg lists %+v", ms)
		}
		if ms := must[[]portal.Map](t)(svc.Maps(ctx, "stranger", "", 10)); len(ms) != 0 {
			t.Errorf("stranger lists %+v", ms)
		}
		// A map administrator deletes any map.
		must[portal.ContentRoleHolder](t)(svc.SetContentRole(ctx, w.admin, portal.ContentMapAdministrator, user("stranger"), true))
		ok(t, svc.DeleteMap(ctx, "stranger", "net"))
		if e.check("map:net#view@user:reg") {
			t.Error("a deleted map is still viewed")
		}
		actions := auditActions(t, e, w, "map:net")
		for _, a := range []string{"map.create", "map.share", "map.resources", "map.update", "map.delete"} {
			if !slices.Contains(actions, a) {
				t.Errorf("no audit entry %s in %q", a, actions)
			}
		}
	})
}

// TestMapNeverLosesItsLastOwner: lowering or removing the last owner's
// privilege, or deleting the community that alone owns a map, is refused
// with a message that says why, and writes nothing; with a second owner
// it goes through.
func TestMapNeverLosesItsLastOwner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := mapWorld(t, e)
		svc, ctx := e.svc, e.ctx
		head := e.head()
		for _, l := range []portal.MapLevel{portal.MapWrite, portal.MapRead, portal.MapNone} {
			_, err := svc.SetMapShare(ctx, "csup", "net", hClub, l)
			wantErr(t, err, portal.ErrConflict)
			var perr *portal.Error
			if !errors.As(err, &perr) || !strings.Contains(perr.Msg.In(messages.English), "never loses its last owner") ||
				!strings.Contains(perr.Msg.In(messages.French), "ne perd jamais son dernier propriétaire") {
				t.Errorf("refusal %v does not say why", err)
			}
		}
		wantErr(t, svc.DeleteCommunity(ctx, "csup", "club"), portal.ErrConflict)
		if e.head() != head || !e.check("map:net#share@user:part") {
			t.Fatal("a refused change took the owner away")
		}
		// Another owner first: then the club may step down.
		must[portal.MapShare](t)(svc.SetMapShare(ctx, w.admin, "net", hIGN, portal.MapOwner))
		s := must[portal.MapShare](t)(svc.SetMapShare(ctx, "csup", "net", hClub, portal.MapRead))
		if s.Before != portal.MapOwner || s.Level != portal.MapRead {
			t.Errorf("change %+v", s)
		}
		if !e.check("map:net#view@user:part") || e.check("map:net#edit@user:part") {
			t.Error("read: want view only")
		}
		ok(t, svc.DeleteCommunity(ctx, "csup", "club"))
	})
}

// TestMapResourcesOnlyWhatTheEditorConsults: someone editing a map adds
// only resources they may consult themselves; a dataset they may not find
// does not exist for them; resources already there stay; services are
// checked by use.
func TestMapResourcesOnlyWhatTheEditorConsults(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		mapWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.MapShare](t)(svc.SetMapShare(ctx, "csup", "net", hRegion, portal.MapWrite))
		head := e.head()
		keep := portal.MapResource{Kind: portal.ResourceDataset, ID: "IGNF_PRIVATE"}
		// adm2 (region) may not find IGNF_PRIVATE, nor use a service.
		_, err := svc.SetMapResources(ctx, "adm2", "net", []portal.MapResource{{Kind: portal.ResourceDataset, ID: "IGNF_OTHER"}})
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.SetMapResources(ctx, "adm2", "net", []portal.MapResource{keep, {Kind: portal.ResourceService, ID: "ign-wms", Layer: "ortho"}})
		wantErr(t, err, portal.ErrForbidden)
		// search is not consult.
		_, err = svc.SetMapResources(ctx, "adm2", "net", []portal.MapResource{keep, {Kind: portal.ResourceDataset, ID: "IGNF_BD-TOPO"}})
		wantErr(t, err, portal.ErrForbidden)
		_, err = svc.SetMapResources(ctx, "adm2", "net", []portal.MapResource{keep, keep})
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.SetMapResources(ctx, "adm2", "net", []portal.MapResource{{Kind: portal.ResourceDataset, ID: "X", Layer: "l"}})
		wantErr(t, err, portal.ErrInvalid)
		if e.head() != head {
			t.Fatal("a refused edit wrote something")
		}
		// Removing is always allowed; what stays is not checked again.
		m := must[portal.Map](t)(svc.SetMapResources(ctx, "adm2", "net", []portal.MapResource{}))
		if len(m.Resources) != 0 {
			t.Errorf("resources %+v", m.Resources)
		}
		_, err = svc.SetMapResources(ctx, "adm2", "net", []portal.MapResource{keep})
		wantErr(t, err, portal.ErrNotFound)
	})
}

// TestFirstContentOfAPlatform: on a platform where nothing of content was
// ever written (the content object is not yet tied to the platform), its
// administrator makes the first platform page, or the first map.
func TestFirstContentOfAPlatform(t *testing.T) {
	for _, first := range []string{"page", "map"} {
		t.Run(first, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, e *env) {
				w := newWorld(t, e)
				svc, ctx := e.svc, e.ctx
				if first == "page" {
					_, err := svc.CreatePage(ctx, "ed", portal.Page{ID: "first", Title: "Première"})
					wantErr(t, err, portal.ErrForbidden)
					must[portal.Page](t)(svc.CreatePage(ctx, w.admin, portal.Page{ID: "first", Title: "Première"}))
					return
				}
				_, err := svc.CreateMap(ctx, "ed", portal.Map{Name: "Première"}, hIGN)
				wantErr(t, err, portal.ErrForbidden)
				must[portal.Map](t)(svc.CreateMap(ctx, w.admin, portal.Map{Name: "Première"}, hIGN))
			})
		})
	}
}

// TestMapLastOwnerConcurrent: two concurrent changes, each taking
// ownership from one of a map's two owners (a share lowered, a community
// deleted): exactly one goes through, the other meets the invariant,
// checked inside the store's serialised transaction.
func TestMapLastOwnerConcurrent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := mapWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for round := range 3 {
			id := fmt.Sprintf("two-owners-%d", round)
			c := fmt.Sprintf("owners-%d", round)
			must[portal.Community](t)(svc.CreateCommunity(ctx, "csup", portal.Community{ID: c, Name: "Owners"}))
			must[portal.Map](t)(svc.CreateMap(ctx, "csup", portal.Map{ID: id, Name: "Two owners"}, hClub))
			must[portal.MapShare](t)(svc.SetMapShare(ctx, "csup", id, portal.Holder{Kind: portal.HolderCommunity, ID: c}, portal.MapOwner))
			ops := []func() error{
				func() error { _, err := svc.SetMapShare(ctx, w.admin, id, hClub, portal.MapRead); return err },
				func() error {
					_, err := svc.SetMapShare(ctx, w.admin, id, portal.Holder{Kind: portal.HolderCommunity, ID: c}, portal.MapNone)
					return err
				},
			}
			if round == 2 {
				ops[1] = func() error { return svc.DeleteCommunity(ctx, "csup", c) }
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, op := range ops {
				wg.Go(func() { errs[i] = op() })
			}
			wg.Wait()
			okCount, conflicts := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					okCount++
				case errors.Is(err, portal.ErrConflict):
					conflicts++
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if okCount != 1 || conflicts != 1 {
				t.Fatalf("round %d: %d succeeded and %d conflicted, want 1 and 1", round, okCount, conflicts)
			}
			owners := 0
			for _, s := range must[[]portal.MapShare](t)(svc.MapShares(ctx, w.admin, id)) {
				if s.Level == portal.MapOwner {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("round %d: %d owners left, want 1", round, owners)
			}
		}
	})
}
