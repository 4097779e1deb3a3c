package e2e

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
)

const (
	tokenWrites       = 50              // writes read back on other nodes with their token
	propagationWrites = 200             // writes whose propagation delay is measured
	convergeTimeout   = 5 * time.Second // a node that takes longer has not converged
	pollEvery         = 500 * time.Microsecond
)

// TestThreeNodes runs three nodes on one PostgreSQL database: consistency
// tokens carry across nodes, writes and schema changes reach every node
// without them, and the propagation delay is measured.
func TestThreeNodes(t *testing.T) {
	ds := postgresStore(t)
	token := newToken()
	var nodes [3]*node
	for i := range nodes {
		nodes[i] = startNode(t, fmt.Sprintf("node%d", i+1), ds, token)
	}
	n1, n2, n3 := nodes[0], nodes[1], nodes[2]
	writeSchema(t, n1, testSchema)

	t.Run("token read on other nodes", func(t *testing.T) {
		for i := range tokenWrites {
			b := batch{id: fmt.Sprintf("tok%d", i), size: 2}
			tok := write(t, n1, b)
			for _, n := range []*node{n2, n3} {
				if got := check(t, n, b.resource(1), "view", b.subject(), &api.Consistency{AtLeastAsFresh: tok}); got != "has_permission" {
					t.Fatalf("%s: check of write %d made on node1, at least as fresh as its token: got %s, want has_permission", n.name, i, got)
				}
			}
		}
	})

	t.Run("write on node3 visible on node1", func(t *testing.T) {
		b := batch{id: "from3", size: 2}
		tok := write(t, n3, b)
		if got := check(t, n1, b.resource(0), "view", b.subject(), &api.Consistency{AtLeastAsFresh: tok}); got != "has_permission" {
			t.Fatalf("node1: check of a write made on node3, with its token: got %s, want has_permission", got)
		}
		b = batch{id: "from3late", size: 2}
		write(t, n3, b)
		if _, err := waitVisible(n1, b.resource(0), "view", b.subject()); err != nil {
			t.Fatalf("node1: write made on node3, without token: %v", err)
		}
	})

	t.Run("propagation delay", func(t *testing.T) {
		delays := map[string][]time.Duration{}
		firstPoll := 0 // samples visible at the first poll: the delay is below one request's round trip
		for i := range propagationWrites {
			b := batch{id: fmt.Sprintf("prop%d", i), size: 2}
			write(t, n1, b)
			acked := time.Now()
			var mu sync.Mutex
			var wg sync.WaitGroup
			for _, n := range []*node{n2, n3} {
				wg.Go(func() {
					polls, err := waitVisible(n, b.resource(0), "view", b.subject())
					d := time.Since(acked)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Errorf("%s: write %d made on node1 not visible: %v", n.name, i, err)
						return
					}
					delays[n.name] = append(delays[n.name], d)
					if polls == 1 {
						firstPoll++
					}
				})
			}
			wg.Wait()
			if t.Failed() {
				return
			}
		}
		report(t, delays, firstPoll)
	})

	t.Run("schema written on node2 applied on node1 and node3", func(t *testing.T) {
		next := testSchema + `
definition folder {
	relation owner: user
	permission own = owner
}
`
		tok := writeSchema(t, n2, next)
		// node3 without a token: poll until the new definition is known.
		deadline := time.Now().Add(convergeTimeout)
		for {
			_, err := tryCheck(n3, "folder:f3", "own", "user:u", nil)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node3: schema written on node2 not applied within %s: %v", convergeTimeout, err)
			}
			time.Sleep(pollEvery)
		}
		// node1 with the schema write's token.
		if got := check(t, n1, "folder:f1", "own", "user:u", &api.Consistency{AtLeastAsFresh: tok}); got != "no_permission" {
			t.Fatalf("node1: check on the new definition: got %s, want no_permission", got)
		}
		// Both now accept writes of the new relation, which they validate
		// against their own copy of the schema.
		for _, n := range []*node{n1, n3} {
			rel := api.Relationship{Resource: "folder:" + n.name, Relation: "owner", Subject: "user:u"}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, err := n.Client.Write(ctx, api.WriteRequest{Updates: []api.Update{{Operation: "touch", Relationship: rel}}})
			cancel()
			if err != nil {
				t.Fatalf("%s: writing a relation of the schema written on node2: %v", n.name, err)
			}
		}
	})

	for _, n := range nodes {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		code, body, err := n.get(ctx, "/readyz")
		cancel()
		if err != nil || code != 200 {
			t.Errorf("%s /readyz: got %d %q (%v), want 200", n.name, code, body, err)
		}
	}
}

// write writes b through n and returns its token.
func write(t *testing.T, n *node, b batch) api.Token {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := n.Client.Write(ctx, b.request())
	if err != nil {
		t.Fatalf("%s: write %s: %v", n.name, b.id, err)
	}
	return resp.ConsistencyToken
}

// check checks a permission on n and returns the result.
func check(t *testing.T, n *node, res, perm, subj string, c *api.Consistency) string {
	t.Helper()
	got, err := tryCheck(n, res, perm, subj, c)
	if err != nil {
		t.Fatalf("%s: check %s %s %s: %v", n.name, res, perm, subj, err)
	}
	return got
}

func tryCheck(n *node, res, perm, subj string, c *api.Consistency) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := n.Client.Check(ctx, api.CheckRequest{Resource: res, Permission: perm, Subject: subj, Consistency: c})
	return resp.Result, err
}

// waitVisible polls n with minimize_latency checks until the permission is
// granted, for at most convergeTimeout, and returns how many polls it took.
func waitVisible(n *node, res, perm, subj string) (int, error) {
	deadline := time.Now().Add(convergeTimeout)
	c := &api.Consistency{MinimizeLatency: true}
	for polls := 1; ; polls++ {
		got, err := tryCheck(n, res, perm, subj, c)
		if err != nil {
			return polls, err
		}
		if got == "has_permission" {
			return polls, nil
		}
		if time.Now().After(deadline) {
			return polls, fmt.Errorf("still %s after %s (%d polls): the node has not converged", got, convergeTimeout, polls)
		}
		time.Sleep(pollEvery)
	}
}

// report logs the propagation delays, per node and together, and appends
// them to the file named by OCTROI_E2E_REPORT, if set.
func report(t *testing.T, delays map[string][]time.Duration, firstPoll int) {
	var all []time.Duration
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(delays)) {
		d := delays[name]
		all = append(all, d...)
		lines = append(lines, "  "+summary("node1 → "+name, d))
	}
	head := fmt.Sprintf("propagation delay, 3 octroi nodes on one PostgreSQL: write acknowledged by node1 until a minimize_latency check on another node sees it (polled every %s, loopback, %s)",
		pollEvery, time.Now().UTC().Format(time.DateOnly))
	lines = append([]string{head, "  " + summary("all", all)}, lines...)
	lines = append(lines, fmt.Sprintf("  %d of %d samples visible at the first poll (delay below one check's round trip)", firstPoll, len(all)))
	for _, l := range lines {
		t.Log(l)
	}
	if path := os.Getenv("OCTROI_E2E_REPORT"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Errorf("OCTROI_E2E_REPORT: %v", err)
			return
		}
		defer f.Close()
		for _, l := range lines {
			fmt.Fprintln(f, l)
		}
	}
}

func summary(name string, d []time.Duration) string {
	if len(d) == 0 {
		return name + ": no samples"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	q := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return fmt.Sprintf("%s: %d samples, median %s, p99 %s, max %s", name, len(s), q(0.5).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), s[len(s)-1].Round(10*time.Microsecond))
}
