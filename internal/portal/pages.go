package portal

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Content pages (source 003, OpenDataSoft's page security). A page is
// public (everyone who may reach the portal views it) or private (only the
// people and groups added to it, and the holders of "view all pages").
// Adding someone gives view; edit is added and removed on its own; view is
// never removed alone (PageMember.View must be true): removing the person
// or group removes both. Its visualisations load for whoever may consult
// their datasets, while the rest of the page shows (RenderPage).

const kindPage = "page"

// maxBody bounds a page's body, in characters.
const maxBody = 100_000

// Page is a content page. Owner is the organisation that owns it, or ""
// for the platform's own pages. Public is its access policy.
type Page struct {
	ID             string
	Title          string
	Body           string
	Owner          string
	Public         bool
	Visualisations []Visualisation
	Created        time.Time
	Updated        time.Time
}

// Visualisation is a chart, table or map of a page, drawn from one dataset.
type Visualisation struct {
	ID      string
	Title   string
	Dataset string
}

// RenderedPage is a page as one person sees it: every visualisation says
// whether it loads for them (they may consult its dataset). A dataset they
// may not even find is not named (Dataset is ""), so that a page never
// reveals a private dataset.
type RenderedPage struct {
	Page           Page
	Visualisations []RenderedVisualisation
}

// RenderedVisualisation is a visualisation for one viewer.
type RenderedVisualisation struct {
	Visualisation
	Load bool
}

// PageMember is a person or group added to a page's security section:
// View is always true (given to everyone added, never removed alone), Edit
// is "edit page".
type PageMember struct {
	Holder Holder
	View   bool
	Edit   bool
}

var pageMemberKinds = []HolderKind{HolderUser, HolderCommunity, HolderOrganisation}

func pageRef(id string) tuple.ObjectRef { return obj("page", id) }

// pageGuard needs perm on the page; to whoever may not view it, the page
// does not exist.
func pageGuard(id, perm string) guard {
	return guard{rights: []right{{pageRef(id), perm}}, hide: &right{pageRef(id), "view"}}
}

type visualisationRec struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Dataset string `json:"dataset"`
}

type pageRec struct {
	recordHead
	ID             string             `json:"id"`
	Title          string             `json:"title"`
	Body           string             `json:"body"`
	Owner          string             `json:"owner,omitempty"`
	Public         bool               `json:"public,omitempty"` // audit entries only: the policy is a relationship
	Visualisations []visualisationRec `json:"visualisations"`
	Created        time.Time          `json:"created"`
	Updated        time.Time          `json:"updated"`
}

type pageMemberEntry struct {
	Holder holderEntryRec `json:"holder"`
	View   bool           `json:"view"`
	Edit   bool           `json:"edit"`
}

func pageRecord(p Page) *pageRec {
	r := &pageRec{ID: p.ID, Title: p.Title, Body: p.Body, Owner: p.Owner, Public: p.Public, Created: p.Created, Updated: p.Updated,
		Visualisations: make([]visualisationRec, len(p.Visualisations))}
	for i, v := range p.Visualisations {
		r.Visualisations[i] = visualisationRec(v)
	}
	return r
}

func (r pageRec) page() Page {
	p := Page{ID: r.ID, Title: r.Title, Body: r.Body, Owner: r.Owner, Created: r.Created, Updated: r.Updated,
		Visualisations: make([]Visualisation, len(r.Visualisations))}
	for i, v := range r.Visualisations {
		p.Visualisations[i] = Visualisation(v)
	}
	return p
}

func publicRel(id string) tuple.Relationship {
	return rel(pageRef(id), "public", wildcard)
}

// page reads a page; Public comes from its relationships.
func (v view) page(ctx context.Context, id string) (Page, error) {
	var r pageRec
	if err := v.get(ctx, kindPage, id, &r); err != nil {
		return Page{}, err
	}
	p := r.page()
	rs, err := v.rels(ctx, store.Filter{ResourceType: "page", ResourceID: id, Relation: "public"})
	if err != nil {
		return Page{}, err
	}
	p.Public = len(rs) > 0
	return p, nil
}

