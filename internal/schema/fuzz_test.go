package schema

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, and that whatever it accepts
// formats to text that parses and formats to the same text again.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		"definition user {}",
		"use expiration\ndefinition user {}\ndefinition doc {\n relation viewer: user with expiration | user:* | doc#viewer\n permission view = viewer - nil + viewer.all(view) & (viewer->view)\n}",
		"caveat cav(a list<int>, m map<any>) { a.all(x, x > 1) && m[\"}\"] == '{' }\ndefinition user {}\ndefinition doc { relation viewer: user with cav\n}",
		"/** doc */\ndefinition a/b/cde { // c\n /* x */ relation rel: a/b/cde#rel // t\n}\n// end",
		"definition doc {\n permission aaa = bbb\n permission bbb = aaa\n}",
		"caveat c1x(a string) { a == '''\n}''' }",
		"definition doc { relation par: doc\n permission view = par->par->view }",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	files, _ := filepath.Glob("testdata/fmt/*.zed")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(src)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse returned a schema and an error")
			}
			if list, ok := err.(ErrorList); !ok || len(list) == 0 {
				t.Fatalf("Parse error: got %T %v, want a non-empty ErrorList", err, err)
			}
			return
		}
		checkFormatStable(t, s)
	})
}
