package portal_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/reqid"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// numbers returns the paths of the JSON numbers in v.
func numbers(path string, v any) []string {
	switch v := v.(type) {
	case float64:
		return []string{path}
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(out, numbers(path+"."+k, x)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, numbers(path+"[]", x)...)
		}
		return out
	}
	return nil
}

// TestAuditOneFormat: after actions of every kind that touch levels, no
// audit entry holds a number — levels are written by name everywhere
// (dataset records, default level changes, specific levels, the specific
// levels a raised default removed).
func TestAuditOneFormat(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		// The club is private: its first level on the dataset comes from
		// an administrator, and then the dataset's editors see it.
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, "IGNF_BD-TOPO", gClub, lvl(portal.LevelSearch)))
		must[[]portal.BulkChange](t)(svc.BulkAccess(ctx, "ed", "IGNF_BD-TOPO", portal.BulkAction{Groups: []portal.GroupRef{gRegion}, Action: "grant", Level: portal.LevelDownload}))
		_, _, err := svc.SetDefaultLevel(ctx, "ed", "IGNF_BD-TOPO", portal.LevelConsult) // removes club's search
		ok(t, err)
		must[portal.Dataset](t)(svc.UpdateDataset(ctx, "ed", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "BD TOPO®"}))
		ok(t, svc.DeleteDataset(ctx, "ed", "IGNF_PRIVATE"))
		tok, _, err := svc.CreateToken(ctx, "reg", "script", nil)
		ok(t, err)
		ok(t, svc.RevokeToken(ctx, "reg", tok.ID))
		jr := must[portal.JoinRequest](t)(svc.RequestJoin(ctx, "stranger", "ign", "hello"))
		must[portal.JoinRequest](t)(svc.DecideJoinRequest(ctx, "adm", jr.ID, true, portal.RoleRegistered, ""))
		must[portal.OrgGroup](t)(svc.SetOrgGroupOrganisations(ctx, w.admin, "partners", []string{"ign", "region"}))

		es := must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Limit: 1000}))
		kinds := map[string]bool{}
		for _, en := range es {
			kinds[en.Action] = true
			for side, b := range map[string][]byte{"before": en.Before, "after": en.After} {
				if b == nil {
					continue
				}
				var v any
				ok(t, json.Unmarshal(b, &v))
				if ns := numbers(side, v); len(ns) > 0 {
					t.Errorf("%s on %s: numbers at %v in %s", en.Action, en.Resource, ns, b)
				}
			}
		}
		for _, k := range []string{"dataset.create", "dataset.update", "dataset.delete", "dataset.default_level", "dataset.level.set"} {
			if !kinds[k] {
				t.Errorf("no %s entry among %v", k, kinds)
			}
		}
		// Old records hold levels as numbers: they still read.
		var d portal.Dataset
		ok(t, json.Unmarshal([]byte(`{"id":"X","default_level":2}`), &d))
		if d.Default != portal.LevelConsult {
			t.Errorf("a numbered level reads as %v", d.Default)
		}
	})
}

// TestAuditRequestID: the request id the context carries (the API's
// request-id middleware puts it there) is recorded in the audit entries of
// the change.
func TestAuditRequestID(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := reqid.With(e.ctx, "req-42")
		must[portal.Dataset](t)(e.svc.UpdateDataset(ctx, "ed", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "BD TOPO 2"}))
		must[portal.Dataset](t)(e.svc.UpdateDataset(e.ctx, "ed", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "BD TOPO 3"}))
		es := must[[]store.AuditEntry](t)(e.svc.Audit(e.ctx, w.admin, store.AuditQuery{Resource: "dataset:IGNF_BD-TOPO"}))
		var ids []string
		for _, en := range es {
			if en.Action == "dataset.update" {
				ids = append(ids, en.RequestID)
			}
		}
		if !slices.Equal(ids, []string{"req-42", ""}) {
			t.Errorf("request ids of the updates: %q, want [req-42 \"\"]", ids)
		}
	})
}

// TestAuditOfWhatOneManages: without a resource, a manager reads the
// entries of what the engine says they manage — a delegated admin their
// organisation and its datasets, a community's supervisor the community —
// and none of anyone else's; someone who manages nothing is refused.
func TestAuditOfWhatOneManages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		resources := func(actor string) map[string]bool {
			t.Helper()
			es := must[[]store.AuditEntry](t)(e.svc.Audit(e.ctx, actor, store.AuditQuery{Limit: 1000}))
			out := map[string]bool{}
			for _, en := range es {
				out[en.Resource] = true
			}
			return out
		}
		for actor, want := range map[string][]string{
			"adm":  {"organisation:ign", "dataset:IGNF_BD-TOPO", "dataset:IGNF_PRIVATE"},
			"ed":   {"dataset:IGNF_BD-TOPO", "dataset:IGNF_PRIVATE"},
			"adm2": {"organisation:region"},
			"csup": {"community:club"},
		} {
			got := resources(actor)
			if len(got) != len(want) {
				t.Errorf("%s reads the entries of %v, want %v", actor, got, want)
			}
			for _, r := range want {
				if !got[r] {
					t.Errorf("%s reads the entries of %v, want %v", actor, got, want)
				}
			}
		}
		for _, actor := range []string{"stranger", "reg", "part", "manager", "dis"} {
			_, err := e.svc.Audit(e.ctx, actor, store.AuditQuery{})
			wantErr(t, err, portal.ErrForbidden)
		}
		_, err := e.svc.Audit(e.ctx, "adm", store.AuditQuery{Resource: "organisation:region"})
		wantErr(t, err, portal.ErrForbidden)
	})
}

// TestAuditOfTooManyManaged: a manager of more resources of one kind than
// one audit query takes is asked to name one, never answered a part of
// their entries without a word.
func TestAuditOfTooManyManaged(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		// ign owns 5,001 more datasets (written as an operator would: the
		// engine's lookup is what counts them).
		var ups []store.Update
		for i := range 5001 {
			r, err := tuple.Parse(fmt.Sprintf("dataset:bulk%d#owner@organisation:ign", i))
			ok(t, err)
			ups = append(ups, store.Update{Op: store.Touch, Relationship: r})
		}
		rev, err := e.st.Write(e.ctx, store.WriteRequest{Updates: ups})
		ok(t, err)
		ok(t, e.sync(e.ctx, rev))
		_, err = e.svc.Audit(e.ctx, "ed", store.AuditQuery{})
		wantErr(t, err, portal.ErrInvalid)
		if !strings.Contains(err.Error(), "resource=dataset:ID") {
			t.Errorf("the refusal should say how to narrow the query: %v", err)
		}
		// Naming one still works.
		must[[]store.AuditEntry](t)(e.svc.Audit(e.ctx, "ed", store.AuditQuery{Resource: "dataset:IGNF_BD-TOPO"}))
	})
}
