package portal_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// grantWorld adds to the world what the grants work writes (services and
// grants), as bare relationships: service wms1 and wms2 of IGNF_BD-TOPO,
// available and restricted; grant g1 covering both, to community club
// (part) until expiry; grant g2 covering wms1, to reg, without expiry.
func grantWorld(t *testing.T, e *env, expiry time.Time) {
	t.Helper()
	rels := []string{
		"service:wms1#platform@platform:main", "service:wms1#dataset@dataset:IGNF_BD-TOPO", "service:wms1#available@user:*",
		"service:wms2#platform@platform:main", "service:wms2#dataset@dataset:IGNF_BD-TOPO", "service:wms2#available@user:*",
		"grant:g1#platform@platform:main", "grant:g1#grantor@organisation:ign",
		"grant:g1#beneficiary_community@community:club[expiration:" + expiry.UTC().Format(time.RFC3339) + "]",
		"service:wms1#grant@grant:g1", "service:wms2#grant@grant:g1",
		"grant:g2#platform@platform:main", "grant:g2#grantor@organisation:ign", "grant:g2#beneficiary_user@user:reg",
		"service:wms1#grant@grant:g2",
	}
	writeRels(t, e, store.Touch, rels...)
}

func writeRels(t *testing.T, e *env, op store.Op, rels ...string) {
	t.Helper()
	var ups []store.Update
	for _, s := range rels {
		r, err := tuple.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		ups = append(ups, store.Update{Op: op, Relationship: r})
	}
	rev, err := e.st.Write(e.ctx, store.WriteRequest{Updates: ups})
	ok(t, err)
	ok(t, e.sync(e.ctx, rev))
}

func TestAccessKeyLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		grantWorld(t, e, time.Now().Add(30*24*time.Hour))
		svc, ctx := e.svc, e.ctx
		spec := portal.KeySpec{Name: "QGIS", Type: portal.KeyHash,
			Filters:  portal.KeyFilters{IPAllow: []string{"192.0.2.0/24", "2001:db8::1"}, Referers: []string{"https://*.example.org/*"}},
			Accesses: []portal.AccessPair{{Grant: "g1", Service: "wms1"}, {Grant: "g1", Service: "wms2"}, {Grant: "g1", Service: "wms1"}}}
		k, secret, err := svc.CreateKey(ctx, "part", spec)
		ok(t, err)
		if !strings.HasPrefix(secret, portal.KeySecretPrefix) || len(k.Accesses) != 2 || k.Status != portal.KeyActive {
			t.Fatalf("created %+v with secret %q", k, secret)
		}
		if got := k.Filters.IPAllow; got[1] != "2001:db8::1/128" {
			t.Errorf("filters not normalised: %v", got)
		}
		// The secret is stored hashed only.
		d, err := e.st.GetDoc(ctx, portal.KindAccessKey, k.ID)
		ok(t, err)
		if strings.Contains(string(d.Data), secret) || d.Alt != bearer.Hash(secret) {
			t.Fatalf("stored %s alt %s", d.Data, d.Alt)
		}
		live, err := svc.LookupKey(secret, e.clock.Now())
		ok(t, err)
		if live.Owner != "part" || len(live.To("wms1")) != 1 || len(live.To("wms2")) != 1 || len(live.To("other")) != 0 {
			t.Fatalf("live key %+v", live)
		}
		for _, a := range k.Accesses {
			if !e.check("access:" + a.ID + "#open@user:part") {
				t.Errorf("access %s does not open for its owner", a.ID)
			}
		}
		// Disable, rename, narrow the accesses.
		st, name := portal.KeyDisabled, "QGIS bureau"
		acc := []portal.AccessPair{{Grant: "g1", Service: "wms1"}}
		k2, err := svc.UpdateKey(ctx, "part", k.ID, portal.KeyChange{Name: &name, Status: &st, Accesses: &acc})
		ok(t, err)
		if k2.Name != name || k2.Status != portal.KeyDisabled || len(k2.Accesses) != 1 || k2.Accesses[0].ID != k.Accesses[0].ID {
			t.Fatalf("updated %+v", k2)
		}
		if e.check("access:" + k.Accesses[1].ID + "#open@user:part") {
			t.Error("a removed access still opens")
		}
		live, err = svc.LookupKey(secret, e.clock.Now())
		ok(t, err)
		if live.Status != portal.KeyDisabled {
			t.Errorf("disabled key live as %s", live.Status)
		}
		// Setting what is: no revision.
		before := e.head()
		_, err = svc.UpdateKey(ctx, "part", k.ID, portal.KeyChange{Name: &name})
		ok(t, err)
		if e.head() != before {
			t.Error("a change to nothing wrote a revision")
		}
		// Regenerate: the old secret is refused at once, the new one found.
		_, secret2, err := svc.RegenerateKey(ctx, "part", k.ID)
		ok(t, err)
		if _, err := svc.LookupKey(secret, e.clock.Now()); !errors.Is(err, portal.ErrUnknownKey) {
			t.Errorf("old secret after regeneration: %v", err)
		}
		must[*portal.LiveKey](t)(svc.LookupKey(secret2, e.clock.Now()))
		keys := must[[]portal.AccessKey](t)(svc.Keys(ctx, "part"))
		if len(keys) != 1 || keys[0].ID != k.ID {
			t.Fatalf("keys %+v", keys)
		}
		// An administrator revokes it: it opens nothing, for good.
		rk, err := svc.RevokeKey(ctx, w.admin, k.ID)
		ok(t, err)
		if rk.Status != portal.KeyRevoked || rk.RevokedBy != w.admin || len(rk.Accesses) != 0 {
			t.Fatalf("revoked %+v", rk)
		}
		if e.check("access:" + k.Accesses[0].ID + "#open@user:part") {
			t.Error("a revoked key's access still opens")
		}
		act := portal.KeyActive
		_, err = svc.UpdateKey(ctx, "part", k.ID, portal.KeyChange{Status: &act})
		wantErr(t, err, portal.ErrConflict)
		// The owner deletes it.
		ok(t, svc.DeleteKey(ctx, "part", k.ID))
		if _, err := svc.LookupKey(secret2, e.clock.Now()); !errors.Is(err, portal.ErrUnknownKey) {
			t.Errorf("deleted key found: %v", err)
		}
		if e.check("key:" + k.ID + "#manage@user:part") {
			t.Error("a deleted key is still managed")
		}
		entries, err := svc.Audit(ctx, w.admin, store.AuditQuery{Resource: "key:" + k.ID})
		ok(t, err)
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action)
			if strings.Contains(string(en.After)+string(en.Before), secret) || strings.Contains(string(en.After)+string(en.Before), secret2) {
				t.Errorf("audit entry %s holds a secret", en.Action)
			}
		}
		if got := strings.Join(actions, " "); got != "key.create key.update key.regenerate key.revoke key.delete" {
			t.Errorf("audit: %s", got)
		}
	})
}

func TestAccessKeyTypes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		grantWorld(t, e, time.Now().Add(time.Hour))
		svc, ctx := e.svc, e.ctx
		kb, pass, err := svc.CreateKey(ctx, "reg", portal.KeySpec{Name: "b", Type: portal.KeyBasic, UserName: "reg.qgis", Accesses: []portal.AccessPair{{Grant: "g2", Service: "wms1"}}})
		ok(t, err)
		if _, err := svc.LookupKey(pass, e.clock.Now()); err == nil {
			t.Error("a BASIC password alone finds its key")
		}
		lk := must[*portal.LiveKey](t)(svc.LookupKey(portal.BasicLookup("reg.qgis", pass), e.clock.Now()))
		if lk.ID != kb.ID || lk.Type != portal.KeyBasic {
			t.Fatalf("basic: %+v", lk)
		}
		kh, hs, err := svc.CreateKey(ctx, "reg", portal.KeySpec{Name: "h", Type: portal.KeyHeader, Header: "x-my-key"})
		ok(t, err)
		if kh.Header != "X-My-Key" {
			t.Errorf("header %q", kh.Header)
		}
		if lk := must[*portal.LiveKey](t)(svc.LookupKey(hs, e.clock.Now())); lk.Header != "X-My-Key" {
			t.Errorf("live header %q", lk.Header)
		}
	})
}

