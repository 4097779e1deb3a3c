package portal

import (
	"context"
	"fmt"
	"slices"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/tuple"
)

// Explain says whether account has permission on dataset and why, in
// plain words (messages of the catalogue, which faces render in French and
// English): the paths that grant it (the default
// level, an organisation, a group of organisations, a community, the owning
// organisation, a platform role) or, when denied, what the default level
// is and what would grant it. It answers the account itself (about a
// dataset it may search) and whoever manages the dataset's access.
func (s *Service) Explain(ctx context.Context, actor, dataset, account, permission string) (Explanation, error) {
	if err := checkDatasetPermission(permission); err != nil {
		return Explanation{}, err
	}
	if err := checkAccountID("account", account); err != nil {
		return Explanation{}, err
	}
	g := datasetGuard(dataset, "manage_access")
	if actor == account {
		g.rights = append(g.rights, right{datasetRef(dataset), "search"})
	}
	if err := s.authorize(ctx, actor, g); err != nil {
		return Explanation{}, err
	}
	v := s.read()
	d, _, err := v.dataset(ctx, dataset)
	if err != nil {
		return Explanation{}, err
	}
	acc, err := v.account(ctx, account)
	if err != nil {
		return Explanation{}, err
	}
	x, err := s.engine().Explain(ctx, engine.CheckRequest{Resource: datasetRef(dataset), Permission: permission, Subject: user(account)}, engine.At{})
	if err != nil {
		return Explanation{}, err
	}
	out := Explanation{Dataset: dataset, Account: account, Permission: permission, Allowed: x.Result == engine.HasPermission}
	if out.Allowed {
		var paths [][]tuple.Relationship
		grantingPaths(x.Root, nil, &paths)
		var gs []grant
		for _, p := range paths {
			if g, ok := grantOf(p); ok {
				gs = mergeGrant(gs, g)
			}
		}
		for _, g := range gs {
			r, err := v.reason(ctx, g)
			if err != nil {
				return Explanation{}, err
			}
			out.Reasons = append(out.Reasons, r)
		}
	} else {
		if out.Reasons, err = v.denial(ctx, d, acc, permission); err != nil {
			return Explanation{}, err
		}
	}
	reasons := messages.List{Sep: "sep.semicolon"}
	for _, r := range out.Reasons {
		reasons.Items = append(reasons.Items, r.Text)
	}
	key := messages.Key("explain.denied")
	if out.Allowed {
		key = "explain.allowed"
	}
	out.Text = messages.New(key, acc.Name, messages.New(messages.Key("perm."+permission)), d.Title, reasons)
	return out, nil
}

// grantingPaths collects, for every stored relationship that grants the
// permission, the relationships walked from the dataset to it. Only
// granting branches are followed, and of an exclusion only its base: the
// subtracted part explains nothing when access is granted.
func grantingPaths(s *engine.Step, path []tuple.Relationship, out *[][]tuple.Relationship) {
	if s.Result != engine.HasPermission {
		return
	}
	switch s.Kind {
	case "relationship", "via":
		r, err := tuple.Parse(s.Relationship)
		if err != nil {
			return
		}
		path = append(slices.Clip(path), r)
		if s.Kind == "relationship" {
			*out = append(*out, path)
			return
		}
	case "exclusion":
		if len(s.Steps) > 0 {
			grantingPaths(s.Steps[0], path, out)
		}
		return
	}
	for _, k := range s.Steps {
		grantingPaths(k, path, out)
	}
}

// grant is one granting path, in domain terms.
type grant struct {
	via   string    // a Reason's Via
	group *GroupRef // the group holding a specific level, or the owner
	level Level     // the level a specific or default level grants
	// the membership at the end of the path: role in org (organisation,
	// org_group, owner paths), role in a community, or platform role (and
	// community, when the platform role is held through one).
	org, role, community string
}

