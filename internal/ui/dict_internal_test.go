package ui

import (
	"html/template"
	"reflect"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
)

func TestDictPairsKeysWithValues(t *testing.T) {
	got, err := dict("Path", "/communities/c", "Manage", true, "Lines", []memberLine{{Name: "Lina"}}, "Roles", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Path": "/communities/c", "Manage": true, "Lines": []memberLine{{Name: "Lina"}}, "Roles": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dict = %#v, want %#v", got, want)
	}
	if got, err := dict(); err != nil || len(got) != 0 {
		t.Errorf("dict() = %v, %v; want an empty map", got, err)
	}
}

func TestDictRefusesWhatIsNotPairs(t *testing.T) {
	for _, c := range []struct {
		args []any
		says string
	}{
		{[]any{"Path"}, "1 arguments"},
		{[]any{"Path", "/x", "Manage"}, "3 arguments"},
		{[]any{1, "one"}, "key 1 is int"},
		{[]any{"Path", "/x", template.HTML("Name"), "n"}, "key 2 is template.HTML"},
		{[]any{"Path", "/x", nil, "n"}, "key 2 is <nil>"},
		{[]any{"Path", "/x", "Path", "/y"}, `"Path" given twice`},
	} {
		if m, err := dict(c.args...); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("dict(%v) = %v, %v; want an error saying %q", c.args, m, err, c.says)
		}
	}
}

// A page that calls a part with a bad dict fails, rather than drawing
// the part without its values.
func TestDictFailsThePage(t *testing.T) {
	tm := template.Must(template.New("p").Funcs(funcs(locale{lang: messages.French})).Parse(
		`{{define "part"}}{{.A}}-{{.B}}{{end}}{{template "part" (dict "A" 1 "B" .)}}|{{if .}}{{template "part" (dict "A" 1 "B")}}{{end}}`))
	var b strings.Builder
	if err := tm.Execute(&b, false); err != nil || b.String() != "1-false|" {
		t.Fatalf("good dict: %q, %v", b.String(), err)
	}
	b.Reset()
	if err := tm.Execute(&b, true); err == nil || !strings.Contains(err.Error(), "3 arguments") {
		t.Errorf("odd dict: %q, %v; want the page to fail", b.String(), err)
	}
}
