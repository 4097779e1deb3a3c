package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidate(t *testing.T) {
	code, out, _ := run(t, "validate", "--consistency", "testdata/good.yaml")
	if code != 0 || !strings.Contains(out, "ok testdata/good.yaml: 2 assertions") {
		t.Errorf("good file: exit %d, output %q", code, out)
	}
	code, _, errs := run(t, "validate", "testdata/bad.yaml")
	if code != 1 || !strings.Contains(errs, "testdata/bad.yaml:12:7:") || !strings.Contains(errs, "doc:1#view@user:bob: expected has_permission, got no_permission") {
		t.Errorf("bad file: exit %d, stderr %q; want exit 1 and the failing assertion with its line", code, errs)
	}
	if code, _, _ := run(t, "validate"); code != 2 {
		t.Errorf("no file: exit %d, want 2", code)
	}
}

func TestValidateWritesTheComputedSection(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.yaml")
	data, err := os.ReadFile("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "validate", "--update-validation", path); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got, _ := os.ReadFile(path)
	if !strings.Contains(string(got), "[user:ann] is <doc:1#viewer>") {
		t.Errorf("the file lacks the computed section:\n%s", got)
	}
	// The file with its section still validates, now checking the section.
	if code, out, errs := run(t, "validate", path); code != 0 || !strings.Contains(out, "expected relations") {
		t.Errorf("exit %d: %s %s", code, out, errs)
	}
}

func TestSchemaFmt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.zed")
	if err := os.WriteFile(path, []byte("definition user {}\ndefinition doc { relation viewer: user\npermission view = (viewer) }"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "schema", "fmt", path)
	want := "definition user {}\n\ndefinition doc {\n    relation viewer: user\n    permission view = viewer\n}\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, got %q, want %q (%s)", code, out, want, errs)
	}
	if err := os.WriteFile(path, []byte("definition doc {\n  relation viewer: nobody\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, "schema", "fmt", path)
	if code != 1 || !strings.Contains(errs, path+":2:") {
		t.Errorf("bad schema: exit %d, stderr %q; want exit 1 and path:line:col", code, errs)
	}
}
