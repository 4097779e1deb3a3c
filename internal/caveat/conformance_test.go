package caveat

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/conformance"
)

var caveatDeclRE = regexp.MustCompile(`(?m)^\s*caveat\s+([A-Za-z0-9_/]+)\s*\(([^)]*)\)\s*\{`)

type declaredCaveat struct {
	name   string
	params []Param
	expr   string
}

// scanCaveats finds the caveat declarations of one YAML document. The body
// runs to the brace that closes the declaration, skipping braces inside CEL
// string literals.
func scanCaveats(t *testing.T, doc string) []declaredCaveat {
	var out []declaredCaveat
	for _, m := range caveatDeclRE.FindAllStringSubmatchIndex(doc, -1) {
		c := declaredCaveat{name: doc[m[2]:m[3]]}
		for _, p := range strings.Split(doc[m[4]:m[5]], ",") {
			fields := strings.Fields(p)
			if len(fields) < 2 {
				t.Fatalf("caveat %s: cannot read parameter %q", c.name, p)
			}
			c.params = append(c.params, Param{Name: fields[0], Type: strings.Join(fields[1:], "")})
		}
		depth, quote := 1, byte(0)
		i := m[1]
		for ; i < len(doc) && depth > 0; i++ {
			switch ch := doc[i]; {
			case quote != 0:
				if ch == '\\' {
					i++
				} else if ch == quote {
					quote = 0
				}
			case ch == '\'' || ch == '"':
				quote = ch
			case ch == '{':
				depth++
			case ch == '}':
				depth--
			}
		}
		c.expr = strings.TrimSpace(doc[m[1] : i-1])
		out = append(out, c)
	}
	return out
}

// jsonAfter decodes the JSON object that starts at doc[i].
func jsonAfter(doc string, i int) (map[string]any, error) {
	var m map[string]any
	err := json.NewDecoder(strings.NewReader(doc[i:])).Decode(&m)
	return m, err
}

// TestSpiceDBConformanceCaveats compiles every caveat declared in SpiceDB's
// validation files, checks that every context written with a relationship
// passes ValidateContext, and that every context given with an assertion
// converts (evaluating it against each caveat of the same schema, with the
// relationship contexts written for that caveat).
func TestSpiceDBConformanceCaveats(t *testing.T) {
	files := conformance.Files(t)
	var nCaveats, nRelCtx, nEvals int
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for di, doc := range strings.Split(string(raw), "\n---") {
			decls := scanCaveats(t, doc)
			progs := map[string]*Program{}
			for _, d := range decls {
				p, err := Compile(d.name, d.params, d.expr)
				if err != nil {
					t.Errorf("%s doc %d: caveat %s(%v) {%s}: %v", filepath.Base(file), di, d.name, d.params, d.expr, err)
					continue
				}
				progs[d.name] = p
				nCaveats++
			}
			if len(progs) == 0 {
				continue
			}
			// Relationship contexts: [name:{json}].
			relCtx := map[string][]map[string]any{}
			for name, p := range progs {
				marker := "[" + name + ":{"
				for off := 0; ; {
					i := strings.Index(doc[off:], marker)
					if i < 0 {
						break
					}
					start := off + i + len(marker) - 1
					ctx, err := jsonAfter(doc, start)
					if err != nil {
						t.Errorf("%s: context of %s at byte %d: %v", filepath.Base(file), name, start, err)
						break
					}
					if err := p.ValidateContext(ctx); err != nil {
						t.Errorf("%s: ValidateContext(%v): %v", filepath.Base(file), ctx, err)
					}
					relCtx[name] = append(relCtx[name], ctx)
					nRelCtx++
					off = start + 1
				}
			}
			// Assertion contexts: "... with {json}".
			for off := 0; ; {
				i := strings.Index(doc[off:], " with {")
				if i < 0 {
					break
				}
				start := off + i + len(" with ")
				off = start + 1
				req, err := jsonAfter(doc, start)
				if err != nil {
					continue // "with" inside a schema, not an assertion
				}
				for name, p := range progs {
					for _, rel := range append(relCtx[name], nil) {
						_, err := p.Eval(context.Background(), rel, req)
						var pe *ParamError
						if errors.As(err, &pe) {
							t.Errorf("%s: caveat %s with rel %v req %v: %v", filepath.Base(file), name, rel, req, err)
						}
						nEvals++
					}
				}
			}
		}
	}
	if nCaveats == 0 {
		t.Fatal("found no caveat declarations in the conformance files")
	}
	t.Logf("compiled %d caveats, validated %d relationship contexts, %d evaluations", nCaveats, nRelCtx, nEvals)
}

