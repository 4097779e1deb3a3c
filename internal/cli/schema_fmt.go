package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/octroi/octroi/internal/schema"
)

// runSchemaFmt is "octroi schema fmt [-w] FILE…": it prints each schema
// formatted canonically, or rewrites the files with -w.
func runSchemaFmt(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schema fmt", "[-w] FILE… (- for standard input)", stderr)
	write := fs.Bool("w", false, "rewrite each file in place instead of printing it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: name at least one schema file, or - for standard input", errUsage)
	}
	failed := false
	for _, path := range fs.Args() {
		var src []byte
		var err error
		if path == "-" {
			src, err = io.ReadAll(os.Stdin)
		} else {
			src, err = os.ReadFile(path)
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed = true
			continue
		}
		s, err := schema.Parse(string(src))
		if err != nil {
			var list schema.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Fprintf(stderr, "%s:%s\n", path, e)
				}
			} else {
				fmt.Fprintf(stderr, "%s: %v\n", path, err)
			}
			failed = true
			continue
		}
		out := schema.Format(s)
		if *write && path != "-" {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				fmt.Fprintln(stderr, err)
				failed = true
			}
			continue
		}
		io.WriteString(stdout, out)
	}
	if failed {
		return errFailed
	}
	return nil
}
