// Package cli holds octroi's command line: a dispatcher and one file per
// command. Each command parses its own flags (with an OCTROI_* environment
// variable behind every one that configures a server or a client) and
// writes to the writers it is given, so commands are testable without a
// process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// command is one subcommand. run returns errUsage (wrapped or not) for bad
// arguments, errFailed when it has already told the user what failed.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var (
	errUsage  = errors.New("usage")
	errFailed = errors.New("failed")
)

// commands returns the command table: names of one or two words.
func commands() map[string]command {
	m := map[string]command{
		"validate":   {"check validation files (schema, relationships, assertions, expected relations)", runValidate},
		"schema fmt": {"format schema files canonically", runSchemaFmt},
	}
	maps.Copy(m, serverCommands())
	maps.Copy(m, benchCommands())
	return m
}

// Main runs the command line args (without the program name) and returns
// the process exit code: 0 success, 1 failure, 2 usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		return 0
	}
	name, rest := args[0], args[1:]
	if len(args) > 1 {
		if _, ok := cmds[args[0]+" "+args[1]]; ok {
			name, rest = args[0]+" "+args[1], args[2:]
		}
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "octroi: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		usage(stderr, cmds)
		return 2
	}
	err := cmd.run(ctx, rest, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		if msg := strings.TrimPrefix(err.Error(), errUsage.Error()); msg != "" {
			fmt.Fprintf(stderr, "octroi %s%s\n", name, msg)
		}
		return 2
	case errors.Is(err, errFailed):
		return 1
	}
	fmt.Fprintf(stderr, "octroi %s: %v\n", name, err)
	return 1
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "octroi — authorization server for open-data and geodata platforms")
	fmt.Fprintln(w, "octroi — serveur d'autorisations pour plateformes de données ouvertes et géographiques")
	fmt.Fprintln(w, "\nUsage: octroi COMMAND [flags] [arguments]   (octroi COMMAND --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, name := range slices.Sorted(maps.Keys(cmds)) {
		fmt.Fprintf(w, "  %-16s %s\n", name, cmds[name].summary)
	}
}

// newFlags returns a flag set that reports errors to stderr and whose usage
// line is "octroi NAME ARGS".
func newFlags(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: octroi %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage // the flag package has already printed why
	}
	return nil
}
