package gateway

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/store/sqlite"
)

// Sums are written with every flush while few changed, and every
// SumEvery when many did.
func TestUsageSumsDue(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := NewUsageLog(UsageConfig{Docs: st, Buffer: 2 * fewSums})
	now := time.Now()
	rec := func(n int) {
		for i := range n {
			u.Record(now, Decision{Status: 200, Key: fmt.Sprint("k", i), Services: []string{"s"}, Grants: []string{"g"}})
		}
		if err := u.flushEvents(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rec(10)
	if !u.sumsDue(now) {
		t.Error("10 sums changed: not due")
	}
	if err := u.writeSums(ctx); err != nil {
		t.Fatal(err)
	}
	rec(fewSums + 1)
	if u.sumsDue(time.Now()) {
		t.Errorf("%d sums changed: due before SumEvery", fewSums+1)
	}
	if !u.sumsDue(time.Now().Add(u.cfg.SumEvery)) {
		t.Error("not due after SumEvery")
	}
}
