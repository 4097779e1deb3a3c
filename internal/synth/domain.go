package synth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// PlatformShape is the scale of a national open-data platform, the one the
// domain benchmarks aim at: 246,000 accounts, 3,000 organisations, 5,000
// communities, 300 groups of organisations and 106,000 datasets.
var PlatformShape = Shape{Users: 246_000, Organisations: 3_000, Communities: 5_000, OrgGroups: 300, Datasets: 106_000}

// Scaled returns s with every count multiplied by f (at least one of each),
// so that tests build the same kind of platform small.
func (s Shape) Scaled(f float64) Shape {
	n := func(x int) int { return max(1, int(float64(x)*f)) }
	return Shape{Config: s.Config, Users: n(s.Users), Organisations: n(s.Organisations), Communities: n(s.Communities), OrgGroups: n(s.OrgGroups), Datasets: n(s.Datasets)}
}

// DomainPortal is what BuildDomain needs of the portal (*portal.Service).
type DomainPortal interface {
	Batch(ctx context.Context, actor string, fn func(ctx context.Context) error) error
	CreateAccount(ctx context.Context, actor string, a portal.Account) (portal.Account, error)
	CreateOrganisation(ctx context.Context, actor string, o portal.Organisation, firstAdmin string) (portal.Organisation, error)
	AddMember(ctx context.Context, actor, org, account string, role portal.OrgRole) (portal.Member, error)
	CreateCommunity(ctx context.Context, actor string, c portal.Community) (portal.Community, error)
	InviteCommunityMember(ctx context.Context, actor, id, account string, role portal.CommunityRole) (portal.CommunityInvitation, error)
	AnswerCommunityInvitation(ctx context.Context, actor, id string, accept bool) (portal.CommunityInvitation, error)
	CreateOrgGroup(ctx context.Context, actor string, g portal.OrgGroup) (portal.OrgGroup, error)
	CreateDataset(ctx context.Context, actor string, d portal.Dataset) (portal.Dataset, error)
	BulkAccess(ctx context.Context, actor, id string, b portal.BulkAction) ([]portal.BulkChange, error)
}

// DomainOptions tune BuildDomain.
type DomainOptions struct {
	// BatchSize is how many changes go in one portal batch (one
	// transaction); ≤ 0: 2,000.
	BatchSize int
	// Accepted is how many community invitations are accepted. Each
	// acceptance is the invited person's own act, so it cannot be batched
	// by an administrator: one transaction each. ≤ 0: all of them.
	Accepted int
	// Workers answer invitations concurrently; ≤ 0: 4.
	Workers int
	// Progress, when set, is told of each phase's end.
	Progress func(phase string, n int, took time.Duration)
}

// DomainStats counts what BuildDomain made.
type DomainStats struct {
	Shape
	Memberships, Invitations, Accepted, GroupLevels int
	Took                                            time.Duration
}

// AccountID, OrganisationID, CommunityID, OrgGroupID and DatasetID are the
// ids BuildDomain gives the i-th object of each kind.
func AccountID(i int) string      { return userID(i) }
func OrganisationID(i int) string { return orgID(i) }
func CommunityID(i int) string    { return communityID(i) }
func OrgGroupID(i int) string     { return orgGroupID(i) }
func DatasetID(i int) string      { return datasetID(i) }

// AccountName is the name BuildDomain gives account i: a French first and
// last name, accents included, so that searches meet "Élodie" and
// "Lefèvre"; its e-mail is the same without accents, lower case, with i.
func AccountName(i int) string {
	return firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames))%len(lastNames)]
}

// AccountEmail is account i's e-mail.
func AccountEmail(i int) string {
	f, l := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
	return strings.ToLower(unaccent.Replace(f+"."+l)) + fmt.Sprint(i) + "@example.org"
}

