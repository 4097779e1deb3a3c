package portal

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/tuple"
)

// Words for explanations, French then English.
var (
	permWords = map[string][2]string{
		"search":        {"rechercher", "search"},
		"consult":       {"consulter", "consult"},
		"download":      {"télécharger", "download"},
		"edit":          {"éditer", "edit"},
		"manage_access": {"gérer l'accès à", "manage access to"},
	}
	levelWords = map[Level][2]string{
		LevelPrivate:  {"privé", "private"},
		LevelSearch:   {"recherche", "search"},
		LevelConsult:  {"consultation", "consult"},
		LevelDownload: {"téléchargement", "download"},
	}
	roleWords = map[string][2]string{
		string(RoleRegistered):         {"utilisateur enregistré", "registered user"},
		string(RoleEditor):             {"éditeur", "editor"},
		string(RoleDelegatedAdmin):     {"administrateur délégué", "delegated administrator"},
		string(CommunityParticipant):   {"participant", "participant"},
		string(CommunityAdministrator): {"administrateur", "administrator"},
		string(CommunitySupervisor):    {"superviseur", "supervisor"},
	}
	platformRoleWords = map[string][2]string{
		string(PlatformAdministrator):  {"administrateur", "administrator"},
		string(PlatformAccountManager): {"gestionnaire des comptes", "account manager"},
		string(PlatformDataReader):     {"lecteur de toutes les données", "data reader"},
	}
)

