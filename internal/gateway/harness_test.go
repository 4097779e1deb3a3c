package gateway_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/sqlite"
	"github.com/octroi/octroi/internal/store/storetest"
	"github.com/octroi/octroi/internal/tuple"
)

// env is a real SQLite store, an index following it, the portal and a
// Decider over them, as the server wires them.
type env struct {
	t     testing.TB
	ctx   context.Context
	st    *sqlite.Store
	idx   *index.Index
	eng   *engine.Engine
	creds *credentials.Cache
	svc   *portal.Service
	dec   *gateway.Decider
	cat   *catalog
	mu    sync.Mutex
	admin string
}

func newEnv(t testing.TB) *env {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "octroi.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteSchema(ctx, portal.Schema); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, st: st, idx: index.New()}
	e.eng = engine.New(e.idx)
	sch, err := schema.Parse(portal.Schema)
	if err != nil {
		t.Fatal(err)
	}
	e.eng.SetSchema(sch)
	if err := e.sync(ctx, mustHead(t, st)); err != nil {
		t.Fatal(err)
	}
	if e.creds, err = credentials.NewDecodingCache(ctx, st, nil, portal.DecodeCredential, portal.KindToken, portal.KindAccessKey); err != nil {
		t.Fatal(err)
	}
	if e.svc, err = portal.New(portal.Config{Docs: st, Store: st, Engine: func() *engine.Engine { return e.eng }, Sync: e.sync, Credentials: e.creds}); err != nil {
		t.Fatal(err)
	}
	e.cat = &catalog{}
	e.dec = &gateway.Decider{Catalog: e.cat, Keys: e.svc, Engine: func() *engine.Engine { return e.eng }, Parse: gateway.ParseOGC}
	return e
}

func mustHead(t testing.TB, st store.Store) store.Revision {
	rev, err := st.HeadRevision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

func (e *env) sync(ctx context.Context, rev store.Revision) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return storetest.SyncIndex(ctx, e.st, e.idx, rev)
}

func (e *env) write(op store.Op, rels ...string) {
	e.t.Helper()
	var ups []store.Update
	for _, s := range rels {
		r, err := tuple.Parse(s)
		if err != nil {
			e.t.Fatal(err)
		}
		ups = append(ups, store.Update{Op: op, Relationship: r})
	}
	rev, err := e.st.Write(e.ctx, store.WriteRequest{Updates: ups})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.sync(e.ctx, rev); err != nil {
		e.t.Fatal(err)
	}
}

// world: accounts admin (platform administrator), alice, bob; community
// club (alice a participant); organisation ign with dataset
// IGNF_BD-TOPO (private); at path /wms: service topo (layers
// topo_routes, topo_bati), service ortho (layer ortho, open to
// everyone), service off (layer off_layer, unavailable); grant g1 (to
// club, expiring at exp) covers topo; grant g2 (to bob) covers topo.
func (e *env) world(exp time.Time) {
	t, svc, ctx := e.t, e.svc, e.ctx
	admin, _, err := svc.Bootstrap(ctx, "admin@example.org", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	e.admin = admin.ID
	for _, id := range []string{"alice", "bob", "carol"} {
		if _, err := svc.CreateAccount(ctx, admin.ID, portal.Account{ID: id, Email: id + "@example.org", Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateOrganisation(ctx, admin.ID, portal.Organisation{ID: "ign", Name: "IGN", Type: portal.OrgStateService}, "carol"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCommunity(ctx, "bob", portal.Community{ID: "club", Name: "Club"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.InviteCommunityMember(ctx, "bob", "club", "alice", portal.CommunityParticipant); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AnswerCommunityInvitation(ctx, "alice", "club", true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDataset(ctx, "carol", portal.Dataset{ID: "IGNF_BD-TOPO", Title: "BD TOPO", Owner: "ign", Default: portal.LevelPrivate}); err != nil {
		t.Fatal(err)
	}
	e.write(store.Touch,
		"service:topo#platform@platform:main", "service:topo#dataset@dataset:IGNF_BD-TOPO", "service:topo#available@user:*",
		"service:ortho#platform@platform:main", "service:ortho#dataset@dataset:IGNF_BD-TOPO", "service:ortho#available@user:*", "service:ortho#open@user:*",
		"service:off#platform@platform:main", "service:off#dataset@dataset:IGNF_BD-TOPO",
		"grant:g1#platform@platform:main", "grant:g1#grantor@organisation:ign",
		"grant:g1#beneficiary_community@community:club[expiration:"+exp.UTC().Format(time.RFC3339)+"]",
		"service:topo#grant@grant:g1", "service:off#grant@grant:g1",
		"grant:g2#platform@platform:main", "grant:g2#grantor@organisation:ign", "grant:g2#beneficiary_user@user:bob",
		"service:topo#grant@grant:g2",
	)
	e.cat.svcs = []gateway.Service{
		{ID: "topo", Path: "/wms", Protocol: "WMS", Upstream: "http://upstream/topo", Layers: []string{"topo_routes", "topo_bati"}},
		{ID: "ortho", Path: "/wms", Protocol: "WMS", Upstream: "http://upstream/ortho", Layers: []string{"ortho"}},
		{ID: "off", Path: "/wms", Protocol: "WMS", Upstream: "http://upstream/off", Layers: []string{"off_layer"}},
	}
}

// catalog is a fixed list of services.
type catalog struct{ svcs []gateway.Service }

func (c *catalog) ServicesAt(path string) ([]gateway.Service, string) {
	var out []gateway.Service
	best := ""
	for _, s := range c.svcs {
		if (path == s.Path || strings.HasPrefix(path, s.Path+"/")) && len(s.Path) >= len(best) {
			if len(s.Path) > len(best) {
				out, best = nil, s.Path
			}
			out = append(out, s)
		}
	}
	return out, strings.TrimPrefix(path, best)
}
