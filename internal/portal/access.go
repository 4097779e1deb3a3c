package portal

import (
	"cmp"
	"context"
	"fmt"
	"github.com/octroi/octroi/internal/messages"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/tuple"
)

// groupKinds are the record kinds of the groups that can hold a level.
var groupKinds = map[GroupKind]string{GroupOrganisation: kindOrg, GroupCommunity: kindCommunity, GroupOrgGroup: kindOrgGroup}

// groupRec is what a level needs of a group's record.
type groupRec struct {
	Name string  `json:"name"`
	Type OrgType `json:"type,omitempty"`
}

// groupName reads a group's name; ErrNotFound names a missing group.
func (v view) groupName(ctx context.Context, g GroupRef) (string, error) {
	var r groupRec
	if err := v.get(ctx, groupKinds[g.Kind], g.ID, &r); err != nil {
		return "", err
	}
	return r.Name, nil
}

// groupRow is an access-table row with its name folded (for the name
// filter) and lower-cased (for sorting), computed once per record rather
// than once per comparison.
type groupRow struct {
	AccessRow
	folded, lower string
}

// eachGroup calls fn with every organisation, community and group of
// organisations of the platform of the given kinds, as an access-table row
// without levels. It hands rows over one at a time rather than as a slice:
// at platform scale (8,300 groups) that slice was megabytes of garbage per
// request, for a table that shows one page.
func (v view) eachGroup(ctx context.Context, kinds []GroupKind, fn func(groupRow)) error {
	for _, k := range kinds {
		add := func(id string, g memGroup) {
			row := groupRow{AccessRow: AccessRow{Group: GroupRef{k, id}, Name: g.Name}, folded: g.folded, lower: g.lower}
			if k == GroupOrganisation {
				row.OrgType = g.Type
			}
			fn(row)
		}
		if err := v.s.mem.groups(ctx, groupKinds[k], add); err != nil {
			return err
		}
	}
	return nil
}

// allKinds are the kinds of groups, in the order the table reads them.
var allKinds = []GroupKind{GroupOrganisation, GroupCommunity, GroupOrgGroup}

