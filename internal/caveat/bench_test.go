package caveat

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func BenchmarkEval(b *testing.B) {
	for _, bc := range []struct {
		name     string
		params   []Param
		expr     string
		rel, req map[string]any
	}{
		{"int", []Param{{"n", "int"}}, "n == 42",
			map[string]any{"n": 42.0}, nil},
		{"in_cidr", []Param{{"user_ip", "ipaddress"}, {"cidr", "string"}}, "user_ip.in_cidr(cidr)",
			map[string]any{"cidr": "10.0.0.0/8"}, map[string]any{"user_ip": "10.2.3.4"}},
		{"timestamp", []Param{{"now", "timestamp"}, {"expires", "timestamp"}}, "now < expires",
			map[string]any{"expires": "2030-01-01T00:00:00Z"}, map[string]any{"now": "2024-01-01T00:00:00Z"}},
		{"list_all", []Param{{"l", "list<int>"}}, "l.all(i, i >= 42)",
			map[string]any{"l": []any{42.0, 43.0, 44.0, 45.0}}, nil},
		{"missing", []Param{{"a", "bool"}, {"b", "bool"}}, "a || b",
			map[string]any{"a": false}, nil},
	} {
		p := mustCompile(b, bc.params, bc.expr)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Eval(context.Background(), bc.rel, bc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("c", []Param{{"user_ip", "ipaddress"}, {"cidr", "string"}}, "user_ip.in_cidr(cidr)"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefuseCostly measures how long the caveat of issue 7 (1,500
// comparisons of 250,000-element lists, 73 s to evaluate before every
// expression had a cost limit) takes to be refused.
func BenchmarkRefuseCostly(b *testing.B) {
	p := mustCompile(b, []Param{{"a", "list<string>"}, {"b", "list<string>"}},
		strings.Repeat("a == b || ", 1499)+"a == b")
	ctx := map[string]any{"a": stringList(250_000, ""), "b": stringList(250_000, "x")}
	for b.Loop() {
		if _, err := p.Eval(context.Background(), ctx, nil); !errors.Is(err, ErrCostLimitExceeded) {
			b.Fatalf("got %v, want ErrCostLimitExceeded", err)
		}
	}
}
