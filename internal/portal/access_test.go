package portal_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

var (
	gRegion   = portal.GroupRef{Kind: portal.GroupOrganisation, ID: "region"}
	gIGN      = portal.GroupRef{Kind: portal.GroupOrganisation, ID: "ign"}
	gClub     = portal.GroupRef{Kind: portal.GroupCommunity, ID: "club"}
	gPartners = portal.GroupRef{Kind: portal.GroupOrgGroup, ID: "partners"}
)

// accessWorld adds two organisations and levels on IGNF_BD-TOPO (default
// search): region consult, club download, partners consult.
func accessWorld(t *testing.T, e *env) world {
	w := newWorld(t, e)
	for _, o := range []portal.Organisation{
		{ID: "assoc", Name: "Les Amis des Cartes", Type: portal.OrgAssociation},
		{ID: "cnrs", Name: "CNRS", Type: portal.OrgResearch},
	} {
		must[portal.Organisation](t)(e.svc.CreateOrganisation(e.ctx, w.admin, o, "stranger"))
	}
	for g, l := range map[portal.GroupRef]portal.Level{gRegion: portal.LevelConsult, gClub: portal.LevelDownload, gPartners: portal.LevelConsult} {
		// The club is private: only who may view it (here, the platform
		// administrator) gives it a first level.
		must[portal.BulkChange](t)(e.svc.SetGroupLevel(e.ctx, w.admin, "IGNF_BD-TOPO", g, lvl(l)))
	}
	return w
}

func names(rows []portal.AccessRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Name)
	}
	return out
}

func TestAccessTable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		accessWorld(t, e)
		table := func(f portal.AccessFilter) ([]string, int) {
			t.Helper()
			rows, total, err := e.svc.AccessTable(e.ctx, "adm", "IGNF_BD-TOPO", f)
			ok(t, err)
			return names(rows), total
		}
		consult := portal.LevelConsult
		search := portal.LevelSearch
		for _, c := range []struct {
			name  string
			f     portal.AccessFilter
			want  []string
			total int
		}{
			{"every group, by name", portal.AccessFilter{}, []string{"Club SIG", "CNRS", "IGN", "Les Amis des Cartes", "Partenaires", "Région Sud"}, 6},
			{"organisations only", portal.AccessFilter{Kind: portal.GroupOrganisation}, []string{"CNRS", "IGN", "Les Amis des Cartes", "Région Sud"}, 4},
			{"communities only", portal.AccessFilter{Kind: portal.GroupCommunity}, []string{"Club SIG"}, 1},
			{"groups of organisations only", portal.AccessFilter{Kind: portal.GroupOrgGroup}, []string{"Partenaires"}, 1},
			{"research organisations", portal.AccessFilter{OrgType: portal.OrgResearch}, []string{"CNRS"}, 1},
			{"effective level consult", portal.AccessFilter{Level: &consult}, []string{"Partenaires", "Région Sud"}, 2},
			{"effective level search (the default)", portal.AccessFilter{Level: &search}, []string{"CNRS", "Les Amis des Cartes"}, 2},
			{"name, case-insensitive", portal.AccessFilter{Name: "RÉGION"}, []string{"Région Sud"}, 1},
			{"name and kind", portal.AccessFilter{Name: "c", Kind: portal.GroupOrganisation}, []string{"CNRS", "Les Amis des Cartes"}, 2},
			{"by level, descending", portal.AccessFilter{Sort: "level", Desc: true}, []string{"IGN", "Club SIG", "Région Sud", "Partenaires", "Les Amis des Cartes", "CNRS"}, 6},
			{"by level", portal.AccessFilter{Sort: "level"}, []string{"CNRS", "Les Amis des Cartes", "Partenaires", "Région Sud", "Club SIG", "IGN"}, 6},
			{"by type", portal.AccessFilter{Sort: "type"}, []string{"IGN", "Région Sud", "Les Amis des Cartes", "CNRS", "Club SIG", "Partenaires"}, 6},
			{"a page", portal.AccessFilter{Offset: 2, Limit: 2}, []string{"IGN", "Les Amis des Cartes"}, 6},
			{"the last page", portal.AccessFilter{Offset: 4, Limit: 5}, []string{"Partenaires", "Région Sud"}, 6},
			{"past the end", portal.AccessFilter{Offset: 10}, nil, 6},
		} {
			got, total := table(c.f)
			if !slices.Equal(got, c.want) || total != c.total {
				t.Errorf("%s: got %q (total %d), want %q (total %d)", c.name, got, total, c.want, c.total)
			}
		}
		rows, _, err := e.svc.AccessTable(e.ctx, "adm", "IGNF_BD-TOPO", portal.AccessFilter{Kind: portal.GroupCommunity})
		ok(t, err)
		if r := rows[0]; r.Specific == nil || *r.Specific != portal.LevelDownload || r.Effective != portal.LevelDownload {
			t.Errorf("club row %+v", r)
		}
		rows, _, err = e.svc.AccessTable(e.ctx, "adm", "IGNF_BD-TOPO", portal.AccessFilter{Name: "IGN"})
		ok(t, err)
		if r := rows[0]; r.Specific != nil || r.Effective != portal.LevelDownload || r.OrgType != portal.OrgStateService {
			t.Errorf("ign row %+v: the owner's members download", r)
		}
		for _, bad := range []portal.AccessFilter{{Kind: "team"}, {OrgType: "company"}, {Sort: "date"}, {Offset: -1}, {Level: lvl(7)}} {
			_, _, err := e.svc.AccessTable(e.ctx, "adm", "IGNF_BD-TOPO", bad)
			wantErr(t, err, portal.ErrInvalid)
		}
	})
}

