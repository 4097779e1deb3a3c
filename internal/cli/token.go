package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store"
)

// The token commands work on the database directly, like migrate and admin
// create-user: they are how the first operator token comes to exist, and
// running servers read the tokens from there (within their follower's
// delay).

// tokenActor is the audit log's actor for the token commands: whoever runs
// them holds the database, not an account.
const tokenActor = "operator-cli"

// tokenFlags parses the flags that locate the database, plus those
// register adds; it returns the configuration.
func tokenFlags(name, usage string, args []string, stderr io.Writer, register func(*envFlags)) (server.Config, []string, error) {
	cfg := server.Default()
	fs := newFlags(name, usage, stderr)
	ef := &envFlags{fs: fs}
	storeFlags(ef, &cfg)
	if register != nil {
		register(ef)
	}
	if err := parseFlags(fs, args); err != nil {
		return cfg, nil, err
	}
	return cfg, fs.Args(), ef.err()
}

// openDocuments opens the database cfg names, which must be migrated, for
// its documents. close closes it.
func openDocuments(ctx context.Context, cfg server.Config) (docs store.Documents, closeDB func(), err error) {
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := st.CheckVersion(ctx); err != nil {
		st.Close()
		var ve *store.VersionError
		if errors.As(err, &ve) {
			return nil, nil, ve // its message says what to run
		}
		return nil, nil, fmt.Errorf("checking the database version: %w", err)
	}
	return st, func() { st.Close() }, nil
}

func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var name string
	cfg, rest, err := tokenFlags("token create", "--name NAME [flags]", args, stderr, func(ef *envFlags) {
		ef.fs.StringVar(&name, "name", "", "what or who uses the token (required, unique)")
	})
	if err != nil {
		return err
	}
	if name == "" || len(rest) > 0 {
		return fmt.Errorf("%w: --name is required, and nothing else", errUsage)
	}
	docs, closeDB, err := openDocuments(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	tok, secret, err := credentials.CreateOperatorToken(ctx, docs, tokenActor, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	fmt.Fprintf(stderr, "operator token %s (%s) created; it is shown only now: store it safely. Running servers accept it within their poll interval.\n", tok.ID, tok.Name)
	return nil
}

func runTokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := tokenFlags("token list", "[flags]", args, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	docs, closeDB, err := openDocuments(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	toks, err := credentials.OperatorTokens(ctx, docs)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST USED")
	for _, t := range toks {
		used := "never"
		if t.LastUsed != nil {
			used = t.LastUsed.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Created.Format(time.RFC3339), used)
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := tokenFlags("token revoke", "[flags] ID|NAME", args, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: give the id or name of one token", errUsage)
	}
	docs, closeDB, err := openDocuments(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	tok, err := credentials.RevokeOperatorToken(ctx, docs, tokenActor, rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %s (%s)\n", tok.ID, tok.Name)
	fmt.Fprintln(stderr, "running servers refuse it within their poll interval")
	return nil
}
