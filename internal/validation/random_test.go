package validation

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/tuple"
)

// randomSchemas mix every operator with recursion, wildcards, subject sets,
// arrows (any and all), caveats and expiration: the places where Check,
// LookupResources, LookupSubjects and Expand could disagree.
var randomSchemas = []string{
	`definition user {}
definition group {
	relation member: user | group#member
	relation everyone: user:*
	relation banned: user | group#member
	permission anyone = everyone + member
	permission allowed = member - banned
}
definition doc {
	relation viewer: user | user:* | group#member
	relation editor: user | group#member
	relation blocked: user | user:*
	relation parent: doc
	permission edit = editor + parent->edit
	permission view = (viewer + edit + parent->view) - blocked
	permission both = viewer & editor
	permission strict = parent.all(view)
	permission mixed = viewer - editor + blocked
	permission deep = parent->strict + (viewer & parent->view)
}`,
	`use expiration
definition user {}
caveat small(n int, limit int) { n < limit }
definition team {
	relation member: user | user with small | team#member | user with expiration
}
definition doc {
	relation owner: user | team#member with small
	relation reader: user:* | team#member | user with small
	relation denied: user | user:* with small
	permission read = (reader + owner) - denied
	permission own = owner & reader
}`,
	`definition user {}
definition folder {
	relation parent: folder
	relation viewer: user | folder#viewer
	relation public: user:*
	relation hidden: user
	permission view = viewer + public + parent->view - hidden
	permission every = parent.all(view) + nil
}`,
}

// randomWorld writes relationships for every allowed subject type of every
// relation of s, between small pools of objects, so that paths cross and
// loop.
func randomWorld(r *rand.Rand, s *schema.Schema, n int) []Relationship {
	var out []Relationship
	seen := map[tuple.Key]bool{}
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	id := func() string { return fmt.Sprintf("o%d", r.IntN(4)) }
	for range n {
		d := s.Definitions[r.IntN(len(s.Definitions))]
		if len(d.Relations) == 0 {
			continue
		}
		rel := d.Relations[r.IntN(len(d.Relations))]
		a := rel.Types[r.IntN(len(rel.Types))]
		t := tuple.Relationship{
			Resource: tuple.ObjectRef{Type: d.Name, ID: id()},
			Relation: rel.Name,
			Subject:  tuple.SubjectRef{Type: a.Type, ID: id(), Relation: a.Relation},
		}
		if a.Wildcard {
			t.Subject.ID = tuple.Wildcard
		}
		if a.Caveat != "" {
			ctx := map[string]any{}
			if r.IntN(2) == 0 {
				ctx["limit"] = float64(r.IntN(3))
			}
			if r.IntN(2) == 0 {
				ctx["n"] = float64(r.IntN(3))
			}
			t.Caveat = &tuple.Caveat{Name: a.Caveat, Context: ctx}
		}
		if a.Expiration {
			e := past
			if r.IntN(2) == 0 {
				e = future
			}
			t.Expiration = &e
		}
		if seen[t.Key()] {
			continue
		}
		seen[t.Key()] = true
		out = append(out, Relationship{Relationship: t, Line: len(out) + 1})
	}
	return out
}

// TestRandomWorldsAgree builds many small random worlds over schemas that
// use every construct, and demands that every API agrees on every pair.
func TestRandomWorldsAgree(t *testing.T) {
	worlds := 150
	if testing.Short() {
		worlds = 30
	}
	for i, text := range randomSchemas {
		s, err := schema.Parse(text)
		if err != nil {
			t.Fatalf("schema %d: %v", i, err)
		}
		for w := range worlds {
			checkWorld(t, fmt.Sprintf("schema %d world %d", i, w), text, randomWorld(rand.New(rand.NewPCG(uint64(i), uint64(w))), s, 4+w%20))
		}
	}
}

// FuzzWorldsAgree is the same check driven by the fuzzer's seeds.
func FuzzWorldsAgree(f *testing.F) {
	f.Add(uint8(0), uint64(1), uint8(10))
	f.Add(uint8(1), uint64(2), uint8(20))
	f.Add(uint8(2), uint64(3), uint8(15))
	f.Fuzz(func(t *testing.T, which uint8, seed uint64, n uint8) {
		text := randomSchemas[int(which)%len(randomSchemas)]
		s, err := schema.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		checkWorld(t, "fuzz", text, randomWorld(rand.New(rand.NewPCG(seed, 7)), s, int(n%40)))
	})
}

func checkWorld(t *testing.T, name, text string, rels []Relationship) {
	t.Helper()
	f := &File{Path: name, Schema: text, SchemaLine: 1, Relationships: rels}
	rep, err := Run(context.Background(), f, Options{Consistency: true})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, e := range rep.Failures {
		t.Errorf("%s: %v", name, e)
	}
	if t.Failed() {
		for _, r := range rels {
			t.Logf("  %s", tuple.Format(r.Relationship))
		}
		t.FailNow()
	}
}
