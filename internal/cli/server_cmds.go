package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/server"
)

// serverCommands returns the commands that run or talk to a server.
func serverCommands() map[string]command {
	m := map[string]command{
		"serve":             {"run the authorization server (HTTP API, health, metrics)", runServe},
		"migrate":           {"create or upgrade the database schema", runMigrate},
		"token create":      {"create an operator token for the low-level API, on the database directly (printed once; only its hash is stored)", runTokenCreate},
		"token list":        {"list operator tokens, with their last use", runTokenList},
		"token revoke":      {"revoke an operator token by id or name (every server refuses it within its poll interval)", runTokenRevoke},
		"admin create-user": {"create a portal account (or add roles to it) and print a personal token for it, on the database directly", runAdminCreateUser},
	}
	maps.Copy(m, clientCommands())
	return m
}

// envFlags registers flags whose defaults come from OCTROI_* variables;
// a variable that does not parse is reported by err, after Parse.
type envFlags struct {
	fs   *flag.FlagSet
	errs []error
}

func (e *envFlags) lookup(env string) (string, bool) {
	v, ok := os.LookupEnv(env)
	return v, ok && v != ""
}

func (e *envFlags) usage(u, env string) string { return u + " (env " + env + ")" }

func (e *envFlags) String(p *string, name, env, usage string) {
	if v, ok := e.lookup(env); ok {
		*p = v
	}
	e.fs.StringVar(p, name, *p, e.usage(usage, env))
}

func (e *envFlags) Bool(p *bool, name, env, usage string) {
	if v, ok := e.lookup(env); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want true or false", env, v))
		}
		*p = b
	}
	e.fs.BoolVar(p, name, *p, e.usage(usage, env))
}

func (e *envFlags) Int(p *int, name, env, usage string) {
	if v, ok := e.lookup(env); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want an integer", env, v))
		}
		*p = n
	}
	e.fs.IntVar(p, name, *p, e.usage(usage, env))
}

func (e *envFlags) Int64(p *int64, name, env, usage string) {
	if v, ok := e.lookup(env); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want an integer", env, v))
		}
		*p = n
	}
	e.fs.Int64Var(p, name, *p, e.usage(usage, env))
}

func (e *envFlags) Duration(p *time.Duration, name, env, usage string) {
	if v, ok := e.lookup(env); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want a duration such as 30s or 5m", env, v))
		}
		*p = d
	}
	e.fs.DurationVar(p, name, *p, e.usage(usage, env))
}

func (e *envFlags) err() error {
	if len(e.errs) > 0 {
		return fmt.Errorf("%w: %w", errUsage, errors.Join(e.errs...))
	}
	return nil
}

