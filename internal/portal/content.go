package portal

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// The platform's content: pages (pages.go) and maps (maps.go), and the
// roles that reach all of them, held on one object of type content whose
// id is the platform's. The object is tied to the platform by every change
// that writes a page, a map or a content role (touching what already is
// writes nothing twice), so that no bootstrap step is needed.

// ContentRole is a role over every page or every map; the value is its
// content relation.
type ContentRole string

const (
	ContentPageViewer       ContentRole = "page_viewer"       // "view all pages"
	ContentPageEditor       ContentRole = "page_editor"       // "edit all pages"
	ContentMapAdministrator ContentRole = "map_administrator" // every right on every map
	ContentMapEditor        ContentRole = "map_editor"        // every right on every map
	ContentMapCreator       ContentRole = "map_creator"       // a role whose members create maps
)

// ContentRoles lists the content roles, in display order.
var ContentRoles = []ContentRole{ContentPageViewer, ContentPageEditor, ContentMapAdministrator, ContentMapEditor, ContentMapCreator}

// holderKinds are the kinds of holder each content role takes, as the
// schema says: maps' creators are roles (groups), never single people.
func (r ContentRole) holderKinds() []HolderKind {
	if r == ContentMapCreator {
		return []HolderKind{HolderCommunity, HolderOrganisation}
	}
	return []HolderKind{HolderUser, HolderCommunity}
}

// HolderKind is the kind of who holds a right on a page or a content
// role: a person or a group of people.
type HolderKind string

const (
	HolderUser         HolderKind = "user"
	HolderCommunity    HolderKind = "community"
	HolderOrganisation HolderKind = "organisation"
)

// Holder names a person or a group (community, organisation) that holds
// something; Name is read from its record.
type Holder struct {
	Kind HolderKind
	ID   string
	Name string
}

// ContentRoleHolder is one holder of a content role.
type ContentRoleHolder struct {
	Role   ContentRole
	Holder Holder
}

func (s *Service) contentRef() tuple.ObjectRef { return obj("content", s.platform) }

// contentLinks ties an object (page, map) to the content object, and the
// content object to the platform.
func (t *txn) contentLinks(o tuple.ObjectRef) {
	t.touch(t.s.platformLink(t.s.contentRef()))
	t.touch(t.s.platformLink(o))
	t.touch(rel(o, "content", tuple.SubjectRef{Type: "content", ID: t.s.platform}))
}

// allContent are the rights that reach every page or map: perm on the
// content object, or administering the platform. The second is asked
// apart because the content object reaches the platform (and so its
// administrators) only once a page, a map or a content role has been
// written: the first page of a platform is made before that.
func (s *Service) allContent(perm string) []right {
	return []right{{s.contentRef(), perm}, {s.platformRef(), "administer"}}
}

// subject is the schema subject of a holder: the person, or the group's
// members.
func (h Holder) subject() tuple.SubjectRef {
	if h.Kind == HolderUser {
		return user(h.ID)
	}
	return tuple.SubjectRef{Type: string(h.Kind), ID: h.ID, Relation: "member"}
}

// holderOf reads a subject back as a holder; ok is false for a subject
// the portal does not write.
func holderOf(s tuple.SubjectRef) (Holder, bool) {
	switch {
	case s.Type == "user" && s.Relation == "" && s.ID != tuple.Wildcard:
		return Holder{Kind: HolderUser, ID: s.ID}, true
	case (s.Type == "community" || s.Type == "organisation") && s.Relation == "member":
		return Holder{Kind: HolderKind(s.Type), ID: s.ID}, true
	}
	return Holder{}, false
}

var holderRecordKind = map[HolderKind]string{HolderUser: kindAccount, HolderCommunity: kindCommunity, HolderOrganisation: kindOrg}

func checkHolder(field string, h Holder, kinds []HolderKind) error {
	if !slices.Contains(kinds, h.Kind) {
		return invalid("invalid.holder_kind", field, messages.Quote(h.Kind), joinEnum(kinds))
	}
	if h.Kind == HolderUser {
		return checkAccountID(field+" id", h.ID)
	}
	return checkID(field+" id", h.ID)
}

// shownHolderName reads, in a change, the holder's name from its record:
// ErrNotFound names a missing one. A community the actor may not view
// does not exist for them, unless it already holds something here (held):
// then it is shown, so that it can be taken away.
func (t *txn) shownHolderName(h Holder, held bool) (string, error) {
	if h.Kind == HolderCommunity && !held {
		switch ok, err := t.s.has(t.ctx, t.actor, communityRef(h.ID), "view"); {
		case err != nil:
			return "", err
		case !ok:
			return "", noSuch(kindCommunity, h.ID)
		}
	}
	var r groupRec
	if err := t.get(t.ctx, holderRecordKind[h.Kind], h.ID, &r); err != nil {
		return "", err
	}
	return r.Name, nil
}

