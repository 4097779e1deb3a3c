package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/octroi/octroi/internal/loadgen"
)

// benchCommands holds the load command.
func benchCommands() map[string]command {
	return map[string]command{
		"bench": {"load-test a server on this machine with the synthetic portal dataset, verifying every answer", runBench},
	}
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := loadgen.Defaults()
	fs := newFlags("bench", "[flags]", stderr)
	ef := &envFlags{fs: fs}
	ef.String(&cfg.Endpoint, "endpoint", "OCTROI_ENDPOINT", "server URL; loopback addresses only (this machine may only load-test itself); unix:/path for a forward-auth socket (--gateway-auth-addr; gateway operation only)")
	ef.String(&cfg.Token, "token", "OCTROI_TOKEN", "API token (prefer the environment to the command line)")
	fs.IntVar(&cfg.Relationships, "relationships", cfg.Relationships, "size of the synthetic dataset")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "dataset and query seed")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "concurrent requests")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "length of the drive phase (0: load only)")
	fs.Int64Var(&cfg.MaxRequests, "max-requests", cfg.MaxRequests, "stop the drive phase after this many requests")
	mix := fs.String("mix", loadgen.DefaultMix.String(), "relative weights of the operations: check, bulk, lookup, write, gateway")
	gatewayFile := fs.String("gateway-requests", "", "`file` of forward-auth requests for the gateway operation, one a line: expected status, method, URI, headers (Name: value), answer headers to verify (=Name: value; =Name: alone for none), tab-separated; use with --no-load against a portal server")
	fs.BoolVar(&cfg.Load, "load", true, "write the schema and import the dataset before driving")
	fs.StringVar(&cfg.LoadVia, "load-via", cfg.LoadVia, "how to load the dataset: import (the streamed import) or write (the batch write API)")
	fs.IntVar(&cfg.LoadBatch, "load-batch", cfg.LoadBatch, "--load-via write: relationships per write")
	fs.IntVar(&cfg.LoadWriters, "load-writers", cfg.LoadWriters, "--load-via write: writes at a time")
	noLoad := fs.Bool("no-load", false, "skip the load phase (the server already holds the dataset of this --relationships, --seed and --now)")
	fs.IntVar(&cfg.BulkSize, "bulk-size", cfg.BulkSize, "checks per bulk check call")
	fs.IntVar(&cfg.Queries, "queries", cfg.Queries, "distinct check queries (with known answers)")
	fs.IntVar(&cfg.LookupUsers, "lookup-users", cfg.LookupUsers, "distinct typical users whose searchable datasets are looked up")
	fs.IntVar(&cfg.WriteBatch, "write-batch", cfg.WriteBatch, "relationships touched per write")
	fs.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "time limit of one request (lookups get four times as long)")
	now := fs.String("now", "", "instant the dataset's expirations are drawn around, RFC 3339 or YYYY-MM-DD (default: midnight UTC today); a --no-load run must use the loading run's")
	fs.IntVar(&cfg.PID, "pid", 0, "server process id on this machine: report its resident memory (VmRSS) before, during and after the drive")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := ef.err(); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	if *noLoad {
		cfg.Load = false
	}
	m, err := loadgen.ParseMix(*mix)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg.Mix = m
	if *gatewayFile != "" {
		f, err := os.Open(*gatewayFile)
		if err != nil {
			return fmt.Errorf("%w: --gateway-requests: %w", errUsage, err)
		}
		cfg.GatewayRequests, err = loadgen.ReadGatewayRequests(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%w: --gateway-requests %s: %w", errUsage, *gatewayFile, err)
		}
	}
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, *now); err != nil {
				return fmt.Errorf("%w: --now %q: want RFC 3339 (2026-11-22T00:00:00Z) or a date (2026-11-22)", errUsage, *now)
			}
		}
		cfg.Now = t.UTC()
	}
	if _, err := loadgen.CheckLoopback(cfg.Endpoint); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if !*quiet {
		cfg.Log = stderr
	}
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		return err
	}
	if rep.Failed() {
		wrong := rep.Total.Mismatches
		if rep.Load != nil {
			wrong += rep.Load.Mismatches
		}
		fmt.Fprintf(stderr, "octroi bench: FAILED: %d wrong answers and %d failed requests; the throughput above is not to be trusted\n",
			wrong, rep.Total.Errors)
		for _, e := range rep.Examples {
			fmt.Fprintf(stderr, "  %s\n", e)
		}
		return errFailed
	}
	if ctx.Err() != nil {
		return errors.New("interrupted: the figures above cover the part that ran")
	}
	return nil
}
