package engine_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/tuple"
)

// gatewayEngine is an engine on the portal's schema (../portal/portal.zed)
// holding one service reached through a key's access: what the gateway
// asks about at every decision.
func gatewayEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	src, err := os.ReadFile("../portal/portal.zed")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := schema.Parse(string(src))
	if err != nil {
		tb.Fatal(err)
	}
	idx := index.New()
	if _, err := idx.Load(func(add func(tuple.Relationship)) (uint64, error) {
		for _, r := range []string{
			"service:s1#platform@platform:main",
			"service:s1#available@user:*",
			"service:s1#grant@grant:g1",
			"service:s2#platform@platform:main",
			"service:s2#available@user:*",
			"service:s2#open@user:*",
			"grant:g1#platform@platform:main",
			"grant:g1#beneficiary_user@user:alice",
			"access:a1#owner@user:alice",
			"access:a1#grant@grant:g1",
			"access:a1#service@service:s1",
		} {
			rel, err := tuple.Parse(r)
			if err != nil {
				return 0, err
			}
			add(rel)
		}
		return 1, nil
	}); err != nil {
		tb.Fatal(err)
	}
	e := engine.New(idx)
	e.SetSchema(s)
	return e
}

var (
	anonymous = tuple.SubjectRef{Type: "user", ID: "anonymous"}
	// keyOpens: the checks the gateway makes for a key on a service it
	// opens (access#open for the owner, service#grant for the grant).
	keyOpens = []engine.CheckRequest{
		{Resource: tuple.ObjectRef{Type: "access", ID: "a1"}, Permission: "open", Subject: tuple.SubjectRef{Type: "user", ID: "alice"}},
		{Resource: tuple.ObjectRef{Type: "service", ID: "s1"}, Permission: "grant", Subject: tuple.SubjectRef{Type: "grant", ID: "g1"}},
	}
	// openUse: the anonymous question, on an open service.
	openUse = []engine.CheckRequest{
		{Resource: tuple.ObjectRef{Type: "service", ID: "s2"}, Permission: "use", Subject: anonymous},
	}
)

// TestGatewayChecks pins the answers the decision benchmarks rely on.
func TestGatewayChecks(t *testing.T) {
	e := gatewayEngine(t)
	for _, reqs := range [][]engine.CheckRequest{keyOpens, openUse} {
		res, errs, _, err := e.CheckBulk(context.Background(), reqs, engine.At{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range reqs {
			if errs[i] != nil || res[i].Result != engine.HasPermission {
				t.Errorf("%+v: got %v, %v; want allowed", reqs[i], res[i].Result, errs[i])
			}
		}
	}
}

// TestAppendCheckBulk: AppendCheckBulk answers as CheckBulk does, after
// what res and errs already hold, and allocates nothing with room in them.
func TestAppendCheckBulk(t *testing.T) {
	e := gatewayEngine(t)
	ctx := context.Background()
	reqs := append(append(slices.Clone(keyOpens), openUse...),
		engine.CheckRequest{Resource: tuple.ObjectRef{Type: "service", ID: "s1"}, Permission: "use", Subject: anonymous},
		engine.CheckRequest{Resource: tuple.ObjectRef{Type: "service", ID: "s1"}, Permission: "no_such_permission", Subject: anonymous})
	want, wantErrs, wantRev, err := e.CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		t.Fatal(err)
	}
	pre := engine.CheckResult{Result: engine.Conditional}
	res, errs, rev, err := e.AppendCheckBulk(ctx, []engine.CheckResult{pre}, []error{nil}, reqs, engine.At{})
	if err != nil || rev != wantRev || len(res) != 1+len(reqs) || len(errs) != 1+len(reqs) || res[0].Result != pre.Result {
		t.Fatalf("AppendCheckBulk: %d answers, %d errors, revision %d, %v; want %d, %d, %d, nil after the one passed", len(res), len(errs), rev, err, 1+len(reqs), 1+len(reqs), wantRev)
	}
	for i := range reqs {
		if res[1+i].Result != want[i].Result || (errs[1+i] == nil) != (wantErrs[i] == nil) {
			t.Errorf("%+v: AppendCheckBulk says %v, %v; CheckBulk %v, %v", reqs[i], res[1+i].Result, errs[1+i], want[i].Result, wantErrs[i])
		}
	}
	if wantErrs[len(reqs)-1] == nil || want[len(reqs)-2].Result != engine.NoPermission {
		t.Errorf("the unknown permission and the anonymous use of s1: got %v, %v; want an error, and no permission", wantErrs[len(reqs)-1], want[len(reqs)-2].Result)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if res, errs, _, err := e.AppendCheckBulk(cancelled, []engine.CheckResult{pre}, []error{nil}, reqs, engine.At{}); err == nil || len(res) != 1 || len(errs) != 1 {
		t.Errorf("AppendCheckBulk, cancelled: %v, %d answers, %d errors; want ctx's error and the slices as passed", err, len(res), len(errs))
	}
	var rb [4]engine.CheckResult
	var eb [4]error
	if n := testing.AllocsPerRun(100, func() {
		if _, _, _, err := e.AppendCheckBulk(ctx, rb[:0], eb[:0], keyOpens, engine.At{}); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("AppendCheckBulk allocates %v times, want 0", n)
	}
}

// BenchmarkDecisionChecks measures the engine calls of one gateway
// decision (see internal/gateway, Decider): the allocations per call are
// what matters there, at tens of thousands of decisions a second.
func BenchmarkDecisionChecks(b *testing.B) {
	e := gatewayEngine(b)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		reqs []engine.CheckRequest
	}{{"keyOpens", keyOpens}, {"openUse", openUse}} {
		b.Run(c.name+"/CheckBulk", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := e.CheckBulk(ctx, c.reqs, engine.At{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/AppendCheckBulk", func(b *testing.B) {
			b.ReportAllocs()
			var rb [4]engine.CheckResult
			var eb [4]error
			for b.Loop() {
				if _, _, _, err := e.AppendCheckBulk(ctx, rb[:0], eb[:0], c.reqs, engine.At{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/Check", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.Check(ctx, c.reqs[0], engine.At{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
