package gateway_test

import (
	"context"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/portal"
)

func TestUsageLog(t *testing.T) {
	ctx := context.Background()
	st := usageStore(t, "sqlite")
	u := gateway.NewUsageLog(gateway.UsageConfig{Docs: st, Buffer: 4, Retention: 48 * time.Hour})
	day1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ok := gateway.Decision{Status: 200, Key: "k1", Account: "alice", Services: []string{"s1"}, Grants: []string{"g1"}}
	u.Record(day1, ok)
	u.Record(day1, gateway.Decision{Status: 403, Reason: "ip_refused", Key: "k1", Account: "alice", Services: []string{"s1"}})
	u.AddBytes(day1, ok, 1000)
	u.Record(day1, ok)
	// The buffer holds 4: the fifth is dropped and counted, not waited for.
	u.Record(day1, ok)
	if u.Dropped() != 1 {
		t.Fatalf("dropped %d, want 1", u.Dropped())
	}
	if err := u.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	u.Record(day1.Add(time.Hour), ok)
	if err := u.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sums := func(kind, parent string) []portal.UsageSum {
		ds, err := st.ListDocs(ctx, kind, parent, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []portal.UsageSum
		for _, d := range ds {
			ss, err := portal.DecodeUsageSums(d.Data)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ss...)
		}
		return out
	}
	byKey := sums(portal.KindUsageKeys, portal.UsageKeyShardParent("k1"))
	var allowed, refused, bytes int64
	for _, s := range byKey {
		allowed, refused, bytes = allowed+s.Allowed, refused+s.Refused, bytes+s.Bytes
	}
	if allowed != 3 || refused != 1 || bytes != 1000 {
		t.Fatalf("sums %+v", byKey)
	}
	if len(sums(portal.KindUsageServices, "s1")) != len(byKey) {
		t.Fatal("the producer's sums differ from the owner's")
	}
	evs, _ := st.ListDocs(ctx, gateway.KindUsageEvents, "", "", 0)
	if len(evs) != 2 {
		t.Fatalf("%d event documents, want one per flush", len(evs))
	}
	// Pruning: three days later, day1 is past the 48 h retention.
	if err := u.Prune(ctx, day1.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{gateway.KindUsageEvents, portal.KindUsageKeys, portal.KindUsageServices} {
		if ds, _ := st.ListDocs(ctx, k, "", "", 0); len(ds) != 0 {
			t.Errorf("%s: %d documents left after pruning", k, len(ds))
		}
	}
}
