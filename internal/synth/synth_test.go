package synth

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

// format writes r canonically, expiration included.
func format(r tuple.Relationship) string {
	s := r.Resource.String() + "#" + r.Relation + "@" + r.Subject.String()
	if r.Expiration != nil {
		s += "[expiration:" + r.Expiration.UTC().Format(time.RFC3339) + "]"
	}
	return s
}

func digest(t testing.TB, cfg Config) (string, Stats) {
	t.Helper()
	var h hash.Hash = sha256.New()
	st, err := Generate(cfg, func(r tuple.Relationship) error {
		_, err := h.Write([]byte(format(r) + "\n"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), st
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Relationships: 100_000, Seed: 42}
	a, _ := digest(t, cfg)
	b, _ := digest(t, cfg)
	if a != b {
		t.Fatalf("same config, different streams: %s vs %s", a, b)
	}
	c, _ := digest(t, Config{Relationships: 100_000, Seed: 43})
	if a == c {
		t.Fatalf("seeds 42 and 43 gave the same stream %s", a)
	}
}

func TestSize(t *testing.T) {
	sizes := []int{10_000, 100_000, 1_000_000}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, n := range sizes {
		st, err := Generate(Config{Relationships: n, Seed: 7}, func(tuple.Relationship) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if dev := math.Abs(float64(st.Total-n)) / float64(n); dev > 0.05 {
			t.Errorf("Relationships %d: got %d, %.1f %% off, want within 5 %%", n, st.Total, 100*dev)
		}
		sum := 0
		for _, c := range st.ByRelation {
			sum += c
		}
		if sum != st.Total {
			t.Errorf("Relationships %d: ByRelation sums to %d, Total is %d", n, sum, st.Total)
		}
		t.Logf("%d: total %d; users %d, organisations %d (largest %s: %d members), communities %d, org groups %d, datasets %d (%d public), dataset grants %d, offerings %d with %d grants (%d expiring, %d expired); %v",
			n, st.Total, st.Users, st.Organisations, st.LargestOrg, st.LargestOrgMembers, st.Communities, st.OrgGroups,
			st.Datasets, st.PublicDatasets, st.DatasetGrants, st.Offerings, st.OfferingGrants, st.ExpiringGrants, st.ExpiredGrants, st.ByRelation)
	}
}

func TestEmitErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	st, err := Generate(Config{Relationships: 10_000, Seed: 1}, func(tuple.Relationship) error {
		n++
		if n == 100 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("got error %v, want %v", err, stop)
	}
	if n != 100 || st.Total != 100 {
		t.Fatalf("got %d calls and Total %d after the error, want 100 and 100", n, st.Total)
	}
}

// world100k is the 100k world in memory, generated once per test that needs it.
func world100k(t *testing.T) ([]tuple.Relationship, Stats) {
	t.Helper()
	var rels []tuple.Relationship
	st, err := Generate(Config{Relationships: 100_000, Seed: 3}, func(r tuple.Relationship) error {
		rels = append(rels, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rels, st
}

func TestProportions(t *testing.T) {
	rels, st := world100k(t)
	if got := float64(st.PublicDatasets) / float64(st.Datasets); got < 0.67 || got > 0.73 {
		t.Errorf("public datasets: got %.3f of all, want 0.70 ± 0.03", got)
	}
	// Public means user:* on searcher, exactly once per public dataset.
	if got := st.ByRelation["dataset#searcher"] - countWhere(rels, func(r tuple.Relationship) bool {
		return r.Relation == "searcher" && !r.Subject.IsWildcard()
	}); got != st.PublicDatasets {
		t.Errorf("user:* searchers: got %d, want PublicDatasets %d", got, st.PublicDatasets)
	}
	orgs := map[string]int{}    // user → organisations
	members := map[string]int{} // organisation → members
	roles := map[string]int{}
	for _, r := range rels {
		if r.Resource.Type == "organisation" {
			orgs[r.Subject.ID]++
			members[r.Resource.ID]++
			roles[r.Relation]++
		}
	}
	inOrgs := 0
	for _, n := range orgs {
		if n < 1 || n > 3 {
			t.Fatalf("a user is in %d organisations, want 1 to 3", n)
		}
		inOrgs++
	}
	if got := float64(inOrgs) / float64(st.Users); got < 0.85 || got > 0.95 {
		t.Errorf("users in an organisation: got %.3f, want about 0.9", got)
	}
	if !(roles["registered"] > 3*roles["editor"] && roles["editor"] > 2*roles["admin"] && roles["admin"] > 0) {
		t.Errorf("roles: got %v, want registered ≫ editor ≫ admin > 0", roles)
	}
	sizes := make([]int, 0, len(members))
	for _, n := range members {
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	median := sizes[len(sizes)/2]
	// org0 heads the Zipf law; the draw may put org1 a little above it.
	if st.LargestOrgMembers != members[st.LargestOrg] || 10*members["org0"] < 8*st.LargestOrgMembers || members["org0"] < 20*median {
		t.Errorf("largest organisation: got %s with %d members (org0 has %d), median %d; want about org0, ≥ 20× the median",
			st.LargestOrg, st.LargestOrgMembers, members["org0"], median)
	}
}

func countWhere(rels []tuple.Relationship, f func(tuple.Relationship) bool) int {
	n := 0
	for _, r := range rels {
		if f(r) {
			n++
		}
	}
	return n
}

// validID reports whether id fits SpiceDB's object id rule,
// [a-zA-Z0-9/_|\-=+]{1,1024} (Go's regexp caps repeats at 1000).
func validID(id string) bool {
	return len(id) <= 1024 && regexp.MustCompile(`^[a-zA-Z0-9/_|\-=+]+$`).MatchString(id)
}

func TestRelationshipsConformToSchema(t *testing.T) {
	rels, _ := world100k(t)
	allowed := allowedSubjects()
	seen := make(map[string]bool, len(rels))
	datasetsStarted := false
	for _, r := range rels {
		s := format(r)
		if seen[s] {
			t.Fatalf("%s emitted twice", s)
		}
		seen[s] = true
		if !validID(r.Resource.ID) || (!validID(r.Subject.ID) && !r.Subject.IsWildcard()) {
			t.Fatalf("%s: id outside SpiceDB's charset", s)
		}
		types, ok := allowed[r.Resource.Type+"#"+r.Relation]
		if !ok {
			t.Fatalf("%s: no relation %s on %s", s, r.Relation, r.Resource.Type)
		}
		sub := r.Subject.Type
		switch {
		case r.Subject.IsWildcard():
			sub += ":*"
		case r.Subject.Relation != "":
			sub += "#" + r.Subject.Relation
		}
		if r.Expiration != nil {
			sub += " with expiration"
		}
		if !slices.Contains(types, sub) {
			t.Fatalf("%s: subject type %q not allowed, want one of %v", s, sub, types)
		}
		if r.Caveat != nil {
			t.Fatalf("%s: caveated, the schema has no caveat", s)
		}
		// Memberships come before every dataset (see Generate).
		switch r.Resource.Type {
		case "dataset", "offering":
			datasetsStarted = true
		default:
			if datasetsStarted {
				t.Fatalf("%s emitted after the datasets began", s)
			}
		}
	}
}

// TestAllowedSubjectsMatchSchema keeps allowedSubjects and Schema in step, by
// a line scan of the schema text (the schema is written one relation a line).
func TestAllowedSubjectsMatchSchema(t *testing.T) {
	got := map[string][]string{}
	def := ""
	for line := range strings.Lines(Schema) {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "definition":
			def = f[1]
		case len(f) >= 3 && f[0] == "relation":
			name := strings.TrimSuffix(f[1], ":")
			_, types, _ := strings.Cut(line, ":")
			for ty := range strings.SplitSeq(types, "|") {
				got[def+"#"+name] = append(got[def+"#"+name], strings.Join(strings.Fields(ty), " "))
			}
		}
	}
	want := allowedSubjects()
	for k, types := range want {
		if !slices.Equal(got[k], types) {
			t.Errorf("%s: schema says %v, allowedSubjects says %v", k, got[k], types)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: in the schema, missing from allowedSubjects", k)
		}
	}
	if !strings.HasPrefix(Schema, "use expiration\n") {
		t.Errorf("schema uses `with expiration`; it must start with `use expiration`")
	}
}

// graph answers checks over relationships in memory, by the schema's rules
// written out by hand: a reference independent of the planner.
type graph struct {
	rels map[string][]tuple.Relationship // by "type:id#relation"
	now  time.Time
}

func newGraph(rels []tuple.Relationship, now time.Time) *graph {
	g := &graph{rels: map[string][]tuple.Relationship{}, now: now}
	for _, r := range rels {
		k := r.Resource.String() + "#" + r.Relation
		g.rels[k] = append(g.rels[k], r)
	}
	return g
}

// direct reports whether user is in relation rel of typ:id, through
// wildcards and subject sets, ignoring expired relationships.
func (g *graph) direct(typ, id, rel, user string) bool {
	for _, r := range g.rels[typ+":"+id+"#"+rel] {
		if r.Expiration != nil && !r.Expiration.After(g.now) {
			continue
		}
		s := r.Subject
		switch {
		case s.Relation != "":
			if g.check(s.Type, s.ID, s.Relation, user) {
				return true
			}
		case s.Type == "user" && (s.ID == user || s.IsWildcard()):
			return true
		}
	}
	return false
}

// arrow is typ:id#rel->perm.
func (g *graph) arrow(typ, id, rel, perm, user string) bool {
	for _, r := range g.rels[typ+":"+id+"#"+rel] {
		if g.check(r.Subject.Type, r.Subject.ID, perm, user) {
			return true
		}
	}
	return false
}

func (g *graph) check(typ, id, perm, user string) bool {
	any := func(rels ...string) bool {
		for _, r := range rels {
			if g.direct(typ, id, r, user) {
				return true
			}
		}
		return false
	}
	switch typ + "#" + perm {
	case "community#member":
		return any("participant", "admin", "supervisor")
	case "community#manage":
		return any("admin", "supervisor")
	case "organisation#member":
		return any("registered", "editor", "admin")
	case "organisation#publish":
		return any("editor", "admin")
	case "organisation#manage_members":
		return any("admin")
	case "org_group#member":
		return g.arrow(typ, id, "org", "member", user)
	case "dataset#manage_access":
		return g.arrow(typ, id, "owner", "manage_members", user)
	case "dataset#edit":
		return g.arrow(typ, id, "owner", "publish", user) || g.check(typ, id, "manage_access", user)
	case "dataset#download":
		return any("downloader") || g.arrow(typ, id, "owner", "member", user) || g.check(typ, id, "edit", user)
	case "dataset#consult":
		return any("consulter") || g.check(typ, id, "download", user)
	case "dataset#search":
		return any("searcher") || g.check(typ, id, "consult", user)
	case "offering#manage":
		return g.arrow(typ, id, "dataset", "manage_access", user)
	case "offering#use":
		return any("grantee") || g.check(typ, id, "manage", user)
	}
	return any(perm)
}

func TestSamplersAndAnswers(t *testing.T) {
	rels, st := world100k(t)
	g := newGraph(rels, Epoch())
	orgsOf := map[string][]string{}
	for _, r := range rels {
		if r.Resource.Type == "organisation" {
			orgsOf[r.Subject.ID] = append(orgsOf[r.Subject.ID], r.Resource.ID)
		}
	}

	users := st.SampleUsers(20, 9)
	if len(users) != 20 || !slices.Equal(users, st.SampleUsers(20, 9)) {
		t.Fatalf("SampleUsers(20, 9): got %v, not 20 or not deterministic", users)
	}
	for _, u := range users {
		if n := len(orgsOf[u]); n < 1 || n > 3 {
			t.Errorf("sampled user %s is in %d organisations, want 1 to 3", u, n)
		}
	}
	for _, u := range st.LargeOrgMembers(20, 9) {
		if !slices.Contains(orgsOf[u], st.LargeOrg()) {
			t.Errorf("LargeOrgMembers gave %s, not a member of %s (in %v)", u, st.LargeOrg(), orgsOf[u])
		}
	}

	for _, u := range users[:5] {
		want := 0
		for d := range st.Datasets {
			if g.check("dataset", datasetID(d), "search", u) {
				want++
			}
		}
		if got := st.SearchableDatasets(u); got != want {
			t.Errorf("SearchableDatasets(%s): got %d, want %d", u, got, want)
		}
		t.Logf("user %s (in %v) may search %d of %d datasets", u, orgsOf[u], want, st.Datasets)
	}

	qs := st.Checks(600, 5)
	if !slices.Equal(qs, st.Checks(600, 5)) {
		t.Fatal("Checks(600, 5) is not deterministic")
	}
	mix := map[string][2]int{} // permission → denied, allowed
	for _, q := range qs {
		if want := g.check(q.Resource.Type, q.Resource.ID, q.Permission, q.Subject.ID); q.Want != want {
			t.Errorf("%s: Want is %v, the relationships say %v", q, q.Want, want)
		}
		if got := st.Allowed(q); got != q.Want {
			t.Errorf("Allowed(%s): got %v, Checks said %v", q, got, q.Want)
		}
		m := mix[q.Permission]
		if q.Want {
			m[1]++
		} else {
			m[0]++
		}
		mix[q.Permission] = m
	}
	t.Logf("checks, denied/allowed per permission: %v", mix)
	for _, p := range []string{"search", "consult", "download", "edit", "manage_access", "use"} {
		if m := mix[p]; m[0] == 0 || m[1] == 0 {
			t.Errorf("checks for %s: got %d denied and %d allowed, want some of each", p, m[0], m[1])
		}
	}
}

func TestSearchableAt1M(t *testing.T) {
	if testing.Short() {
		t.Skip("1M world")
	}
	s := Plan(Config{Relationships: 1_000_000, Seed: 1})
	total := 0
	users := s.SampleUsers(10, 1)
	for _, u := range users {
		total += s.SearchableDatasets(u)
	}
	avg := total / len(users)
	t.Logf("1M: a typical user may search %d of %d datasets on average", avg, s.Datasets)
	if avg < 50_000 || avg > 100_000 {
		t.Errorf("1M: typical user searches %d datasets, want tens of thousands (about 76k)", avg)
	}
}

func BenchmarkGenerate(b *testing.B) {
	const n = 100_000
	total := 0
	for b.Loop() {
		st, err := Generate(Config{Relationships: n, Seed: 1}, func(tuple.Relationship) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		total += st.Total
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "relationships/s")
}

func TestTinyWorlds(t *testing.T) {
	for i := range 40 {
		n, seed := []int{0, 1, 10, 100}[i%4], int64(i)
		st, err := Generate(Config{Relationships: n, Seed: seed}, func(tuple.Relationship) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		qs := st.Checks(20, seed)
		if len(qs) != 20 {
			t.Errorf("Relationships %d: Checks(20) gave %d queries", n, len(qs))
		}
		_ = st.SampleUsers(5, 1)
		_ = st.LargeOrgMembers(5, 1)
	}
}
