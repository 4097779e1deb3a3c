package storetest

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/octroi/octroi/internal/store"
)

// AuditByActionMigration checks the migration that adds the audit log's
// (action, seq) index on a database that has a log already: s is a
// migrated store; downgrade puts its database back as the previous
// version left it (the index dropped, the migration unrecorded); indexed
// reports whether the index is there. After Migrate, the index is there,
// the version is the binary's, and searches by action find what they did.
func AuditByActionMigration(t *testing.T, s store.Store, downgrade func(t *testing.T), indexed func(t *testing.T) bool) {
	ctx := context.Background()
	d := s.(store.Documents)
	actions := []string{"community.create", "grant.create", "community.member.set", "grant.delete", "communityx.create"}
	transact(t, d, func(ctx context.Context, tx store.DocTx) error {
		for i := range 50 {
			if err := tx.AppendAudit(ctx, store.AuditEntry{Actor: "ann", Action: actions[i%len(actions)], Resource: "community:c", RequestID: strconv.Itoa(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	downgrade(t)
	if indexed(t) {
		t.Fatal("the index is still there after the downgrade")
	}
	if err := s.CheckVersion(ctx); err == nil {
		t.Fatal("the downgraded database is up to date")
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate of a database with a log: %v", err)
	}
	if err := s.CheckVersion(ctx); err != nil {
		t.Fatalf("CheckVersion after Migrate: %v", err)
	}
	if !indexed(t) {
		t.Fatal("no audit_by_action index after Migrate")
	}
	got, err := d.Audit(ctx, store.AuditQuery{Action: "community", Newest: true, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got {
		ids = append(ids, e.RequestID)
	}
	// Entries 0, 2, 5, 7, 10, … are of the family (community.create,
	// community.member.set); the newest five of them.
	if want := []string{"47", "45", "42", "40", "37"}; !slices.Equal(ids, want) {
		t.Errorf("the newest of the community family after the migration: %v, want %v", ids, want)
	}
}
