package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store"
)

// BenchAudit fills s with n audit entries shaped like a platform's
// (untimed: ten kinds of resources, a hundred actors, a rare action in a
// thousand, one entry a minute), then times the queries of the
// administrators' audit screen: a page of 51 entries, newest first,
// without filters and with each filter alone. Reported per query.
func BenchAudit(b *testing.B, s store.Store, n int) {
	ctx := context.Background()
	d := store.Documents(s)
	kinds := []string{"account", "community", "dataset", "grant", "key", "map", "org_group", "organisation", "page", "service"}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const perTx = 10_000
	for first := 0; first < n; first += perTx {
		_, err := d.Transact(ctx, func(tx store.DocTx) error {
			for i := first; i < min(first+perTx, n); i++ {
				k := kinds[i%len(kinds)]
				action := k + ".update"
				if i%1000 == 999 {
					action = k + ".rare.event"
				}
				e := store.AuditEntry{
					At: base.Add(time.Duration(i) * time.Minute), Actor: fmt.Sprintf("user-%03d", i%100), Action: action,
					Resource: fmt.Sprintf("%s:%s-%06d", k, k, i%5000), After: []byte(`{"name":"x"}`),
				}
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	mid := base.Add(time.Duration(n/2) * time.Minute)
	for _, c := range []struct {
		name string
		q    store.AuditQuery
	}{
		{"newest", store.AuditQuery{}},
		{"type", store.AuditQuery{ResourceType: "dataset"}},
		{"resource", store.AuditQuery{Resource: "dataset:dataset-000002"}},
		{"actor", store.AuditQuery{Actor: "user-042"}},
		{"family", store.AuditQuery{Action: "community"}},
		{"rare_action", store.AuditQuery{Action: "service.rare"}},
		{"day", store.AuditQuery{Since: mid, Until: mid.Add(24 * time.Hour)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			q.Newest, q.Limit = true, 51
			for b.Loop() {
				es, err := d.Audit(ctx, q)
				if err != nil || len(es) == 0 {
					b.Fatalf("%+v: %d entries, %v", q, len(es), err)
				}
			}
		})
	}
}
