package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/tuple"
)

// endedContexts are a canceled context and one past its deadline, with the
// error each must end a query with.
func endedContexts(t *testing.T) []struct {
	name string
	ctx  context.Context
	want error
} {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	t.Cleanup(cancel)
	return []struct {
		name string
		ctx  context.Context
		want error
	}{{"canceled", canceled, context.Canceled}, {"expired", expired, context.DeadlineExceeded}}
}

// wantEnded checks that err is the context's error and no other sentinel:
// the API maps engine sentinels before context errors, so an ended request
// wrapped as a caveat or depth error would be answered as the client's fault.
func wantEnded(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	for _, other := range []error{engine.ErrCaveat, engine.ErrDepth} {
		if errors.Is(err, other) {
			t.Fatalf("got %v, which is also %v", err, other)
		}
	}
}

// TestQueriesStopWhenContextEnds walks a group with 3,000 subgroups, none
// holding the subject: every query must give up with the context's error
// rather than finish the walk. Check, CheckBulk, Explain and Expand used to
// ignore their context.
func TestQueriesStopWhenContextEnds(t *testing.T) {
	var rels strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&rels, "group:root#member@group:g%d#member\n", i)
	}
	rels.WriteString("doc:1#viewer@group:root#member\n")
	e := newEngine(t, groupsSchema, rels.String())
	req := engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view", Subject: tuple.SubjectRef{Type: "user", ID: "nobody"}}
	queries := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Check", func(ctx context.Context) error {
			_, _, err := e.Check(ctx, req, engine.At{})
			return err
		}},
		{"CheckBulk", func(ctx context.Context) error {
			_, _, _, err := e.CheckBulk(ctx, []engine.CheckRequest{req}, engine.At{})
			return err
		}},
		{"Explain", func(ctx context.Context) error {
			_, err := e.Explain(ctx, req, engine.At{})
			return err
		}},
		{"Expand", func(ctx context.Context) error {
			_, _, err := e.Expand(ctx, engine.ExpandRequest{Resource: req.Resource, Permission: req.Permission}, engine.At{})
			return err
		}},
		{"LookupResources", func(ctx context.Context) error {
			_, _, _, err := e.LookupResources(ctx, engine.LookupResourcesRequest{ResourceType: "doc", Permission: "view", Subject: req.Subject}, engine.At{})
			return err
		}},
		{"LookupSubjects", func(ctx context.Context) error {
			_, _, err := e.LookupSubjects(ctx, engine.LookupSubjectsRequest{Resource: req.Resource, Permission: req.Permission, SubjectType: "user"}, engine.At{})
			return err
		}},
	}
	for _, q := range queries {
		if err := q.run(context.Background()); err != nil {
			t.Fatalf("%s with a live context: %v", q.name, err)
		}
		for _, c := range endedContexts(t) {
			t.Run(q.name+"/"+c.name, func(t *testing.T) { wantEnded(t, q.run(c.ctx), c.want) })
		}
	}
}

// TestCaveatsStopWhenContextEnds: a caveat is not evaluated for a request
// that has ended, and that is the request's error, not the caveat's.
func TestCaveatsStopWhenContextEnds(t *testing.T) {
	e := newEngine(t, caveatSchema, `doc:1#viewer@user:ann[on_network:{"net":"10.0.0.0/8"}]`)
	req := engine.CheckRequest{Resource: tuple.ObjectRef{Type: "doc", ID: "1"}, Permission: "view",
		Subject: tuple.SubjectRef{Type: "user", ID: "ann"}, Context: map[string]any{"ip": "10.1.2.3"}}
	for _, c := range endedContexts(t) {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := e.Check(c.ctx, req, engine.At{})
			wantEnded(t, err, c.want)
		})
	}
}
