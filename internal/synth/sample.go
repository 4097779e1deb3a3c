package synth

import (
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/tuple"
)

// SampleUsers returns n distinct ids of typical users — members of 1 to 3
// organisations — picked deterministically from seed (ids without the
// "user:" prefix). It returns fewer when the world has fewer.
func (s Shape) SampleUsers(n int, seed int64) []string {
	pl := newPlanner(s)
	return s.sampleUsers(pl, n, seed, func(up *userPlan) bool { return len(up.orgs) > 0 })
}

// LargeOrg returns the id of the organisation meant to be the largest:
// org0, the head of the Zipf law (Stats.LargestOrg says which one is).
func (s Shape) LargeOrg() string { return orgID(0) }

// LargeOrgMembers returns n distinct ids of members of LargeOrg, picked
// deterministically from seed. It returns fewer when the world has fewer.
func (s Shape) LargeOrgMembers(n int, seed int64) []string {
	pl := newPlanner(s)
	return s.sampleUsers(pl, n, seed, func(up *userPlan) bool { return hasMember(up.orgs, 0) })
}

func (s Shape) sampleUsers(pl *planner, n int, seed int64, keep func(*userPlan) bool) []string {
	sampler := newPlanner(Shape{Config: Config{Seed: seed}, Users: s.Users})
	sampler.seed(streamSample, 0)
	var ids []string
	seen := make(map[int]bool)
	// Random probes first; a scan settles small or sparse worlds.
	for probe := 0; len(ids) < n && probe < 50*n+1000; probe++ {
		u := sampler.r.IntN(s.Users)
		if !seen[u] && keep(pl.planUser(u)) {
			seen[u] = true
			ids = append(ids, userID(u))
		}
	}
	for u := 0; len(ids) < n && u < s.Users; u++ {
		if !seen[u] && keep(pl.planUser(u)) {
			seen[u] = true
			ids = append(ids, userID(u))
		}
	}
	return ids
}

// Query is one permission check, with the answer the generated world gives
// at Config.Now (and for a day after it: no expiration falls that close).
type Query struct {
	Resource   tuple.ObjectRef
	Permission string
	Subject    tuple.SubjectRef
	Want       bool
}

// String formats the query as resource#permission@subject.
func (q Query) String() string {
	return q.Resource.String() + "#" + q.Permission + "@" + q.Subject.String()
}

// Checks returns n check queries picked deterministically from seed, with
// their answers. The mix: typical users against random datasets for search,
// consult and download (mostly allowed, mostly allowed, mostly denied);
// members of the large organisation against its own datasets for edit and
// manage_access; beneficiaries and typical users against offerings for use.
func (s Shape) Checks(n int, seed int64) []Query {
	w := newWorld(s)
	sampler := newPlanner(Shape{Config: Config{Seed: seed}, Users: s.Users})
	sampler.seed(streamSample, 1)
	r := sampler.r
	typical := s.sampleUsers(w.pl, max(1, min(n, 1000)), seed, func(up *userPlan) bool { return len(up.orgs) > 0 })
	if len(typical) == 0 { // a world too small to have one
		typical = []string{userID(0)}
	}
	large := s.LargeOrgMembers(max(1, min(n/10, 200)), seed)
	roleIn0 := func(min role) func(*userPlan) bool {
		return func(up *userPlan) bool {
			for _, m := range up.orgs {
				if m.id == 0 && m.role >= min {
					return true
				}
			}
			return false
		}
	}
	editors := s.sampleUsers(w.pl, max(1, min(n/20, 50)), seed, roleIn0(roleEditor))
	admins := s.sampleUsers(w.pl, max(1, min(n/20, 50)), seed, roleIn0(roleAdmin))
	dataset := func(d int) tuple.ObjectRef { return tuple.ObjectRef{Type: "dataset", ID: datasetID(d)} }
	user := func(id string) tuple.SubjectRef { return tuple.SubjectRef{Type: "user", ID: id} }
	qs := make([]Query, 0, n)
	for len(qs) < n {
		var q Query
		x := r.Float64()
		switch {
		case x < 0.60 || len(large) == 0 || len(editors) == 0 || len(admins) == 0:
			perm := [...]string{"search", "search", "search", "consult", "download"}[r.IntN(5)]
			q = Query{dataset(r.IntN(s.Datasets)), perm, user(typical[r.IntN(len(typical))]), false}
		case x < 0.75:
			// A dataset of the large organisation: Zipf makes them common.
			d := r.IntN(s.Datasets)
			for range 1000 {
				if w.pl.planDataset(d).owner == 0 {
					break
				}
				d = r.IntN(s.Datasets)
			}
			// Half the time by a member holding the role the permission
			// needs, so that both answers are common.
			perm := [...]string{"download", "edit", "manage_access"}[r.IntN(3)]
			from := large
			if r.IntN(2) == 0 {
				from = editors
				if perm == "manage_access" {
					from = admins
				}
			}
			q = Query{dataset(d), perm, user(from[r.IntN(len(from))]), false}
		default:
			// An offering, asked for by one of its beneficiaries (or a member
			// of a beneficiary community) half the time.
			d := r.IntN(s.Datasets)
			for range 1000 {
				if len(w.pl.planDataset(d).offerings) > 0 {
					break
				}
				d = r.IntN(s.Datasets)
			}
			dp := w.pl.planDataset(d)
			if len(dp.offerings) == 0 {
				continue
			}
			k := r.IntN(len(dp.offerings))
			sub := user(typical[r.IntN(len(typical))])
			if gs := dp.offerings[k]; len(gs) > 0 && r.IntN(2) == 0 {
				gr := gs[r.IntN(len(gs))]
				if gr.community {
					sub = user(userID(w.supervisor[gr.id]))
				} else {
					sub = user(userID(gr.id))
				}
			}
			q = Query{tuple.ObjectRef{Type: "offering", ID: offeringID(d, k)}, "use", sub, false}
		}
		q.Want = w.allowed(q)
		qs = append(qs, q)
	}
	return qs
}

