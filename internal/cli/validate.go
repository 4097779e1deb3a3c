package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/octroi/octroi/internal/validation"
)

// runValidate is "octroi validate [flags] FILE…".
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", "[flags] FILE…", stderr)
	consistency := fs.Bool("consistency", false, "also check every (resource, permission, subject) pair and that every API agrees on it")
	update := fs.Bool("update-validation", false, "write the computed `validation` section back into each file")
	print := fs.Bool("print-validation", false, "print the computed `validation` section of each file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: name at least one validation file", errUsage)
	}
	failed := false
	for _, path := range fs.Args() {
		if !validateFile(ctx, path, *consistency, *update, *print, stdout, stderr) {
			failed = true
		}
	}
	if failed {
		return errFailed
	}
	return nil
}

func validateFile(ctx context.Context, path string, consistency, update, print bool, stdout, stderr io.Writer) bool {
	f, err := validation.ReadFile(path)
	if err == nil {
		for _, w := range f.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
		var rep *validation.Report
		if rep, err = validation.Run(ctx, f, validation.Options{Consistency: consistency}); err == nil {
			return report(path, rep, update, print, stdout, stderr)
		}
	}
	var list validation.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(stderr, e)
		}
	} else {
		fmt.Fprintf(stderr, "%s: %v\n", path, err)
	}
	return false
}

func report(path string, rep *validation.Report, update, print bool, stdout, stderr io.Writer) bool {
	if print {
		fmt.Fprintf(stdout, "# %s\nvalidation:\n%s", path, indent(validation.FormatValidation(rep.Computed)))
	}
	if update {
		data, err := os.ReadFile(path)
		if err == nil {
			data, err = validation.ReplaceValidation(data, rep.Computed)
		}
		if err == nil {
			err = os.WriteFile(path, data, 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: writing the validation section: %v\n", path, err)
			return false
		}
	}
	for _, e := range rep.Failures {
		fmt.Fprintln(stderr, e)
	}
	status := "ok"
	if len(rep.Failures) > 0 {
		status = fmt.Sprintf("FAIL (%d failures)", len(rep.Failures))
	}
	fmt.Fprintf(stdout, "%s %s: %d assertions, %d expected relations", status, path, rep.Assertions, rep.Validations)
	if rep.Pairs > 0 {
		fmt.Fprintf(stdout, ", %d pairs consistent across check, bulk check, lookups and expand", rep.Pairs)
	}
	fmt.Fprintln(stdout)
	return len(rep.Failures) == 0
}

func indent(b []byte) string {
	out := make([]byte, 0, len(b)+len(b)/8)
	start := true
	for _, c := range b {
		if start && c != '\n' {
			out = append(out, ' ', ' ')
		}
		out = append(out, c)
		start = c == '\n'
	}
	return string(out)
}