// storeFlags are the flags that locate the database.
func storeFlags(ef *envFlags, cfg *server.Config) {
	ef.String(&cfg.DataDir, "data-dir", "OCTROI_DATA_DIR", "directory of the SQLite database (when --datastore is empty)")
	ef.String(&cfg.Datastore, "datastore", "OCTROI_DATASTORE", "database: empty for SQLite in the data dir, sqlite:PATH, or a postgres:// URL")
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := server.Default()
	fs := newFlags("serve", "[flags]", stderr)
	ef := &envFlags{fs: fs}
	storeFlags(ef, &cfg)
	ef.String(&cfg.Listen, "listen", "OCTROI_LISTEN", "HTTP listen address")
	ef.String(&cfg.MetricsAddr, "metrics-addr", "OCTROI_METRICS_ADDR", "`address` of a listener of its own for /metrics, without authentication (bind it to a private address, e.g. 127.0.0.1:9464); empty: /metrics on the API port, for operator tokens only")
	ef.Int(&cfg.MaxConns, "max-conns", "OCTROI_MAX_CONNS", "most open connections on the API port; more wait to be accepted (keep it below the open-file limit, ulimit -n)")
	ef.Int(&cfg.MaxConnsPerIP, "max-conns-per-ip", "OCTROI_MAX_CONNS_PER_IP", "most open connections of one remote address, more are closed at once (0: no bound; keep 0 behind a reverse proxy)")
	ef.Duration(&cfg.BodyTimeout, "body-timeout", "OCTROI_BODY_TIMEOUT", "time limit for a client to send a request body (an import's: longest pause); the connection is closed after it")
	ef.Duration(&cfg.WriteTimeout, "write-timeout", "OCTROI_WRITE_TIMEOUT", "time limit for a client to take each write of an answer (a stream lasts as long as its client reads)")
	var tokens string
	ef.String(&tokens, "token", "OCTROI_TOKEN", "comma-separated operator `tokens` accepted besides those that octroi token create stores in the database; prefer the environment to the command line")
	ef.String(&cfg.TokenHashesFile, "token-hashes-file", "OCTROI_TOKEN_HASHES_FILE", "`file` of accepted operator tokens' hex SHA-256 hashes, one per line, read at start")
	ef.Bool(&cfg.NoAuth, "no-auth", "OCTROI_NO_AUTH", "serve the low-level API without authentication (development only)")
	ef.Bool(&cfg.NoPortal, "no-portal", "OCTROI_NO_PORTAL", "serve only the relationship API, with your own schema, without the data portal")
	var demo bool
	ef.Bool(&demo, "demo", "OCTROI_DEMO", "load a demo data platform into an empty database and print its accounts' personal tokens (DEMO ONLY)")
	ef.Int64(&cfg.MaxRequestBytes, "max-request-bytes", "OCTROI_MAX_REQUEST_BYTES", "largest JSON request body")
	ef.Int64(&cfg.MaxImportBytes, "max-import-bytes", "OCTROI_MAX_IMPORT_BYTES", "largest import body (0: unbounded)")
	ef.Duration(&cfg.RequestTimeout, "request-timeout", "OCTROI_REQUEST_TIMEOUT", "time limit of a request (streams excepted)")
	ef.Duration(&cfg.ConsistencyTimeout, "consistency-timeout", "OCTROI_CONSISTENCY_TIMEOUT", "how long a read waits for the index to reach the revision it asks for")
	ef.Duration(&cfg.ShutdownTimeout, "shutdown-timeout", "OCTROI_SHUTDOWN_TIMEOUT", "how long shutdown waits for in-flight requests")
	ef.Int(&cfg.MaxBatch, "max-batch", "OCTROI_MAX_BATCH", "most updates per write, items per bulk check, results per page")
	ef.Int(&cfg.ImportBatch, "import-batch", "OCTROI_IMPORT_BATCH", "relationships per import transaction (0: the store's default)")
	ef.Duration(&cfg.ChangelogRetention, "changelog-retention", "OCTROI_CHANGELOG_RETENTION", "how long the changelog (watch, followers) and expired relationships are kept")
	ef.Duration(&cfg.IndexRetention, "index-retention", "OCTROI_INDEX_RETENTION", "how long old revisions stay readable in memory (lookup cursors)")
	ef.Duration(&cfg.GCInterval, "gc-interval", "OCTROI_GC_INTERVAL", "how often old revisions and changelog entries are collected (0: never)")
	ef.Duration(&cfg.PollInterval, "poll-interval", "OCTROI_POLL_INTERVAL", "how often the changelog is polled for other processes' writes, and operator tokens re-read (a revoked token is refused within it)")
	ef.Duration(&cfg.ReadyLag, "ready-lag", "OCTROI_READY_LAG", "/readyz fails when the index has lagged the database for longer")
	ef.String(&cfg.LogLevel, "log-level", "OCTROI_LOG_LEVEL", "debug, info, warn or error")
	ef.String(&cfg.LogFormat, "log-format", "OCTROI_LOG_FORMAT", "text or json")
	expiry := "30,7"
	mailFlags(ef, &cfg.Mail, &expiry)
	ef.String(&cfg.GatewayTrustedProxies, "gateway-trusted-proxies", "OCTROI_GATEWAY_TRUSTED_PROXIES", "comma-separated `CIDRs` of the reverse proxies whose X-Forwarded-For /gateway/auth believes for the client's address (key IP filters); empty: none, the connection's peer is the client")
	ef.Duration(&cfg.UsageRetention, "usage-retention", "OCTROI_USAGE_RETENTION", "how long the gateway's usage log (every decision, summed per key, service, grant and day) is kept")
	ef.String(&cfg.GatewayAddr, "gateway-addr", "OCTROI_GATEWAY_ADDR", "`address` of the gateway's proxy mode: a listener of its own serving every map service at its public path, in front of its upstream (capabilities filtered per key); empty: no proxy mode")
	ef.String(&cfg.GatewayPublicURL, "gateway-public-url", "OCTROI_GATEWAY_PUBLIC_URL", "`URL` (scheme and host, like https://maps.example.org) clients reach --gateway-addr at, for the URLs of rewritten capabilities; empty: the request's Host")
	ef.String(&cfg.GatewayAuthAddr, "gateway-auth-addr", "OCTROI_GATEWAY_AUTH_ADDR", "`address` of a listener of its own serving forward-auth alone (/gateway/auth) through a lean, strict HTTP/1.1 server, the fastest way for nginx, Caddy or Traefik to ask; unix:/path listens on a Unix socket (cheaper still; its peers count as 127.0.0.1); plain HTTP: keep it where only the proxies reach it; empty: none (/gateway/auth is served on --listen either way)")
	signInFlags(ef, &cfg.SignIn)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var err error
	if cfg.Mail.ExpiryNoticeDays, err = expiryDays(expiry); err != nil {
		return err
	}
	if err := ef.err(); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	for _, t := range strings.Split(tokens, ",") {
		if t = strings.TrimSpace(t); t != "" {
			cfg.Tokens = append(cfg.Tokens, t)
		}
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if !demo {
		return server.Run(ctx, cfg, newLogger(cfg, stderr), func(addr string) {
			fmt.Fprintf(stderr, "octroi serving on http://%s\n", addr)
		})
	}
	return serveDemo(ctx, cfg, newLogger(cfg, stderr), stdout, stderr)
}

func newLogger(cfg server.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := server.Default()
	fs := newFlags("migrate", "[flags]", stderr)
	ef := &envFlags{fs: fs}
	storeFlags(ef, &cfg)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := ef.err(); err != nil {
		return err
	}
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}
