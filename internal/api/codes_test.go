package api

import (
	"encoding/json"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/problem"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCodeTableIsTheOpenAPIEnum proves that one table holds every code:
// each Code constant of package problem has a status and both titles, and
// the OpenAPI Problem.code enum lists exactly the codes a client can
// receive.
func TestCodeTableIsTheOpenAPIEnum(t *testing.T) {
	fs := token.NewFileSet()
	f, err := parser.ParseFile(fs, "../problem/codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || !strings.HasPrefix(vs.Names[0].Name, "Code") {
			return true
		}
		lit := vs.Values[0].(*ast.BasicLit)
		v, _ := strconv.Unquote(lit.Value)
		consts = append(consts, v)
		return true
	})
	var sent []string
	for _, c := range consts {
		st := problem.Status(c)
		en, fr := problem.Title(c, st, messages.English), problem.Title(c, st, messages.French)
		if st == 0 || en == "" || fr == "" || en == fr && en == http.StatusText(st) {
			t.Errorf("code %q: status and both titles are required, got %d %q %q", c, st, en, fr)
		}
		if c != CodeClientClosedRequest {
			sent = append(sent, c)
		}
	}
	if n := len(problem.Codes()); n != len(consts) {
		t.Errorf("the code table has %d codes, the constants %d", n, len(consts))
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Problem struct {
					Properties struct {
						Code struct {
							Enum []string `json:"enum"`
						} `json:"code"`
					} `json:"properties"`
				} `json:"Problem"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	enum := doc.Components.Schemas.Problem.Properties.Code.Enum
	slices.Sort(enum)
	slices.Sort(sent)
	if !slices.Equal(enum, sent) {
		t.Errorf("OpenAPI Problem.code enum = %v\nwant the codes sent = %v", enum, sent)
	}
}

func TestProblemSpeaksTheCallersLanguage(t *testing.T) {
	e := &Error{Status: http.StatusForbidden, Code: CodeForbidden, Msg: "you may not", FR: "vous ne pouvez pas"}
	for _, tt := range []struct{ accept, lang, title, detail string }{
		{"", "en", "Not allowed", "you may not"},
		{"fr-FR,fr;q=0.9,en;q=0.8", "fr", "Action non autorisée", "vous ne pouvez pas"},
		{"de, en;q=0.5", "en", "Not allowed", "you may not"},
		{"de, fr;q=0.5", "fr", "Action non autorisée", "vous ne pouvez pas"},
		{"!!garbage", "en", "Not allowed", "you may not"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", tt.accept)
		l := lang(r)
		p := e.problem(l)
		if l != tt.lang || p.Title != tt.title || p.Detail != tt.detail {
			t.Errorf("Accept-Language %q: got %s %q %q, want %s %q %q", tt.accept, l, p.Title, p.Detail, tt.lang, tt.title, tt.detail)
		}
	}
	// Without a French text, the detail stays English under a French title.
	p := (&Error{Status: 400, Code: CodeInvalidArgument, Msg: "bad"}).problem("fr")
	if p.Title != "Argument invalide" || p.Detail != "bad" {
		t.Errorf("got %q %q", p.Title, p.Detail)
	}
}

// TestBodyTypeErrorSpeaksTheCallersLanguage: the words of a JSON type
// error come from the catalogue in both languages.
func TestBodyTypeErrorSpeaksTheCallersLanguage(t *testing.T) {
	for _, tt := range []struct {
		field, en, fr string
	}{
		{"items", `field "items": expected an array, got string`, "champ « items » : il faut un tableau, reçu string"},
		{"", "the body: expected an array, got string", "le corps : il faut un tableau, reçu string"},
	} {
		err := bodyError(&json.UnmarshalTypeError{Value: "string", Type: reflect.TypeFor[[]int](), Field: tt.field})
		e := toError(err)
		if e.Code != CodeInvalidJSON || e.Status != http.StatusBadRequest || e.problem("en").Detail != tt.en || e.problem("fr").Detail != tt.fr {
			t.Errorf("field %q: got %d %s %q / %q, want 400 invalid_json %q / %q", tt.field, e.Status, e.Code, e.problem("en").Detail, e.problem("fr").Detail, tt.en, tt.fr)
		}
	}
}