// grantOf reads a path (relationships from the dataset to the subject)
// as a grant.
func grantOf(p []tuple.Relationship) (grant, bool) {
	if len(p) == 0 {
		return grant{}, false
	}
	first, leaf := p[0], p[len(p)-1]
	var g grant
	for _, r := range p {
		if r.Resource.Type == "platform" {
			// A platform role decides, whatever led to the platform (the
			// dataset's or the owner's platform link).
			g.via, g.role = "platform", r.Relation
			if r.Subject.Type == "community" {
				g.community = r.Subject.ID
			}
			return g, true
		}
	}
	for l := LevelSearch; l <= LevelDownload; l++ {
		if first.Relation == l.Relation() {
			g.level = l
		}
	}
	switch {
	case first.Relation == "owner":
		g.via = "owner"
		g.group = &GroupRef{GroupOrganisation, first.Subject.ID}
	case g.level != LevelPrivate && first.Subject.ID == tuple.Wildcard:
		g.via = "default"
		return g, true
	case g.level != LevelPrivate:
		g.via = first.Subject.Type
		g.group = &GroupRef{GroupKind(first.Subject.Type), first.Subject.ID}
	default:
		return grant{}, false
	}
	g.role = leaf.Relation
	switch leaf.Resource.Type {
	case "organisation":
		g.org = leaf.Resource.ID
	case "community":
		g.community = leaf.Resource.ID
	}
	return g, true
}

// mergeGrant adds g to gs, keeping one grant per path shape with the
// highest level (a group with download also matches through consult and
// search).
func mergeGrant(gs []grant, g grant) []grant {
	for i, o := range gs {
		ol, gl := o, g
		ol.level, gl.level = 0, 0
		if ol.via == gl.via && ol.org == gl.org && ol.role == gl.role && ol.community == gl.community &&
			((ol.group == nil) == (gl.group == nil)) && (ol.group == nil || *ol.group == *gl.group) {
			gs[i].level = max(o.level, g.level)
			return gs
		}
	}
	return append(gs, g)
}

// name returns a record's name, or its id when it has none.
func (v view) name(ctx context.Context, kind, id string) string {
	var r groupRec
	if err := v.get(ctx, kind, id, &r); err != nil || r.Name == "" {
		return id
	}
	return r.Name
}

// levelWords names a level in the reader's language.
func levelWords(l Level) messages.Message { return messages.New(messages.Key("level." + l.String())) }

// reason words a grant.
func (v view) reason(ctx context.Context, g grant) (Reason, error) {
	r := Reason{Via: g.via, Group: g.group}
	role := messages.New(messages.Key("role." + g.role))
	lw := levelWords(g.level)
	switch g.via {
	case "default":
		r.Text = messages.New("explain.via_default", lw)
	case "platform":
		pr := messages.New(messages.Key("platform_role." + g.role))
		r.Text = messages.New("explain.via_platform", pr)
		if g.community != "" {
			r.Text = messages.New("explain.via_platform_community", pr, v.name(ctx, kindCommunity, g.community))
		}
	case "owner":
		r.Text = messages.New("explain.via_owner", v.name(ctx, kindOrg, g.group.ID), role)
	case "organisation":
		r.Text = messages.New("explain.via_organisation", v.name(ctx, kindOrg, g.group.ID), role, lw)
	case "community":
		r.Text = messages.New("explain.via_community", v.name(ctx, kindCommunity, g.group.ID), role, lw)
	case "org_group":
		r.Text = messages.New("explain.via_org_group", v.name(ctx, kindOrgGroup, g.group.ID), lw, v.name(ctx, kindOrg, g.org), role)
	default:
		return Reason{}, fmt.Errorf("explaining a grant through %q: unknown path", g.via)
	}
	return r, nil
}

// denial words why access is denied and what would grant it.
func (v view) denial(ctx context.Context, d Dataset, acc Account, permission string) ([]Reason, error) {
	if acc.Status == AccountDisabled {
		// Nothing else matters until the account is re-enabled.
		return []Reason{{Via: "disabled", Text: messages.New("explain.disabled")}}, nil
	}
	rs := []Reason{{Via: "default", Text: messages.New("explain.default_level", levelWords(d.Default))}}
	o := v.name(ctx, kindOrg, d.Owner)
	r := Reason{Via: "owner", Group: &GroupRef{GroupOrganisation, d.Owner}}
	switch permission {
	case "edit":
		r.Text = messages.New("explain.ask_edit", o)
	case "manage_access":
		r.Text = messages.New("explain.ask_manage_access", o)
	default:
		r.Text = messages.New("explain.ask_level", o, levelWords(map[string]Level{"search": LevelSearch, "consult": LevelConsult, "download": LevelDownload}[permission]), o)
	}
	return append(rs, r), nil
}