func specifics(t *testing.T, e *env) map[portal.GroupRef]portal.Level {
	t.Helper()
	rows, _, err := e.svc.AccessTable(e.ctx, "adm", "IGNF_BD-TOPO", portal.AccessFilter{Limit: 1000})
	ok(t, err)
	out := map[portal.GroupRef]portal.Level{}
	for _, r := range rows {
		if r.Specific != nil {
			out[r.Group] = *r.Specific
		}
	}
	return out
}

func TestBulkAccess(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		accessWorld(t, e)
		svc, ctx := e.svc, e.ctx
		groups := []portal.GroupRef{gRegion, gClub, gIGN, gPartners}
		bulk := func(b portal.BulkAction) []portal.BulkChange {
			t.Helper()
			// The dry run writes nothing and returns exactly what the real
			// run then does.
			before, state := e.head(), specifics(t, e)
			b.DryRun = true
			dry, err := svc.BulkAccess(ctx, "adm", "IGNF_BD-TOPO", b)
			ok(t, err)
			if e.head() != before || !reflect.DeepEqual(specifics(t, e), state) {
				t.Fatal("a dry run wrote")
			}
			b.DryRun = false
			real, err := svc.BulkAccess(ctx, "adm", "IGNF_BD-TOPO", b)
			ok(t, err)
			if !reflect.DeepEqual(dry, real) {
				t.Fatalf("dry run %+v, real run %+v", dry, real)
			}
			return real
		}
		changed := func(cs []portal.BulkChange) map[portal.GroupRef][2]string {
			out := map[portal.GroupRef][2]string{}
			str := func(l *portal.Level) string {
				if l == nil {
					return "-"
				}
				return l.String()
			}
			for _, c := range cs {
				out[c.Group] = [2]string{str(c.Before), str(c.After)}
			}
			return out
		}

		// Merge never lowers: club keeps download; only ign is raised.
		cs := bulk(portal.BulkAction{Groups: groups, Action: "grant", Level: portal.LevelConsult})
		if got := changed(cs); !reflect.DeepEqual(got, map[portal.GroupRef][2]string{gIGN: {"-", "consult"}}) {
			t.Errorf("merge consult: %v", got)
		}
		// Merge raises those below.
		cs = bulk(portal.BulkAction{Groups: groups, Action: "grant", Level: portal.LevelDownload, Mode: "merge"})
		if got := changed(cs); !reflect.DeepEqual(got, map[portal.GroupRef][2]string{gRegion: {"consult", "download"}, gIGN: {"consult", "download"}, gPartners: {"consult", "download"}}) {
			t.Errorf("merge download: %v", got)
		}
		// Replace sets exactly, lowering too.
		cs = bulk(portal.BulkAction{Groups: []portal.GroupRef{gRegion, gClub}, Action: "grant", Level: portal.LevelSearch, Mode: "replace"})
		if got := changed(cs); !reflect.DeepEqual(got, map[portal.GroupRef][2]string{gRegion: {"download", "search"}, gClub: {"download", "search"}}) {
			t.Errorf("replace search: %v", got)
		}
		if e.check("dataset:IGNF_BD-TOPO#consult@user:part") || !e.check("dataset:IGNF_BD-TOPO#download@user:adm2") {
			t.Error("rights do not follow the replaced levels (adm2 still downloads through partners)")
		}
		// Remove drops specific levels, whatever the mode.
		cs = bulk(portal.BulkAction{Groups: []portal.GroupRef{gPartners, gClub, gPartners}, Action: "remove"})
		if got := changed(cs); !reflect.DeepEqual(got, map[portal.GroupRef][2]string{gPartners: {"download", "-"}, gClub: {"search", "-"}}) {
			t.Errorf("remove: %v", got)
		}
		if got := specifics(t, e); !reflect.DeepEqual(got, map[portal.GroupRef]portal.Level{gRegion: portal.LevelSearch, gIGN: portal.LevelDownload}) {
			t.Errorf("levels after the bulk actions: %v", got)
		}

		// Atomic: one bad group and nothing is written, not even for the
		// groups before it.
		before, state := e.head(), specifics(t, e)
		_, err := svc.BulkAccess(ctx, "adm", "IGNF_BD-TOPO", portal.BulkAction{Groups: []portal.GroupRef{gClub, gPartners, {Kind: portal.GroupCommunity, ID: "ghost"}}, Action: "grant", Level: portal.LevelDownload})
		wantErr(t, err, portal.ErrNotFound)
		must[portal.Dataset](t)(svc.Dataset(ctx, "adm", "IGNF_BD-TOPO"))
		_, _, err = svc.SetDefaultLevel(ctx, "adm", "IGNF_BD-TOPO", portal.LevelSearch) // unchanged: writes nothing
		ok(t, err)
		_, err = svc.BulkAccess(ctx, "adm", "IGNF_BD-TOPO", portal.BulkAction{Groups: groups, Action: "grant", Level: portal.LevelPrivate})
		wantErr(t, err, portal.ErrInvalid)
		for _, bad := range []portal.BulkAction{
			{Action: "grant", Level: portal.LevelSearch},
			{Groups: groups, Action: "give", Level: portal.LevelSearch},
			{Groups: groups, Action: "grant", Level: portal.LevelSearch, Mode: "overwrite"},
			{Groups: []portal.GroupRef{{Kind: "team", ID: "x"}}, Action: "remove"},
		} {
			_, err := svc.BulkAccess(ctx, "adm", "IGNF_BD-TOPO", bad)
			wantErr(t, err, portal.ErrInvalid)
		}
		if e.head() != before || !reflect.DeepEqual(specifics(t, e), state) {
			t.Error("a failed bulk action wrote something")
		}
	})
}

