package portal_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// pageWorld adds to the world a consultable dataset IGNF_OPEN and a
// private page "report" of ign's, edited by ed, with visualisations of
// IGNF_OPEN and of the private IGNF_PRIVATE.
func pageWorld(t *testing.T, e *env) world {
	t.Helper()
	w := newWorld(t, e)
	svc, ctx := e.svc, e.ctx
	must[portal.Dataset](t)(svc.CreateDataset(ctx, "ed", portal.Dataset{ID: "IGNF_OPEN", Title: "Open", Owner: "ign", Default: portal.LevelConsult}))
	must[portal.Page](t)(svc.CreatePage(ctx, "ed", portal.Page{ID: "report", Title: "Rapport", Body: "Texte\nsur deux lignes", Owner: "ign",
		Visualisations: []portal.Visualisation{{ID: "open", Title: "Carte", Dataset: "IGNF_OPEN"}, {ID: "private", Dataset: "IGNF_PRIVATE"}}}))
	return w
}

func user(id string) portal.Holder { return portal.Holder{Kind: portal.HolderUser, ID: id} }

// TestPageAccessPolicy: a private page exists only for those added to it
// and for its organisation's publishers; a public one for everyone,
// anonymous visitors included.
func TestPageAccessPolicy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		pageWorld(t, e)
		svc, ctx := e.svc, e.ctx
		for _, a := range []string{"", "stranger", "reg", "reader", "part"} {
			_, err := svc.RenderPage(ctx, a, "report")
			wantErr(t, err, portal.ErrNotFound)
		}
		must[portal.RenderedPage](t)(svc.RenderPage(ctx, "adm", "report"))
		if ps := must[[]portal.Page](t)(svc.Pages(ctx, "", "", 10)); len(ps) != 0 {
			t.Errorf("anonymous lists %v", ps)
		}

		// Only whoever manages the page changes its policy.
		for _, a := range []string{"reg", "stranger"} {
			head := e.head()
			_, err := svc.SetPagePolicy(ctx, a, "report", true)
			if err == nil || e.head() != head {
				t.Fatalf("%s made the page public: %v", a, err)
			}
		}
		p := must[portal.Page](t)(svc.SetPagePolicy(ctx, "ed", "report", true))
		if !p.Public {
			t.Error("not public")
		}
		for _, a := range []string{"", "stranger", "reg"} {
			r := must[portal.RenderedPage](t)(svc.RenderPage(ctx, a, "report"))
			if r.Page.Body != "Texte\nsur deux lignes" {
				t.Errorf("%q sees body %q", a, r.Page.Body)
			}
		}
		if ps := must[[]portal.Page](t)(svc.Pages(ctx, "", "", 10)); len(ps) != 1 || ps[0].ID != "report" || ps[0].Body != "" {
			t.Errorf("anonymous lists %+v, want report without its body", ps)
		}
		// A disabled account sees nothing, public pages included.
		_, err := svc.RenderPage(ctx, "dis", "report")
		wantErr(t, err, portal.ErrNotFound)
	})
}

