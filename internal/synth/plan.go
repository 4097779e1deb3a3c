package synth

import (
	"math"
	"math/rand/v2"
	"time"
)

// Epoch returns the instant expirations are drawn around when Config.Now is
// zero: 2026-01-01T00:00:00Z.
func Epoch() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// params are the proportions of the generated world. Weights tables give
// P(0), P(1), … and sum to 1.
type params struct {
	usersPerOrg       float64 // users ÷ organisations
	usersPerCommunity float64 // users ÷ communities
	orgsPerOrgGroup   float64 // organisations ÷ groups of organisations
	datasetsPerUser   float64 // datasets ÷ users

	orgZipfS, orgZipfV   float64 // organisation popularity (members and datasets owned)
	commZipfS, commZipfV float64 // community popularity

	orgsPerUser  []float64 // how many organisations a person belongs to
	orgRole      []float64 // registered, editor, admin
	commsPerUser []float64 // how many communities a person belongs to
	commAdmin    float64   // P(admin) for a community membership

	groupMinOrgs, groupMaxOrgs int // organisations per group of organisations, uniform

	defaultLevel    []float64 // private, search, consult, download
	grantsPrivate   []float64 // per-group grants on a private dataset
	grantsSearchOrC []float64 // per-group grants on a dataset whose default is search or consult
	grantTarget     []float64 // organisation, community, group of organisations

	offeringsPerDataset []float64
	grantsPerOffering   []float64
	grantToCommunity    float64 // P(beneficiary is a community) for an offering grant
	expiring            float64 // P(an offering grant has an expiration)
	expired             float64 // P(it is already past) given it has one
}

func defaults() params {
	return params{
		usersPerOrg:       15,
		usersPerCommunity: 40,
		orgsPerOrgGroup:   25,
		datasetsPerUser:   0.65,

		orgZipfS: 1.1, orgZipfV: 3,
		commZipfS: 1.1, commZipfV: 5,

		orgsPerUser:  []float64{0.10, 0.55, 0.25, 0.10},
		orgRole:      []float64{0.80, 0.16, 0.04},
		commsPerUser: []float64{0.35, 0.25, 0.18, 0.12, 0.06, 0.04},
		commAdmin:    0.05,

		groupMinOrgs: 3, groupMaxOrgs: 20,

		defaultLevel:    []float64{0.30, 0.20, 0.22, 0.28},
		grantsPrivate:   []float64{0.20, 0.30, 0.25, 0.15, 0.07, 0.03},
		grantsSearchOrC: []float64{0.60, 0.25, 0.10, 0.05},
		grantTarget:     []float64{0.55, 0.25, 0.20},

		offeringsPerDataset: []float64{0.85, 0.09, 0.045, 0.015},
		grantsPerOffering:   []float64{0, 0.30, 0.25, 0.20, 0.12, 0.08, 0.05},
		grantToCommunity:    0.25,
		expiring:            0.35,
		expired:             0.20,
	}
}

func mean(w []float64) float64 {
	m := 0.0
	for i, p := range w {
		m += float64(i) * p
	}
	return m
}

// relsPerUser is the expected number of relationships a user's memberships
// make.
func (p params) relsPerUser() float64 {
	return mean(p.orgsPerUser) + mean(p.commsPerUser)
}

// relsPerDataset is the expected number of relationships a dataset makes:
// its owner, its default level, its per-group levels, its offerings.
func (p params) relsPerDataset() float64 {
	n := 1 + mean(p.defaultLevel)
	// A per-group level L writes L relationships, L uniform above the default.
	n += p.defaultLevel[levelPrivate] * mean(p.grantsPrivate) * 2
	n += p.defaultLevel[levelSearch] * mean(p.grantsSearchOrC) * 2.5
	n += p.defaultLevel[levelConsult] * mean(p.grantsSearchOrC) * 3
	n += mean(p.offeringsPerDataset) * (1 + mean(p.grantsPerOffering))
	return n
}

// Shape is the size of the world a Config generates: how many objects of
// each type, derived from Config alone and without generating anything.
// Object ids are a type prefix and an index: users u0…, organisations org0…,
// communities com0…, groups of organisations og0…, datasets ds0…, offerings
// of<dataset>_<k>. Organisation org0 is the largest, org1 the next, roughly:
// sizes follow a Zipf law by index.
//
// A Shape is a plain value; its methods are safe for concurrent use.
type Shape struct {
	Config        Config
	Users         int
	Organisations int
	Communities   int
	OrgGroups     int
	Datasets      int
}

