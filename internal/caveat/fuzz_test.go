package caveat

import (
	"context"
	"errors"
	"testing"
)

// FuzzCompile checks that Compile never panics, that its errors are always
// CompileErrors with positions inside the expression, and that a compiled
// program evaluates without panicking on missing, JSON-shaped and odd values.
func FuzzCompile(f *testing.F) {
	for _, s := range []struct{ name, typ, expr string }{
		{"x", "int", "x == 42"},
		{"x", "list<int>", "x.all(i, i >= 42)"},
		{"x", "map<any>", "x.foo == 42 && x.bar < 56"},
		{"x", "ipaddress", "x.in_cidr('10.0.0.0/8')"},
		{"x", "timestamp", "x < timestamp('2024-01-01T00:00:00Z')"},
		{"x", "duration", "x > duration('1h')"},
		{"x", "map<list<uint>>", "has(x.a) && x.a.exists(v, v > 2u)"},
		{"x", "bytes", "x == b'\\xff' || size(x) > 3"},
		{"x", "string", "x.matches('^a+$') ? x.startsWith('a') : x == ''"},
		{"x", "any", "x"},
		{"in", "bool", "in"},
		{"x", "list<", "x ="},
		{"x", "double", "(((((x > 1.0)))))"},
	} {
		f.Add(s.name, s.typ, s.expr)
	}
	f.Fuzz(func(t *testing.T, name, typ, expr string) {
		p, err := Compile("fuzz", []Param{{name, typ}, {"y", "bool"}}, expr)
		if err != nil {
			var errs CompileErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Compile error is %T %v, want non-empty CompileErrors", err, err)
			}
			for _, e := range errs {
				if e.Line < 0 || e.Col < 0 || (e.Line > 0 && e.Col < 1) || e.Msg == "" {
					t.Fatalf("bad CompileError %#v", e)
				}
			}
			return
		}
		for _, v := range []any{nil, 1.0, -1.5, "10.0.0.1", "1h", "2024-01-01T00:00:00Z", "aGk=", true,
			[]any{1.0, "a", nil}, map[string]any{"a": []any{1.0}, "foo": 42.0}} {
			_, _ = p.Eval(context.Background(), map[string]any{name: v}, map[string]any{"y": true})
			_ = p.ValidateContext(map[string]any{name: v})
		}
		if _, err := p.Eval(context.Background(), nil, nil); err != nil {
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("Eval with nothing: %T %v", err, err)
			}
		}
	})
}