var (
	firstNames = strings.Fields("Élodie Zoé Anaïs Jérôme François Hélène Gaëlle Loïc Noël Chloé Léa Inès Raphaël Benoît Cécile Frédéric Amélie Maëlle Stéphane Émile Agnès Joël Thérèse Paul Marie Lucas Julie Thomas Camille Nicolas Sarah Hugo Manon Louis Emma Arthur Alice Jules Laura Pierre Claire")
	lastNames  = strings.Fields("Lefèvre Müller Gérard Bérenger Dubois Martin Moreau Fabre Roussel Giraud Lambert Mercier Dupré Lemaître Caron Rivière Faure André Blanc Guérin Boyer Garnier Chevalier François Bernard Petit Durand Leroy Simon Laurent Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Bonnet Rousseau Henry Perrin Robin Mathieu Clément Gauthier Masson Marchand Duval Denis Lemoine Picard Roger Meunier Brun Noël Barbier Arnaud Colin Aubert")
	towns      = strings.Fields("Fréjus Île-Rousse Orléans Nîmes Besançon Évreux Sète Hyères Grasse Brignoles Draguignan Aubagne Arles Gap Digne Manosque Cannes Antibes Menton Toulon Marseille Avignon Briançon Forcalquier Apt Cavaillon Istres Martigues Vitrolles Salon")
	unaccent   = strings.NewReplacer("É", "E", "é", "e", "è", "e", "ê", "e", "ë", "e", "ï", "i", "î", "i", "ô", "o", "ü", "u", "â", "a", "ç", "c")
)

// BuildDomain makes the platform shape s describes (Shape.Config.Seed
// draws it, as Generate would: the same memberships, levels and groups)
// through the portal p, as the platform administrator admin, whom it must
// name: accounts, organisations (organisation i's first delegated
// administrator is account i), their members, groups of organisations,
// communities with their invitations, datasets with their default and
// per-group levels. Every change goes through the portal's rules, in
// batches (portal.Service.Batch); invitations are accepted by the invited
// accounts, one transaction each (opt.Accepted of them).
func BuildDomain(ctx context.Context, p DomainPortal, admin string, s Shape, opt DomainOptions) (DomainStats, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 2000
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if s.Organisations > s.Users {
		return DomainStats{}, fmt.Errorf("synth: %d organisations need as many accounts, not %d", s.Organisations, s.Users)
	}
	b := &builder{p: p, admin: admin, s: s, opt: opt, pl: newPlanner(s), stats: DomainStats{Shape: s}}
	start := time.Now()
	for _, phase := range []struct {
		name string
		n    int
		make func(ctx context.Context, i int) error
	}{
		{"accounts", s.Users, b.account},
		{"organisations", s.Organisations, b.organisation},
		{"members", s.Users, b.members},
		{"org groups", s.OrgGroups, b.orgGroup},
		{"communities", s.Communities, b.community},
		{"invitations", s.Users, b.invitations},
		{"datasets", s.Datasets, b.dataset},
	} {
		t := time.Now()
		if err := b.batches(ctx, phase.n, phase.make); err != nil {
			return b.stats, fmt.Errorf("synth: %s: %w", phase.name, err)
		}
		if opt.Progress != nil {
			opt.Progress(phase.name, phase.n, time.Since(t))
		}
	}
	t := time.Now()
	if err := b.accept(ctx); err != nil {
		return b.stats, fmt.Errorf("synth: accepting invitations: %w", err)
	}
	if opt.Progress != nil {
		opt.Progress("accepted invitations", b.stats.Accepted, time.Since(t))
	}
	b.stats.Took = time.Since(start)
	return b.stats, nil
}

type builder struct {
	p     DomainPortal
	admin string
	s     Shape
	opt   DomainOptions
	pl    *planner
	stats DomainStats
	// invited are the (community, account) pairs invited, in order.
	invited [][2]string
}