// checkPage checks what people type into a page.
func checkPage(p Page) (Page, error) {
	var err error
	if err := checkID("page id", p.ID); err != nil {
		return Page{}, err
	}
	if p.Title, err = cleanText("title", p.Title, maxName, false); err != nil {
		return Page{}, err
	}
	if p.Body, err = clean("body", p.Body, maxBody, true, true); err != nil {
		return Page{}, err
	}
	if p.Owner != "" {
		if err := checkID("owner", p.Owner); err != nil {
			return Page{}, err
		}
	}
	if len(p.Visualisations) > maxResources {
		return Page{}, invalid("invalid.content_too_many", "visualisations", len(p.Visualisations), maxResources)
	}
	seen := map[string]bool{}
	for i, v := range p.Visualisations {
		f := "visualisations[" + strconv.Itoa(i) + "]"
		if err := checkID(f+" id", v.ID); err != nil {
			return Page{}, err
		}
		if seen[v.ID] {
			return Page{}, invalid("invalid.content_duplicate", f+" id", messages.Quote(v.ID))
		}
		seen[v.ID] = true
		if p.Visualisations[i].Title, err = cleanText(f+" title", v.Title, maxName, true); err != nil {
			return Page{}, err
		}
		if v.Dataset != "" {
			if err := checkID(f+" dataset", v.Dataset); err != nil {
				return Page{}, err
			}
		}
	}
	return p, nil
}

// visualisationDatasets keeps the dataset of each visualisation of next
// that prev already has and names none (an editor who may not find a
// dataset sees it unnamed, and sends it back so); it returns the datasets
// next adds, which the editor must be able to consult.
func visualisationDatasets(field string, prev, next []Visualisation) ([]MapResource, error) {
	var add []MapResource
	for i, v := range next {
		j := slices.IndexFunc(prev, func(p Visualisation) bool { return p.ID == v.ID })
		switch {
		case v.Dataset == "" && j >= 0:
			next[i].Dataset = prev[j].Dataset
		case v.Dataset == "":
			return nil, invalid("invalid.empty", field+"["+strconv.Itoa(i)+"] dataset")
		case j < 0 || prev[j].Dataset != v.Dataset:
			r := MapResource{Kind: ResourceDataset, ID: v.Dataset}
			if !slices.Contains(add, r) {
				add = append(add, r)
			}
		}
	}
	return add, nil
}

// CreatePage creates a page, private until made public, for its owner
// organisation (publish on it) or for the platform (no owner: "edit all
// pages"). Its visualisations may draw only on datasets the actor may
// consult.
func (s *Service) CreatePage(ctx context.Context, actor string, p Page) (Page, error) {
	p, err := checkPage(p)
	if err != nil {
		return Page{}, err
	}
	g := guard{}
	if p.Owner != "" {
		g = s.orgGuard(p.Owner, "publish")
	}
	g.rights = append(g.rights, s.allContent("edit_all_pages")...)
	add, err := visualisationDatasets("visualisations", nil, p.Visualisations)
	if err != nil {
		return Page{}, err
	}
	err = s.do(ctx, actor, g, func(t *txn) error {
		if ok, err := t.exists(ctx, kindPage, p.ID); err != nil {
			return err
		} else if ok {
			return conflict("conflict.page_id_taken", messages.Quote(p.ID))
		}
		if p.Owner != "" {
			if err := t.mustExist(kindOrg, p.Owner); err != nil {
				return err
			}
		}
		if err := t.consultable(messages.New("noun.page"), add); err != nil {
			return err
		}
		p.Created, p.Updated = t.at, t.at
		doc := pageRecord(p)
		doc.Public = false
		if err := t.put(kindPage, p.ID, "", p.Owner, doc); err != nil {
			return err
		}
		t.contentLinks(pageRef(p.ID))
		if p.Owner != "" {
			t.touch(rel(pageRef(p.ID), "owner", tuple.SubjectRef{Type: "organisation", ID: p.Owner}))
		}
		if p.Public {
			t.touch(publicRel(p.ID))
		}
		return t.audit("page.create", "page:"+p.ID, nil, pageRecord(p))
	})
	return p, err
}

