package messages

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// verbs returns the verb each argument of format gets, by argument index
// (explicit indexes such as %[2]s included), and whether format is well
// formed.
func verbs(format string) (map[int]string, bool) {
	out := map[int]string{}
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		if i < len(format) && format[i] == '[' {
			end := strings.IndexByte(format[i:], ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(format[i+1 : i+end])
			if err != nil || n < 1 {
				return nil, false
			}
			arg, i = n-1, i+end+1
		}
		for i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '.') {
			i++
		}
		if i == len(format) {
			return nil, false
		}
		if format[i] == '%' {
			continue
		}
		if v, ok := out[arg]; ok && v != string(format[i]) {
			return nil, false
		}
		out[arg] = string(format[i])
		arg++
	}
	return out, true
}

// TestEveryMessageInBothLanguages: no entry lacks a language, and both
// texts take the same arguments with the same verbs, so that a caller's
// arguments fit whichever language renders them.
func TestEveryMessageInBothLanguages(t *testing.T) {
	for key, e := range catalogue {
		if e.EN == "" || e.FR == "" {
			t.Errorf("%s: got EN %q FR %q, want both", key, e.EN, e.FR)
			continue
		}
		en, ok1 := verbs(e.EN)
		fr, ok2 := verbs(e.FR)
		if !ok1 || !ok2 {
			t.Errorf("%s: malformed format (EN ok %v, FR ok %v)", key, ok1, ok2)
			continue
		}
		if len(en) != len(fr) {
			t.Errorf("%s: got %d arguments in EN, %d in FR, want the same", key, len(en), len(fr))
		}
		for i, v := range en {
			if fr[i] != v {
				t.Errorf("%s: argument %d is %%%s in EN, got %%%s in FR", key, i+1, v, fr[i])
			}
		}
	}
}

func TestVerbs(t *testing.T) {
	for _, tt := range []struct {
		format string
		want   string // arg:verb, in order of index
		ok     bool
	}{
		{"plain", "", true},
		{"100%% sure", "", true},
		{"%s at %d", "0:s 1:d", true},
		{"%[2]s before %[1]s", "0:s 1:s", true},
		{"%-8.2f %U", "0:f 1:U", true},
		{"%[1]s then %[1]d", "", false},
		{"trailing %", "", false},
	} {
		got, ok := verbs(tt.format)
		var s []string
		for i := range len(got) {
			s = append(s, strconv.Itoa(i)+":"+got[i])
		}
		if ok != tt.ok || (ok && strings.Join(s, " ") != tt.want) {
			t.Errorf("verbs(%q): got %v %v, want %q %v", tt.format, s, ok, tt.want, tt.ok)
		}
	}
}

func TestIn(t *testing.T) {
	reason := New("explain.via_default", New("level.download"))
	for _, tt := range []struct {
		name string
		m    Text
		l    Lang
		want string
	}{
		{"zero", Message{}, French, ""},
		{"no arguments", New("portal.lacks_any"), French, "Vous ne pouvez pas faire cela."},
		{"nested", New("portal.lacks", New("right.dataset#edit", "X")), English, "You may not edit dataset X (editors and delegated administrators of its organisation)."},
		{"nested in French", New("portal.lacks", New("right.dataset#edit", "X")), French, "Vous ne pouvez pas modifier le jeu de données X (éditeurs et administrateurs délégués de son organisation)."},
		{"quote", New("invalid.reserved", "id", Quote("a\"b")), English, `id "a\"b" is reserved`},
		{"quote in French", New("invalid.reserved", "id", Quote("a\u202Eb")), French, `id « a\u202eb » est réservé`},
		{"list", List{"sep.semicolon", []Message{reason, reason}}, French, "par le niveau par défaut du jeu de données (tout le monde) : « téléchargement » ; par le niveau par défaut du jeu de données (tout le monde) : « téléchargement »"},
		{"verbatim", Verbatim("disk full: 100%"), French, "disk full: 100%"},
		{"unknown language", New("level.private"), Lang("de"), "private"},
		{"missing key", New("no.such", 1), English, "!(no.such)1"},
	} {
		if got := tt.m.In(tt.l); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, tt := range []struct {
		accept string
		want   Lang
	}{
		{"", English},
		{"fr-FR,fr;q=0.9,en;q=0.8", French},
		{"de, en;q=0.5", English},
		{"de, fr;q=0.5", French},
		{"en-GB, fr;q=0.9", English},
		{"!!garbage", English},
	} {
		if got := Negotiate(tt.accept); got != tt.want {
			t.Errorf("Negotiate(%q): got %s, want %s", tt.accept, got, tt.want)
		}
	}
}

// keyFuncs are the functions whose first string literal argument is a
// key of the catalogue: New here, and the helpers of the packages that
// speak through it.
var keyFuncs = map[string]bool{"New": true, "invalid": true, "conflict": true, "notFound": true, "refuse": true, "say": true}

// TestEveryKeyInCodeIsInTheCatalogue: a key written in code but missing
// from the catalogue would show as "!(key)" to people; keys built from data
// (rights, nouns) are checked by their packages.
func TestEveryKeyInCodeIsInTheCatalogue(t *testing.T) {
	files, _ := filepath.Glob("../*/*.go")
	fs := token.NewFileSet()
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fs, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var fn string
			switch c := call.Fun.(type) {
			case *ast.Ident:
				fn = c.Name
			case *ast.SelectorExpr:
				if x, ok := c.X.(*ast.Ident); !ok || x.Name != "messages" {
					return true
				}
				fn = c.Sel.Name
			}
			if !keyFuncs[fn] {
				return true
			}
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				key, _ := strconv.Unquote(lit.Value)
				seen++
				if !Has(Key(key)) {
					t.Errorf("%s: key %q is not in the catalogue", fs.Position(lit.Pos()), key)
				}
				break
			}
			return true
		})
	}
	if seen == 0 {
		t.Error("found no key in the code: has the scan lost its way?")
	}
}
