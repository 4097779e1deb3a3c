package validation

import (
	"context"
	"path/filepath"
	"testing"
)

// corpusDir holds the project's own validation files: one small file per
// construct of the schema language and one per rule set of the source
// documents (DataSud, OpenDataSoft, Centreon MAP, Géoplateforme). Each file
// says in its header what it proves.
const corpusDir = "../../testdata/validation"

// knownEngineBugs lists corpus files that the engine currently gets wrong
// although the file follows SpiceDB's semantics. Such a file is still run
// and its failures still reported: the note only says where to look.
var knownEngineBugs = map[string]string{}

func TestCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no validation files in %s", corpusDir)
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			f, err := ReadFile(path)
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			for _, w := range f.Warnings {
				t.Errorf("warning: %v", w)
			}
			rep, err := Run(context.Background(), f, Options{Consistency: true})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(f.Assertions) == 0 && len(f.Validation) == 0 {
				t.Errorf("file has neither assertions nor validation")
			}
			if note, ok := knownEngineBugs[name]; ok && len(rep.Failures) > 0 {
				t.Errorf("known engine bug: %s", note)
			}
			for _, fail := range rep.Failures {
				t.Error(fail)
			}
		})
	}
}
