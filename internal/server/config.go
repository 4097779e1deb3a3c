package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/gateway"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/postgres"
	"github.com/octroi/octroi/internal/store/sqlite"
)

// Config is everything `octroi serve` can be told. The CLI builds it from
// flags and OCTROI_* environment variables; Default gives the values used
// for what they leave out.
type Config struct {
	// DataDir holds the SQLite database when Datastore is empty.
	DataDir string
	// Datastore selects the database: "" for DataDir/octroi.db, a
	// "sqlite:PATH" for another SQLite file, a postgres:// or
	// postgresql:// URL for PostgreSQL.
	Datastore string
	// Listen is the HTTP listen address.
	Listen string
	// MetricsAddr, when set, is the address of a listener of its own for
	// /metrics, without authentication (bind it to a private address);
	// the API port then does not serve /metrics. Empty: /metrics is on the
	// API port, for operator tokens only.
	MetricsAddr string
	// MaxConns bounds the open connections of the API listener: beyond
	// it, new connections wait to be accepted. Keep it below the
	// process's open-file limit, or the limit does the bounding, by
	// refusing files to everything (the database included). Each
	// connection takes a slot for as long as it is open, so BodyTimeout
	// and WriteTimeout are what make slots come back from stalled
	// clients. MaxConnsPerIP (0: no bound) closes at once the
	// connections of a remote address that has that many open; leave it
	// 0 behind a reverse proxy, where every connection comes from it.
	MaxConns      int
	MaxConnsPerIP int
	// BodyTimeout bounds how long a client may take to send a request
	// body (an import's: how long it may pause); WriteTimeout how long
	// each write of an answer may wait for the client to read it.
	BodyTimeout  time.Duration
	WriteTimeout time.Duration

	// Tokens are operator tokens given in clear (OCTROI_TOKEN), accepted
	// besides those stored in the database (`octroi token create`) and
	// those of TokenHashesFile.
	Tokens []string
	// TokenHashesFile names a file of hex SHA-256 hashes of accepted
	// operator tokens, one per line (# comments allowed), read at start.
	TokenHashesFile string
	// NoAuth serves the low-level API without authentication (development
	// only). Portal endpoints always need a personal token.
	NoAuth bool

	// NoPortal serves only the relationship API, with whatever schema the
	// operator writes. By default the server runs the data portal: it
	// applies the built-in portal schema at start (refusing to start when
	// stored relationships use what that schema lacks), keeps it, and
	// serves the portal endpoints.
	NoPortal bool
	// Platform is the portal's platform object id (default "main").
	Platform string

	// MaxRequestBytes bounds a JSON request body; MaxImportBytes an import
	// body (0: unbounded).
	MaxRequestBytes int64
	MaxImportBytes  int64
	// RequestTimeout bounds every non-streaming request.
	RequestTimeout time.Duration
	// ConsistencyTimeout bounds how long a read waits for the index to
	// reach the revision it asks for.
	ConsistencyTimeout time.Duration
	// ShutdownTimeout bounds how long shutdown waits for in-flight
	// requests.
	ShutdownTimeout time.Duration
	// MaxBatch bounds the updates of a write, the items of a bulk check
	// and a page.
	MaxBatch int
	// ImportBatch is the number of relationships per import transaction
	// (0: the store's default).
	ImportBatch int

	// ChangelogRetention is how long the store keeps changelog entries
	// (and expired relationships); followers and watchers further behind
	// must reload.
	ChangelogRetention time.Duration
	// IndexRetention is how long the index keeps deleted relationships so
	// that reads pinned to an older revision (lookup cursors) still work.
	IndexRetention time.Duration
	// GCInterval is how often both are collected (0 disables GC).
	GCInterval time.Duration
	// PollInterval is how often the changelog is polled besides the
	// store's wake-ups (which do not cross processes on SQLite), and how
	// often the operator tokens are re-read: a token revoked on any node
	// is refused by this one within PollInterval.
	PollInterval time.Duration
	// ReadyLag: /readyz fails when the index has not been caught up with
	// the store for longer than this.
	ReadyLag time.Duration

	// LogLevel is debug, info, warn or error; LogFormat text or json.
	LogLevel  string
	LogFormat string

	// Mail is how the portal's e-mails are sent (mail.go).
	Mail MailConfig
	// GatewayTrustedProxies: comma-separated CIDR prefixes (or addresses)
	// of the reverse proxies whose X-Forwarded-For the gateway's
	// forward-auth believes for the client's address; empty (the
	// default): none, the connection's peer is the client.
	GatewayTrustedProxies string
	// UsageRetention: how long the gateway's usage log is kept.
	UsageRetention time.Duration
	// GatewayAddr, when set, is the address of a listener of its own on
	// which the gateway's proxy mode serves every map service at its
	// public path (gateway.Proxy); empty: no proxy mode.
	GatewayAddr string
	// GatewayPublicURL is the scheme and host clients reach GatewayAddr
	// at (https://maps.example.org), written into rewritten capabilities;
	// empty: the request's Host (and, from a trusted proxy,
	// X-Forwarded-Proto and X-Forwarded-Host).
	GatewayPublicURL string
	// GatewayAuthAddr, when set, is the address of a listener of its own
	// serving forward-auth alone (/gateway/auth) through the lean HTTP/1.1
	// server gateway.AuthServer, for the reverse proxies that ask it
	// once per map request; /gateway/auth stays on the main listener too.
	// "unix:" and an absolute path listens on a Unix socket.
	GatewayAuthAddr string
	// SignIn is how people sign in (signin.go).
	SignIn SignInConfig
}

