// Package synth generates a synthetic, portal-shaped relationship dataset for
// benchmarks: people, organisations, communities, groups of organisations,
// datasets with access levels, and restricted offerings with grants, all
// conforming to Schema.
//
// The contract:
//
//   - Deterministic. Generate emits the same relationships in the same order
//     for the same Config, on every platform and Go version that keeps
//     math/rand/v2's PCG and Zipf stable. It uses no global random source.
//   - Streaming. Generate holds a few small buffers and one counter per
//     organisation, never the relationships: 10M relationships cost the
//     caller's memory, not this package's.
//   - Sized. The total is within a few per cent of Config.Relationships
//     (proportions are fixed; the counts of objects scale with it).
//   - Skewed like a real portal. About 70 % of datasets are searchable by
//     everyone (user:* on searcher, and on consulter and downloader when the
//     default level is higher); the rest are private, most of them opened to
//     a few organisations, communities or groups of organisations at a
//     level above the default. Nine in ten people belong to 1–3
//     organisations, most as registered users, fewer as editors, few as
//     admins, and to 0–5 communities. Organisation sizes, and how many
//     datasets each owns, follow a Zipf law: org0 is very large. About 15 %
//     of datasets have 1–3 offerings, each granted to 1–6 users or
//     communities, a third of the grants with an expiration (a fifth of
//     those already past at Config.Now).
//
// At 1M relationships (seed 1) there are 165k users, 11k organisations (org0
// with 12.5k members), 4.1k communities, 440 groups of organisations, 107k
// datasets (75k public) and 24k offerings; a typical person may search about
// 76k datasets. TestSize and TestSearchableAt1M log the figures.
//
// Every object can be rebuilt alone from (Seed, index), which is how Shape's
// samplers pick typical users and how Checks knows the answer to each query
// without generating the world.
package synth