func TestCatalogue(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		// 30 datasets: every third private, every fifth private with
		// consult for club, the rest searchable by everyone.
		wantPart, wantAnon := map[string]bool{"IGNF_BD-TOPO": true}, map[string]bool{"IGNF_BD-TOPO": true}
		var ids []string
		for i := range 30 {
			id := fmt.Sprintf("DS_%02d", i)
			ids = append(ids, id)
			def := portal.LevelSearch
			if i%3 == 0 || i%5 == 0 {
				def = portal.LevelPrivate
			}
			must[portal.Dataset](t)(svc.CreateDataset(ctx, "ed", portal.Dataset{ID: id, Title: id, Owner: "ign", Default: def}))
			if i%5 == 0 {
				must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, id, gClub, lvl(portal.LevelConsult)))
			}
			if def == portal.LevelSearch {
				wantPart[id], wantAnon[id] = true, true
			}
			if i%5 == 0 {
				wantPart[id] = true
			}
		}
		all := func(actor string) map[string]bool {
			t.Helper()
			got := map[string]bool{}
			cursor, pages := "", 0
			for {
				ds, next, err := svc.SearchableDatasets(ctx, actor, cursor, 7)
				ok(t, err)
				pages++
				for _, d := range ds {
					if got[d.ID] {
						t.Fatalf("%s listed twice", d.ID)
					}
					got[d.ID] = true
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if pages < 2 && len(got) > 7 {
				t.Errorf("no pagination")
			}
			return got
		}
		if got := all("part"); !reflect.DeepEqual(got, wantPart) {
			t.Errorf("part searches %d datasets, want %d", len(got), len(wantPart))
		}
		if got := all(""); !reflect.DeepEqual(got, wantAnon) {
			t.Errorf("anonymous searches %d datasets, want %d", len(got), len(wantAnon))
		}
		if got := all("dis"); len(got) != 0 {
			t.Errorf("a disabled account searches %d datasets", len(got))
		}
		if got := all("reader"); len(got) != 32 {
			t.Errorf("the data reader searches %d datasets, want all 32", len(got))
		}

		// FilterDatasets on 50 ids: the 30, and 20 that do not exist.
		for i := range 20 {
			ids = append(ids, fmt.Sprintf("MISSING_%d", i))
		}
		for perm, want := range map[string]func(i int) bool{
			"consult":  func(i int) bool { return i < 30 && i%5 == 0 },
			"search":   func(i int) bool { return i < 30 && (i%5 == 0 || i%3 != 0) },
			"download": func(int) bool { return false },
		} {
			got, err := svc.FilterDatasets(ctx, "part", ids, perm)
			ok(t, err)
			if len(got) != 50 {
				t.Fatalf("%d answers, want 50", len(got))
			}
			for i, id := range ids {
				if got[id] != want(i) {
					t.Errorf("%s on %s: %v, want %v", perm, id, got[id], want(i))
				}
			}
		}
		got, err := svc.FilterDatasets(ctx, "ed", ids, "edit")
		ok(t, err)
		for i, id := range ids {
			if got[id] != (i < 30) {
				t.Errorf("ed edit %s: %v", id, got[id])
			}
		}
		_, err = svc.FilterDatasets(ctx, "part", ids, "delete")
		wantErr(t, err, portal.ErrInvalid)
		_, err = svc.FilterDatasets(ctx, "part", make([]string, 1001), "search")
		wantErr(t, err, portal.ErrInvalid)
	})
}

