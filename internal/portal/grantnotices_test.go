package portal_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// noticesOf returns the data of the notices of kind each account got, in
// order.
func noticesOf(t *testing.T, e *env, kind string, accounts ...string) map[string][]map[string]string {
	t.Helper()
	out := map[string][]map[string]string{}
	for _, a := range accounts {
		for _, n := range must[[]portal.Notice](t)(e.svc.Notices(e.ctx, a, "", 1000)) {
			if n.Kind == kind {
				out[a] = append(out[a], n.Data)
			}
		}
	}
	return out
}

// mailsOf returns the accounts with a pending e-mail of kind, and the
// names it carries.
func mailsOf(t *testing.T, e *env, kind string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, m := range must[[]portal.Mail](t)(e.svc.Outbox().Mails(e.ctx, portal.MailPending, "", 0)) {
		if m.Kind == kind {
			out[m.Account] = m.Names
		}
	}
	return out
}

// TestGrantCreatedNotices: a new grant is told to its personal
// beneficiaries and to every member of its beneficiary communities, not
// to whoever made it; with an e-mail unless its recipient turned those
// off; beneficiaries added later are told, those who held it already are
// not; the author of an accepted access request is told by that notice
// only.
func TestGrantCreatedNotices(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		servicesWorld(t, e, w)
		svc, ctx := e.svc, e.ctx
		must[portal.Account](t)(svc.SetMailOff(ctx, "part", "part", []string{"grant.created"}))
		exp := e.clock.Now().Add(40 * 24 * time.Hour).Truncate(time.Second)
		g := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Accès BD TOPO", Services: []string{"topo-wms"},
			Users: []string{"stranger", "ed"}, Communities: []string{"club"}, Expires: &exp}))
		got := noticesOf(t, e, "grant.created", "stranger", "ed", "csup", "part", "reg")
		if len(got["stranger"]) != 1 || got["stranger"][0]["grant"] != g.ID || got["stranger"][0]["beneficiary"] != "true" || got["stranger"][0]["organisation"] != "ign" ||
			got["stranger"][0]["expires"] != exp.Format(time.RFC3339) {
			t.Errorf("stranger (in person): %v", got["stranger"])
		}
		for _, m := range []string{"csup", "part"} {
			if len(got[m]) != 1 || got[m][0]["community"] != "club" || got[m][0]["beneficiary"] != "" {
				t.Errorf("%s (through club): %v", m, got[m])
			}
		}
		if len(got["ed"]) != 0 || len(got["reg"]) != 0 {
			t.Errorf("its maker, or someone else, was told: %v", got)
		}
		mails := mailsOf(t, e, "grant.created")
		if len(mails) != 2 || mails["stranger"]["grant"] != "Accès BD TOPO" || mails["stranger"]["organisation"] == "" || mails["csup"]["community"] != "Club SIG" {
			t.Errorf("e-mails (part turned them off): %v", mails)
		}

		// reg is added, and club again: only reg is told.
		must[portal.Grant](t)(svc.UpdateGrant(ctx, "ed", g.ID, portal.GrantChange{AddUsers: []string{"reg", "part"}, AddCommunities: []string{"club"}}))
		got = noticesOf(t, e, "grant.created", "stranger", "csup", "part", "reg")
		if len(got["reg"]) != 1 || len(got["stranger"]) != 1 || len(got["csup"]) != 1 || len(got["part"]) != 1 {
			t.Errorf("after adding reg (and part, who held it through club): %v", got)
		}
		// A change refused writes no notice.
		if _, err := svc.CreateGrant(ctx, "ed", portal.Grant{Name: "X", Services: []string{"topo-wms"}, Users: []string{"adm2"}, Communities: []string{"no-such"}}); err == nil {
			t.Fatal("a grant for an unknown community was made")
		}
		if n := noticesOf(t, e, "grant.created", "adm2"); len(n["adm2"]) != 0 {
			t.Errorf("a refused grant told %v", n)
		}

		// An accepted request: its author hears of it once, by its own
		// notice.
		r := must[portal.AccessRequest](t)(svc.RequestAccess(ctx, "adm2", portal.AccessRequest{Dataset: "IGNF_BD-TOPO", Services: []string{"topo-wms2"}, Message: "svp"}))
		must[portal.AccessRequest](t)(svc.DecideAccessRequest(ctx, "ed", r.ID, portal.AccessDecision{Accept: true}))
		if n := noticesOf(t, e, "grant.created", "adm2"); len(n["adm2"]) != 0 {
			t.Errorf("the request's author was told twice: %v", n)
		}
		if n := noticesOf(t, e, "access_request.accepted", "adm2"); len(n["adm2"]) != 1 {
			t.Errorf("the request's author was not told: %v", n)
		}
	})
}