// Allowed reports whether the generated world gives q.Subject q.Permission
// on q.Resource at Config.Now. It knows dataset permissions (search,
// consult, download, edit, manage_access) and offering use for user
// subjects; it reports false for anything else. It rebuilds what it needs
// from the seed: cheap for one query, not for bulk use.
func (s Shape) Allowed(q Query) bool { return newWorld(s).allowed(q) }

// SearchableDatasets counts the datasets user (an id without "user:") may
// search, by rebuilding every dataset: O(Datasets), a few tens of
// milliseconds at 1M relationships.
func (s Shape) SearchableDatasets(user string) int {
	w := newWorld(s)
	u, ok := parseIndex(user, "u", s.Users)
	if !ok {
		return 0
	}
	sub := w.subject(u)
	n := 0
	for d := range s.Datasets {
		if w.datasetRank(sub, w.pl.planDataset(d)) >= rankSearch {
			n++
		}
	}
	return n
}

// world answers queries by rebuilding objects, with the two reverse facts
// that cannot be rebuilt from one object: who supervises each community and
// which organisations each group holds.
type world struct {
	pl         *planner
	supervisor []int
	groups     [][]int
}

func newWorld(s Shape) *world {
	w := &world{pl: newPlanner(s), supervisor: make([]int, s.Communities), groups: make([][]int, s.OrgGroups)}
	for c := range s.Communities {
		w.supervisor[c] = w.pl.planCommunity(c)
	}
	for g := range s.OrgGroups {
		w.groups[g] = append([]int(nil), w.pl.planOrgGroup(g)...)
	}
	return w
}

// subject is what one user belongs to.
type subject struct {
	orgs   map[int]role
	comms  map[int]role
	groups map[int]bool
}

func (w *world) subject(u int) subject {
	up := w.pl.planUser(u)
	sub := subject{orgs: map[int]role{}, comms: map[int]role{}, groups: map[int]bool{}}
	for _, m := range up.orgs {
		sub.orgs[m.id] = m.role
	}
	for _, m := range up.comms {
		sub.comms[m.id] = m.role
	}
	for c, sup := range w.supervisor {
		if sup == u {
			sub.comms[c] = roleAdmin
		}
	}
	for g, orgs := range w.groups {
		for _, o := range orgs {
			if _, ok := sub.orgs[o]; ok {
				sub.groups[g] = true
			}
		}
	}
	return sub
}

// Ranks of dataset permissions; each implies the ones below.
const (
	rankNone = iota
	rankSearch
	rankConsult
	rankDownload
	rankEdit
	rankManage
)

func permissionRank(p string) int {
	switch p {
	case "search":
		return rankSearch
	case "consult":
		return rankConsult
	case "download":
		return rankDownload
	case "edit":
		return rankEdit
	case "manage_access":
		return rankManage
	}
	return -1
}

// datasetRank is the highest dataset permission sub has on dp.
func (w *world) datasetRank(sub subject, dp *datasetPlan) int {
	rank := int(dp.def) // levels and ranks coincide up to download
	if r, ok := sub.orgs[dp.owner]; ok {
		rank = max(rank, rankDownload+int(r))
	}
	for _, g := range dp.grants {
		var in bool
		switch g.target {
		case targetOrg:
			_, in = sub.orgs[g.id]
		case targetCommunity:
			_, in = sub.comms[g.id]
		case targetOrgGroup:
			in = sub.groups[g.id]
		}
		if in {
			rank = max(rank, int(g.level))
		}
	}
	return rank
}

func (w *world) allowed(q Query) bool {
	if q.Subject.Type != "user" || q.Subject.Relation != "" {
		return false
	}
	u, ok := parseIndex(q.Subject.ID, "u", w.pl.s.Users)
	if !ok {
		return false
	}
	switch q.Resource.Type {
	case "dataset":
		d, ok := parseIndex(q.Resource.ID, "ds", w.pl.s.Datasets)
		want := permissionRank(q.Permission)
		if !ok || want < 0 {
			return false
		}
		return w.datasetRank(w.subject(u), w.pl.planDataset(d)) >= want
	case "offering":
		ds, ks, found := strings.Cut(strings.TrimPrefix(q.Resource.ID, "of"), "_")
		if !found || q.Permission != "use" || !strings.HasPrefix(q.Resource.ID, "of") {
			return false
		}
		d, ok1 := parseIndex(ds, "", w.pl.s.Datasets)
		k, ok2 := parseIndex(ks, "", 4)
		if !ok1 || !ok2 {
			return false
		}
		sub := w.subject(u)
		dp := w.pl.planDataset(d)
		if k >= len(dp.offerings) {
			return false
		}
		if w.datasetRank(sub, dp) >= rankManage {
			return true
		}
		for _, g := range dp.offerings[k] {
			if g.expires < 0 {
				continue
			}
			if g.community {
				if _, in := sub.comms[g.id]; in {
					return true
				}
			} else if g.id == u {
				return true
			}
		}
	}
	return false
}

// parseIndex parses prefix<decimal index below n>, canonical form only.
func parseIndex(id, prefix string, n int) (int, bool) {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 0 || i >= n || strconv.Itoa(i) != rest {
		return 0, false
	}
	return i, true
}