// Default returns the default configuration.
func Default() Config {
	return Config{
		DataDir:            "./octroi-data",
		Listen:             "127.0.0.1:8080",
		MaxConns:           1000,
		BodyTimeout:        10 * time.Second,
		WriteTimeout:       30 * time.Second,
		MaxRequestBytes:    4 << 20,
		RequestTimeout:     30 * time.Second,
		ConsistencyTimeout: 5 * time.Second,
		ShutdownTimeout:    30 * time.Second,
		MaxBatch:           1000,
		ChangelogRetention: 24 * time.Hour,
		IndexRetention:     10 * time.Minute,
		GCInterval:         10 * time.Minute,
		PollInterval:       time.Second,
		ReadyLag:           10 * time.Second,
		LogLevel:           "info",
		LogFormat:          "text",
		Platform:           "main",
		Mail:               MailConfig{SMTPTLS: "starttls", ExpiryCheckInterval: 10 * time.Minute},
		UsageRetention:     90 * 24 * time.Hour,
	}
}

// Validate reports the first unusable value.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data dir is empty"))
	}
	if c.MaxRequestBytes <= 0 || c.MaxImportBytes < 0 {
		errs = append(errs, errors.New("request size limits must be positive"))
	}
	if c.RequestTimeout <= 0 || c.ConsistencyTimeout <= 0 || c.ShutdownTimeout <= 0 || c.PollInterval <= 0 || c.ReadyLag <= 0 {
		errs = append(errs, errors.New("timeouts and intervals must be positive"))
	}
	if c.BodyTimeout <= 0 || c.WriteTimeout <= 0 {
		errs = append(errs, errors.New("body and write timeouts must be positive: a client that stalls would hold its connection forever"))
	}
	if c.MaxConns <= 0 || c.MaxConnsPerIP < 0 {
		errs = append(errs, errors.New("max conns must be positive (and max conns per IP positive, or 0 for no bound)"))
	}
	if c.MaxBatch <= 0 {
		errs = append(errs, errors.New("max batch must be positive"))
	}
	if c.ChangelogRetention <= 0 || c.IndexRetention <= 0 || c.GCInterval < 0 {
		errs = append(errs, errors.New("retentions must be positive"))
	}
	if _, err := gateway.ParseTrustedProxies(c.GatewayTrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("gateway trusted proxies: %w", err))
	}
	if p, ok := strings.CutPrefix(c.GatewayAuthAddr, "unix:"); ok && !filepath.IsAbs(p) {
		errs = append(errs, fmt.Errorf("gateway auth address %q: want unix: and an absolute path, like unix:/run/octroi/auth.sock", c.GatewayAuthAddr))
	}
	if c.GatewayPublicURL != "" {
		if u, err := url.Parse(c.GatewayPublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("gateway public URL %q: want scheme://host, like https://maps.example.org", c.GatewayPublicURL))
		}
	}
	if c.UsageRetention <= 0 {
		errs = append(errs, errors.New("usage retention must be positive"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log format %q: want text or json", c.LogFormat))
	}
	if err := c.validateMail(); err != nil {
		errs = append(errs, err)
	}
	if err := c.SignIn.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// DatabaseFile is the default SQLite file inside a data dir.
const DatabaseFile = "octroi.db"

// OpenStore opens the datastore cfg names, creating the data dir (0700) for
// SQLite. It neither migrates nor checks the version.
func OpenStore(ctx context.Context, cfg Config) (store.Store, error) {
	ds := cfg.Datastore
	switch {
	case strings.HasPrefix(ds, "postgres://"), strings.HasPrefix(ds, "postgresql://"):
		return postgres.Open(ctx, ds, postgres.Options{})
	case ds == "", strings.HasPrefix(ds, "sqlite:"):
		path := strings.TrimPrefix(ds, "sqlite:")
		if path == "" {
			if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
				return nil, fmt.Errorf("creating data dir: %w", err)
			}
			path = filepath.Join(cfg.DataDir, DatabaseFile)
		}
		return sqlite.Open(ctx, path, sqlite.Options{})
	}
	return nil, fmt.Errorf("datastore %q: want empty (SQLite in the data dir), sqlite:PATH or a postgres:// URL", redactURL(ds))
}

// redactURL hides a password in a URL for messages.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if j := strings.LastIndex(s, "@"); j > i {
			return s[:i+3] + "…@" + s[j+1:]
		}
	}
	return s
}