// holderName reads a holder's name for a listing ("" when its record is
// gone).
func (v view) holderName(ctx context.Context, h Holder) (string, error) {
	var r groupRec
	err := v.get(ctx, holderRecordKind[h.Kind], h.ID, &r)
	if isPortalNotFound(err) {
		return "", nil
	}
	return r.Name, err
}

func checkContentRole(r ContentRole) error {
	if !slices.Contains(ContentRoles, r) {
		return invalid("invalid.content_role", messages.Quote(r), joinEnum(ContentRoles))
	}
	return nil
}

// ContentRoleGrant is a content role an account holds: directly (Via
// nil), or as a member of the community or organisation Via.
type ContentRoleGrant struct {
	Role ContentRole
	Via  *Holder
}

// contentGrants reads the content roles of account, whose memberships p
// holds, in role order.
func (v view) contentGrants(ctx context.Context, account string, p Profile) ([]ContentRoleGrant, error) {
	rs, err := v.rels(ctx, store.Filter{ResourceType: "content", ResourceID: v.s.platform})
	if err != nil {
		return nil, err
	}
	// The profile's memberships are in id order: a content role's holder
	// is looked up among them, rather than every membership put in a set
	// for the few content roles there are (a platform administrator may
	// belong to thousands of communities).
	in := func(h Holder) bool {
		switch h.Kind {
		case HolderUser:
			return h.ID == account
		case HolderOrganisation:
			_, ok := slices.BinarySearchFunc(p.Organisations, h.ID, func(m OrgMembership, id string) int { return strings.Compare(m.Organisation, id) })
			return ok
		case HolderCommunity:
			_, ok := slices.BinarySearchFunc(p.Communities, h.ID, func(m CommunityMembership, id string) int { return strings.Compare(m.Community, id) })
			return ok
		}
		return false
	}
	out := []ContentRoleGrant{}
	for _, r := range rs {
		h, ok := holderOf(r.Subject)
		role := ContentRole(r.Relation)
		if !ok || !in(h) || !slices.Contains(ContentRoles, role) {
			continue
		}
		g := ContentRoleGrant{Role: role}
		if h.Kind != HolderUser {
			g.Via = &h
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b ContentRoleGrant) int {
		if c := slices.Index(ContentRoles, a.Role) - slices.Index(ContentRoles, b.Role); c != 0 {
			return c
		}
		switch {
		case a.Via == nil || b.Via == nil:
			return boolCmp(a.Via != nil, b.Via != nil)
		}
		return cmpHolder(*a.Via, *b.Via)
	})
	return out, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// ContentRoleHolders lists who holds each content role (administer), in
// role, then kind, then id order.
func (s *Service) ContentRoleHolders(ctx context.Context, actor string) ([]ContentRoleHolder, error) {
	if err := s.authorize(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}); err != nil {
		return nil, err
	}
	v := s.read()
	rs, err := v.rels(ctx, store.Filter{ResourceType: "content", ResourceID: s.platform})
	if err != nil {
		return nil, err
	}
	out := []ContentRoleHolder{}
	for _, r := range rs {
		role := ContentRole(r.Relation)
		h, ok := holderOf(r.Subject)
		if !ok || !slices.Contains(ContentRoles, role) {
			continue
		}
		if h.Name, err = v.holderName(ctx, h); err != nil {
			return nil, err
		}
		out = append(out, ContentRoleHolder{Role: role, Holder: h})
	}
	slices.SortFunc(out, func(a, b ContentRoleHolder) int {
		if c := slices.Index(ContentRoles, a.Role) - slices.Index(ContentRoles, b.Role); c != 0 {
			return c
		}
		return cmpHolder(a.Holder, b.Holder)
	})
	return out, nil
}

func cmpHolder(a, b Holder) int {
	kinds := []HolderKind{HolderUser, HolderOrganisation, HolderCommunity}
	if c := slices.Index(kinds, a.Kind) - slices.Index(kinds, b.Kind); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// SetContentRole gives a content role to a person or group (hold), or
// takes it away (administer): "view all pages", "edit all pages", map
// administrator, map editor (people or communities), map creator
// (communities or organisations).
func (s *Service) SetContentRole(ctx context.Context, actor string, role ContentRole, h Holder, hold bool) (ContentRoleHolder, error) {
	if err := checkContentRole(role); err != nil {
		return ContentRoleHolder{}, err
	}
	if err := checkHolder("holder", h, role.holderKinds()); err != nil {
		return ContentRoleHolder{}, err
	}
	out := ContentRoleHolder{Role: role, Holder: Holder{Kind: h.Kind, ID: h.ID}}
	err := s.do(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}, func(t *txn) error {
		r := rel(s.contentRef(), string(role), h.subject())
		held, err := t.rels(t.ctx, store.Filter{ResourceType: "content", ResourceID: s.platform, Relation: string(role),
			SubjectType: r.Subject.Type, SubjectID: h.ID, SubjectRelation: new(r.Subject.Relation)})
		if err != nil {
			return err
		}
		if out.Holder.Name, err = t.shownHolderName(h, len(held) > 0); err != nil {
			return err
		}
		entry := map[string]any{"role": string(role), "holder": holderEntry(out.Holder)}
		switch {
		case hold && len(held) == 0:
			t.touch(t.s.platformLink(s.contentRef()))
			t.touch(r)
			return t.audit("content.role.add", "content:"+s.platform, nil, entry)
		case !hold && len(held) > 0:
			t.remove(r)
			return t.audit("content.role.remove", "content:"+s.platform, entry, nil)
		}
		return nil
	})
	return out, err
}