// TestPageMembers: adding someone gives view; edit is added and removed
// alone; view is never removed alone (refused, saying what to do, writing
// nothing); removing someone removes view and edit; groups work as
// people do, for every member.
func TestPageMembers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := pageWorld(t, e)
		svc, ctx := e.svc, e.ctx
		m := must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("stranger"), View: true}))
		if !m.View || m.Edit || m.Holder.Name != "Person stranger" {
			t.Errorf("member %+v", m)
		}
		if !e.check("page:report#view@user:stranger") || e.check("page:report#edit@user:stranger") {
			t.Error("added: want view only")
		}
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("stranger"), View: true, Edit: true}))
		if !e.check("page:report#edit@user:stranger") {
			t.Error("edit not given")
		}
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("stranger"), View: true}))
		if !e.check("page:report#view@user:stranger") || e.check("page:report#edit@user:stranger") {
			t.Error("edit removed: want view to stay")
		}

		head := e.head()
		_, err := svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("stranger"), View: false})
		wantErr(t, err, portal.ErrInvalid)
		var perr *portal.Error
		if !errors.As(err, &perr) || !strings.Contains(perr.Msg.In(messages.English), "remove them from the page") ||
			!strings.Contains(perr.Msg.In(messages.French), "retirez-la de la page") {
			t.Errorf("refusal %v does not say what to do", err)
		}
		if e.head() != head || !e.check("page:report#view@user:stranger") {
			t.Fatal("removing view alone wrote something")
		}

		// Groups: a community's members, an organisation's members.
		must[portal.PageMember](t)(svc.SetPageMember(ctx, w.admin, "report", portal.PageMember{Holder: portal.Holder{Kind: portal.HolderCommunity, ID: "club"}, View: true, Edit: true}))
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "adm", "report", portal.PageMember{Holder: portal.Holder{Kind: portal.HolderOrganisation, ID: "region"}, View: true}))
		for q, want := range map[string]bool{"page:report#edit@user:part": true, "page:report#edit@user:csup": true, "page:report#view@user:adm2": true, "page:report#edit@user:adm2": false} {
			if e.check(q) != want {
				t.Errorf("%s: got %v, want %v", q, !want, want)
			}
		}
		ms := must[[]portal.PageMember](t)(svc.PageMembers(ctx, "ed", "report"))
		var got []string
		for _, m := range ms {
			got = append(got, string(m.Holder.Kind)+":"+m.Holder.ID+":"+m.Holder.Name)
		}
		if want := []string{"user:stranger:Person stranger", "organisation:region:Région Sud", "community:club:Club SIG"}; !slices.Equal(got, want) {
			t.Errorf("members %q, want %q", got, want)
		}

		// Removing: view and edit go together.
		ok(t, svc.RemovePageMember(ctx, "ed", "report", portal.Holder{Kind: portal.HolderCommunity, ID: "club"}))
		if e.check("page:report#view@user:part") || e.check("page:report#edit@user:part") {
			t.Error("a removed community keeps a right")
		}
		wantErr(t, svc.RemovePageMember(ctx, "ed", "report", portal.Holder{Kind: portal.HolderCommunity, ID: "club"}), portal.ErrNotFound)

		// A private community the manager may not view does not exist
		// for them.
		_, err = svc.CreateCommunity(ctx, "stranger", portal.Community{ID: "secret", Name: "Secret"})
		ok(t, err)
		_, err = svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: portal.Holder{Kind: portal.HolderCommunity, ID: "secret"}, View: true})
		wantErr(t, err, portal.ErrNotFound)

		// Page-level editors edit, but do not manage its security.
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("reg"), View: true, Edit: true}))
		_, err = svc.SetPageMember(ctx, "reg", "report", portal.PageMember{Holder: user("reader"), View: true})
		wantErr(t, err, portal.ErrForbidden)
		must[portal.Page](t)(svc.UpdatePage(ctx, "reg", portal.PageUpdate{ID: "report", Title: "Nouveau titre", Visualisations: []portal.Visualisation{{ID: "open"}, {ID: "private"}}}))

		actions := auditActions(t, e, w, "page:report")
		for _, a := range []string{"page.create", "page.member.set", "page.member.remove", "page.update"} {
			if !slices.Contains(actions, a) {
				t.Errorf("no audit entry %s in %q", a, actions)
			}
		}
	})
}

func auditActions(t *testing.T, e *env, w world, resource string) []string {
	t.Helper()
	var out []string
	admin, err := e.svc.Audit(e.ctx, w.admin, store.AuditQuery{Resource: resource, Limit: 1000})
	ok(t, err)
	for _, en := range admin {
		out = append(out, en.Action)
	}
	return out
}

// TestPageRender: a page shows to whoever may view it, and each
// visualisation loads only for whoever may consult its dataset; a dataset
// they may not even find is not named.
func TestPageRender(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := pageWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.Page](t)(svc.SetPagePolicy(ctx, "ed", "report", true))
		loads := func(actor string) string {
			t.Helper()
			r := must[portal.RenderedPage](t)(svc.RenderPage(ctx, actor, "report"))
			if r.Page.Title != "Rapport" {
				t.Errorf("%q: title %q", actor, r.Page.Title)
			}
			var out []string
			for _, v := range r.Visualisations {
				s := v.ID + "=" + v.Dataset
				if v.Load {
					s += "+"
				}
				out = append(out, s)
			}
			return strings.Join(out, " ")
		}
		for actor, want := range map[string]string{
			"":         "open=IGNF_OPEN+ private=",
			"stranger": "open=IGNF_OPEN+ private=",
			"reg":      "open=IGNF_OPEN+ private=IGNF_PRIVATE+", // a member of the owner downloads
			"reader":   "open=IGNF_OPEN+ private=IGNF_PRIVATE+", // reads every dataset
		} {
			if got := loads(actor); got != want {
				t.Errorf("%q: %s, want %s", actor, got, want)
			}
		}
		// A group level given to the club makes it load for its members.
		must[portal.BulkChange](t)(svc.SetGroupLevel(ctx, w.admin, "IGNF_PRIVATE", gClub, lvl(portal.LevelConsult)))
		if got := loads("part"); got != "open=IGNF_OPEN+ private=IGNF_PRIVATE+" {
			t.Errorf("part: %s", got)
		}
	})
}