// TestPreviewDefaultLevel: the preview answers what the change would do
// (the dataset, the specific levels it would remove) and writes nothing.
func TestPreviewDefaultLevel(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		accessWorld(t, e)
		head := e.head()
		d, changes, err := e.svc.PreviewDefaultLevel(e.ctx, "adm", "IGNF_BD-TOPO", portal.LevelDownload)
		ok(t, err)
		if d.Default != portal.LevelDownload || len(changes) != 2 {
			t.Errorf("preview of download: %+v, %+v; want region's and partners' consult removed", d, changes)
		}
		if e.head() != head {
			t.Fatal("a preview wrote a revision")
		}
		after, _, err := e.svc.AccessTable(e.ctx, "adm", "IGNF_BD-TOPO", portal.AccessFilter{Name: "Région"})
		ok(t, err)
		if got := must[portal.Dataset](t)(e.svc.Dataset(e.ctx, "adm", "IGNF_BD-TOPO")); got.Default != portal.LevelSearch || after[0].Specific == nil {
			t.Errorf("after a preview: default %s, region %+v", got.Default, after[0])
		}
		_, _, err = e.svc.PreviewDefaultLevel(e.ctx, "reg", "IGNF_BD-TOPO", portal.LevelDownload)
		wantErr(t, err, portal.ErrForbidden)
		dd, real, err := e.svc.SetDefaultLevel(e.ctx, "adm", "IGNF_BD-TOPO", portal.LevelDownload)
		ok(t, err)
		if dd != d || !reflect.DeepEqual(real, changes) {
			t.Errorf("the real run %+v %+v differs from its preview %+v %+v", dd, real, d, changes)
		}
	})
}

// TestEffectiveLevelThroughEveryPath is REGION-SUD_PPRI of the demo: the
// default is consult, "Communes du Var" (Toulon) downloads, and Région Sud
// owns it. The effective level of a row is what the engine grants a member
// of the group: Toulon's members download through the group of
// organisations and Région Sud's as members of the owner, so both rows say
// download and ?level=download lists them.
func TestEffectiveLevelThroughEveryPath(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		must[portal.Organisation](t)(e.svc.CreateOrganisation(e.ctx, w.admin, portal.Organisation{ID: "toulon", Name: "Ville de Toulon", Type: portal.OrgLocalAuthority}, "stranger"))
		must[portal.OrgGroup](t)(e.svc.CreateOrgGroup(e.ctx, w.admin, portal.OrgGroup{ID: "var", Name: "Communes du Var", Organisations: []string{"toulon"}}))
		must[portal.Dataset](t)(e.svc.CreateDataset(e.ctx, "adm2", portal.Dataset{ID: "REGION-SUD_PPRI", Title: "PPRI", Owner: "region", Default: portal.LevelConsult}))
		must[portal.BulkChange](t)(e.svc.SetGroupLevel(e.ctx, "adm2", "REGION-SUD_PPRI", portal.GroupRef{Kind: portal.GroupOrgGroup, ID: "var"}, lvl(portal.LevelDownload)))
		if !e.check("dataset:REGION-SUD_PPRI#download@user:stranger") || !e.check("dataset:REGION-SUD_PPRI#download@user:adm2") {
			t.Fatal("the demo's shape: Toulon's and Région Sud's members download")
		}
		rows, _, err := e.svc.AccessTable(e.ctx, "adm2", "REGION-SUD_PPRI", portal.AccessFilter{})
		ok(t, err)
		got := map[string]portal.Level{}
		for _, r := range rows {
			got[r.Name] = r.Effective
		}
		want := map[string]portal.Level{"Ville de Toulon": portal.LevelDownload, "Région Sud": portal.LevelDownload, "Communes du Var": portal.LevelDownload,
			"IGN": portal.LevelConsult, "Partenaires": portal.LevelConsult}
		for n, l := range want {
			if got[n] != l {
				t.Errorf("%s: effective %s, want %s", n, got[n], l)
			}
		}
		dl := portal.LevelDownload
		rows, total, err := e.svc.AccessTable(e.ctx, "adm2", "REGION-SUD_PPRI", portal.AccessFilter{Level: &dl})
		ok(t, err)
		if n := names(rows); !slices.Equal(n, []string{"Communes du Var", "Région Sud", "Ville de Toulon"}) || total != 3 {
			t.Errorf("?level=download: %q (total %d)", n, total)
		}
	})
}