// RenderPage is the page as the actor sees it (view: an empty actor is an
// anonymous visitor): its text, and for each visualisation whether it
// loads, that is whether the actor may consult its dataset. To whoever may
// not view it, the page does not exist.
func (s *Service) RenderPage(ctx context.Context, actor, id string) (RenderedPage, error) {
	if err := s.authorize(ctx, actor, guard{public: true, rights: []right{{pageRef(id), "view"}}, hide: &right{pageRef(id), "view"}}); err != nil {
		return RenderedPage{}, err
	}
	p, err := s.read().page(ctx, id)
	if err != nil {
		return RenderedPage{}, err
	}
	subject := user(catalogueSubject(actor))
	load, err := s.checkDatasets(ctx, subject, p.Visualisations, "consult", nil)
	if err != nil {
		return RenderedPage{}, err
	}
	// A dataset one may consult one may find: search is asked only of
	// those that do not load.
	found, err := s.checkDatasets(ctx, subject, p.Visualisations, "search", load)
	if err != nil {
		return RenderedPage{}, err
	}
	out := RenderedPage{Page: p, Visualisations: make([]RenderedVisualisation, len(p.Visualisations))}
	for i, v := range p.Visualisations {
		rv := RenderedVisualisation{Visualisation: v, Load: load[i]}
		if !load[i] && !found[i] {
			rv.Dataset = "" // not even findable: never named
		}
		out.Visualisations[i] = rv
	}
	out.Page.Visualisations = nil // said once, in Visualisations
	return out, nil
}

// checkDatasets answers, in one bulk check, whether subject has perm on
// the dataset of each visualisation, skipping (answering false for) those
// where skip is true.
func (s *Service) checkDatasets(ctx context.Context, subject tuple.SubjectRef, vs []Visualisation, perm string, skip []bool) ([]bool, error) {
	out := make([]bool, len(vs))
	var reqs []engine.CheckRequest
	var at []int
	for i, v := range vs {
		if skip != nil && skip[i] {
			continue
		}
		reqs = append(reqs, engine.CheckRequest{Resource: datasetRef(v.Dataset), Permission: perm, Subject: subject})
		at = append(at, i)
	}
	if len(reqs) == 0 {
		return out, nil
	}
	res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		return nil, err
	}
	for j, i := range at {
		if errs[j] != nil {
			return nil, errs[j]
		}
		out[i] = res[j].Result == engine.HasPermission
	}
	return out, nil
}

// Pages lists, in id order after `after`, the pages the actor may view
// (an empty actor is an anonymous visitor, who sees the public ones).
func (s *Service) Pages(ctx context.Context, actor, after string, limit int) ([]Page, error) {
	ids, err := s.lookup(ctx, catalogueSubject(actor), "page", "view", after, pageSize(limit))
	if err != nil {
		return nil, err
	}
	v := s.read()
	out := make([]Page, 0, len(ids))
	for _, id := range ids {
		p, err := v.page(ctx, id)
		if isPortalNotFound(err) {
			continue // relationships without a record: not a page of the portal
		}
		if err != nil {
			return nil, err
		}
		p.Body, p.Visualisations = "", nil // a list names pages; RenderPage shows one
		out = append(out, p)
	}
	return out, nil
}

// PageUpdate is a change of a page's content: its title, and its body
// and visualisations when set (nil keeps them; an empty list removes
// every visualisation).
type PageUpdate struct {
	ID             string
	Title          string
	Body           *string
	Visualisations []Visualisation
}

