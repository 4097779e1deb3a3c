package portal_test

import (
	"encoding/json"
	"github.com/octroi/octroi/internal/messages"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

func TestExplain(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for id, g := range map[string]portal.GroupRef{"D_ORG": gRegion, "D_GROUP": gPartners, "D_COMM": gClub} {
			must[portal.Dataset](t)(svc.CreateDataset(ctx, "adm", portal.Dataset{ID: id, Title: id, Owner: "ign"}))
			must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, id, g, lvl(portal.LevelDownload))) // club is private
		}
		for _, c := range []struct {
			name, dataset, account, perm string
			allowed                      bool
			via                          string
			fr, en                       string
		}{
			{"organisation", "D_ORG", "adm2", "download", true, "organisation",
				"en tant que membre de l'organisation Région Sud (rôle administrateur délégué), qui a le niveau particulier « téléchargement »",
				"as a member of organisation Région Sud (delegated administrator role), which has the specific level download"},
			{"group of organisations", "D_GROUP", "adm2", "consult", true, "org_group",
				"via le groupe d'organisations Partenaires, qui a le niveau particulier « téléchargement », en tant que membre de l'organisation Région Sud",
				"through the group of organisations Partenaires, which has the specific level download, as a member of organisation Région Sud"},
			{"community", "D_COMM", "part", "download", true, "community",
				"via la communauté Club SIG (rôle participant)", "through community Club SIG (participant role)"},
			{"default level", "IGNF_BD-TOPO", "stranger", "search", true, "default",
				"par le niveau par défaut du jeu de données (tout le monde) : « recherche »", "through the dataset's default level (everyone): search"},
			{"platform administrator", "D_ORG", w.admin, "manage_access", true, "platform",
				"rôle de plateforme administrateur", "platform role administrator"},
			{"platform data reader", "D_COMM", "reader", "download", true, "platform",
				"rôle de plateforme lecteur de toutes les données", "platform role data reader"},
			{"owning organisation", "D_ORG", "ed", "edit", true, "owner",
				"en tant que membre de l'organisation propriétaire IGN (rôle éditeur)", "as a member of the owning organisation IGN (editor role)"},
			{"denied", "IGNF_BD-TOPO", "stranger", "download", false, "default",
				"le niveau par défaut du jeu de données est « recherche »", "the dataset's default level is search"},
			{"denied: whom to ask", "IGNF_BD-TOPO", "stranger", "download", false, "owner",
				"demander aux administrateurs délégués ou aux éditeurs de l'organisation IGN", "ask organisation IGN's delegated administrators"},
			{"denied: editing", "D_ORG", "reg", "edit", false, "owner",
				"il faut être éditeur ou administrateur délégué de l'organisation IGN", "editor or delegated administrator role in organisation IGN"},
			{"disabled", "IGNF_BD-TOPO", "dis", "search", false, "disabled",
				"compte désactivé", "account disabled"},
		} {
			x, err := svc.Explain(ctx, "adm", c.dataset, c.account, c.perm)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if x.Allowed != c.allowed {
				t.Errorf("%s: allowed %v, want %v", c.name, x.Allowed, c.allowed)
			}
			i := slices.IndexFunc(x.Reasons, func(r portal.Reason) bool { return r.Via == c.via })
			if i < 0 {
				t.Errorf("%s: no reason via %s in %+v", c.name, c.via, x.Reasons)
				continue
			}
			rfr, ren := x.Reasons[i].Text.In(messages.French), x.Reasons[i].Text.In(messages.English)
			xfr, xen := x.Text.In(messages.French), x.Text.In(messages.English)
			if !strings.Contains(rfr, c.fr) || !strings.Contains(ren, c.en) {
				t.Errorf("%s:\n got %q / %q\nwant %q / %q", c.name, rfr, ren, c.fr, c.en)
			}
			if !strings.Contains(xfr, rfr) || !strings.Contains(xen, ren) {
				t.Errorf("%s: the summary %q / %q leaves the reason out", c.name, xfr, xen)
			}
		}
		// The account itself may ask, about datasets it may search; nobody
		// learns of a private dataset this way.
		x, err := svc.Explain(ctx, "stranger", "IGNF_BD-TOPO", "stranger", "download")
		ok(t, err)
		if x.Allowed || !strings.HasPrefix(x.Text.In(messages.English), "Person stranger may not download") {
			t.Errorf("self explanation %+v", x)
		}
		_, err = svc.Explain(ctx, "stranger", "D_ORG", "stranger", "download")
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.Explain(ctx, "adm", "D_ORG", "stranger", "own")
		wantErr(t, err, portal.ErrInvalid)
	})
}

