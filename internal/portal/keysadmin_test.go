package portal_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// keyActions are the matrix's rows for the platform's list of keys
// (TestRoleActionMatrix): administrators only; everyone else, an account
// manager and a data reader included, is refused.
func keyActions() []action {
	return []action{
		{name: "PlatformKeys", allowed: []string{"admin"},
			run: func(e *env, w world, a, _ string, n int) error {
				_, _, err := e.svc.PlatformKeys(e.ctx, w.id(a), portal.KeyQuery{})
				return err
			}},
	}
}

// TestPlatformKeysListsSearchesAndPages: the administrators' list has
// every owner's keys, without secrets, found by key name or by owner's
// name or e-mail, page after page; bad queries are refused.
func TestPlatformKeysListsSearchesAndPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		grantWorld(t, e, time.Now().Add(time.Hour))
		svc, ctx := e.svc, e.ctx
		made := map[string]string{}
		for i, owner := range []string{"part", "reg", "reg", "stranger", "part"} {
			k, _, err := svc.CreateKey(ctx, owner, portal.KeySpec{Name: fmt.Sprintf("Clé %d QGIS", i), Type: portal.KeyHash})
			ok(t, err)
			made[k.ID] = owner
		}
		all, next, err := svc.PlatformKeys(ctx, w.admin, portal.KeyQuery{})
		ok(t, err)
		if len(all) != 5 || next != "" {
			t.Fatalf("all keys: %d, next %q", len(all), next)
		}
		for _, k := range all {
			if made[k.ID] != k.Owner || k.OwnerEmail != k.Owner+"@example.org" || k.OwnerName != "Person "+k.Owner {
				t.Errorf("key %s listed as %+v", k.ID, k)
			}
		}
		// Pages of two, in id order, end to end.
		var seen []string
		after := ""
		for range 4 {
			ks, nx, err := svc.PlatformKeys(ctx, w.admin, portal.KeyQuery{After: after, Limit: 2})
			ok(t, err)
			for _, k := range ks {
				seen = append(seen, k.ID)
			}
			if nx == "" {
				break
			}
			after = nx
		}
		if len(seen) != 5 {
			t.Errorf("paging saw %v", seen)
		}
		for _, c := range []struct {
			q    portal.KeyQuery
			want int
		}{
			{portal.KeyQuery{Owner: "reg"}, 2},
			{portal.KeyQuery{Search: "PERSON PART"}, 2},         // owner's name
			{portal.KeyQuery{Search: "stranger@example"}, 1},    // owner's e-mail
			{portal.KeyQuery{Search: "clé 3"}, 1},               // key's name
			{portal.KeyQuery{Owner: "reg", Search: "clé 0"}, 0}, // both
			{portal.KeyQuery{Search: "nobody"}, 0},
		} {
			ks, _, err := svc.PlatformKeys(ctx, w.admin, c.q)
			ok(t, err)
			if len(ks) != c.want {
				t.Errorf("%+v: %d keys, want %d", c.q, len(ks), c.want)
			}
		}
		for _, q := range []portal.KeyQuery{{Owner: "a/b"}, {After: "a b"}, {Search: "x\x00"}} {
			_, _, err := svc.PlatformKeys(ctx, w.admin, q)
			wantErr(t, err, portal.ErrInvalid)
		}
		_, _, err = svc.PlatformKeys(ctx, "", portal.KeyQuery{})
		wantErr(t, err, portal.ErrUnauthenticated)
	})
}