// UpdatePage changes a page's title, body and visualisations (edit). The
// owner never changes, and the access policy changes with SetPagePolicy.
// A visualisation sent without its dataset keeps the one it has (an
// editor who may not find a dataset sees it unnamed, and sends it back
// so); the datasets it adds must be ones the actor may consult.
func (s *Service) UpdatePage(ctx context.Context, actor string, u PageUpdate) (Page, error) {
	in := Page{ID: u.ID, Title: u.Title, Visualisations: u.Visualisations}
	if u.Body != nil {
		in.Body = *u.Body
	}
	in, err := checkPage(in)
	if err != nil {
		return Page{}, err
	}
	var out Page
	err = s.do(ctx, actor, pageGuard(in.ID, "edit"), func(t *txn) error {
		before, err := t.page(ctx, in.ID)
		if err != nil {
			return err
		}
		out = before
		out.Title = in.Title
		if u.Body != nil {
			out.Body = in.Body
		}
		if u.Visualisations != nil {
			vs := slices.Clone(in.Visualisations)
			add, err := visualisationDatasets("visualisations", before.Visualisations, vs)
			if err != nil {
				return err
			}
			if err := t.consultable(messages.New("noun.page"), add); err != nil {
				return err
			}
			out.Visualisations = vs
		}
		if samePage(out, before) {
			return nil
		}
		out.Updated = t.at
		doc := pageRecord(out)
		doc.Public = false
		if err := t.put(kindPage, in.ID, "", out.Owner, doc); err != nil {
			return err
		}
		return t.audit("page.update", "page:"+in.ID, pageRecord(before), pageRecord(out))
	})
	if err != nil {
		return Page{}, err
	}
	return s.pageAsSeen(ctx, actor, out)
}

func samePage(a, b Page) bool {
	return a.Title == b.Title && a.Body == b.Body && slices.Equal(a.Visualisations, b.Visualisations)
}

// SetPagePolicy makes a page public or private (manage).
func (s *Service) SetPagePolicy(ctx context.Context, actor, id string, public bool) (Page, error) {
	var out Page
	err := s.do(ctx, actor, pageGuard(id, "manage"), func(t *txn) error {
		before, err := t.page(ctx, id)
		if err != nil {
			return err
		}
		out = before
		out.Public = public
		if before.Public == public {
			return nil
		}
		if public {
			t.touch(publicRel(id))
		} else {
			t.remove(publicRel(id))
		}
		return t.audit("page.policy", "page:"+id, map[string]any{"public": before.Public}, map[string]any{"public": public})
	})
	if err != nil {
		return Page{}, err
	}
	return s.pageAsSeen(ctx, actor, out)
}

// DeletePage deletes a page and its relationships (manage).
func (s *Service) DeletePage(ctx context.Context, actor, id string) error {
	return s.do(ctx, actor, pageGuard(id, "manage"), func(t *txn) error {
		before, err := t.page(ctx, id)
		if err != nil {
			return err
		}
		if err := t.removeObject(pageRef(id)); err != nil {
			return err
		}
		if err := t.deleteDoc(kindPage, id); err != nil {
			return err
		}
		return t.audit("page.delete", "page:"+id, pageRecord(before), nil)
	})
}

// pageMembers reads the people and groups added to a page (only the
// holder only, when set).
func (v view) pageMembers(ctx context.Context, id string, only *Holder) ([]PageMember, error) {
	f := store.Filter{ResourceType: "page", ResourceID: id}
	if only != nil {
		sub := only.subject()
		f.SubjectType, f.SubjectID, f.SubjectRelation = sub.Type, sub.ID, new(sub.Relation)
	}
	rs, err := v.rels(ctx, f)
	if err != nil {
		return nil, err
	}
	byHolder := map[Holder]*PageMember{}
	var out []*PageMember
	for _, r := range rs {
		h, ok := holderOf(r.Subject)
		if !ok || (r.Relation != "viewer" && r.Relation != "editor") {
			continue
		}
		m := byHolder[h]
		if m == nil {
			m = &PageMember{Holder: h}
			byHolder[h] = m
			out = append(out, m)
		}
		switch r.Relation {
		case "viewer":
			m.View = true
		case "editor":
			m.Edit = true
		}
	}
	list := make([]PageMember, len(out))
	for i, m := range out {
		list[i] = *m
	}
	slices.SortFunc(list, func(a, b PageMember) int { return cmpHolder(a.Holder, b.Holder) })
	return list, nil
}

