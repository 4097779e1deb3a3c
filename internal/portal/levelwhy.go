package portal

import (
	"context"
	"slices"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
)

// GroupLevelExplanation says why a group (organisation, community or group
// of organisations) has its effective level on a dataset: the level of the
// access table, and every source of a level for the group's members.
type GroupLevelExplanation struct {
	Dataset   Dataset       `json:"-"`
	Group     GroupRef      `json:"group"`
	Name      string        `json:"name"`
	Effective Level         `json:"effective_level"`
	Sources   []LevelSource `json:"sources"`
	// Text is one sentence summing up, for faces to render.
	Text messages.Message `json:"-"`
}

// LevelSource is one source of a group's level on a dataset.
type LevelSource struct {
	// Via names the source: "default" (the dataset's default level),
	// "specific" (the group's own level), "org_group" (a group of
	// organisations the organisation belongs to), "owner" (the
	// organisation owns the dataset), "platform" (the community holds a
	// platform role that reads every dataset).
	Via string `json:"via"`
	// Group is the group of organisations (via org_group).
	Group *GroupRef `json:"group,omitempty"`
	// Level is what the source grants; Decides, that it is the effective
	// level (several sources may give it).
	Level   Level `json:"level"`
	Decides bool  `json:"decides"`
	// Text is the source in words, for faces to render.
	Text messages.Message `json:"-"`
}

// platformReaders are the platform roles that grant download on every
// dataset (read_all_data in the schema), which a community may hold.
var platformReaders = []PlatformRole{PlatformAdministrator, PlatformDataReader}

// ExplainGroupLevel explains group g's effective level on a dataset
// (manage_access, as the access table; to whoever may not search the
// dataset, it does not exist). The effective level is the access table's
// (the same engine lookup and rule, effectiveLevel); the sources are read
// from the dataset's level relationships, the group of organisations
// memberships, the owner and the platform roles held by a community, the
// paths of the schema's dataset permissions. A private community that
// holds no specific level is not found, as in the table (shownCommunity).
func (s *Service) ExplainGroupLevel(ctx context.Context, actor, dataset string, g GroupRef) (GroupLevelExplanation, error) {
	if err := checkGroup("group", g); err != nil {
		return GroupLevelExplanation{}, err
	}
	if err := s.authorize(ctx, actor, datasetGuard(dataset, "manage_access")); err != nil {
		return GroupLevelExplanation{}, err
	}
	v := s.read()
	d, lv, err := v.dataset(ctx, dataset)
	if err != nil {
		return GroupLevelExplanation{}, err
	}
	if err := s.shownCommunity(ctx, actor, lv, g); err != nil {
		return GroupLevelExplanation{}, err
	}
	name, err := v.groupName(ctx, g)
	if err != nil {
		return GroupLevelExplanation{}, err
	}
	granted, err := s.groupLevels(ctx, dataset, d.Default, []GroupKind{g.Kind})
	if err != nil {
		return GroupLevelExplanation{}, err
	}
	x := GroupLevelExplanation{Dataset: d, Group: g, Name: name, Effective: effectiveLevel(d.Default, granted[g], lv.specific(g))}
	add := func(via string, group *GroupRef, l Level, text messages.Message) {
		x.Sources = append(x.Sources, LevelSource{Via: via, Group: group, Level: l, Decides: l == x.Effective, Text: text})
	}
	add("default", nil, d.Default, messages.New("levelwhy.default", levelWords(d.Default)))
	if l := lv.specific(g); l != nil {
		add("specific", nil, *l, messages.New("levelwhy.specific", levelWords(*l)))
	}
	switch g.Kind {
	case GroupOrganisation:
		rs, err := v.rels(ctx, store.Filter{ResourceType: "org_group", Relation: "organisation", SubjectType: "organisation", SubjectID: g.ID})
		if err != nil {
			return GroupLevelExplanation{}, err
		}
		for _, r := range rs {
			og := GroupRef{GroupOrgGroup, r.Resource.ID}
			if l := lv.specific(og); l != nil {
				add("org_group", &og, *l, messages.New("levelwhy.org_group", v.name(ctx, kindOrgGroup, og.ID), levelWords(*l)))
			}
		}
		if d.Owner == g.ID {
			add("owner", nil, LevelDownload, messages.New("levelwhy.owner", levelWords(LevelDownload)))
		}
	case GroupCommunity:
		rs, err := v.rels(ctx, store.Filter{ResourceType: "platform", ResourceID: s.platform, SubjectType: "community", SubjectID: g.ID})
		if err != nil {
			return GroupLevelExplanation{}, err
		}
		for _, r := range rs {
			if slices.Contains(platformReaders, PlatformRole(r.Relation)) {
				add("platform", nil, LevelDownload, messages.New("levelwhy.platform", messages.New(messages.Key("platform_role."+r.Relation)), levelWords(LevelDownload)))
			}
		}
	}
	slices.SortStableFunc(x.Sources, func(a, b LevelSource) int { return int(b.Level) - int(a.Level) })
	x.Text = messages.New("levelwhy.summary", name, levelWords(x.Effective), d.Title)
	return x, nil
}