// Explain says whether account has permission on dataset and why, in
// plain words in French and English: the paths that grant it (the default
// level, an organisation, a group of organisations, a community, the owning
// organisation, a platform role) or, when denied, what the default level
// is and what would grant it. It answers the account itself (about a
// dataset it may search) and whoever manages the dataset's access.
func (s *Service) Explain(ctx context.Context, actor, dataset, account, permission string) (Explanation, error) {
	if _, ok := permWords[permission]; !ok {
		return Explanation{}, invalidf("permission %q: want search, consult, download, edit or manage_access", permission)
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
	verb := permWords[permission]
	var fr, en []string
	for _, r := range out.Reasons {
		fr, en = append(fr, r.FR), append(en, r.EN)
	}
	if out.Allowed {
		out.FR = fmt.Sprintf("%s peut %s le jeu de données « %s » : %s.", acc.Name, verb[0], d.Title, strings.Join(fr, " ; "))
		out.EN = fmt.Sprintf("%s may %s dataset “%s”: %s.", acc.Name, verb[1], d.Title, strings.Join(en, "; "))
	} else {
		out.FR = fmt.Sprintf("%s ne peut pas %s le jeu de données « %s » : %s.", acc.Name, verb[0], d.Title, strings.Join(fr, " ; "))
		out.EN = fmt.Sprintf("%s may not %s dataset “%s”: %s.", acc.Name, verb[1], d.Title, strings.Join(en, "; "))
	}
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

// reason words a grant.
func (v view) reason(ctx context.Context, g grant) (Reason, error) {
	r := Reason{Via: g.via, Group: g.group}
	role := roleWords[g.role]
	lw := levelWords[g.level]
	switch g.via {
	case "default":
		r.FR = fmt.Sprintf("par le niveau par défaut du jeu de données (tout le monde) : « %s »", lw[0])
		r.EN = fmt.Sprintf("through the dataset's default level (everyone): %s", lw[1])
	case "platform":
		pr := platformRoleWords[g.role]
		r.FR, r.EN = "rôle de plateforme "+pr[0], "platform role "+pr[1]
		if g.community != "" {
			c := v.name(ctx, kindCommunity, g.community)
			r.FR += fmt.Sprintf(" (via la communauté %s)", c)
			r.EN += fmt.Sprintf(" (through community %s)", c)
		}
	case "owner":
		o := v.name(ctx, kindOrg, g.group.ID)
		r.FR = fmt.Sprintf("en tant que membre de l'organisation propriétaire %s (rôle %s)", o, role[0])
		r.EN = fmt.Sprintf("as a member of the owning organisation %s (%s role)", o, role[1])
	case "organisation":
		o := v.name(ctx, kindOrg, g.group.ID)
		r.FR = fmt.Sprintf("en tant que membre de l'organisation %s (rôle %s), qui a le niveau particulier « %s »", o, role[0], lw[0])
		r.EN = fmt.Sprintf("as a member of organisation %s (%s role), which has the specific level %s", o, role[1], lw[1])
	case "community":
		c := v.name(ctx, kindCommunity, g.group.ID)
		r.FR = fmt.Sprintf("via la communauté %s (rôle %s), qui a le niveau particulier « %s »", c, role[0], lw[0])
		r.EN = fmt.Sprintf("through community %s (%s role), which has the specific level %s", c, role[1], lw[1])
	case "org_group":
		gname, o := v.name(ctx, kindOrgGroup, g.group.ID), v.name(ctx, kindOrg, g.org)
		r.FR = fmt.Sprintf("via le groupe d'organisations %s, qui a le niveau particulier « %s », en tant que membre de l'organisation %s (rôle %s)", gname, lw[0], o, role[0])
		r.EN = fmt.Sprintf("through the group of organisations %s, which has the specific level %s, as a member of organisation %s (%s role)", gname, lw[1], o, role[1])
	default:
		return Reason{}, fmt.Errorf("explaining a grant through %q: unknown path", g.via)
	}
	return r, nil
}

// denial words why access is denied and what would grant it.
func (v view) denial(ctx context.Context, d Dataset, acc Account, permission string) ([]Reason, error) {
	var rs []Reason
	if acc.Status == AccountDisabled {
		// Nothing else matters until the account is re-enabled.
		return []Reason{{Via: "disabled",
			FR: "compte désactivé : il n'a aucun droit tant qu'un gestionnaire des comptes ne l'a pas réactivé (ses appartenances sont conservées)",
			EN: "account disabled: it has no rights until an account manager re-enables it (its memberships are kept)"}}, nil
	}
	lw := levelWords[d.Default]
	rs = append(rs, Reason{Via: "default",
		FR: fmt.Sprintf("le niveau par défaut du jeu de données est « %s »", lw[0]),
		EN: fmt.Sprintf("the dataset's default level is %s", lw[1])})
	owner := &GroupRef{GroupOrganisation, d.Owner}
	o := v.name(ctx, kindOrg, d.Owner)
	r := Reason{Via: "owner", Group: owner}
	switch permission {
	case "edit":
		r.FR = fmt.Sprintf("pour éditer, il faut être éditeur ou administrateur délégué de l'organisation %s : le demander à ses administrateurs délégués", o)
		r.EN = fmt.Sprintf("editing takes the editor or delegated administrator role in organisation %s: ask its delegated administrators", o)
	case "manage_access":
		r.FR = fmt.Sprintf("pour gérer l'accès, il faut être éditeur ou administrateur délégué de l'organisation %s : le demander à ses administrateurs délégués", o)
		r.EN = fmt.Sprintf("managing access takes the editor or delegated administrator role in organisation %s: ask its delegated administrators", o)
	default:
		want := levelWords[map[string]Level{"search": LevelSearch, "consult": LevelConsult, "download": LevelDownload}[permission]]
		r.FR = fmt.Sprintf("demander aux administrateurs délégués ou aux éditeurs de l'organisation %s un niveau particulier « %s » pour une organisation, une communauté ou un groupe d'organisations dont le compte est membre, ou de rejoindre l'organisation %s", o, want[0], o)
		r.EN = fmt.Sprintf("ask organisation %s's delegated administrators or editors for the specific level %s for an organisation, community or group of organisations the account belongs to, or to join organisation %s", o, want[1], o)
	}
	return append(rs, r), nil
}