// TestPrivateCommunitiesInAccessTables: a private community is not listed
// in the access tables of managers who may not view it (any account creates
// communities: listing them would reveal their names and crowd every
// table), nor given a level by them (it does not exist for them); once it
// holds a level on the dataset, that level is part of who reaches the data,
// so the dataset's managers see the row and may change or remove it.
func TestPrivateCommunitiesInAccessTables(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Community](t)(svc.CreateCommunity(ctx, "stranger", portal.Community{ID: "open", Name: "Ouverte", Public: true}))
		must[portal.Community](t)(svc.CreateCommunity(ctx, "stranger", portal.Community{ID: "secret", Name: "Secrète"}))
		communities := func(actor string) []string {
			t.Helper()
			rows, total, err := svc.AccessTable(ctx, actor, "IGNF_BD-TOPO", portal.AccessFilter{Kind: portal.GroupCommunity})
			ok(t, err)
			if total != len(rows) {
				t.Errorf("total %d counts rows not shown (%d)", total, len(rows))
			}
			return names(rows)
		}
		if got := communities("adm"); !slices.Equal(got, []string{"Ouverte"}) {
			t.Errorf("a manager who is in no community sees %q, want the listed one only", got)
		}
		if got := communities(w.admin); !slices.Equal(got, []string{"Club SIG", "Ouverte", "Secrète"}) {
			t.Errorf("the platform administrator sees %q", got)
		}
		head := e.head()
		_, err := svc.SetGroupLevel(ctx, "adm", "IGNF_BD-TOPO", gClub, lvl(portal.LevelConsult))
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.BulkAccess(ctx, "adm", "IGNF_BD-TOPO", portal.BulkAction{Groups: []portal.GroupRef{gRegion, gClub}, Action: "grant", Level: portal.LevelConsult})
		wantErr(t, err, portal.ErrNotFound)
		if e.head() != head {
			t.Fatal("a refused level wrote something")
		}
		// A manager who is a member of the club sees it and gives it a
		// level; from then on every manager of the dataset sees that row.
		joinCommunity(t, e, "csup", "club", "ed")
		if got := communities("ed"); !slices.Equal(got, []string{"Club SIG", "Ouverte"}) {
			t.Errorf("a manager in the club sees %q", got)
		}
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "ed", "IGNF_BD-TOPO", gClub, lvl(portal.LevelConsult)))
		if got := communities("adm"); !slices.Equal(got, []string{"Club SIG", "Ouverte"}) {
			t.Errorf("with a level on the dataset, the club is shown to every manager: %q", got)
		}
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "adm", "IGNF_BD-TOPO", gClub, lvl(portal.LevelDownload)))
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, "adm", "IGNF_BD-TOPO", gClub, nil))
		if got := communities("adm"); !slices.Equal(got, []string{"Ouverte"}) {
			t.Errorf("once its level is removed, the club is hidden again: %q", got)
		}
		// Another dataset's table does not show it either.
		rows, _, err := svc.AccessTable(ctx, "adm", "IGNF_PRIVATE", portal.AccessFilter{Name: "secr"})
		ok(t, err)
		if len(rows) != 0 {
			t.Errorf("searching the name of a private community finds %q", names(rows))
		}
	})
}

// joinCommunity makes account a participant of a community, as its
// supervisor and the person would: an invitation, accepted.
func joinCommunity(t *testing.T, e *env, supervisor, community, account string) {
	t.Helper()
	must[portal.CommunityInvitation](t)(e.svc.InviteCommunityMember(e.ctx, supervisor, community, account, portal.CommunityParticipant))
	must[portal.CommunityInvitation](t)(e.svc.AnswerCommunityInvitation(e.ctx, account, community, true))
}
