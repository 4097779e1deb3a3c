package portal

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Maps (source 004, Centreon MAP's privileges). Privileges none < read <
// write < owner are granted to roles, never to single people: here the
// roles are communities and organisations. A role holds one privilege on a
// map. Map administrators and map editors (content roles) create maps and
// hold every right on every map; roles holding the creator privilege create
// maps for themselves. A map never loses its last owner: the change that
// would remove it (a share lowered or removed, a community deleted) is
// refused, saying why. Whoever may view a map sees every resource in it;
// whoever edits it adds only resources they may consult themselves.

const kindMap = "map"

// MapLevel is a privilege on a map, ordered: read < write < owner; ""
// (none) holds nothing. The value is the map relation that holds it.
type MapLevel string

const (
	MapNone  MapLevel = ""
	MapRead  MapLevel = "read"
	MapWrite MapLevel = "write"
	MapOwner MapLevel = "owner"
)

// MapLevels lists the privileges from the lowest.
var MapLevels = []MapLevel{MapRead, MapWrite, MapOwner}

func (l MapLevel) relation() string {
	switch l {
	case MapRead:
		return "reader"
	case MapWrite:
		return "writer"
	case MapOwner:
		return "owner"
	}
	return ""
}

// Map is a map: its name and icon (set by its owners) and the resources it
// shows.
type Map struct {
	ID        string
	Name      string
	Icon      string
	Resources []MapResource
	Created   time.Time
	Updated   time.Time
}

// MapShare is the privilege one role (community or organisation) holds on
// a map; a change reports the privilege before and after.
type MapShare struct {
	Group  Holder
	Before MapLevel
	Level  MapLevel
}

var mapGroupKinds = []HolderKind{HolderCommunity, HolderOrganisation}

func mapRef(id string) tuple.ObjectRef { return obj("map", id) }

// mapGuard needs perm on the map; to whoever may not view it, the map does
// not exist.
func mapGuard(id, perm string) guard {
	return guard{rights: []right{{mapRef(id), perm}}, hide: &right{mapRef(id), "view"}}
}

type mapResourceRec struct {
	Kind  ResourceKind `json:"kind"`
	ID    string       `json:"id"`
	Layer string       `json:"layer,omitempty"`
}

type mapRec struct {
	recordHead
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	Icon      string           `json:"icon,omitempty"`
	Resources []mapResourceRec `json:"resources"`
	Created   time.Time        `json:"created"`
	Updated   time.Time        `json:"updated"`
}

type mapShareEntry struct {
	Group holderEntryRec `json:"group"`
	Level MapLevel       `json:"level"`
}

func mapRecord(m Map) *mapRec {
	r := &mapRec{ID: m.ID, Name: m.Name, Icon: m.Icon, Created: m.Created, Updated: m.Updated, Resources: make([]mapResourceRec, len(m.Resources))}
	for i, x := range m.Resources {
		r.Resources[i] = mapResourceRec(x)
	}
	return r
}

func (r mapRec) domain() Map {
	m := Map{ID: r.ID, Name: r.Name, Icon: r.Icon, Created: r.Created, Updated: r.Updated, Resources: make([]MapResource, len(r.Resources))}
	for i, x := range r.Resources {
		m.Resources[i] = MapResource(x)
	}
	return m
}

func (v view) mapRecord(ctx context.Context, id string) (Map, error) {
	var r mapRec
	if err := v.get(ctx, kindMap, id, &r); err != nil {
		return Map{}, err
	}
	return r.domain(), nil
}

// mapShares reads the privileges roles hold on a map (of group only, when
// set), in kind then id order.
func (v view) mapShares(ctx context.Context, id string, group *Holder) ([]MapShare, error) {
	f := store.Filter{ResourceType: "map", ResourceID: id}
	if group != nil {
		f.SubjectType, f.SubjectID, f.SubjectRelation = string(group.Kind), group.ID, new("member")
	}
	rs, err := v.rels(ctx, f)
	if err != nil {
		return nil, err
	}
	by := map[Holder]MapLevel{}
	for _, r := range rs {
		h, ok := holderOf(r.Subject)
		if !ok || h.Kind == HolderUser {
			continue
		}
		for _, l := range MapLevels {
			if l.relation() == r.Relation && slices.Index(MapLevels, l) > slices.Index(MapLevels, by[h]) {
				by[h] = l
			}
		}
	}
	out := make([]MapShare, 0, len(by))
	for h, l := range by {
		out = append(out, MapShare{Group: h, Level: l})
	}
	slices.SortFunc(out, func(a, b MapShare) int { return cmpHolder(a.Group, b.Group) })
	return out, nil
}

func checkMap(m Map, create bool, newID func() string) (Map, error) {
	var err error
	if create && m.ID == "" {
		m.ID = newID()
	} else if err := checkID("map id", m.ID); err != nil {
		return Map{}, err
	}
	if m.Name, err = cleanText("name", m.Name, maxName, false); err != nil {
		return Map{}, err
	}
	if m.Icon, err = cleanText("icon", m.Icon, maxName, true); err != nil {
		return Map{}, err
	}
	return m, nil
}

func checkMapLevel(l MapLevel) error {
	if l != MapNone && !slices.Contains(MapLevels, l) {
		return invalid("invalid.map_level", messages.Quote(l))
	}
	return nil
}

// CreateMap creates a map owned by the role owner (create_map: map
// administrators and editors, and the members of a role holding the
// creator privilege). A creator who manages no map but their own must name
// a role they belong to, so that they keep the map they make. The
// resources may only be ones the actor may consult.
func (s *Service) CreateMap(ctx context.Context, actor string, m Map, owner Holder) (Map, error) {
	m, err := checkMap(m, true, s.newID)
	if err != nil {
		return Map{}, err
	}
	if m.Resources, err = checkResources("resources", m.Resources); err != nil {
		return Map{}, err
	}
	if err := checkHolder("owner", owner, mapGroupKinds); err != nil {
		return Map{}, err
	}
	err = s.do(ctx, actor, guard{rights: s.allContent("create_map")}, func(t *txn) error {
		if ok, err := t.exists(ctx, kindMap, m.ID); err != nil {
			return err
		} else if ok {
			return conflict("conflict.map_id_taken", messages.Quote(m.ID))
		}
		name, err := t.shownHolderName(owner, false)
		if err != nil {
			return err
		}
		all := true
		if err := s.authorize(ctx, actor, guard{rights: s.allContent("manage_all_maps")}); errors.Is(err, ErrForbidden) {
			all = false
		} else if err != nil {
			return err
		}
		if !all {
			in, err := t.s.has(ctx, actor, obj(string(owner.Kind), owner.ID), "member")
			if err != nil {
				return err
			}
			if !in {
				return refuse(ErrForbidden, "portal.map_owner_not_yours", messages.Quote(string(owner.Kind)+":"+owner.ID))
			}
		}
		if err := t.consultable(messages.New("noun.map"), m.Resources); err != nil {
			return err
		}
		if err := t.exposedLayers("resources", nil, m.Resources); err != nil {
			return err
		}
		m.Created, m.Updated = t.at, t.at
		if err := t.put(kindMap, m.ID, "", "", mapRecord(m)); err != nil {
			return err
		}
		t.contentLinks(mapRef(m.ID))
		t.touch(rel(mapRef(m.ID), MapOwner.relation(), owner.subject()))
		if err := t.audit("map.create", "map:"+m.ID, nil, mapRecord(m)); err != nil {
			return err
		}
		return t.audit("map.share", "map:"+m.ID, nil, mapShareEntry{Group: holderEntryRec{Kind: owner.Kind, ID: owner.ID, Name: name}, Level: MapOwner})
	})
	return m, err
}

// Map returns a map, with every resource in it, to whoever may view it;
// to others it does not exist. A viewer sees the resources even where they
// could not open them alone: access to maps is checked at the map only
// (source 004).
func (s *Service) Map(ctx context.Context, actor, id string) (Map, error) {
	if err := s.authorize(ctx, actor, mapGuard(id, "view")); err != nil {
		return Map{}, err
	}
	return s.read().mapRecord(ctx, id)
}

// Maps lists, in id order after `after`, the maps the actor may view
// (resources left out: Map shows one).
func (s *Service) Maps(ctx context.Context, actor, after string, limit int) ([]Map, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	ids, err := s.lookup(ctx, actor, "map", "view", after, pageSize(limit))
	if err != nil {
		return nil, err
	}
	v := s.read()
	out := make([]Map, 0, len(ids))
	for _, id := range ids {
		m, err := v.mapRecord(ctx, id)
		if isPortalNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m.Resources = nil
		out = append(out, m)
	}
	return out, nil
}

// UpdateMap sets a map's name and icon (set_properties: its owners, map
// administrators and editors). Resources change with SetMapResources.
func (s *Service) UpdateMap(ctx context.Context, actor string, m Map) (Map, error) {
	m, err := checkMap(m, false, nil)
	if err != nil {
		return Map{}, err
	}
	var out Map
	err = s.do(ctx, actor, mapGuard(m.ID, "set_properties"), func(t *txn) error {
		before, err := t.mapRecord(ctx, m.ID)
		if err != nil {
			return err
		}
		out = before
		out.Name, out.Icon = m.Name, m.Icon
		if out.Name == before.Name && out.Icon == before.Icon {
			return nil
		}
		out.Updated = t.at
		if err := t.put(kindMap, m.ID, "", "", mapRecord(out)); err != nil {
			return err
		}
		return t.audit("map.update", "map:"+m.ID, map[string]any{"name": before.Name, "icon": before.Icon}, map[string]any{"name": out.Name, "icon": out.Icon})
	})
	return out, err
}

// SetMapResources sets the resources a map shows (edit). The resources it
// adds must be ones the actor may consult (datasets) or use (services),
// and a service's layer one it exposes; those already there stay whoever
// edits.
func (s *Service) SetMapResources(ctx context.Context, actor, id string, rs []MapResource) (Map, error) {
	rs, err := checkResources("resources", rs)
	if err != nil {
		return Map{}, err
	}
	var out Map
	err = s.do(ctx, actor, mapGuard(id, "edit"), func(t *txn) error {
		before, err := t.mapRecord(ctx, id)
		if err != nil {
			return err
		}
		if slices.Equal(before.Resources, rs) {
			out = before
			return nil
		}
		var add []MapResource
		for _, r := range rs {
			if !slices.Contains(before.Resources, r) {
				add = append(add, r)
			}
		}
		if err := t.consultable(messages.New("noun.map"), add); err != nil {
			return err
		}
		if err := t.exposedLayers("resources", before.Resources, rs); err != nil {
			return err
		}
		out = before
		out.Resources, out.Updated = rs, t.at
		if err := t.put(kindMap, id, "", "", mapRecord(out)); err != nil {
			return err
		}
		return t.audit("map.resources", "map:"+id, mapRecord(before).Resources, mapRecord(out).Resources)
	})
	return out, err
}

// DeleteMap deletes a map and its shares (delete).
func (s *Service) DeleteMap(ctx context.Context, actor, id string) error {
	return s.do(ctx, actor, mapGuard(id, "delete"), func(t *txn) error {
		before, err := t.mapRecord(ctx, id)
		if err != nil {
			return err
		}
		if err := t.removeObject(mapRef(id)); err != nil {
			return err
		}
		if err := t.deleteDoc(kindMap, id); err != nil {
			return err
		}
		return t.audit("map.delete", "map:"+id, mapRecord(before), nil)
	})
}

// MapShares lists the roles a map is shared with and their privileges,
// with their names (share).
func (s *Service) MapShares(ctx context.Context, actor, id string) ([]MapShare, error) {
	if err := s.authorize(ctx, actor, mapGuard(id, "share")); err != nil {
		return nil, err
	}
	v := s.read()
	if ok, err := v.exists(ctx, kindMap, id); err != nil || !ok {
		return nil, notFoundOr(err, kindMap, id)
	}
	out, err := v.mapShares(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Group.Name, err = v.holderName(ctx, out[i].Group); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetMapShare gives a role (community or organisation) a privilege on a
// map, or none (share). A change that would leave the map without an
// owner is refused (ErrConflict), saying why: a map never loses its last
// owner. A community the actor may not view does not exist for them,
// unless it already holds a privilege on the map.
func (s *Service) SetMapShare(ctx context.Context, actor, id string, group Holder, l MapLevel) (MapShare, error) {
	if err := checkHolder("group", group, mapGroupKinds); err != nil {
		return MapShare{}, err
	}
	if err := checkMapLevel(l); err != nil {
		return MapShare{}, err
	}
	out := MapShare{Group: Holder{Kind: group.Kind, ID: group.ID}, Level: l}
	err := s.do(ctx, actor, mapGuard(id, "share"), func(t *txn) error {
		if err := t.mustExist(kindMap, id); err != nil {
			return err
		}
		cur, err := t.mapShares(ctx, id, &out.Group)
		if err != nil {
			return err
		}
		if len(cur) > 0 {
			out.Before = cur[0].Level
		}
		if out.Group.Name, err = t.shownHolderName(out.Group, len(cur) > 0); err != nil {
			return err
		}
		if out.Before == l {
			return nil
		}
		if out.Before == MapOwner {
			if err := t.keepsAnOwner(id, out.Group); err != nil {
				return err
			}
		}
		sub := out.Group.subject()
		for _, x := range MapLevels {
			if x == l {
				t.touch(rel(mapRef(id), x.relation(), sub))
			} else {
				t.remove(rel(mapRef(id), x.relation(), sub))
			}
		}
		e := holderEntry(out.Group)
		var before, after any
		if out.Before != MapNone {
			before = mapShareEntry{Group: e, Level: out.Before}
		}
		if l != MapNone {
			after = mapShareEntry{Group: e, Level: l}
		}
		return t.audit("map.share", "map:"+id, before, after)
	})
	return out, err
}

// keepsAnOwner refuses to take ownership of map id from group when no
// other role owns it: the map would be left without an owner.
func (t *txn) keepsAnOwner(id string, group Holder) error {
	owners, err := t.rels(t.ctx, store.Filter{ResourceType: "map", ResourceID: id, Relation: MapOwner.relation()})
	if err != nil {
		return err
	}
	for _, r := range owners {
		if h, ok := holderOf(r.Subject); ok && h != (Holder{Kind: group.Kind, ID: group.ID}) {
			return nil
		}
	}
	return conflict("conflict.map_last_owner", messages.Quote(string(group.Kind)+":"+group.ID), messages.Quote(id))
}

// keepMapOwners refuses the deletion of a group that is the last owner of
// a map (called before the group's relationships go): the maps it alone
// owns would be left without an owner.
func (t *txn) keepMapOwners(group Holder) error {
	owned, err := t.rels(t.ctx, store.Filter{ResourceType: "map", Relation: MapOwner.relation(),
		SubjectType: string(group.Kind), SubjectID: group.ID, SubjectRelation: new("member")})
	if err != nil {
		return err
	}
	for _, r := range owned {
		if err := t.keepsAnOwner(r.Resource.ID, group); err != nil {
			return err
		}
	}
	return nil
}