// batches calls make for 0…n-1, opt.BatchSize calls per portal batch.
func (b *builder) batches(ctx context.Context, n int, make func(ctx context.Context, i int) error) error {
	for lo := 0; lo < n; lo += b.opt.BatchSize {
		stats, invited := b.stats, len(b.invited)
		err := b.p.Batch(ctx, b.admin, func(ctx context.Context) error {
			// The store may run a batch again after a transient conflict.
			b.stats, b.invited = stats, b.invited[:invited]
			for i := lo; i < min(lo+b.opt.BatchSize, n); i++ {
				if err := make(ctx, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) account(ctx context.Context, i int) error {
	_, err := b.p.CreateAccount(ctx, b.admin, portal.Account{ID: AccountID(i), Email: AccountEmail(i), Name: AccountName(i)})
	return err
}

func (b *builder) organisation(ctx context.Context, i int) error {
	o := portal.Organisation{ID: OrganisationID(i), Name: fmt.Sprintf("%s %d", towns[i%len(towns)], i), Type: portal.OrgTypes[i%len(portal.OrgTypes)]}
	_, err := b.p.CreateOrganisation(ctx, b.admin, o, AccountID(i))
	return err
}

var orgRoles = [...]portal.OrgRole{roleRegistered: portal.RoleRegistered, roleEditor: portal.RoleEditor, roleAdmin: portal.RoleDelegatedAdmin}

func (b *builder) members(ctx context.Context, u int) error {
	for _, m := range b.pl.planUser(u).orgs {
		if m.id == u {
			continue // u is the organisation's first delegated administrator
		}
		if _, err := b.p.AddMember(ctx, b.admin, OrganisationID(m.id), AccountID(u), orgRoles[m.role]); err != nil {
			return err
		}
		b.stats.Memberships++
	}
	return nil
}

func (b *builder) orgGroup(ctx context.Context, g int) error {
	var orgs []string
	for _, o := range b.pl.planOrgGroup(g) {
		orgs = append(orgs, OrganisationID(o))
	}
	_, err := b.p.CreateOrgGroup(ctx, b.admin, portal.OrgGroup{ID: OrgGroupID(g), Name: fmt.Sprintf("Groupement %s %d", towns[g%len(towns)], g), Organisations: orgs})
	return err
}

func (b *builder) community(ctx context.Context, c int) error {
	_, err := b.p.CreateCommunity(ctx, b.admin, portal.Community{ID: CommunityID(c), Name: fmt.Sprintf("Communauté SIG %s %d", towns[c%len(towns)], c), Public: c%3 == 0})
	return err
}

func (b *builder) invitations(ctx context.Context, u int) error {
	for _, m := range b.pl.planUser(u).comms {
		role := portal.CommunityParticipant
		if m.role == roleAdmin {
			role = portal.CommunityAdministrator
		}
		if _, err := b.p.InviteCommunityMember(ctx, b.admin, CommunityID(m.id), AccountID(u), role); err != nil {
			return err
		}
		b.invited = append(b.invited, [2]string{CommunityID(m.id), AccountID(u)})
		b.stats.Invitations++
	}
	return nil
}

var levels = [...]portal.Level{levelPrivate: portal.LevelPrivate, levelSearch: portal.LevelSearch, levelConsult: portal.LevelConsult, levelDownload: portal.LevelDownload}

func (b *builder) dataset(ctx context.Context, d int) error {
	dp := b.pl.planDataset(d)
	_, err := b.p.CreateDataset(ctx, b.admin, portal.Dataset{ID: DatasetID(d), Title: fmt.Sprintf("Plan local d'urbanisme de %s %d", towns[d%len(towns)], d), Owner: OrganisationID(dp.owner), Default: levels[dp.def]})
	if err != nil {
		return err
	}
	for _, g := range dp.grants {
		ref := portal.GroupRef{Kind: portal.GroupOrganisation, ID: OrganisationID(g.id)}
		switch g.target {
		case targetCommunity:
			ref = portal.GroupRef{Kind: portal.GroupCommunity, ID: CommunityID(g.id)}
		case targetOrgGroup:
			ref = portal.GroupRef{Kind: portal.GroupOrgGroup, ID: OrgGroupID(g.id)}
		}
		if _, err := b.p.BulkAccess(ctx, b.admin, DatasetID(d), portal.BulkAction{Groups: []portal.GroupRef{ref}, Action: "grant", Level: levels[g.level]}); err != nil {
			return err
		}
		b.stats.GroupLevels++
	}
	return nil
}

// accept has the invited accounts accept their invitations, opt.Workers
// at a time.
func (b *builder) accept(ctx context.Context) error {
	n := len(b.invited)
	if b.opt.Accepted > 0 {
		n = min(n, b.opt.Accepted)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, b.opt.Workers)
	for w := range b.opt.Workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if _, err := b.p.AnswerCommunityInvitation(ctx, b.invited[i][1], b.invited[i][0], true); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	b.stats.Accepted = n
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}
