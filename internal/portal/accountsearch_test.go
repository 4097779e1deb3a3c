package portal_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestSearchAccounts: a prefix of any word of the name, of the whole name
// or of the e-mail finds an account, whatever the case and accents; a
// rename is found under the new name only; delegated administrators see
// no platform roles.
func TestSearchAccounts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Account](t)(svc.CreateAccount(ctx, w.admin, portal.Account{ID: "elo", Email: "elodie.lefevre@example.org", Name: "Élodie Lefèvre"}))
		search := func(actor, q string) []string {
			t.Helper()
			as, err := svc.SearchAccounts(ctx, actor, q, 10)
			ok(t, err)
			var ids []string
			for _, a := range as {
				ids = append(ids, a.ID)
			}
			return ids
		}
		for _, q := range []string{"elo", "ÉLO", "lefe", "Lefèvre", "élodie lef", "elodie.l"} {
			if got := search(w.admin, q); !slices.Equal(got, []string{"elo"}) {
				t.Errorf("search %q: got %v, want [elo]", q, got)
			}
		}
		if got := search(w.admin, "odie"); len(got) != 0 {
			t.Errorf(`search "odie" (not a prefix): got %v, want none`, got)
		}
		// A new account is found at once (its author's next read).
		must[portal.Account](t)(svc.CreateAccount(ctx, w.admin, portal.Account{ID: "zoe", Email: "zoe@example.org", Name: "Zoé Gérard"}))
		if got := search(w.admin, "gera"); !slices.Equal(got, []string{"zoe"}) {
			t.Errorf(`search "gera": got %v, want [zoe]`, got)
		}
		as, err := svc.SearchAccounts(ctx, "adm", "person manager", 10)
		ok(t, err)
		if len(as) != 1 || as[0].ID != "manager" || as[0].PlatformRoles != nil || as[0].Email != "" || as[0].Status != "" {
			t.Errorf("a delegated admin's search by name: got %+v, want manager's id and name only", as)
		}
		// A delegated administrator cannot list addresses by prefix; the
		// whole address finds its account, and shows only what they typed.
		if as := must[[]portal.Account](t)(svc.SearchAccounts(ctx, "adm", "elodie.l", 10)); len(as) != 0 {
			t.Errorf("a delegated admin's search by e-mail prefix: got %+v, want none", as)
		}
		as = must[[]portal.Account](t)(svc.SearchAccounts(ctx, "adm", "Elodie.Lefevre@example.org", 10))
		if len(as) != 1 || as[0].ID != "elo" || as[0].Email != "elodie.lefevre@example.org" || as[0].PlatformRoles != nil {
			t.Errorf("a delegated admin's search by whole e-mail: got %+v, want elo with the address typed", as)
		}
		// Someone who manages no members nor accounts may not search.
		for _, actor := range []string{"reg", "stranger", "ed"} {
			_, err := svc.SearchAccounts(ctx, actor, "elo", 10)
			wantErr(t, err, portal.ErrForbidden)
		}
		_, err = svc.SearchAccounts(ctx, w.admin, "  ", 10)
		wantErr(t, err, portal.ErrInvalid)
	})
}

// TestSearchAccountsPages: accents and case do not matter ("Frejus" finds
// Fréjus), and a search goes page by page, each account once, with what
// the actor may see only.
func TestSearchAccountsPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		var want []string
		for i := range 7 {
			a := must[portal.Account](t)(svc.CreateAccount(ctx, w.admin, portal.Account{Email: fmt.Sprintf("f%d@example.org", i), Name: fmt.Sprintf("Agent %d de Fréjus", i)}))
			want = append(want, a.ID)
		}
		for _, actor := range []string{"manager", "adm"} {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				as, next, err := svc.SearchAccountsPage(ctx, actor, "FREJUS", after, 3)
				ok(t, err)
				for _, a := range as {
					got = append(got, a.ID)
					if actor == "adm" && (a.Email != "" || a.Status != "") {
						t.Errorf("a delegated administrator sees %+v", a)
					}
				}
				if next == "" {
					break
				}
				if pages > 5 {
					t.Fatal("the pages never end")
				}
				after = next
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: pages found %v, want %v", actor, got, want)
			}
		}
		_, _, err := svc.SearchAccountsPage(ctx, "manager", "frejus", "x", 3)
		wantErr(t, err, portal.ErrInvalid)
		_, _, err = svc.SearchAccountsPage(ctx, "stranger", "frejus", "", 3)
		wantErr(t, err, portal.ErrForbidden)
	})
}