// TestKeyClosedNotice: once every grant a key opens services through has
// expired, its owner is told, once, whatever the number of nodes running
// the expiry job; not while one grant still opens it, nor for a disabled
// key; told again when the grants are extended and expire again.
func TestKeyClosedNotice(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		servicesWorld(t, e, w)
		svc, ctx := e.svc, e.ctx
		day := 24 * time.Hour
		// Keys are made while their grants are live for the engine, whose
		// clock is the real one; the expiry job reads the service's.
		e.clock.Advance(time.Until(e.clock.Now()) * -1)
		now := e.clock.Now().Truncate(time.Second)
		end1, end2 := now.Add(3*day), now.Add(10*day)
		g1 := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Court", Services: []string{"topo-wms"}, Users: []string{"part"}, Expires: &end1}))
		g2 := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Long", Services: []string{"topo-wms2"}, Users: []string{"part"}, Expires: &end2}))
		g3 := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "Toujours", Services: []string{"topo-wms"}, Users: []string{"reg"}}))
		key := func(owner, name string, pairs ...portal.AccessPair) portal.AccessKey {
			k, _, err := svc.CreateKey(ctx, owner, portal.KeySpec{Name: name, Type: portal.KeyHash, Accesses: pairs})
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		key("part", "both", portal.AccessPair{Grant: g1.ID, Service: "topo-wms"}, portal.AccessPair{Grant: g2.ID, Service: "topo-wms2"})
		key("part", "short", portal.AccessPair{Grant: g1.ID, Service: "topo-wms"})
		off := key("part", "off", portal.AccessPair{Grant: g1.ID, Service: "topo-wms"})
		disabled := portal.KeyDisabled
		must[portal.AccessKey](t)(svc.UpdateKey(ctx, "part", off.ID, portal.KeyChange{Status: &disabled}))
		key("reg", "forever", portal.AccessPair{Grant: g3.ID, Service: "topo-wms"})

		run := func() {
			t.Helper()
			var wg sync.WaitGroup
			for range 3 { // as on three nodes at once
				wg.Go(func() {
					if _, err := svc.GrantExpiryNotices(ctx, nil); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		told := func() []string {
			var keys []string
			for _, d := range noticesOf(t, e, "key.grants_expired", "part", "reg")["part"] {
				keys = append(keys, d["name"]+"@"+d["expires"]+"@"+d["grant"])
			}
			slices.Sort(keys)
			return keys
		}
		run()
		if got := told(); len(got) != 0 {
			t.Fatalf("before any expiry: %v", got)
		}
		e.clock.Advance(4 * day) // g1 has expired: "short" opens nothing, "both" still opens through g2
		run()
		run()
		want := []string{"short@" + end1.Format(time.RFC3339) + "@" + g1.ID}
		if got := told(); !slices.Equal(got, want) {
			t.Fatalf("after g1's expiry: %v, want %v", got, want)
		}
		if m := mailsOf(t, e, "key.grants_expired"); len(m) != 1 || m["part"]["grant"] != "Court" || m["part"]["organisation"] == "" {
			t.Errorf("e-mails: %v", m)
		}
		e.clock.Advance(7 * day) // g2 too
		run()
		want = append(want, "both@"+end2.Format(time.RFC3339)+"@"+g2.ID)
		slices.Sort(want)
		if got := told(); !slices.Equal(got, want) {
			t.Fatalf("after g2's expiry: %v, want %v", got, want)
		}
		// Extended, then expired again: told again, of the new expiry.
		end3 := e.clock.Now().Truncate(time.Second).Add(2 * day)
		must[portal.Grant](t)(svc.UpdateGrant(ctx, "ed", g2.ID, portal.GrantChange{SetExpires: true, Expires: &end3}))
		run()
		e.clock.Advance(3 * day)
		run()
		run()
		want = append(want, "both@"+end3.Format(time.RFC3339)+"@"+g2.ID)
		slices.Sort(want)
		if got := told(); !slices.Equal(got, want) {
			t.Fatalf("after the extension's expiry: %v, want %v", got, want)
		}
		if n := noticesOf(t, e, "key.grants_expired", "reg"); len(n["reg"]) != 0 {
			t.Errorf("a key of a grant without expiry: %v", n)
		}
	})
}
