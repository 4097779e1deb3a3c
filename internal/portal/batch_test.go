package portal_test

import (
	"context"
	"errors"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestBatch: a batch commits its changes together, and they see each
// other (a level set on a dataset created in the same batch); a failing
// change fails the batch, even when fn ignores its error, and nothing is
// written; only a platform administrator runs one.
func TestBatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		ok(t, svc.Batch(ctx, w.admin, func(ctx context.Context) error {
			if _, err := svc.CreateOrganisation(ctx, w.admin, portal.Organisation{ID: "b1", Name: "Batch one", Type: portal.OrgResearch}, "stranger"); err != nil {
				return err
			}
			if _, err := svc.CreateDataset(ctx, w.admin, portal.Dataset{ID: "B1_DS", Title: "Batch", Owner: "b1", Default: portal.LevelSearch}); err != nil {
				return err
			}
			_, err := svc.BulkAccess(ctx, w.admin, "B1_DS", portal.BulkAction{Groups: []portal.GroupRef{{Kind: portal.GroupOrganisation, ID: "ign"}}, Action: "grant", Level: portal.LevelDownload})
			return err
		}))
		rows, _ := must2(t)(svc.AccessTable(ctx, "stranger", "B1_DS", portal.AccessFilter{Kind: portal.GroupOrganisation, Name: "IGN"}))
		if len(rows) != 1 || rows[0].Specific == nil || *rows[0].Specific != portal.LevelDownload {
			t.Fatalf("access rows of B1_DS after the batch: got %+v, want ign at download", rows)
		}

		// A level for a group that does not exist fails inside the batch;
		// fn ignores it.
		err := svc.Batch(ctx, w.admin, func(ctx context.Context) error {
			if _, err := svc.CreateOrganisation(ctx, w.admin, portal.Organisation{ID: "b2", Name: "Batch two", Type: portal.OrgResearch}, "stranger"); err != nil {
				return err
			}
			_, _ = svc.BulkAccess(ctx, w.admin, "B1_DS", portal.BulkAction{Groups: []portal.GroupRef{{Kind: portal.GroupOrganisation, ID: "nope"}}, Action: "grant", Level: portal.LevelDownload})
			return nil
		})
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.Organisation(ctx, w.admin, "b2")
		wantErr(t, err, portal.ErrNotFound)

		// Another actor inside the batch, and a non-administrator's batch.
		err = svc.Batch(ctx, w.admin, func(ctx context.Context) error {
			_, err := svc.CreateCommunity(ctx, "stranger", portal.Community{ID: "b3", Name: "Batch three"})
			return err
		})
		if err == nil {
			t.Fatal("a change by another actor inside a batch: got nil error")
		}
		for _, actor := range []string{"manager", "adm", "stranger"} {
			called := false
			err := svc.Batch(ctx, actor, func(ctx context.Context) error { called = true; return nil })
			wantErr(t, err, portal.ErrForbidden)
			if called {
				t.Errorf("%s's batch ran", actor)
			}
		}
		if err := svc.Batch(ctx, w.admin, func(ctx context.Context) error { return svc.Batch(ctx, w.admin, nil) }); err == nil || errors.Is(err, portal.ErrForbidden) {
			t.Errorf("a batch inside a batch: got %v, want an internal error", err)
		}
	})
}