// Plan returns the shape cfg generates.
func Plan(cfg Config) Shape {
	p := defaults()
	n := max(cfg.Relationships, 1)
	perUser := p.relsPerUser() +
		p.datasetsPerUser*p.relsPerDataset() +
		1/p.usersPerCommunity + // each community's supervisor
		float64(p.groupMinOrgs+p.groupMaxOrgs)/2/p.usersPerOrg/p.orgsPerOrgGroup
	users := max(1, int(math.Round(float64(n)/perUser)))
	return Shape{
		Config:        cfg,
		Users:         users,
		Organisations: max(1, int(math.Round(float64(users)/p.usersPerOrg))),
		Communities:   max(1, int(math.Round(float64(users)/p.usersPerCommunity))),
		OrgGroups:     max(1, int(math.Round(float64(users)/p.usersPerOrg/p.orgsPerOrgGroup))),
		Datasets:      max(1, int(math.Round(float64(users)*p.datasetsPerUser))),
	}
}

func (s Shape) now() time.Time {
	if s.Config.Now.IsZero() {
		return Epoch()
	}
	return s.Config.Now
}

type level uint8

const (
	levelPrivate level = iota
	levelSearch
	levelConsult
	levelDownload
)

// levelRelation is the dataset relation that grants level l (l > private).
func levelRelation(l level) string {
	switch l {
	case levelSearch:
		return "searcher"
	case levelConsult:
		return "consulter"
	default:
		return "downloader"
	}
}

type role uint8

const (
	roleRegistered role = iota // organisation: registered user; community: participant
	roleEditor                 // organisation only
	roleAdmin
)

type target uint8

const (
	targetOrg target = iota
	targetCommunity
	targetOrgGroup
)

type membership struct {
	id   int
	role role
}

type userPlan struct {
	orgs  []membership
	comms []membership
}

type grant struct {
	target target
	id     int
	level  level
}

type offeringGrant struct {
	community bool
	id        int
	// expires is seconds from Now, 0 when the grant never expires; it is
	// never within a day of Now, so answers hold for a day after Now.
	expires int64
}

type datasetPlan struct {
	owner     int
	def       level
	grants    []grant
	offerings [][]offeringGrant // per offering, its grants
}

// Streams keep each object's random choices apart: every object draws from
// its own PCG stream, keyed by (Seed, stream, index), so any object can be
// rebuilt alone — which is what the samplers and the reference answers do.
const (
	streamUser uint64 = iota + 1
	streamCommunity
	streamOrgGroup
	streamDataset
	streamSample
)

// planner rebuilds objects of a Shape. It reuses its buffers: a plan it
// returns is valid until the next call of the same kind. Not safe for
// concurrent use.
type planner struct {
	s        Shape
	p        params
	pcg      *rand.PCG
	r        *rand.Rand
	orgZipf  *rand.Zipf
	commZipf *rand.Zipf
	user     userPlan
	dataset  datasetPlan
	group    []int
}

func newPlanner(s Shape) *planner {
	pl := &planner{s: s, p: defaults(), pcg: rand.NewPCG(0, 0)}
	pl.r = rand.New(pl.pcg)
	pl.orgZipf = rand.NewZipf(pl.r, pl.p.orgZipfS, pl.p.orgZipfV, uint64(s.Organisations-1))
	pl.commZipf = rand.NewZipf(pl.r, pl.p.commZipfS, pl.p.commZipfV, uint64(s.Communities-1))
	return pl
}

// splitmix64 spreads neighbouring indexes over the whole PCG state space.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (pl *planner) seed(stream uint64, idx int) {
	pl.pcg.Seed(splitmix64(uint64(pl.s.Config.Seed)^stream<<56), splitmix64(stream<<56^uint64(idx)))
}

func (pl *planner) pick(w []float64) int {
	x := pl.r.Float64()
	for i, p := range w {
		if x < p {
			return i
		}
		x -= p
	}
	return len(w) - 1
}

// org draws an organisation, large ones more often.
func (pl *planner) org() int { return int(pl.orgZipf.Uint64()) }

// community draws a community, large ones more often.
func (pl *planner) community() int { return int(pl.commZipf.Uint64()) }

// distinct draws with draw until it gets an id not in taken, giving up after
// a few tries (small worlds) and reporting false.
func distinct(taken func(int) bool, draw func() int) (int, bool) {
	for range 16 {
		if id := draw(); !taken(id) {
			return id, true
		}
	}
	return 0, false
}