// AccessTable returns a dataset's access table (manage_access): one row per
// organisation, group of organisations and shown community (see
// shownCommunity) of the platform,
// with its specific level (if any) and its effective level: the level the
// engine grants a member of the group through every path (the default
// level, the group's own level, a group of organisations it belongs to,
// ownership of the dataset, a platform role held by a community); the rows
// matching f, sorted and paginated, and how many rows match in all.
func (s *Service) AccessTable(ctx context.Context, actor, id string, f AccessFilter) ([]AccessRow, int, error) {
	if err := checkFilter(f); err != nil {
		return nil, 0, err
	}
	if err := s.authorize(ctx, actor, datasetGuard(id, "manage_access")); err != nil {
		return nil, 0, err
	}
	v := s.read()
	d, lv, err := v.dataset(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	kinds := allKinds
	if f.Kind != "" {
		kinds = []GroupKind{f.Kind} // the engine need not be asked about kinds the filter drops
	}
	granted, err := s.groupLevels(ctx, id, d.Default, kinds)
	if err != nil {
		return nil, 0, err
	}
	var seen []string
	if slices.Contains(kinds, GroupCommunity) {
		if seen, err = s.lookup(ctx, actor, "community", "view", "", math.MaxInt); err != nil {
			return nil, 0, err
		}
	}
	byName := func(a, b groupRow) int {
		return cmp.Or(cmp.Compare(a.lower, b.lower), cmpGroup(a.Group, b.Group))
	}
	order := byName
	switch f.Sort {
	case "level":
		order = func(a, b groupRow) int { return cmp.Or(cmp.Compare(a.Effective, b.Effective), byName(a, b)) }
	case "type":
		order = func(a, b groupRow) int {
			return cmp.Or(kindRank(a.Group.Kind)-kindRank(b.Group.Kind),
				slices.Index(OrgTypes, a.OrgType)-slices.Index(OrgTypes, b.OrgType), byName(a, b))
		}
	}
	if f.Desc {
		asc := order
		order = func(a, b groupRow) int { return asc(b, a) }
	}
	// Only the first offset+limit rows in order are ever shown: keep those
	// (a bounded heap) rather than sorting every matching row. The order
	// is total (ties fall to the group's reference), so the page is the
	// one a full sort would give.
	keep := pageSize(f.Limit)
	if f.Offset > math.MaxInt-keep {
		keep = math.MaxInt
	} else {
		keep += f.Offset
	}
	best := firstRows{order: order, keep: keep}
	total := 0
	name := fold(strings.TrimSpace(f.Name))
	err = v.eachGroup(ctx, kinds, func(r groupRow) {
		r.Specific = lv.specific(r.Group)
		if r.Group.Kind == GroupCommunity && r.Specific == nil {
			if _, ok := slices.BinarySearch(seen, r.Group.ID); !ok {
				return // a private community: see shownCommunity
			}
		}
		r.Effective = effectiveLevel(d.Default, granted[r.Group], r.Specific)
		if (f.OrgType == "" || r.OrgType == f.OrgType) &&
			(f.Level == nil || r.Effective == *f.Level) &&
			(name == "" || strings.Contains(r.folded, name)) {
			total++
			best.add(r)
		}
	})
	if err != nil {
		return nil, 0, err
	}
	rows := best.sorted()
	rows = rows[min(f.Offset, len(rows)):]
	page := make([]AccessRow, 0, len(rows))
	for _, r := range rows {
		page = append(page, r.AccessRow)
	}
	return page, total, nil
}

// effectiveLevel is a group's effective level, as the access table and
// ExplainGroupLevel show it: the default level, what the engine grants the
// group's members (granted, from groupLevels), or its specific level when
// higher (written after the engine's snapshot: members hold it anyway).
func effectiveLevel(def, granted Level, specific *Level) Level {
	e := max(def, granted)
	if specific != nil && *specific > e {
		e = *specific
	}
	return e
}

// firstRows keeps the first keep rows in order of those it is given: a
// heap whose root is the last row kept, so that a row is kept, or not, in
// O(log keep).
type firstRows struct {
	order func(a, b groupRow) int
	keep  int
	heap  []groupRow
}

func (h *firstRows) add(r groupRow) {
	if len(h.heap) < h.keep {
		h.heap = append(h.heap, r)
		for i := len(h.heap) - 1; i > 0; {
			p := (i - 1) / 2
			if h.order(h.heap[i], h.heap[p]) <= 0 {
				break
			}
			h.heap[i], h.heap[p] = h.heap[p], h.heap[i]
			i = p
		}
		return
	}
	if h.keep == 0 || h.order(r, h.heap[0]) >= 0 {
		return
	}
	h.heap[0] = r
	for i, n := 0, len(h.heap); ; {
		l, big := 2*i+1, i
		if l < n && h.order(h.heap[l], h.heap[big]) > 0 {
			big = l
		}
		if l+1 < n && h.order(h.heap[l+1], h.heap[big]) > 0 {
			big = l + 1
		}
		if big == i {
			break
		}
		h.heap[i], h.heap[big] = h.heap[big], h.heap[i]
		i = big
	}
}

// sorted returns the rows kept, in order.
func (h *firstRows) sorted() []groupRow {
	slices.SortFunc(h.heap, h.order)
	return h.heap
}

// groupLevels asks the engine which groups' members hold each level above
// def on a dataset: the group as a subject set (organisation:X#member…),
// which the engine follows through every path, as it would for any member.
// That is one lookup per kind of group asked for and level, whatever the number of
// groups, rather than one check per row; the default level itself reaches
// users (user:*), not subject sets, so the caller adds it. Groups absent
// from the answer hold no level above def.
func (s *Service) groupLevels(ctx context.Context, dataset string, def Level, kinds []GroupKind) (map[GroupRef]Level, error) {
	out := map[GroupRef]Level{}
	for l := def + 1; l <= LevelDownload; l++ {
		for _, k := range kinds {
			res, _, err := s.engine().LookupSubjects(ctx, engine.LookupSubjectsRequest{Resource: datasetRef(dataset), Permission: l.Permission(),
				SubjectType: string(k), SubjectRelation: "member"}, engine.At{})
			if err != nil {
				return nil, fmt.Errorf("levels of %s on dataset %s: %w", k, dataset, err)
			}
			for _, r := range res {
				if g := (GroupRef{k, r.Subject.ID}); r.Result == engine.HasPermission && r.Subject.ID != tuple.Wildcard && out[g] < l {
					out[g] = l
				}
			}
		}
	}
	return out, nil
}

func checkFilter(f AccessFilter) error {
	if f.Kind != "" {
		if _, ok := groupKinds[f.Kind]; !ok {
			return invalid("invalid.access_kind", messages.Quote(f.Kind))
		}
	}
	if f.OrgType != "" {
		if err := checkOrgType("org_type", f.OrgType); err != nil {
			return err
		}
	}
	if f.Level != nil {
		if err := checkLevel("level", *f.Level); err != nil {
			return err
		}
	}
	switch f.Sort {
	case "", "name", "level", "type":
	default:
		return invalid("invalid.sort", messages.Quote(f.Sort))
	}
	if f.Offset < 0 {
		return invalid("invalid.offset", f.Offset)
	}
	return nil
}

// checkSpecific refuses a specific level that grants nothing or lies below
// the dataset's default level.
func checkSpecific(field string, l, def Level) error {
	if err := checkLevel(field, l); err != nil {
		return err
	}
	if l == LevelPrivate {
		return invalid("invalid.private_specific", field)
	}
	if l < def {
		return invalid("invalid.below_default", field, l, def, def)
	}
	return nil
}

// shownCommunity is the rule that keeps private communities private in
// access tables (any account creates communities: listing them all would
// reveal their names and crowd every table). A dataset's manager sees, and
// may give a level to, the communities they may view (listed ones, their
// own, all of them for a platform administrator) and, besides, those that
// already hold a specific level on the dataset: that level is part of who
// reaches the manager's data, so they see it and may change or remove it
// (it was set by them or another manager of the dataset). Any other
// community does not exist for them (ErrNotFound, as GET
// /communities/{id} answers).
func (t *txn) shownCommunity(lv levels, g GroupRef) error {
	return t.s.shownCommunity(t.ctx, t.actor, lv, g)
}

// shownCommunity is txn.shownCommunity outside a transaction.
func (s *Service) shownCommunity(ctx context.Context, actor string, lv levels, g GroupRef) error {
	if g.Kind != GroupCommunity || lv.groups[g] != 0 {
		return nil
	}
	switch ok, err := s.has(ctx, actor, communityRef(g.ID), "view"); {
	case err != nil:
		return err
	case !ok:
		return noSuch(kindCommunity, g.ID)
	}
	return nil
}

// setLevel gives group g the specific level l (nil: none) on a dataset and
// reports the change. It checks inside the transaction that the group
// exists and may be shown to the actor (shownCommunity) and, when the level
// changes, that l is not below the default.
func (t *txn) setLevel(dataset string, lv levels, def Level, g GroupRef, l *Level) (BulkChange, error) {
	if err := t.shownCommunity(lv, g); err != nil {
		return BulkChange{}, err
	}
	name, err := t.groupName(t.ctx, g)
	if err != nil {
		return BulkChange{}, err
	}
	c := BulkChange{Group: g, Name: name, Before: lv.specific(g), After: l}
	var m uint8
	if l != nil {
		m = levelMask(*l)
	}
	if lv.groups[g] == m {
		return c, nil
	}
	if l != nil {
		if err := checkSpecific("level", *l, def); err != nil {
			return BulkChange{}, err
		}
	}
	t.setMask(dataset, groupSubject(g), lv.groups[g], m)
	return c, t.audit("dataset.level.set", "dataset:"+dataset, levelAudit(g, c.Before), levelAudit(g, c.After))
}

func levelAudit(g GroupRef, l *Level) map[string]any {
	m := map[string]any{"group": g}
	if l != nil {
		m["level"] = l.String()
	}
	return m
}

// SetGroupLevel sets one group's specific level on a dataset
// (manage_access); nil removes it. A level below the dataset's default is
// ErrInvalid, with a message saying why.
func (s *Service) SetGroupLevel(ctx context.Context, actor, id string, g GroupRef, l *Level) (BulkChange, error) {
	if err := checkGroup("group", g); err != nil {
		return BulkChange{}, err
	}
	if l != nil {
		if err := checkSpecific("level", *l, LevelPrivate); err != nil {
			return BulkChange{}, err
		}
	}
	var c BulkChange
	err := s.do(ctx, actor, datasetGuard(id, "manage_access"), func(t *txn) error {
		d, lv, err := t.dataset(ctx, id)
		if err != nil {
			return err
		}
		if l != nil {
			if err := checkSpecific("level", *l, d.Default); err != nil {
				return err
			}
		}
		c, err = t.setLevel(id, lv, d.Default, g, l)
		return err
	})
	return c, err
}

// BulkAccess changes the specific levels of several groups at once
// (manage_access), atomically: every change or none. Action "grant" with
// mode "merge" (the default) raises groups to Level and never lowers one
// above it; "replace" sets Level exactly; action "remove" drops the
// specific levels. It returns the changes made — only groups whose level
// changes. A dry run computes them on the same state, in the same
// transaction, and then writes nothing, so it returns exactly what the
// real run would.
func (s *Service) BulkAccess(ctx context.Context, actor, id string, b BulkAction) ([]BulkChange, error) {
	groups, err := checkBulk(&b)
	if err != nil {
		return nil, err
	}
	var changes []BulkChange
	err = s.do(ctx, actor, datasetGuard(id, "manage_access"), func(t *txn) error {
		changes = nil
		d, lv, err := t.dataset(ctx, id)
		if err != nil {
			return err
		}
		if b.Action == "grant" {
			if err := checkSpecific("level", b.Level, d.Default); err != nil {
				return err
			}
		}
		for _, g := range groups {
			after := bulkLevel(b, lv.specific(g))
			c, err := t.setLevel(id, lv, d.Default, g, after)
			if err != nil {
				return err
			}
			if !sameLevel(c.Before, c.After) {
				changes = append(changes, c)
			}
		}
		if b.DryRun {
			t.rollback()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// bulkLevel is a group's specific level after a bulk action.
func bulkLevel(b BulkAction, cur *Level) *Level {
	switch {
	case b.Action == "remove":
		return nil
	case b.Mode == "merge" && cur != nil && *cur >= b.Level:
		return cur
	}
	l := b.Level
	return &l
}

func sameLevel(a, b *Level) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// checkBulk validates a bulk action, fills its default mode and returns its
// groups without duplicates.
func checkBulk(b *BulkAction) ([]GroupRef, error) {
	switch b.Mode {
	case "":
		b.Mode = "merge"
	case "merge", "replace":
	default:
		return nil, invalid("invalid.bulk_mode", messages.Quote(b.Mode))
	}
	switch b.Action {
	case "grant":
		if err := checkSpecific("level", b.Level, LevelPrivate); err != nil {
			return nil, err
		}
	case "remove":
	default:
		return nil, invalid("invalid.bulk_action", messages.Quote(b.Action))
	}
	if len(b.Groups) == 0 {
		return nil, invalid("invalid.no_groups")
	}
	var out []GroupRef
	for i, g := range b.Groups {
		if err := checkGroup("groups["+strconv.Itoa(i)+"]", g); err != nil {
			return nil, err
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out, nil
}