// TestPageVisualisationsOnlyWhatTheEditorConsults: an editor adds only
// visualisations of datasets they may consult; a dataset they may not find
// does not exist for them; visualisations already there stay whoever
// edits.
func TestPageVisualisationsOnlyWhatTheEditorConsults(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		pageWorld(t, e)
		svc, ctx := e.svc, e.ctx
		must[portal.PageMember](t)(svc.SetPageMember(ctx, "ed", "report", portal.PageMember{Holder: user("stranger"), View: true, Edit: true}))
		head := e.head()
		_, err := svc.UpdatePage(ctx, "stranger", portal.PageUpdate{ID: "report", Title: "T", Visualisations: []portal.Visualisation{{ID: "x", Dataset: "IGNF_PRIVATE"}}})
		wantErr(t, err, portal.ErrNotFound)
		_, err = svc.UpdatePage(ctx, "stranger", portal.PageUpdate{ID: "report", Title: "T", Visualisations: []portal.Visualisation{{ID: "x", Dataset: "IGNF_BD-TOPO"}}})
		wantErr(t, err, portal.ErrForbidden)
		if !strings.Contains(err.Error(), "only what you may consult yourself") {
			t.Errorf("refusal %q does not say why", err)
		}
		if e.head() != head {
			t.Fatal("a refused edit wrote something")
		}
		// Kept: the private one, sent back unnamed; added: an open one.
		p := must[portal.Page](t)(svc.UpdatePage(ctx, "stranger", portal.PageUpdate{ID: "report", Title: "T", Visualisations: []portal.Visualisation{{ID: "private"}, {ID: "open2", Dataset: "IGNF_OPEN"}}}))
		// stranger gets it back unnamed too (it may not find it); the
		// page keeps it.
		if len(p.Visualisations) != 2 || p.Visualisations[0].Dataset != "" || p.Visualisations[1].Dataset != "IGNF_OPEN" {
			t.Errorf("visualisations %+v", p.Visualisations)
		}
		if rp := must[portal.RenderedPage](t)(svc.RenderPage(ctx, "ed", "report")); rp.Visualisations[0].Dataset != "IGNF_PRIVATE" {
			t.Errorf("the page lost its dataset: %+v", rp.Visualisations)
		}
		// Left out, body and visualisations stay; an empty list removes
		// them.
		p = must[portal.Page](t)(svc.UpdatePage(ctx, "stranger", portal.PageUpdate{ID: "report", Title: "T2"}))
		if p.Title != "T2" || p.Body != "Texte\nsur deux lignes" || len(p.Visualisations) != 2 {
			t.Errorf("page %+v", p)
		}
		p = must[portal.Page](t)(svc.UpdatePage(ctx, "stranger", portal.PageUpdate{ID: "report", Title: "T2", Visualisations: []portal.Visualisation{}}))
		if len(p.Visualisations) != 0 {
			t.Errorf("visualisations %+v", p.Visualisations)
		}
	})
}

