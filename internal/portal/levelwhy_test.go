package portal_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// source is a LevelSource without its words, for comparing.
type source struct {
	Via     string
	Group   string
	Level   portal.Level
	Decides bool
}

// TestExplainGroupLevel checks that every group's explanation gives the
// access table's effective level, and the sources of it: the default
// level, a specific level, a group of organisations, ownership, a
// platform role held by a community.
func TestExplainGroupLevel(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := accessWorld(t, e)
		svc, ctx := e.svc, e.ctx
		// A community holding the data reader role (no portal action
		// grants that yet: written directly, as hierarchy_test does).
		must[portal.Community](t)(svc.CreateCommunity(ctx, w.admin, portal.Community{ID: "readers", Name: "Lecteurs"}))
		r, err := tuple.Parse("platform:main#data_reader@community:readers#member")
		ok(t, err)
		rev, err := e.st.Write(ctx, store.WriteRequest{Updates: []store.Update{{Op: store.Touch, Relationship: r}}})
		ok(t, err)
		ok(t, e.sync(ctx, rev))

		def := source{"default", "", portal.LevelSearch, false}
		cases := []struct {
			g    portal.GroupRef
			want portal.Level
			srcs []source
		}{
			{gIGN, portal.LevelDownload, []source{{"owner", "", portal.LevelDownload, true}, def}},
			{gRegion, portal.LevelConsult, []source{{"specific", "", portal.LevelConsult, true}, {"org_group", "partners", portal.LevelConsult, true}, def}},
			{portal.GroupRef{Kind: portal.GroupOrganisation, ID: "cnrs"}, portal.LevelSearch, []source{{"default", "", portal.LevelSearch, true}}},
			{gPartners, portal.LevelConsult, []source{{"specific", "", portal.LevelConsult, true}, def}},
			{gClub, portal.LevelDownload, []source{{"specific", "", portal.LevelDownload, true}, def}},
			{portal.GroupRef{Kind: portal.GroupCommunity, ID: "readers"}, portal.LevelDownload, []source{{"platform", "", portal.LevelDownload, true}, def}},
		}
		rows, _, err := svc.AccessTable(ctx, w.admin, "IGNF_BD-TOPO", portal.AccessFilter{})
		ok(t, err)
		table := map[portal.GroupRef]portal.Level{}
		for _, r := range rows {
			table[r.Group] = r.Effective
		}
		for _, c := range cases {
			x, err := svc.ExplainGroupLevel(ctx, w.admin, "IGNF_BD-TOPO", c.g)
			ok(t, err)
			if x.Effective != c.want || x.Effective != table[c.g] {
				t.Errorf("%v: effective %v, want %v (the table says %v)", c.g, x.Effective, c.want, table[c.g])
			}
			var got []source
			for _, s := range x.Sources {
				g := ""
				if s.Group != nil {
					g = s.Group.ID
				}
				got = append(got, source{s.Via, g, s.Level, s.Decides})
				for _, l := range []messages.Lang{messages.English, messages.French} {
					if txt := s.Text.In(l); txt == "" || strings.Contains(txt, "%!") || strings.Contains(txt, "levelwhy.") {
						t.Errorf("%v: source %s in %s: %q", c.g, s.Via, l, txt)
					}
				}
			}
			if !reflect.DeepEqual(got, c.srcs) {
				t.Errorf("%v: sources %+v, want %+v", c.g, got, c.srcs)
			}
		}
		x := must[portal.GroupLevelExplanation](t)(svc.ExplainGroupLevel(ctx, "adm", "IGNF_BD-TOPO", gRegion))
		if en, fr := x.Text.In(messages.English), x.Text.In(messages.French); en != "Région Sud gets the level consult on dataset “BD TOPO”." ||
			fr != "Région Sud obtient le niveau « consultation » sur le jeu de données « BD TOPO »." {
			t.Errorf("summary %q / %q", en, fr)
		}
		if s := x.Sources[1].Text.In(messages.French); !strings.Contains(s, "Partenaires") {
			t.Errorf("the group of organisations source does not name it: %q", s)
		}
	})
}

// TestExplainGroupLevelRefusals: authorized as the access table.
func TestExplainGroupLevelRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		accessWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for _, c := range []struct {
			actor, dataset string
			g              portal.GroupRef
			want           error
		}{
			{"", "IGNF_BD-TOPO", gRegion, portal.ErrUnauthenticated},
			{"reg", "IGNF_BD-TOPO", gRegion, portal.ErrForbidden},      // a member who may search it, not manage its access
			{"stranger", "IGNF_BD-TOPO", gRegion, portal.ErrForbidden}, // searches it (default level)
			{"stranger", "IGNF_PRIVATE", gRegion, portal.ErrNotFound},  // may not even search it
			{"adm2", "IGNF_PRIVATE", gRegion, portal.ErrNotFound},
			{"dis", "IGNF_BD-TOPO", gRegion, portal.ErrNotFound}, // disabled: sees nothing
			{"adm", "nope", gRegion, portal.ErrNotFound},
			{"adm", "IGNF_BD-TOPO", portal.GroupRef{Kind: portal.GroupOrganisation, ID: "nope"}, portal.ErrNotFound},
			{"adm", "IGNF_BD-TOPO", portal.GroupRef{Kind: "user", ID: "adm"}, portal.ErrInvalid},
			{"adm", "IGNF_BD-TOPO", portal.GroupRef{Kind: portal.GroupOrganisation, ID: ""}, portal.ErrInvalid},
		} {
			_, err := svc.ExplainGroupLevel(ctx, c.actor, c.dataset, c.g)
			if err == nil {
				t.Errorf("%s on %s about %v: no refusal", c.actor, c.dataset, c.g)
				continue
			}
			wantErr(t, err, c.want)
			if c.g.Kind == portal.GroupOrganisation && c.g.ID != "nope" && c.g.ID != "" {
				// The same refusal as the access table's.
				_, _, terr := svc.AccessTable(ctx, c.actor, c.dataset, portal.AccessFilter{})
				wantErr(t, terr, c.want)
			}
		}
	})
}

// TestExplainGroupLevelPrivateCommunity: a private community without a
// specific level is not shown to a manager who may not view it, as in the
// table; once it holds a level, it is.
func TestExplainGroupLevelPrivateCommunity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		_, err := svc.ExplainGroupLevel(ctx, "adm", "IGNF_BD-TOPO", gClub)
		wantErr(t, err, portal.ErrNotFound)
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, "IGNF_BD-TOPO", gClub, lvl(portal.LevelConsult)))
		x := must[portal.GroupLevelExplanation](t)(svc.ExplainGroupLevel(ctx, "adm", "IGNF_BD-TOPO", gClub))
		if x.Effective != portal.LevelConsult {
			t.Errorf("club: effective %v, want consult", x.Effective)
		}
	})
}