// PageMembers lists the people and groups added to a page, with their
// names (manage).
func (s *Service) PageMembers(ctx context.Context, actor, id string) ([]PageMember, error) {
	if err := s.authorize(ctx, actor, pageGuard(id, "manage")); err != nil {
		return nil, err
	}
	v := s.read()
	if ok, err := v.exists(ctx, kindPage, id); err != nil || !ok {
		return nil, notFoundOr(err, kindPage, id)
	}
	ms, err := v.pageMembers(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].Holder.Name, err = v.holderName(ctx, ms[i].Holder); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// SetPageMember adds a person, community or organisation to a page's
// security section, or changes what it holds (manage): view always (it is
// given to everyone added and is never removed alone: m.View false is
// refused, saying to remove the member instead), edit when m.Edit.
func (s *Service) SetPageMember(ctx context.Context, actor, id string, m PageMember) (PageMember, error) {
	if err := checkHolder("member", m.Holder, pageMemberKinds); err != nil {
		return PageMember{}, err
	}
	if !m.View {
		return PageMember{}, invalid("invalid.view_not_removable")
	}
	out := PageMember{Holder: Holder{Kind: m.Holder.Kind, ID: m.Holder.ID}, View: true, Edit: m.Edit}
	err := s.do(ctx, actor, pageGuard(id, "manage"), func(t *txn) error {
		if err := t.mustExist(kindPage, id); err != nil {
			return err
		}
		cur, err := t.pageMembers(ctx, id, &out.Holder)
		if err != nil {
			return err
		}
		if out.Holder.Name, err = t.shownHolderName(out.Holder, len(cur) > 0); err != nil {
			return err
		}
		var before *PageMember
		if len(cur) > 0 {
			before = &cur[0]
			before.Holder.Name = out.Holder.Name
			if before.View && before.Edit == out.Edit {
				return nil
			}
		}
		sub := out.Holder.subject()
		t.touch(rel(pageRef(id), "viewer", sub))
		if out.Edit {
			t.touch(rel(pageRef(id), "editor", sub))
		} else {
			t.remove(rel(pageRef(id), "editor", sub))
		}
		var b any
		if before != nil {
			b = pageMemberRecord(*before)
		}
		return t.audit("page.member.set", "page:"+id, b, pageMemberRecord(out))
	})
	return out, err
}

func pageMemberRecord(m PageMember) pageMemberEntry {
	return pageMemberEntry{Holder: holderEntry(m.Holder), View: m.View, Edit: m.Edit}
}

// RemovePageMember removes a person or group from a page (manage): both
// view and edit go. On a public page they still view it as everyone does.
func (s *Service) RemovePageMember(ctx context.Context, actor, id string, h Holder) error {
	if err := checkHolder("member", h, pageMemberKinds); err != nil {
		return err
	}
	return s.do(ctx, actor, pageGuard(id, "manage"), func(t *txn) error {
		cur, err := t.pageMembers(ctx, id, &h)
		if err != nil {
			return err
		}
		if len(cur) == 0 {
			return notFound("notfound.page_member", messages.Quote(string(h.Kind)+":"+h.ID), id)
		}
		sub := h.subject()
		t.remove(rel(pageRef(id), "viewer", sub))
		t.remove(rel(pageRef(id), "editor", sub))
		return t.audit("page.member.remove", "page:"+id, pageMemberRecord(cur[0]), nil)
	})
}