// TestPageDomainRoles: "view all pages" and "edit all pages", held by a
// person or through a community, reach every page, private ones and the
// platform's own included; only platform administrators give them.
func TestPageDomainRoles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := pageWorld(t, e)
		svc, ctx := e.svc, e.ctx
		// The platform's own pages: only "edit all pages" creates them.
		_, err := svc.CreatePage(ctx, "ed", portal.Page{ID: "about", Title: "À propos"})
		wantErr(t, err, portal.ErrForbidden)
		must[portal.Page](t)(svc.CreatePage(ctx, w.admin, portal.Page{ID: "about", Title: "À propos"}))
		_, err = svc.CreatePage(ctx, w.admin, portal.Page{ID: "about", Title: "Again"})
		wantErr(t, err, portal.ErrConflict)

		_, err = svc.SetContentRole(ctx, "adm", portal.ContentPageViewer, user("stranger"), true)
		wantErr(t, err, portal.ErrForbidden)
		must[portal.ContentRoleHolder](t)(svc.SetContentRole(ctx, w.admin, portal.ContentPageViewer, user("stranger"), true))
		must[portal.ContentRoleHolder](t)(svc.SetContentRole(ctx, w.admin, portal.ContentPageEditor, portal.Holder{Kind: portal.HolderCommunity, ID: "club"}, true))
		_, err = svc.SetContentRole(ctx, w.admin, portal.ContentMapCreator, user("stranger"), true)
		wantErr(t, err, portal.ErrInvalid) // creators are roles, not people
		for _, id := range []string{"report", "about"} {
			must[portal.RenderedPage](t)(svc.RenderPage(ctx, "stranger", id))
			_, err := svc.UpdatePage(ctx, "stranger", portal.PageUpdate{ID: id, Title: "T"})
			wantErr(t, err, portal.ErrForbidden)
			must[portal.Page](t)(svc.UpdatePage(ctx, "part", portal.PageUpdate{ID: id, Title: "T", Visualisations: keepAll(t, e, w, id)}))
			must[portal.Page](t)(svc.SetPagePolicy(ctx, "part", id, false))
		}
		hs := must[[]portal.ContentRoleHolder](t)(svc.ContentRoleHolders(ctx, w.admin))
		if len(hs) != 2 || hs[0].Role != portal.ContentPageViewer || hs[1].Holder.Name != "Club SIG" {
			t.Errorf("holders %+v", hs)
		}
		must[portal.ContentRoleHolder](t)(svc.SetContentRole(ctx, w.admin, portal.ContentPageViewer, user("stranger"), false))
		_, err = svc.RenderPage(ctx, "stranger", "report")
		wantErr(t, err, portal.ErrNotFound)

		// Deleting: managers only.
		wantErr(t, svc.DeletePage(ctx, "reg", "report"), portal.ErrNotFound)
		ok(t, svc.DeletePage(ctx, "part", "report"))
		if e.check("page:report#view@user:adm") {
			t.Error("a deleted page is still viewed")
		}
	})
}

// keepAll returns a page's visualisations by id only, as an editor who
// keeps them sends them back.
func keepAll(t *testing.T, e *env, w world, id string) []portal.Visualisation {
	t.Helper()
	r := must[portal.RenderedPage](t)(e.svc.RenderPage(e.ctx, w.admin, id))
	var out []portal.Visualisation
	for _, v := range r.Visualisations {
		out = append(out, portal.Visualisation{ID: v.ID, Title: v.Title})
	}
	return out
}

// TestContentRecordFormats: pages and maps are stored at the current
// record version, audit entries hold them without one, and a document of
// a future version is refused, saying why.
func TestContentRecordFormats(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := mapWorld(t, e)
		must[portal.Page](t)(e.svc.CreatePage(e.ctx, "ed", portal.Page{ID: "p", Title: "P", Owner: "ign"}))
		for _, k := range [][2]string{{"page", "p"}, {"map", "net"}} {
			d, err := e.st.GetDoc(e.ctx, k[0], k[1])
			ok(t, err)
			if v := version(t, d.Data); v != 1.0 {
				t.Errorf("%s %s written as %s, want version 1", k[0], k[1], d.Data)
			}
			for _, en := range must[[]store.AuditEntry](t)(e.svc.Audit(e.ctx, w.admin, store.AuditQuery{Resource: k[0] + ":" + k[1], Limit: 100})) {
				if version(t, en.Before) != nil || version(t, en.After) != nil {
					t.Errorf("%s: audit entry holds a version: %s %s", en.Action, en.Before, en.After)
				}
			}
			d.Data = []byte(`{"v":2,"id":"` + k[1] + `"}`)
			rev, err := e.st.Transact(e.ctx, func(tx store.DocTx) error { return tx.PutDoc(e.ctx, d) })
			ok(t, err)
			ok(t, e.sync(e.ctx, rev))
		}
		if _, err := e.svc.RenderPage(e.ctx, "ed", "p"); err == nil || !strings.Contains(err.Error(), "written by a newer octroi") {
			t.Errorf("a version 2 page: got %v", err)
		}
		if _, err := e.svc.Map(e.ctx, "csup", "net"); err == nil || !strings.Contains(err.Error(), "written by a newer octroi") {
			t.Errorf("a version 2 map: got %v", err)
		}
	})
}