// maxResources bounds the visualisations of a page and the resources of a
// map, so that a render or a map check stays one bulk check of bounded
// size.
const maxResources = 500

// consultable checks, for a change by t.actor, that every resource added
// (not already there) is one the actor may consult themselves: a dataset
// they may consult, a service they may use. Someone editing a page or a
// map shows others only what they may see themselves ("vous ne pouvez
// ajouter des ressources que si vous disposez de l'ACL correspondante").
// A dataset they may not even find does not exist for them.
func (t *txn) consultable(what messages.Text, added []MapResource) error {
	if len(added) == 0 {
		return nil
	}
	reqs := make([]engine.CheckRequest, 0, 2*len(added))
	for _, r := range added {
		res, perm := r.right()
		reqs = append(reqs, engine.CheckRequest{Resource: res, Permission: perm, Subject: user(t.actor)})
		if r.Kind == ResourceDataset {
			reqs = append(reqs, engine.CheckRequest{Resource: res, Permission: "search", Subject: user(t.actor)})
		}
	}
	res, errs, _, err := t.s.engine().CheckBulk(t.ctx, reqs, engine.At{})
	if err != nil {
		return err
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	i := 0
	for _, r := range added {
		okUse := res[i].Result == engine.HasPermission
		i++
		if r.Kind == ResourceDataset {
			found := res[i].Result == engine.HasPermission
			i++
			if !found {
				return noSuch(kindDataset, r.ID)
			}
		}
		if !okUse {
			which := messages.New("content.consult_dataset", r.ID)
			if r.Kind == ResourceService {
				which = messages.New("content.use_service", r.ID)
			}
			return refuse(ErrForbidden, "portal.resource_not_yours", what, which)
		}
	}
	return t.stillThere(added) // content_integrity.go
}

// ResourceKind is the kind of a resource a map shows or a page's
// visualisation draws on.
type ResourceKind string

const (
	ResourceDataset ResourceKind = "dataset"
	// ResourceService is a map or download service (WMS, WMTS, WFS…),
	// optionally one of its layers.
	ResourceService ResourceKind = "service"
)

// MapResource is a resource shown on a map: a dataset, or a service and
// optionally one of its layers (by the service's own layer name, which
// the service must expose).
type MapResource struct {
	Kind  ResourceKind
	ID    string
	Layer string
}

// right is the permission that lets someone add the resource: consult for
// a dataset, use for a service (the schema's public name for the right to
// open a service). A service's layers have no rights of their own in the
// schema (a grant covers every layer of a service), so a layer is checked
// as its service; that the service exposes the layer is checked apart
// (exposedLayers), once the editor is known to use it.
func (r MapResource) right() (tuple.ObjectRef, string) {
	if r.Kind == ResourceService {
		return obj("service", r.ID), "use"
	}
	return datasetRef(r.ID), "consult"
}

// checkResources checks the resources a map is given.
func checkResources(field string, rs []MapResource) ([]MapResource, error) {
	if len(rs) > maxResources {
		return nil, invalid("invalid.content_too_many", field, len(rs), maxResources)
	}
	out := make([]MapResource, 0, len(rs))
	for i, r := range rs {
		f := field + "[" + strconv.Itoa(i) + "]"
		switch r.Kind {
		case ResourceDataset:
			if r.Layer != "" {
				return nil, invalid("invalid.dataset_layer", f)
			}
		case ResourceService:
		default:
			return nil, invalid("invalid.resource_kind", f, messages.Quote(r.Kind))
		}
		if err := checkID(f+" id", r.ID); err != nil {
			return nil, err
		}
		var err error
		if r.Layer, err = cleanText(f+" layer", r.Layer, maxName, true); err != nil {
			return nil, err
		}
		if slices.Contains(out, r) {
			return nil, invalid("invalid.content_duplicate", f, messages.Quote(string(r.Kind)+":"+r.ID+"/"+r.Layer))
		}
		out = append(out, r)
	}
	return out, nil
}

type holderEntryRec struct {
	Kind HolderKind `json:"kind"`
	ID   string     `json:"id"`
	Name string     `json:"name,omitempty"`
}

func holderEntry(h Holder) holderEntryRec { return holderEntryRec(h) }
