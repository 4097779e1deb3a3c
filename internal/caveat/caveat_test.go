package caveat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustCompile(t testing.TB, params []Param, expr string) *Program {
	t.Helper()
	p, err := Compile("c", params, expr)
	if err != nil {
		t.Fatalf("Compile(%q): %v", expr, err)
	}
	return p
}

func TestParseType(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "int", want: "int"},
		{in: "uint", want: "uint"},
		{in: "bool", want: "bool"},
		{in: "string", want: "string"},
		{in: "double", want: "double"},
		{in: "bytes", want: "bytes"},
		{in: "duration", want: "duration"},
		{in: "timestamp", want: "timestamp"},
		{in: "ipaddress", want: "ipaddress"},
		{in: "any", want: "any"},
		{in: "list<int>", want: "list<int>"},
		{in: " list < map < string > > ", want: "list<map<string>>"},
		{in: "map<list<ipaddress>>", want: "map<list<ipaddress>>"},
		{in: "", err: "missing type"},
		{in: "float", err: `unknown type "float"`},
		{in: "Int", err: `unknown type "Int"`},
		{in: "list", err: "list needs one type argument"},
		{in: "list<>", err: "where a type was expected"},
		{in: "list<int", err: "missing '>'"},
		{in: "map<string, int>", err: "keys are always strings"},
		{in: "list<int, int>", err: "list takes one type argument"},
		{in: "int<int>", err: "takes no type argument"},
		{in: "int int", err: "after type"},
		{in: strings.Repeat("list<", 40) + "int" + strings.Repeat(">", 40), err: "nested too deeply"},
	} {
		got, err := parseType(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseType(%q): got error %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseType(%q): got error %v, want %s", tc.in, err, tc.want)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("parseType(%q): got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestConversions checks every type's accepted and refused context values:
// the value is given as parameter x and expr must then be true.
func TestConversions(t *testing.T) {
	ts := time.Date(2024, 1, 2, 15, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		typ  string
		val  any
		expr string
		err  string // substring of the error, if one is wanted
	}{
		// int
		{typ: "int", val: 42.0, expr: "x == 42"},
		{typ: "int", val: -7.0, expr: "x == -7"},
		{typ: "int", val: int64(1) << 60, expr: "x == 1152921504606846976"},
		{typ: "int", val: 42, expr: "x == 42"},
		{typ: "int", val: int32(-3), expr: "x == -3"},
		{typ: "int", val: uint8(200), expr: "x == 200"},
		{typ: "int", val: uint64(9), expr: "x == 9"},
		{typ: "int", val: json.Number("12"), expr: "x == 12"},
		{typ: "int", val: "12", expr: "x == 12"},
		{typ: "int", val: "1e3", expr: "x == 1000"},
		{typ: "int", val: 1.5, err: "want an integer, got 1.5"},
		{typ: "int", val: 1e19, err: "out of range"},
		{typ: "int", val: uint64(1) << 63, err: "out of range"},
		{typ: "int", val: "abc", err: `want an integer, got string "abc"`},
		{typ: "int", val: true, err: "want an integer, got bool true"},
		{typ: "int", val: nil, err: "want an integer, got null"},
		{typ: "int", val: []any{1.0}, err: "got a list"},
		// uint
		{typ: "uint", val: 3.0, expr: "x == 3 && x < 10"},
		{typ: "uint", val: uint64(5), expr: "x == 5"},
		{typ: "uint", val: 0.0, expr: "x == 0"},
		{typ: "uint", val: -1.0, err: "want a non-negative integer, got -1"},
		{typ: "uint", val: int64(-5), err: "want a non-negative integer, got -5"},
		{typ: "uint", val: 2.5, err: "want a non-negative integer, got 2.5"},
		{typ: "uint", val: uint64(1) << 63, err: "too large"},
		// double
		{typ: "double", val: 1.5, expr: "x == 1.5"},
		{typ: "double", val: 2.0, expr: "x == 2.0"},
		{typ: "double", val: 3, expr: "x == 3.0"},
		{typ: "double", val: float32(0.5), expr: "x == 0.5"},
		{typ: "double", val: "2.25", expr: "x == 2.25"},
		{typ: "double", val: "x", err: `want a number, got string "x"`},
		{typ: "double", val: false, err: "want a number, got bool"},
		// bool, string
		{typ: "bool", val: true, expr: "x"},
		{typ: "bool", val: false, expr: "!x"},
		{typ: "bool", val: "true", err: `want a bool, got string "true"`},
		{typ: "bool", val: 1.0, err: "want a bool, got number 1"},
		{typ: "string", val: "héllo", expr: "x == 'héllo' && size(x) == 5"},
		{typ: "string", val: "", expr: "x == ''"},
		{typ: "string", val: 1.0, err: "want a string, got number 1"},
		// bytes
		{typ: "bytes", val: "aGVsbG8=", expr: "x == b'hello'"},
		{typ: "bytes", val: []byte("hi"), expr: "x == b'hi'"},
		{typ: "bytes", val: "not base64!", err: "base64"},
		{typ: "bytes", val: 5.0, err: "want bytes or a base64 string"},
		// duration
		{typ: "duration", val: "1h30m", expr: "x == duration('90m')"},
		{typ: "duration", val: "-1.5s", expr: "x < duration('0s')"},
		{typ: "duration", val: 2 * time.Second, expr: "x == duration('2s')"},
		{typ: "duration", val: "1 hour", err: `want a duration such as "1h30m", got "1 hour"`},
		{typ: "duration", val: 60.0, err: "want a duration"},
		// timestamp
		{typ: "timestamp", val: "2024-01-02T15:04:05Z", expr: "x == timestamp('2024-01-02T15:04:05Z')"},
		{typ: "timestamp", val: "2024-01-02T16:04:05.5+01:00", expr: "x == timestamp('2024-01-02T15:04:05.5Z')"},
		{typ: "timestamp", val: ts, expr: "x.getHours() == 15 && x.getFullYear() == 2024"},
		{typ: "timestamp", val: "2024-01-02", err: "want an RFC 3339 timestamp"},
		{typ: "timestamp", val: 1704207845.0, err: "want a timestamp or an RFC 3339 string, got number"},
		// ipaddress
		{typ: "ipaddress", val: "10.1.2.3", expr: "x.in_cidr('10.0.0.0/8')"},
		{typ: "ipaddress", val: "2001:db8::1", expr: "x.in_cidr('2001:db8::/32')"},
		{typ: "ipaddress", val: netip.MustParseAddr("192.168.1.1"), expr: "x.in_cidr('192.168.0.0/16')"},
		{typ: "ipaddress", val: net.ParseIP("192.168.1.1"), expr: "x.in_cidr('192.168.0.0/16')"},
		{typ: "ipaddress", val: "10.1.2", err: `want an IP address, got "10.1.2"`},
		{typ: "ipaddress", val: "10.0.0.0/8", err: "want an IP address"},
		{typ: "ipaddress", val: 10.0, err: "want an IP address string, got number 10"},
		// list<T>
		{typ: "list<int>", val: []any{1.0, 2.0, 3.0}, expr: "x == [1, 2, 3] && 2 in x"},
		{typ: "list<int>", val: []any{}, expr: "size(x) == 0"},
		{typ: "list<int>", val: []int{4, 5}, expr: "x == [4, 5]"},
		{typ: "list<string>", val: []string{"a", "b"}, expr: "'b' in x"},
		{typ: "list<int>", val: []any{1.0, 2.5}, err: "element 1: want an integer, got 2.5"},
		{typ: "list<int>", val: map[string]any{}, err: "want a list, got an object"},
		{typ: "list<list<uint>>", val: []any{[]any{1.0}, []any{2.0, 3.0}}, expr: "x[1][1] == 3"},
		{typ: "list<list<uint>>", val: []any{[]any{1.0}, []any{-2.0}}, err: "element 1: element 0: want a non-negative integer"},
		{typ: "list<timestamp>", val: []any{"2024-01-02T15:04:05Z"}, expr: "x[0] == timestamp('2024-01-02T15:04:05Z')"},
		{typ: "list<ipaddress>", val: []any{"10.0.0.1", "::1"}, expr: "x[0].in_cidr('10.0.0.0/8') && x[1].in_cidr('::1/128')"},
		{typ: "list<any>", val: []any{1.0, "a", nil}, expr: "x[0] == 1 && x[1] == 'a' && x[2] == null"},
		// map<T>
		{typ: "map<int>", val: map[string]any{"a": 1.0, "b": 2.0}, expr: "x.a == 1 && x['b'] == 2 && 'a' in x"},
		{typ: "map<int>", val: map[string]int{"a": 1}, expr: "x.a == 1"},
		{typ: "map<int>", val: map[string]any{"a": "z"}, err: `key "a": want an integer, got string "z"`},
		{typ: "map<int>", val: []any{}, err: "want a map with string keys, got a list"},
		{typ: "map<list<duration>>", val: map[string]any{"k": []any{"1s", "2s"}}, expr: "x.k[1] == duration('2s')"},
		{typ: "map<map<bool>>", val: map[string]any{"o": map[string]any{"i": true}}, expr: "x.o.i"},
		{typ: "map<map<bool>>", val: map[string]any{"o": map[string]any{"i": 1.0}}, err: `key "o": key "i": want a bool`},
		// any
		{typ: "any", val: 42.0, expr: "x == 42"},
		{typ: "any", val: "s", expr: "x == 's'"},
		{typ: "any", val: nil, expr: "x == null"},
		{typ: "any", val: []any{1.0, 2.0}, expr: "size(x) == 2"},
		{typ: "any", val: map[string]any{"foo": 42.0, "bar": 10.0}, expr: "x.foo == 42 && x.bar < 56"},
		{typ: "any", val: struct{}{}, err: "unsupported value"},
		{typ: "map<any>", val: map[string]any{"foo": 42.0, "bar": 10.0}, expr: "x.foo == 42 && x.bar < 56"},
	} {
		name := tc.typ + "/" + tc.expr + tc.err
		expr := tc.expr
		if expr == "" {
			expr = "true"
		}
		p, err := Compile("c", []Param{{"x", tc.typ}}, expr)
		if err != nil {
			t.Errorf("%s: Compile: %v", name, err)
			continue
		}
		got, err := p.Eval(context.Background(), map[string]any{"x": tc.val}, nil)
		verr := p.ValidateContext(map[string]any{"x": tc.val})
		if tc.err != "" {
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != "x" || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: Eval(%#v): got error %v, want a ParamError for x containing %q", name, tc.val, err, tc.err)
			}
			if verr == nil || verr.Error() != err.Error() {
				t.Errorf("%s: ValidateContext: got %v, want %v", name, verr, err)
			}
			continue
		}
		if err != nil || verr != nil {
			t.Errorf("%s: Eval(%#v): got errors %v / %v, want none", name, tc.val, err, verr)
			continue
		}
		if !got.Value || len(got.Missing) != 0 {
			t.Errorf("%s: Eval(%#v): got %+v, want true", name, tc.val, got)
		}
	}
}

func TestParamErrorNamesParameter(t *testing.T) {
	p := mustCompile(t, []Param{{"limit", "uint"}}, "limit > 2")
	_, err := p.Eval(context.Background(), map[string]any{"limit": -1.0}, nil)
	want := `caveat "c": parameter "limit": uint: want a non-negative integer, got -1`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestEval(t *testing.T) {
	type ctx = map[string]any
	for _, tc := range []struct {
		name     string
		params   []Param
		expr     string
		rel, req ctx
		want     bool
		missing  []string
		err      string
	}{
		{name: "int equal", params: []Param{{"n", "int"}}, expr: "n == 42", rel: ctx{"n": 42.0}, want: true},
		{name: "int not equal", params: []Param{{"n", "int"}}, expr: "n == 42", rel: ctx{"n": 41.0}, want: false},
		{name: "from request", params: []Param{{"n", "int"}}, expr: "n == 42", req: ctx{"n": 42.0}, want: true},
		{name: "rel wins", params: []Param{{"n", "int"}}, expr: "n == 42", rel: ctx{"n": 42.0}, req: ctx{"n": 41.0}, want: true},
		{name: "rel wins false", params: []Param{{"n", "int"}}, expr: "n == 42", rel: ctx{"n": 41.0}, req: ctx{"n": 42.0}, want: false},
		{name: "rel wins even if req is bad", params: []Param{{"n", "int"}}, expr: "n == 42", rel: ctx{"n": 42.0}, req: ctx{"n": "bad"}, want: true},
		{name: "union of contexts", params: []Param{{"a", "string"}, {"b", "string"}}, expr: "a == b",
			rel: ctx{"b": "admin"}, req: ctx{"a": "admin"}, want: true},
		{name: "unknown keys ignored", params: []Param{{"n", "int"}}, expr: "n == 1", rel: ctx{"n": 1.0, "zzz": "?"}, req: ctx{"other": []any{}}, want: true},
		{name: "nil contexts", params: []Param{{"n", "int"}}, expr: "n == 1", missing: []string{"n"}},
		{name: "no params", expr: "1 + 1 == 2", want: true},

		// Missing parameters and partial evaluation.
		{name: "or decided by known", params: []Param{{"a", "bool"}, {"b", "bool"}}, expr: "a || b", rel: ctx{"a": true}, want: true},
		{name: "or decided by known right", params: []Param{{"a", "bool"}, {"b", "bool"}}, expr: "a || b", rel: ctx{"b": true}, want: true},
		{name: "or undecided", params: []Param{{"a", "bool"}, {"b", "bool"}}, expr: "a || b", rel: ctx{"a": false}, missing: []string{"b"}},
		{name: "and decided false", params: []Param{{"a", "bool"}, {"b", "bool"}}, expr: "a && b", req: ctx{"b": false}, want: false},
		{name: "and undecided", params: []Param{{"a", "bool"}, {"b", "bool"}}, expr: "a && b", req: ctx{"b": true}, missing: []string{"a"}},
		{name: "both missing sorted", params: []Param{{"z", "int"}, {"a", "int"}}, expr: "z > a", missing: []string{"a", "z"}},
		{name: "only needed reported", params: []Param{{"a", "int"}, {"b", "int"}, {"c", "int"}}, expr: "a == 1 && (b == 2 || c == 3)",
			rel: ctx{"a": 1.0, "b": 2.0}, want: true},
		{name: "only needed reported 2", params: []Param{{"a", "int"}, {"b", "int"}, {"c", "int"}}, expr: "a == 1 && (b == 2 || c == 3)",
			rel: ctx{"b": 5.0}, missing: []string{"a", "c"}},
		{name: "unused param not missing", params: []Param{{"a", "int"}, {"unused", "string"}}, expr: "a == 1", rel: ctx{"a": 1.0}, want: true},
		{name: "missing used through in_cidr", params: []Param{{"ip", "ipaddress"}, {"cidr", "string"}}, expr: "ip.in_cidr(cidr)",
			rel: ctx{"cidr": "10.0.0.0/8"}, missing: []string{"ip"}},
		{name: "missing in comprehension", params: []Param{{"l", "list<int>"}, {"min", "int"}}, expr: "l.all(i, i >= min)",
			rel: ctx{"l": []any{42.0, 43.0}}, missing: []string{"min"}},
		{name: "empty list decides without min", params: []Param{{"l", "list<int>"}, {"min", "int"}}, expr: "l.all(i, i >= min)",
			rel: ctx{"l": []any{}}, want: true},
		{name: "nested list value", params: []Param{{"l", "list<list<int>>"}, {"n", "int"}}, expr: "l.exists(x, n in x)",
			rel: ctx{"l": []any{[]any{1.0}, []any{2.0, 3.0}}}, req: ctx{"n": 3.0}, want: true},
		{name: "nested map value missing other", params: []Param{{"m", "map<map<int>>"}, {"n", "int"}}, expr: "m.a.b == 1 || n == 2",
			rel: ctx{"m": map[string]any{"a": map[string]any{"b": 1.0}}}, want: true},
		{name: "nested map value undecided", params: []Param{{"m", "map<map<int>>"}, {"n", "int"}}, expr: "m.a.b == 1 || n == 2",
			rel: ctx{"m": map[string]any{"a": map[string]any{"b": 0.0}}}, missing: []string{"n"}},
		{name: "map absent key with short circuit", params: []Param{{"somemap", "map<any>"}}, expr: "somemap.foo == 42 && somemap.bar < 56",
			req: ctx{"somemap": map[string]any{"foo": 41.0}}, want: false},
		{name: "has on missing param", params: []Param{{"m", "map<int>"}}, expr: "has(m.x)", missing: []string{"m"}},
		{name: "conditional", params: []Param{{"a", "bool"}, {"b", "int"}, {"c", "int"}}, expr: "a ? b == 1 : c == 1",
			rel: ctx{"a": true, "b": 1.0}, want: true},
		{name: "missing and conversion error", params: []Param{{"a", "int"}, {"b", "int"}}, expr: "a == b",
			rel: ctx{"a": "x"}, err: `parameter "a"`},

		// ipaddress
		{name: "ipv4 in", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('10.0.0.0/8')", rel: ctx{"ip": "10.2.3.4"}, want: true},
		{name: "ipv4 out", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('10.1.0.0/16')", rel: ctx{"ip": "10.2.3.4"}, want: false},
		{name: "ipv4 host prefix", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('10.2.3.4/32')", rel: ctx{"ip": "10.2.3.4"}, want: true},
		{name: "ipv4 unmasked prefix", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('10.9.9.9/8')", rel: ctx{"ip": "10.2.3.4"}, want: true},
		{name: "ipv6 in", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('2001:db8::/32')", rel: ctx{"ip": "2001:db8:1::5"}, want: true},
		{name: "ipv6 out", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('2001:db8::/32')", rel: ctx{"ip": "2001:db9::5"}, want: false},
		{name: "ipv4 in ipv6 net", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('::/0')", rel: ctx{"ip": "1.2.3.4"}, want: false},
		{name: "ipv6 in ipv4 net", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('0.0.0.0/0')", rel: ctx{"ip": "::1"}, want: false},
		{name: "cidr param", params: []Param{{"ip", "ipaddress"}, {"cidr", "string"}}, expr: "ip.in_cidr(cidr)",
			rel: ctx{"cidr": "10.1.0.0/16"}, req: ctx{"ip": "10.1.3.4"}, want: true},
		{name: "bad cidr", params: []Param{{"ip", "ipaddress"}}, expr: "ip.in_cidr('10.0.0.0')", rel: ctx{"ip": "10.0.0.1"}, err: `invalid CIDR "10.0.0.0"`},
		{name: "overlong cidr", params: []Param{{"ip", "ipaddress"}, {"cidr", "string"}}, expr: "ip.in_cidr(cidr)",
			rel: ctx{"ip": "10.0.0.1", "cidr": strings.Repeat("1", 1_000_000)}, err: `(1000000 bytes, longer than any CIDR)`},
		{name: "ip equality", params: []Param{{"a", "ipaddress"}, {"b", "ipaddress"}}, expr: "a == b", rel: ctx{"a": "::1", "b": "0:0::1"}, want: true},
		{name: "ip inequality", params: []Param{{"a", "ipaddress"}, {"b", "ipaddress"}}, expr: "a != b", rel: ctx{"a": "::1", "b": "::2"}, want: true},

		// timestamps and durations
		{name: "not expired", params: []Param{{"current_time", "timestamp"}, {"expiration", "timestamp"}}, expr: "current_time < expiration",
			rel: ctx{"expiration": "2023-12-01T00:00:00Z"}, req: ctx{"current_time": "2023-01-01T00:00:00Z"}, want: true},
		{name: "expired", params: []Param{{"current_time", "timestamp"}, {"expiration", "timestamp"}}, expr: "current_time < expiration",
			rel: ctx{"expiration": "2023-12-01T00:00:00Z"}, req: ctx{"current_time": "2023-12-01T00:01:00Z"}, want: false},
		{name: "time zones compared as instants", params: []Param{{"a", "timestamp"}, {"b", "timestamp"}}, expr: "a == b",
			rel: ctx{"a": "2023-01-01T01:00:00+01:00", "b": "2023-01-01T00:00:00Z"}, want: true},
		{name: "timestamp plus duration", params: []Param{{"start", "timestamp"}, {"ttl", "duration"}, {"now", "timestamp"}}, expr: "now < start + ttl",
			rel: ctx{"start": "2024-01-01T00:00:00Z", "ttl": "1h30m"}, req: ctx{"now": "2024-01-01T01:29:59Z"}, want: true},
		{name: "timestamp plus duration past", params: []Param{{"start", "timestamp"}, {"ttl", "duration"}, {"now", "timestamp"}}, expr: "now < start + ttl",
			rel: ctx{"start": "2024-01-01T00:00:00Z", "ttl": "1h30m"}, req: ctx{"now": "2024-01-01T01:30:00Z"}, want: false},
		{name: "duration compare", params: []Param{{"d", "duration"}}, expr: "d > duration('1h') && d < duration('2h')", rel: ctx{"d": "90m"}, want: true},
		{name: "timestamp difference", params: []Param{{"a", "timestamp"}, {"b", "timestamp"}}, expr: "b - a == duration('24h')",
			rel: ctx{"a": "2024-02-28T00:00:00Z", "b": "2024-02-29T00:00:00Z"}, want: true},
		{name: "day of week UTC", params: []Param{{"now", "timestamp"}}, expr: "now.getDayOfWeek() == 3",
			req: ctx{"now": "2024-01-02T23:30:00-05:00"}, want: true}, // Wednesday 04:30 UTC, though Tuesday locally

		// uint arithmetic and comparisons (conformance: write_limit)
		{name: "uint count below limit", params: []Param{{"limit", "uint"}, {"count", "uint"}}, expr: "count < limit",
			rel: ctx{"limit": 3.0}, req: ctx{"count": 2.0}, want: true},
		{name: "uint arithmetic", params: []Param{{"count", "uint"}}, expr: "count + 1 == 4", rel: ctx{"count": 3.0}, want: true},

		// run-time errors
		{name: "division by zero", params: []Param{{"n", "int"}}, expr: "10 / n == 1", rel: ctx{"n": 0.0}, err: "division by zero"},
		{name: "missing map key", params: []Param{{"m", "map<int>"}}, expr: "m.a == 1", rel: ctx{"m": map[string]any{}}, err: "no such key"},
	} {
		p, err := Compile("c", tc.params, tc.expr)
		if err != nil {
			t.Errorf("%s: Compile: %v", tc.name, err)
			continue
		}
		got, err := p.Eval(context.Background(), tc.rel, tc.req)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: got %+v, %v, want error containing %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: got error %v", tc.name, err)
			continue
		}
		want := Result{Value: tc.want, Missing: tc.missing}
		if tc.missing != nil {
			want.Value = got.Value // meaningless when Missing is set
		}
		if got.Value != want.Value || !reflect.DeepEqual(got.Missing, want.Missing) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params []Param
		expr   string
		want   CompileErrors
	}{
		{name: "not bool", params: []Param{{"a", "int"}}, expr: "a + 1",
			want: CompileErrors{{1, 1, "caveat expression must evaluate to bool, got int"}}},
		{name: "not bool string", params: []Param{{"s", "string"}}, expr: "\n  s",
			want: CompileErrors{{2, 3, "caveat expression must evaluate to bool, got string"}}},
		{name: "dyn is not bool", params: []Param{{"m", "map<any>"}}, expr: "m.flag",
			want: CompileErrors{{1, 1, "caveat expression must evaluate to bool, got dyn"}}},
		{name: "unknown identifier", params: []Param{{"a", "int"}}, expr: "a == 1 && b == 2",
			want: CompileErrors{{1, 11, `unknown identifier "b": not a parameter of caveat "c"`}}},
		{name: "unknown identifier line 2", params: []Param{{"a", "int"}}, expr: "a == 1 &&\n  'é' == nope",
			want: CompileErrors{{2, 11, `unknown identifier "nope": not a parameter of caveat "c"`}}},
		{name: "type error", params: []Param{{"a", "int"}}, expr: "a == 'x'",
			want: CompileErrors{{1, 3, "found no matching overload for '_==_' applied to '(int, string)'"}}},
		{name: "in_cidr on string", params: []Param{{"s", "string"}}, expr: "s.in_cidr('10.0.0.0/8')",
			want: CompileErrors{{1, 10, "found no matching overload for 'in_cidr' applied to 'string.(string)'"}}},
		{name: "uint literal refused as in SpiceDB", params: []Param{{"u", "uint"}}, expr: "u != 0u",
			want: CompileErrors{{1, 3, "found no matching overload for '_!=_' applied to '(int, uint)'"}}},
		{name: "unknown param type", params: []Param{{"a", "integer"}}, expr: "a == 1",
			want: CompileErrors{{0, 0, `parameter "a": unknown type "integer" (want one of any, bool, bytes, double, duration, int, ipaddress, list<T>, map<T>, string, timestamp, uint)`}}},
		{name: "bad type and bad expression", params: []Param{{"a", "map<int,int>"}}, expr: "a == nope",
			want: CompileErrors{
				{0, 0, `parameter "a": map takes one type argument, the type of its values (keys are always strings), as in map<int>`},
				{1, 6, `unknown identifier "nope": not a parameter of caveat "c"`},
			}},
		{name: "duplicate param", params: []Param{{"a", "int"}, {"a", "string"}}, expr: "a == 1",
			want: CompileErrors{{0, 0, `parameter "a": declared more than once`}}},
		{name: "bad param name", params: []Param{{"a-b", "int"}}, expr: "true",
			want: CompileErrors{{0, 0, `parameter "a-b": not a valid name`}}},
		{name: "reserved param name", params: []Param{{"in", "int"}}, expr: "true",
			want: CompileErrors{{0, 0, `parameter "in": name is reserved in CEL`}}},
		{name: "too long", expr: strings.Repeat(" ", MaxExpressionSize) + "true",
			want: CompileErrors{{1, 1, "caveat expression is 100004 bytes long, more than the 100000 allowed"}}},
	} {
		_, err := Compile("c", tc.params, tc.expr)
		var got CompileErrors
		if !errors.As(err, &got) {
			t.Errorf("%s: got %v, want CompileErrors %v", tc.name, err, tc.want)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, got, tc.want)
		}
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	for _, tc := range []struct {
		expr      string
		line, col int
	}{
		{"a ==", 1, 5},
		{"a == 1 &&\n  (a == 2", 2, 10},
		{"'ü' == 'ü' && a ==", 1, 21}, // columns count bytes
		{"", 1, 1},
	} {
		_, err := Compile("c", []Param{{"a", "int"}}, tc.expr)
		var errs CompileErrors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Errorf("%q: got %v, want CompileErrors", tc.expr, err)
			continue
		}
		if errs[0].Line != tc.line || errs[0].Col != tc.col {
			t.Errorf("%q: got %d:%d (%s), want %d:%d", tc.expr, errs[0].Line, errs[0].Col, errs[0].Msg, tc.line, tc.col)
		}
	}
}

func TestCompileErrorString(t *testing.T) {
	errs := CompileErrors{{0, 0, "parameter list problem"}, {2, 3, "expression problem"}}
	if got, want := errs.Error(), "parameter list problem\n2:3: expression problem"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAccessors(t *testing.T) {
	params := []Param{{"a", "int"}, {"b", "list<string>"}}
	p := mustCompile(t, params, "a > 1 && 'x' in b")
	if got := p.Name(); got != "c" {
		t.Errorf("Name: got %q, want c", got)
	}
	if got := p.Expression(); got != "a > 1 && 'x' in b" {
		t.Errorf("Expression: got %q", got)
	}
	got := p.Params()
	if !reflect.DeepEqual(got, params) {
		t.Errorf("Params: got %v, want %v", got, params)
	}
	got[0].Name = "changed"
	params[1].Name = "changed"
	if p.Params()[0].Name != "a" || p.Params()[1].Name != "b" {
		t.Errorf("Params: the program shares memory with its caller")
	}
}

func TestValidateContext(t *testing.T) {
	p := mustCompile(t, []Param{{"limit", "uint"}, {"ip", "ipaddress"}}, "limit > 0 && ip.in_cidr('10.0.0.0/8')")
	for _, tc := range []struct {
		ctx map[string]any
		err string
	}{
		{ctx: nil},
		{ctx: map[string]any{}},
		{ctx: map[string]any{"limit": 4.0}},
		{ctx: map[string]any{"limit": 4.0, "ip": "10.0.0.1"}},
		{ctx: map[string]any{"limit": 4.0, "bogus": 1.0},
			err: `caveat "c": parameter "bogus": unknown parameter (declared: limit uint, ip ipaddress)`},
		{ctx: map[string]any{"zz": 1.0, "aa": 1.0}, err: `parameter "aa": unknown parameter`},
		{ctx: map[string]any{"ip": "nope"}, err: `caveat "c": parameter "ip": ipaddress: want an IP address, got "nope"`},
		{ctx: map[string]any{"limit": nil}, err: `parameter "limit": uint: want a non-negative integer, got null`},
	} {
		err := p.ValidateContext(tc.ctx)
		if tc.err == "" {
			if err != nil {
				t.Errorf("ValidateContext(%v): got %v, want nil", tc.ctx, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ValidateContext(%v): got %v, want error containing %q", tc.ctx, err, tc.err)
		}
	}
}

func TestCostLimit(t *testing.T) {
	p := mustCompile(t, []Param{{"l", "list<int>"}}, "l.all(x, l.all(y, x + y >= 0))")
	small := make([]any, 10)
	big := make([]any, 2000)
	for i := range big {
		big[i] = float64(i)
		if i < len(small) {
			small[i] = float64(i)
		}
	}
	if got, err := p.Eval(context.Background(), map[string]any{"l": small}, nil); err != nil || !got.Value {
		t.Fatalf("small list: got %+v, %v, want true", got, err)
	}
	_, err := p.Eval(context.Background(), map[string]any{"l": big}, nil)
	var ee *EvalError
	if !errors.Is(err, ErrCostLimitExceeded) || !errors.As(err, &ee) {
		t.Fatalf("big list: got %v, want an EvalError wrapping ErrCostLimitExceeded", err)
	}
	// The partial-evaluation program is bounded too.
	p = mustCompile(t, []Param{{"l", "list<int>"}, {"m", "int"}}, "l.all(x, l.all(y, x + y >= 0)) && m == 1")
	if _, err := p.Eval(context.Background(), map[string]any{"l": big}, nil); !errors.Is(err, ErrCostLimitExceeded) {
		t.Fatalf("big list, partial: got %v, want ErrCostLimitExceeded", err)
	}
}

// stringList returns n strings "v0"… whose last one is last when it is not
// empty: two such lists differ only at their end, so comparing them walks
// them whole.
func stringList(n int, last string) []any {
	l := make([]any, n)
	for i := range l {
		l[i] = fmt.Sprintf("v%d", i)
	}
	if last != "" {
		l[n-1] = last
	}
	return l
}

// repeat returns a list holding v n times.
func repeat(v any, n int) []any {
	l := make([]any, n)
	for i := range l {
		l[i] = v
	}
	return l
}

func stringMap(n int, last string) map[string]any {
	m := make(map[string]any, n)
	for i, v := range stringList(n, last) {
		m[fmt.Sprint(i)] = v
	}
	return m
}

// TestCostLimitBoundsEveryExpression: expressions without a comprehension
// were not metered, and comparisons of lists were priced at a tenth of
// their length with nothing for nested values, so 1,500 comparisons of
// 250,000-element lists ran 73 s. Every one of these must be refused.
func TestCostLimitBoundsEveryExpression(t *testing.T) {
	chain := func(term string, n int) string { return strings.Repeat(term+" || ", n-1) + term }
	for _, tc := range []struct {
		name   string
		params []Param
		expr   string
		ctx    map[string]any
	}{
		{"many comparisons of long lists", []Param{{"a", "list<string>"}, {"b", "list<string>"}},
			chain("a == b", 1500), map[string]any{"a": stringList(10_000, ""), "b": stringList(10_000, "x")}},
		{"many inequalities of long lists", []Param{{"a", "list<string>"}, {"b", "list<string>"}},
			chain("!(a != b)", 1500), map[string]any{"a": stringList(10_000, ""), "b": stringList(10_000, "x")}},
		{"many comparisons of large maps", []Param{{"a", "map<string>"}, {"b", "map<string>"}},
			chain("a == b", 300), map[string]any{"a": stringMap(10_000, ""), "b": stringMap(10_000, "x")}},
		{"one comparison of nested lists", []Param{{"a", "any"}, {"b", "any"}},
			"a == b", map[string]any{
				"a": repeat(stringList(5_000, ""), 250),
				"b": append(repeat(stringList(5_000, ""), 249), stringList(5_000, "x"))}},
		{"a list looked for in a list of lists", []Param{{"a", "any"}, {"b", "any"}},
			"a in b", map[string]any{"a": stringList(5_000, "x"), "b": repeat(stringList(5_000, ""), 250)}},
		{"many lookups in a long list of any", []Param{{"s", "string"}, {"l", "any"}},
			chain("s in l", 1500), map[string]any{"s": "x", "l": stringList(10_000, "")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, tc.params, tc.expr)
			got, err := p.Eval(context.Background(), tc.ctx, nil)
			var ee *EvalError
			if !errors.Is(err, ErrCostLimitExceeded) || !errors.As(err, &ee) {
				t.Fatalf("got %+v, %v, want an EvalError wrapping ErrCostLimitExceeded", got, err)
			}
			if want := "pass smaller lists or maps, or simplify the expression"; !strings.Contains(err.Error(), want) {
				t.Errorf("got message %q, want it to say %q", err, want)
			}
		})
	}
}

// TestCostLimitLeavesOrdinaryExpressions: what a caveat usually does with
// lists stays well within the limit.
func TestCostLimitLeavesOrdinaryExpressions(t *testing.T) {
	long := stringList(100_000, "")
	for _, tc := range []struct {
		name   string
		params []Param
		expr   string
		ctx    map[string]any
		want   bool
	}{
		{"membership in a long list", []Param{{"l", "list<string>"}, {"s", "string"}},
			"s in l", map[string]any{"l": long, "s": "v99999"}, true},
		{"comparison of long lists", []Param{{"a", "list<string>"}, {"b", "list<string>"}},
			"a == b", map[string]any{"a": long, "b": long}, true},
		{"comprehension", []Param{{"l", "list<string>"}},
			"l.exists(x, x == 'v1999')", map[string]any{"l": stringList(2_000, "")}, true},
		{"membership in a long list of any", []Param{{"l", "any"}, {"s", "string"}},
			"s in l", map[string]any{"l": long, "s": "v99999"}, true},
		{"nested lists", []Param{{"a", "any"}, {"b", "any"}},
			"a != b", map[string]any{"a": repeat(stringList(1_000, ""), 100), "b": repeat(stringList(1_000, "x"), 100)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, tc.params, tc.expr)
			if got, err := p.Eval(context.Background(), tc.ctx, nil); err != nil || got.Value != tc.want {
				t.Errorf("got %+v, %v, want %v", got, err, tc.want)
			}
		})
	}
}

// endsWhenWatched is a context that is canceled the moment something asks
// for its Done channel. Eval looks at Err before it starts (still nil),
// then asks for Done to decide whether to evaluate interruptibly, which
// ends it: so the test proves that an evaluation under such a context
// stops instead of running on (it would hit the cost limit otherwise),
// without depending on timing, though not at which iteration it stops.
type endsWhenWatched struct {
	context.Context
	cancel context.CancelFunc
}

func (c endsWhenWatched) Done() <-chan struct{} {
	c.cancel()
	return c.Context.Done()
}

func TestEvalStopsWhenContextEnds(t *testing.T) {
	// Run to the end, the comprehensions below would exceed the cost limit
	// (4,000,000 iterations): stopped, they end with the context's error.
	list := make([]any, 2000)
	for i := range list {
		list[i] = float64(i)
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		params []Param
		expr   string
		ctx    func() context.Context
		want   error
	}{
		{"ended before", []Param{{"n", "int"}}, "n == 1",
			func() context.Context { return ended }, context.Canceled},
		{"ends during a comprehension", []Param{{"l", "list<int>"}}, "l.all(x, l.all(y, x + y >= 0))",
			watched, context.Canceled},
		{"ends during a partial evaluation", []Param{{"l", "list<int>"}, {"m", "int"}}, "l.all(x, l.all(y, x + y >= 0)) && m == 1",
			watched, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, tc.params, tc.expr)
			got, err := p.Eval(tc.ctx(), map[string]any{"n": 1.0, "l": list}, nil)
			var ee *EvalError
			if !errors.Is(err, tc.want) || errors.As(err, &ee) {
				t.Errorf("got %+v, %v, want %v and no EvalError", got, err, tc.want)
			}
		})
	}
}

func watched() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	return endsWhenWatched{ctx, cancel}
}

func TestConcurrentEval(t *testing.T) {
	p := mustCompile(t, []Param{{"a", "int"}, {"b", "int"}}, "a < b")
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				r, err := p.Eval(context.Background(), map[string]any{"a": float64(i)}, map[string]any{"b": float64(i + g%2)})
				if err != nil || r.Value != (g%2 == 1) {
					done <- errors.New("wrong result under concurrency")
					return
				}
				if r, _ := p.Eval(context.Background(), map[string]any{"a": 1.0}, nil); len(r.Missing) != 1 {
					done <- errors.New("wrong partial result under concurrency")
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
