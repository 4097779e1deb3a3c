package conformance

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestFindHonoursTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"top.yaml", "v1/nested.yaml", "v1/notes.md"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("schema: ''\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvDir, dir)
	got, where := find()
	want := []string{filepath.Join(dir, "top.yaml"), filepath.Join(dir, "v1", "nested.yaml")}
	if !reflect.DeepEqual(got, want) || where != dir {
		t.Fatalf("find() = %v in %s, want %v in %s", got, where, want, dir)
	}

	t.Setenv(EnvDir, t.TempDir())
	if got, _ := find(); len(got) != 0 {
		t.Fatalf("an empty folder: got %v, want no files", got)
	}
}