import (
	"strconv"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

// Config says what to generate.
type Config struct {
	// Relationships is the approximate total to generate.
	Relationships int
	// Seed selects the world; the same seed gives the same relationships.
	Seed int64
	// Now is the instant expirations are drawn around (none falls within a
	// day of it); zero means Epoch().
	Now time.Time
}

// Stats describes what Generate emitted.
type Stats struct {
	Shape

	// Total is the number of relationships emitted.
	Total int
	// ByRelation counts relationships per "resource_type#relation".
	ByRelation map[string]int
	// Wildcards counts relationships whose subject is user:*.
	Wildcards int

	// PublicDatasets have a default level of search or more; the others are
	// private by default.
	PublicDatasets int
	// DatasetGrants counts per-group levels on datasets (each writes one
	// relationship per level up to it).
	DatasetGrants int
	// Offerings and their grants; ExpiringGrants of those carry an
	// expiration, ExpiredGrants of which are already past at Now.
	Offerings, OfferingGrants, ExpiringGrants, ExpiredGrants int

	// LargestOrg is the id of the organisation with the most members, and
	// LargestOrgMembers how many it has.
	LargestOrg        string
	LargestOrgMembers int
}

// kinds of relationship, counted in an array while generating.
const (
	kCommunitySupervisor = iota
	kCommunityAdmin
	kCommunityParticipant
	kOrgRegistered
	kOrgEditor
	kOrgAdmin
	kOrgGroupOrg
	kDatasetOwner
	kDatasetSearcher
	kDatasetConsulter
	kDatasetDownloader
	kOfferingDataset
	kOfferingGrantee
	numKinds
)

func kindName(k int) string {
	return [numKinds]string{
		"community#supervisor", "community#admin", "community#participant",
		"organisation#registered", "organisation#editor", "organisation#admin",
		"org_group#org", "dataset#owner",
		"dataset#searcher", "dataset#consulter", "dataset#downloader",
		"offering#dataset", "offering#grantee",
	}[k]
}

// Object ids; see Shape.
func userID(i int) string      { return "u" + strconv.Itoa(i) }
func orgID(i int) string       { return "org" + strconv.Itoa(i) }
func communityID(i int) string { return "com" + strconv.Itoa(i) }
func orgGroupID(i int) string  { return "og" + strconv.Itoa(i) }
func datasetID(i int) string   { return "ds" + strconv.Itoa(i) }
func offeringID(d, k int) string {
	return "of" + strconv.Itoa(d) + "_" + strconv.Itoa(k)
}

// Generate emits the relationships cfg describes, one at a time, and reports
// what it emitted. It stops at the first error emit returns and returns it
// with the stats so far. Relationships are emitted grouped by object:
// groups of organisations, community supervisors, then each user's
// memberships, then each dataset with its levels and offerings — so every
// subject set a dataset names is complete before the dataset. No
// relationship is emitted twice. Expiration pointers are fresh per
// relationship; emit may keep them.
func Generate(cfg Config, emit func(tuple.Relationship) error) (Stats, error) {
	s := Plan(cfg)
	g := &generator{pl: newPlanner(s), emit: emit, orgSize: make([]int, s.Organisations)}
	st, err := g.run()
	return st, err
}

type generator struct {
	pl      *planner
	emit    func(tuple.Relationship) error
	counts  [numKinds]int
	st      Stats
	orgSize []int
}

func (g *generator) rel(k int, resType, resID, relation string, sub tuple.SubjectRef, exp *time.Time) error {
	g.counts[k]++
	g.st.Total++
	if sub.ID == tuple.Wildcard {
		g.st.Wildcards++
	}
	return g.emit(tuple.Relationship{
		Resource:   tuple.ObjectRef{Type: resType, ID: resID},
		Relation:   relation,
		Subject:    sub,
		Expiration: exp,
	})
}

func (g *generator) run() (Stats, error) {
	err := g.world()
	g.st.Shape = g.pl.s
	g.st.ByRelation = make(map[string]int, numKinds)
	for k, n := range g.counts {
		if n > 0 {
			g.st.ByRelation[kindName(k)] = n
		}
	}
	best := 0
	for o, n := range g.orgSize {
		if n > g.orgSize[best] {
			best = o
		}
	}
	g.st.LargestOrg, g.st.LargestOrgMembers = orgID(best), g.orgSize[best]
	return g.st, err
}

func (g *generator) world() error {
	pl, s := g.pl, g.pl.s
	for og := range s.OrgGroups {
		id := orgGroupID(og)
		for _, o := range pl.planOrgGroup(og) {
			if err := g.rel(kOrgGroupOrg, "org_group", id, "org", tuple.SubjectRef{Type: "organisation", ID: orgID(o)}, nil); err != nil {
				return err
			}
		}
	}
	for c := range s.Communities {
		sup := pl.planCommunity(c)
		if err := g.rel(kCommunitySupervisor, "community", communityID(c), "supervisor", tuple.SubjectRef{Type: "user", ID: userID(sup)}, nil); err != nil {
			return err
		}
	}
	for u := range s.Users {
		if err := g.user(u); err != nil {
			return err
		}
	}
	for d := range s.Datasets {
		if err := g.dataset(d); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) user(u int) error {
	up := g.pl.planUser(u)
	sub := tuple.SubjectRef{Type: "user", ID: userID(u)}
	for _, m := range up.orgs {
		k, rel := kOrgRegistered, "registered"
		switch m.role {
		case roleEditor:
			k, rel = kOrgEditor, "editor"
		case roleAdmin:
			k, rel = kOrgAdmin, "admin"
		}
		g.orgSize[m.id]++
		if err := g.rel(k, "organisation", orgID(m.id), rel, sub, nil); err != nil {
			return err
		}
	}
	for _, m := range up.comms {
		k, rel := kCommunityParticipant, "participant"
		if m.role == roleAdmin {
			k, rel = kCommunityAdmin, "admin"
		}
		if err := g.rel(k, "community", communityID(m.id), rel, sub, nil); err != nil {
			return err
		}
	}
	return nil
}

// levels writes level l for sub on dataset id: one relationship per level
// relation up to l, as the portal writes a level.
func (g *generator) levels(id string, l level, sub tuple.SubjectRef) error {
	for x := levelSearch; x <= l; x++ {
		if err := g.rel(kDatasetSearcher+int(x-levelSearch), "dataset", id, levelRelation(x), sub, nil); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) dataset(d int) error {
	dp := g.pl.planDataset(d)
	id := datasetID(d)
	if err := g.rel(kDatasetOwner, "dataset", id, "owner", tuple.SubjectRef{Type: "organisation", ID: orgID(dp.owner)}, nil); err != nil {
		return err
	}
	if dp.def > levelPrivate {
		g.st.PublicDatasets++
	}
	if err := g.levels(id, dp.def, tuple.SubjectRef{Type: "user", ID: tuple.Wildcard}); err != nil {
		return err
	}
	for _, gr := range dp.grants {
		g.st.DatasetGrants++
		var sub tuple.SubjectRef
		switch gr.target {
		case targetOrg:
			sub = tuple.SubjectRef{Type: "organisation", ID: orgID(gr.id), Relation: "member"}
		case targetCommunity:
			sub = tuple.SubjectRef{Type: "community", ID: communityID(gr.id), Relation: "member"}
		case targetOrgGroup:
			sub = tuple.SubjectRef{Type: "org_group", ID: orgGroupID(gr.id), Relation: "member"}
		}
		if err := g.levels(id, gr.level, sub); err != nil {
			return err
		}
	}
	now := g.pl.s.now()
	for k, grants := range dp.offerings {
		g.st.Offerings++
		oid := offeringID(d, k)
		if err := g.rel(kOfferingDataset, "offering", oid, "dataset", tuple.SubjectRef{Type: "dataset", ID: id}, nil); err != nil {
			return err
		}
		for _, gr := range grants {
			g.st.OfferingGrants++
			sub := tuple.SubjectRef{Type: "user", ID: userID(gr.id)}
			if gr.community {
				sub = tuple.SubjectRef{Type: "community", ID: communityID(gr.id), Relation: "member"}
			}
			var exp *time.Time
			if gr.expires != 0 {
				g.st.ExpiringGrants++
				if gr.expires < 0 {
					g.st.ExpiredGrants++
				}
				t := now.Add(time.Duration(gr.expires) * time.Second)
				exp = &t
			}
			if err := g.rel(kOfferingGrantee, "offering", oid, "grantee", sub, exp); err != nil {
				return err
			}
		}
	}
	return nil
}
