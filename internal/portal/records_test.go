package portal_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// TestRecordFormats: documents are written at the current format version;
// documents written before records were versioned (no "v", levels by
// number, an account's empty status) still read; a document of a future
// version is refused, saying why; audit entries hold records without "v".
func TestRecordFormats(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		rewrite := func(kind, id, data string) {
			t.Helper()
			d, err := e.st.GetDoc(ctx, kind, id)
			ok(t, err)
			d.Data = []byte(data)
			rev, err := e.st.Transact(ctx, func(tx store.DocTx) error { return tx.PutDoc(ctx, d) })
			ok(t, err)
			// The service reads records from memory, brought up to the
			// index's revision: wait for it, as a change made through
			// the service does.
			ok(t, e.sync(ctx, rev))
		}

		for _, k := range [][2]string{{"account", "reg"}, {"organisation", "ign"}, {"dataset", "IGNF_BD-TOPO"}, {"community", "club"}} {
			d, err := e.st.GetDoc(ctx, k[0], k[1])
			ok(t, err)
			if v := version(t, d.Data); v != 1.0 {
				t.Errorf("%s %s written as %s, want version 1", k[0], k[1], d.Data)
			}
		}

		// Today's documents, as octroi wrote them before versions.
		rewrite("account", "reg", `{"id":"reg","email":"reg@example.org","name":"Old Reg","status":"","created":"2026-01-02T03:04:05Z"}`)
		rewrite("organisation", "ign", `{"id":"ign","name":"Old IGN","type":"state_service","created":"2026-01-02T03:04:05Z"}`)
		rewrite("dataset", "IGNF_BD-TOPO", `{"id":"IGNF_BD-TOPO","title":"Old title","owner":"ign","default_level":2,"created":"2026-01-02T03:04:05Z"}`)
		a := must[portal.Account](t)(svc.Account(ctx, w.admin, "reg"))
		if a.Name != "Old Reg" || a.Status != portal.AccountActive || a.Created.Year() != 2026 {
			t.Errorf("unversioned account reads as %+v", a)
		}
		o := must[portal.Organisation](t)(svc.Organisation(ctx, "reg", "ign"))
		if o.Name != "Old IGN" || o.Type != portal.OrgStateService {
			t.Errorf("unversioned organisation reads as %+v", o)
		}
		d := must[portal.Dataset](t)(svc.Dataset(ctx, "ed", "IGNF_BD-TOPO"))
		if d.Title != "Old title" || d.Owner != "ign" || d.Default != portal.LevelSearch {
			t.Errorf("unversioned dataset reads as %+v (its default level is its relationships')", d)
		}
		// Version 1, written by hand: the same.
		rewrite("organisation", "ign", `{"v":1,"id":"ign","name":"IGN v1","type":"research","created":"2026-01-02T03:04:05Z"}`)
		if o := must[portal.Organisation](t)(svc.Organisation(ctx, "reg", "ign")); o.Name != "IGN v1" || o.Type != portal.OrgResearch {
			t.Errorf("version 1 organisation reads as %+v", o)
		}

		rewrite("organisation", "ign", `{"v":2,"id":"ign","label":"IGN"}`)
		if _, err := svc.Organisation(ctx, "reg", "ign"); err == nil || !strings.Contains(err.Error(), "written by a newer octroi") {
			t.Errorf("a version 2 organisation: got %v, want it refused as written by a newer octroi", err)
		}
		if _, err := svc.Organisations(ctx, "reg", "", "", "", 10); err == nil || !strings.Contains(err.Error(), "written by a newer octroi") {
			t.Errorf("listing a version 2 organisation: got %v, want it refused as written by a newer octroi", err)
		}

		for _, en := range must[[]store.AuditEntry](t)(svc.Audit(ctx, w.admin, store.AuditQuery{Limit: 1000})) {
			if version(t, en.Before) != nil || version(t, en.After) != nil {
				t.Errorf("%s: audit entry holds a version: %s %s", en.Action, en.Before, en.After)
			}
		}
	})
}

// version returns the "v" of a JSON object (nil: none), as a float64.
func version(t *testing.T, data []byte) any {
	t.Helper()
	if data == nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil // an audit entry's before or after need not be an object
	}
	return m["v"]
}