func (pl *planner) planUser(u int) *userPlan {
	pl.seed(streamUser, u)
	up := &pl.user
	up.orgs, up.comms = up.orgs[:0], up.comms[:0]
	for range pl.pick(pl.p.orgsPerUser) {
		id, ok := distinct(func(id int) bool { return hasMember(up.orgs, id) }, pl.org)
		if !ok {
			break
		}
		up.orgs = append(up.orgs, membership{id, role(pl.pick(pl.p.orgRole))})
	}
	for range pl.pick(pl.p.commsPerUser) {
		id, ok := distinct(func(id int) bool { return hasMember(up.comms, id) }, pl.community)
		if !ok {
			break
		}
		r := roleRegistered
		if pl.r.Float64() < pl.p.commAdmin {
			r = roleAdmin
		}
		up.comms = append(up.comms, membership{id, r})
	}
	return up
}

func hasMember(ms []membership, id int) bool {
	for _, m := range ms {
		if m.id == id {
			return true
		}
	}
	return false
}

// planCommunity returns the supervisor of community c.
func (pl *planner) planCommunity(c int) int {
	pl.seed(streamCommunity, c)
	return pl.r.IntN(pl.s.Users)
}

// planOrgGroup returns the organisations in group g, distinct.
func (pl *planner) planOrgGroup(g int) []int {
	pl.seed(streamOrgGroup, g)
	n := pl.p.groupMinOrgs + pl.r.IntN(pl.p.groupMaxOrgs-pl.p.groupMinOrgs+1)
	pl.group = pl.group[:0]
	for range min(n, pl.s.Organisations) {
		id, ok := distinct(func(id int) bool { return containsInt(pl.group, id) },
			func() int { return pl.r.IntN(pl.s.Organisations) })
		if !ok {
			break
		}
		pl.group = append(pl.group, id)
	}
	return pl.group
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (pl *planner) planDataset(d int) *datasetPlan {
	pl.seed(streamDataset, d)
	dp := &pl.dataset
	dp.owner = pl.org()
	dp.def = level(pl.pick(pl.p.defaultLevel))
	dp.grants = dp.grants[:0]
	var n int
	switch dp.def {
	case levelPrivate:
		n = pl.pick(pl.p.grantsPrivate)
	case levelSearch, levelConsult:
		n = pl.pick(pl.p.grantsSearchOrC)
	}
	for range n {
		t := target(pl.pick(pl.p.grantTarget))
		draw := pl.org
		switch t {
		case targetCommunity:
			draw = pl.community
		case targetOrgGroup:
			draw = func() int { return pl.r.IntN(pl.s.OrgGroups) }
		}
		id, ok := distinct(func(id int) bool { return hasGrant(dp.grants, t, id) }, draw)
		if !ok {
			continue
		}
		// A per-group level is never below the default (DataSud's rule);
		// one equal to it would be pointless, so it is strictly above.
		l := dp.def + 1 + level(pl.r.IntN(int(levelDownload-dp.def)))
		dp.grants = append(dp.grants, grant{t, id, l})
	}
	nOff := pl.pick(pl.p.offeringsPerDataset)
	if cap(dp.offerings) < nOff {
		dp.offerings = append(dp.offerings[:cap(dp.offerings)], make([][]offeringGrant, nOff-cap(dp.offerings))...)
	}
	dp.offerings = dp.offerings[:nOff]
	for k := range dp.offerings {
		gs := dp.offerings[k][:0]
		for range pl.pick(pl.p.grantsPerOffering) {
			community := pl.r.Float64() < pl.p.grantToCommunity
			draw := func() int { return pl.r.IntN(pl.s.Users) }
			if community {
				draw = pl.community
			}
			id, ok := distinct(func(id int) bool { return hasBeneficiary(gs, community, id) }, draw)
			if !ok {
				continue
			}
			var exp int64
			if pl.r.Float64() < pl.p.expiring {
				const day = 24 * 3600
				if pl.r.Float64() < pl.p.expired {
					exp = -day * (1 + pl.r.Int64N(365))
				} else {
					exp = day * (1 + pl.r.Int64N(730))
				}
			}
			gs = append(gs, offeringGrant{community, id, exp})
		}
		dp.offerings[k] = gs
	}
	return dp
}

func hasGrant(gs []grant, t target, id int) bool {
	for _, g := range gs {
		if g.target == t && g.id == id {
			return true
		}
	}
	return false
}

func hasBeneficiary(gs []offeringGrant, community bool, id int) bool {
	for _, g := range gs {
		if g.community == community && g.id == id {
			return true
		}
	}
	return false
}