func TestAudit(t *testing.T) {
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
		org := must[[]store.AuditEntry](t)(svc.Audit(ctx, "adm", store.AuditQuery{Resource: "organisation:ign"}))
		want := []string{"organisation.create", "organisation.member.add", "organisation.member.add", "organisation.member.add", "organisation.member.add"}
		if got := actions(org); !slices.Equal(got, want) {
			t.Fatalf("ign's audit: %q, want %q", got, want)
		}
		if org[0].Actor != w.admin || org[0].Before != nil || org[0].After == nil || org[0].Revision == 0 {
			t.Errorf("creation entry %+v", org[0])
		}

		// A later change, at a later time, with before and after.
		e.clock.Advance(time.Hour)
		t1 := e.clock.Now()
		must[portal.Member](t)(svc.SetMemberRole(ctx, "adm", "ign", "reg", portal.RoleEditor))
		e.clock.Advance(time.Hour)
		must[portal.Dataset](t)(svc.UpdateDataset(ctx, "ed", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "BD TOPO®"}))
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "ed", "IGNF_BD-TOPO", gPartners, lvl(portal.LevelConsult)))
		must[[]portal.BulkChange](t)(svc.BulkAccess(ctx, "ed", "IGNF_BD-TOPO", portal.BulkAction{Groups: []portal.GroupRef{gPartners, gRegion}, Action: "grant", Level: portal.LevelDownload, DryRun: true}))
		_, _, err := svc.SetDefaultLevel(ctx, "ed", "IGNF_BD-TOPO", portal.LevelConsult)
		ok(t, err)

		since := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Since: t1}))
		if got := actions(since); !slices.Equal(got, []string{"organisation.member.role", "dataset.update", "dataset.level.set", "dataset.default_level"}) {
			t.Errorf("since t1: %q (a dry run must not be audited)", got)
		}
		var before, after portal.Member
		ok(t, json.Unmarshal(since[0].Before, &before))
		ok(t, json.Unmarshal(since[0].After, &after))
		if before.Role != portal.RoleRegistered || after.Role != portal.RoleEditor || since[0].Actor != "adm" || !since[0].At.Equal(t1) {
			t.Errorf("role change entry: %+v (before %+v, after %+v)", since[0], before, after)
		}
		var ds portal.Dataset
		ok(t, json.Unmarshal(since[1].Before, &ds))
		if ds.Title != "BD TOPO" {
			t.Errorf("dataset before: %+v", ds)
		}
		until := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Until: t1}))
		if len(until) == 0 || slices.ContainsFunc(until, func(a store.AuditEntry) bool { return !a.At.Before(t1) }) {
			t.Errorf("until t1: %d entries, some at or after t1", len(until))
		}
		window := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Since: t1, Until: t1.Add(time.Minute)}))
		if got := actions(window); !slices.Equal(got, []string{"organisation.member.role"}) {
			t.Errorf("window: %q", got)
		}
		byActor := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Actor: "csup"}))
		if got := actions(byActor); !slices.Equal(got, []string{"community.create", "community.invitation.create"}) {
			t.Errorf("csup's entries: %q", got)
		}
		dsLog := must[[]store.AuditEntry](t)(svc.Audit(ctx, "ed", store.AuditQuery{Resource: "dataset:IGNF_BD-TOPO"}))
		if got := actions(dsLog); !slices.Equal(got, []string{"dataset.create", "dataset.update", "dataset.level.set", "dataset.default_level"}) {
			t.Errorf("dataset log: %q", got)
		}
		// Paging.
		p1 := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Limit: 3}))
		p2 := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Limit: 3, AfterSeq: p1[2].Seq}))
		if len(p1) != 3 || len(p2) != 3 || p2[0].Seq <= p1[2].Seq {
			t.Errorf("pages %d and %d", len(p1), len(p2))
		}
		_, err = svc.Audit(ctx, w.admin, store.AuditQuery{Since: t1, Until: t1})
		wantErr(t, err, portal.ErrInvalid)
		// Others' resources stay closed.
		_, err = svc.Audit(ctx, "adm2", store.AuditQuery{Resource: "dataset:IGNF_BD-TOPO"})
		wantErr(t, err, portal.ErrForbidden)
	})
}
