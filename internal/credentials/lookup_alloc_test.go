package credentials

import (
	"context"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/bearer"
)

// TestLookupAllocs: once its use is noted, looking a credential up
// allocates nothing, and neither does an unknown secret: the gateway looks
// a key up at every request.
func TestLookupAllocs(t *testing.T) {
	ctx := context.Background()
	st := migrated(t)
	secret := bearer.NewSecret("oct_")
	putKey(t, st, "k1", "alice", secret, nil, false)
	c, err := NewCache(ctx, st, nil, kindKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	if _, err := c.Lookup(kindKey, secret, now); err != nil { // notes the use
		t.Fatal(err)
	}
	unknown := bearer.NewSecret("oct_")
	for name, s := range map[string]string{"known": secret, "unknown": unknown} {
		if n := testing.AllocsPerRun(100, func() { _, _ = c.Lookup(kindKey, s, now) }); n != 0 {
			t.Errorf("Lookup of a %s secret allocates %v times, want 0", name, n)
		}
	}
}