// TestAccessKeyRefusals: each bad input or missing right is refused with
// the kind the contract names, and writes nothing.
func TestAccessKeyRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		grantWorld(t, e, time.Now().Add(time.Hour))
		svc, ctx := e.svc, e.ctx
		k, _, err := svc.CreateKey(ctx, "part", portal.KeySpec{Name: "mine", Type: portal.KeyHash})
		ok(t, err)
		spec := func(f func(*portal.KeySpec)) portal.KeySpec {
			s := portal.KeySpec{Name: "k", Type: portal.KeyHash}
			f(&s)
			return s
		}
		for _, c := range []struct {
			name  string
			actor string
			spec  portal.KeySpec
			want  error
		}{
			{"anonymous", "", spec(func(*portal.KeySpec) {}), portal.ErrUnauthenticated},
			{"disabled account", "dis", spec(func(*portal.KeySpec) {}), portal.ErrForbidden},
			{"no name", "part", spec(func(s *portal.KeySpec) { s.Name = " " }), portal.ErrInvalid},
			{"bad type", "part", spec(func(s *portal.KeySpec) { s.Type = "PLAIN" }), portal.ErrInvalid},
			{"oauth2 without provider", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyOAuth2; s.OAuth2ClientID = "qgis" }), portal.ErrInvalid},
			{"basic without user", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyBasic }), portal.ErrInvalid},
			{"basic user with colon", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyBasic; s.UserName = "a:b" }), portal.ErrInvalid},
			{"header on hash", "part", spec(func(s *portal.KeySpec) { s.Header = "X-Key" }), portal.ErrInvalid},
			{"header Authorization", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyHeader; s.Header = "authorization" }), portal.ErrInvalid},
			{"header Cookie", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyHeader; s.Header = "Cookie" }), portal.ErrInvalid},
			{"header Host", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyHeader; s.Header = "Host" }), portal.ErrInvalid},
			{"header hop-by-hop", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyHeader; s.Header = "Transfer-Encoding" }), portal.ErrInvalid},
			{"header X-Forwarded-For", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyHeader; s.Header = "X-Forwarded-For" }), portal.ErrInvalid},
			{"header X-Octroi-Account", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyHeader; s.Header = "X-Octroi-Account" }), portal.ErrInvalid},
			{"header apikey", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyHeader; s.Header = "apikey" }), portal.ErrInvalid},
			{"header with space", "part", spec(func(s *portal.KeySpec) { s.Type = portal.KeyHeader; s.Header = "X Key" }), portal.ErrInvalid},
			{"bad cidr", "part", spec(func(s *portal.KeySpec) { s.Filters.IPDeny = []string{"10.0.0.0/33"} }), portal.ErrInvalid},
			{"zoned address", "part", spec(func(s *portal.KeySpec) { s.Filters.IPAllow = []string{"fe80::1%eth0"} }), portal.ErrInvalid},
			{"pattern with line break", "part", spec(func(s *portal.KeySpec) { s.Filters.Referers = []string{"a\nb"} }), portal.ErrInvalid},
			{"pattern not ascii", "part", spec(func(s *portal.KeySpec) { s.Filters.UserAgents = []string{"é*"} }), portal.ErrInvalid},
			{"grant not held", "stranger", spec(func(s *portal.KeySpec) { s.Accesses = []portal.AccessPair{{Grant: "g1", Service: "wms1"}} }), portal.ErrForbidden},
			{"someone else's grant", "part", spec(func(s *portal.KeySpec) { s.Accesses = []portal.AccessPair{{Grant: "g2", Service: "wms1"}} }), portal.ErrForbidden},
			{"no such grant", "part", spec(func(s *portal.KeySpec) { s.Accesses = []portal.AccessPair{{Grant: "nope", Service: "wms1"}} }), portal.ErrForbidden},
			{"service not covered", "reg", spec(func(s *portal.KeySpec) { s.Accesses = []portal.AccessPair{{Grant: "g2", Service: "wms2"}} }), portal.ErrInvalid},
			{"bad grant id", "part", spec(func(s *portal.KeySpec) { s.Accesses = []portal.AccessPair{{Grant: "a/b", Service: "wms1"}} }), portal.ErrInvalid},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := e.head()
				_, _, err := svc.CreateKey(ctx, c.actor, c.spec)
				wantErr(t, err, c.want)
				var perr *portal.Error
				if !errors.As(err, &perr) && !errors.Is(err, portal.ErrUnauthenticated) {
					t.Errorf("%v is no catalogue message", err)
				}
				if e.head() != before {
					t.Error("a refused creation wrote")
				}
			})
		}
		// Someone else's key is not found through the owner's paths, even
		// by an administrator; a stranger cannot revoke it either.
		name := "x"
		for _, actor := range []string{"stranger", w.admin, "reg"} {
			before := e.head()
			_, err := svc.UpdateKey(ctx, actor, k.ID, portal.KeyChange{Name: &name})
			wantErr(t, err, portal.ErrNotFound)
			_, _, err = svc.RegenerateKey(ctx, actor, k.ID)
			wantErr(t, err, portal.ErrNotFound)
			wantErr(t, svc.DeleteKey(ctx, actor, k.ID), portal.ErrNotFound)
			if _, err := svc.Key(ctx, actor, k.ID); actor != w.admin {
				wantErr(t, err, portal.ErrNotFound)
			}
			if actor != w.admin {
				_, err = svc.RevokeKey(ctx, actor, k.ID)
				wantErr(t, err, portal.ErrNotFound)
			}
			if e.head() != before {
				t.Errorf("%s's refused actions wrote", actor)
			}
		}
		bad := portal.KeyStatus("revoked")
		_, err = svc.UpdateKey(ctx, "part", k.ID, portal.KeyChange{Status: &bad})
		wantErr(t, err, portal.ErrInvalid)
		// A disabled owner manages their keys no more.
		must[portal.Account](t)(svc.SetAccountStatus(ctx, "manager", "part", portal.AccountDisabled))
		_, err = svc.UpdateKey(ctx, "part", k.ID, portal.KeyChange{Name: &name})
		wantErr(t, err, portal.ErrNotFound)
	})
}