// TestSpiceDBCaveatAssertions mirrors the assertions of SpiceDB's caveat
// validation files for a relationship that is directly caveated: the
// relationship's context (rel) and the check's (req) decide it.
func TestSpiceDBCaveatAssertions(t *testing.T) {
	type ctx = map[string]any
	const (
		isTrue = iota
		isFalse
		isCaveated
	)
	for _, tc := range []struct {
		file     string
		params   []Param
		expr     string
		rel, req string
		want     int
	}{
		// basiccaveat.yaml
		{"basiccaveat", []Param{{"somecondition", "int"}}, "somecondition == 42", `{"somecondition":42}`, ``, isTrue},
		{"basiccaveat", []Param{{"somecondition", "int"}}, "somecondition == 42", `{"somecondition":42}`, `{"somecondition": 41}`, isTrue},
		{"basiccaveat", []Param{{"somecondition", "int"}}, "somecondition == 42", ``, `{"somecondition": 42}`, isTrue},
		{"basiccaveat", []Param{{"somecondition", "int"}}, "somecondition == 42", ``, ``, isCaveated},
		{"basiccaveat", []Param{{"somecondition", "int"}}, "somecondition == 42", `{"somecondition":41}`, ``, isFalse},
		{"basiccaveat", []Param{{"somecondition", "int"}}, "somecondition == 42", `{"somecondition":41}`, `{"somecondition": 42}`, isFalse},
		// caveatip.yaml
		{"caveatip", []Param{{"user_ip", "ipaddress"}, {"cidr", "string"}}, "user_ip.in_cidr(cidr)", `{"cidr":"10.0.0.0/8"}`, `{"user_ip": "10.2.3.4"}`, isTrue},
		{"caveatip", []Param{{"user_ip", "ipaddress"}, {"cidr", "string"}}, "user_ip.in_cidr(cidr)", `{"cidr":"10.1.0.0/16"}`, `{"user_ip": "10.1.3.4"}`, isTrue},
		{"caveatip", []Param{{"user_ip", "ipaddress"}, {"cidr", "string"}}, "user_ip.in_cidr(cidr)", `{"cidr":"10.0.0.0/8"}`, ``, isCaveated},
		{"caveatip", []Param{{"user_ip", "ipaddress"}, {"cidr", "string"}}, "user_ip.in_cidr(cidr)", `{"cidr":"10.0.0.0/8"}`, `{"user_ip": "1.2.3.4"}`, isFalse},
		{"caveatip", []Param{{"user_ip", "ipaddress"}, {"cidr", "string"}}, "user_ip.in_cidr(cidr)", `{"cidr":"10.1.0.0/16"}`, `{"user_ip": "10.2.3.4"}`, isFalse},
		// caveatlist.yaml
		{"caveatlist", []Param{{"somelist", "list<int>"}}, "somelist.all(i, i >= 42)", `{"somelist": [42, 43]}`, ``, isTrue},
		{"caveatlist", []Param{{"somelist", "list<int>"}}, "somelist.all(i, i >= 42)", `{"somelist": [42, 41]}`, ``, isFalse},
		{"caveatlist", []Param{{"somelist", "list<int>"}}, "somelist.all(i, i >= 42)", ``, `{"somelist":[]}`, isTrue},
		{"caveatlist", []Param{{"somelist", "list<int>"}}, "somelist.all(i, i >= 42)", ``, `{"somelist":[56]}`, isTrue},
		{"caveatlist", []Param{{"somelist", "list<int>"}}, "somelist.all(i, i >= 42)", ``, `{"somelist":[12]}`, isFalse},
		{"caveatlist", []Param{{"somelist", "list<int>"}}, "somelist.all(i, i >= 42)", ``, ``, isCaveated},
		// caveatmap.yaml
		{"caveatmap", []Param{{"somemap", "map<any>"}}, "somemap.foo == 42 && somemap.bar < 56", `{"somemap": {"foo": 42, "bar": 10}}`, ``, isTrue},
		{"caveatmap", []Param{{"somemap", "map<any>"}}, "somemap.foo == 42 && somemap.bar < 56", ``, `{"somemap":{"foo": 42, "bar": -2}}`, isTrue},
		{"caveatmap", []Param{{"somemap", "map<any>"}}, "somemap.foo == 42 && somemap.bar < 56", ``, ``, isCaveated},
		{"caveatmap", []Param{{"somemap", "map<any>"}}, "somemap.foo == 42 && somemap.bar < 56", `{"somemap": {"foo": 42, "bar": 57}}`, ``, isFalse},
		{"caveatmap", []Param{{"somemap", "map<any>"}}, "somemap.foo == 42 && somemap.bar < 56", ``, `{"somemap":{"foo": 41}}`, isFalse},
		{"caveatmap", []Param{{"somemap", "map<any>"}}, "somemap.foo == 42 && somemap.bar < 56", ``, `{"somemap":{"foo": 42, "bar": 56}}`, isFalse},
		// caveatexpiration.yaml
		{"caveatexpiration", []Param{{"current_time", "timestamp"}, {"expiration", "timestamp"}}, "current_time < expiration",
			`{"expiration":"2023-12-01T00:00:00Z"}`, `{"current_time":"2022-01-01T00:00:00Z"}`, isTrue},
		{"caveatexpiration", []Param{{"current_time", "timestamp"}, {"expiration", "timestamp"}}, "current_time < expiration",
			`{"expiration":"2024-12-01T00:00:00Z","current_time":"2023-01-01T00:00:00Z"}`, `{"current_time":"2025-01-01T00:00:00Z"}`, isTrue},
		{"caveatexpiration", []Param{{"current_time", "timestamp"}, {"expiration", "timestamp"}}, "current_time < expiration",
			`{"expiration":"2023-12-01T00:00:00Z"}`, `{"current_time":"2023-12-01T00:01:00Z"}`, isFalse},
	} {
		p, err := Compile(tc.file, tc.params, tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		var rel, req ctx
		for _, c := range []struct {
			src string
			dst *ctx
		}{{tc.rel, &rel}, {tc.req, &req}} {
			if c.src != "" {
				if err := json.Unmarshal([]byte(c.src), c.dst); err != nil {
					t.Fatalf("%s: %v", tc.file, err)
				}
			}
		}
		r, err := p.Eval(context.Background(), rel, req)
		got := isCaveated
		switch {
		case err != nil:
			t.Errorf("%s rel %s req %s: %v", tc.file, tc.rel, tc.req, err)
			continue
		case len(r.Missing) > 0:
		case r.Value:
			got = isTrue
		default:
			got = isFalse
		}
		if got != tc.want {
			t.Errorf("%s rel %s req %s: got %v (%+v), want %v (0 true, 1 false, 2 caveated)", tc.file, tc.rel, tc.req, got, r, tc.want)
		}
	}
}