// TestKeysForgetDeletedAccesses: a grant that stops covering a service,
// or is deleted, takes the accesses it gave out of the keys' records, in
// the same transaction.
func TestKeysForgetDeletedAccesses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		servicesWorld(t, e, w)
		svc, ctx := e.svc, e.ctx
		g := must[portal.Grant](t)(svc.CreateGrant(ctx, "ed", portal.Grant{Name: "L", Services: []string{"topo-wms", "topo-wms2"}, Users: []string{"reg"}}))
		k, secret, err := svc.CreateKey(ctx, "reg", portal.KeySpec{Name: "k", Type: portal.KeyHash,
			Accesses: []portal.AccessPair{{Grant: g.ID, Service: "topo-wms"}, {Grant: g.ID, Service: "topo-wms2"}}})
		ok(t, err)
		must[portal.Grant](t)(svc.UpdateGrant(ctx, "ed", g.ID, portal.GrantChange{Services: []string{"topo-wms2"}}))
		k2 := must[portal.AccessKey](t)(svc.Key(ctx, "reg", k.ID))
		if len(k2.Accesses) != 1 || k2.Accesses[0].Service != "topo-wms2" {
			t.Fatalf("after the grant left topo-wms: %+v", k2.Accesses)
		}
		if live := must[*portal.LiveKey](t)(svc.LookupKey(secret, e.clock.Now())); len(live.To("topo-wms")) != 0 {
			t.Error("the live key still lists the deleted access")
		}
		ok(t, svc.DeleteGrant(ctx, "ed", g.ID))
		if k3 := must[portal.AccessKey](t)(svc.Key(ctx, "reg", k.ID)); len(k3.Accesses) != 0 {
			t.Fatalf("after the grant was deleted: %+v", k3.Accesses)
		}
	})
}
