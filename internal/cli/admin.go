package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
)

// runAdminCreateUser works on the database directly, like migrate: it is
// how the first platform administrator comes to exist, before anyone can
// call the API.
func runAdminCreateUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := server.Default()
	fs := newFlags("admin create-user", "--email E --name N [--platform-admin] [--account-manager] [--data-reader] [--expires-in DURATION]", stderr)
	ef := &envFlags{fs: fs}
	storeFlags(ef, &cfg)
	email := fs.String("email", "", "the account's e-mail (required; an existing account gets the roles added and a new token)")
	name := fs.String("name", "", "the person's name (required)")
	admin := fs.Bool("platform-admin", false, "make the account a platform administrator (every right everywhere)")
	manager := fs.Bool("account-manager", false, "make the account an account manager")
	reader := fs.Bool("data-reader", false, "make the account a data reader (sees every dataset)")
	expiresIn := fs.Duration("expires-in", 0, "the token expires after this long, e.g. 720h (default: valid until revoked)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := ef.err(); err != nil {
		return err
	}
	if *email == "" || *name == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: --email and --name are required, and nothing else", errUsage)
	}
	var expires *time.Time
	switch {
	case *expiresIn < 0:
		return fmt.Errorf("%w: --expires-in %s: want a positive duration", errUsage, *expiresIn)
	case *expiresIn > 0:
		at := time.Now().Add(*expiresIn).UTC().Truncate(time.Second)
		expires = &at
	}
	var roles []portal.PlatformRole
	for _, r := range []struct {
		on   bool
		role portal.PlatformRole
	}{{*admin, portal.PlatformAdministrator}, {*manager, portal.PlatformAccountManager}, {*reader, portal.PlatformDataReader}} {
		if r.on {
			roles = append(roles, r.role)
		}
	}
	// No operator token is needed here (nor served): the portal runs
	// without the HTTP face.
	cfg.NoAuth = true
	srv, stop, err := openPortal(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer stop()
	acc, secret, err := srv.Portal().BootstrapUntil(ctx, *email, *name, roles, expires)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	rs := "none"
	if len(acc.PlatformRoles) > 0 {
		var ss []string
		for _, r := range acc.PlatformRoles {
			ss = append(ss, string(r))
		}
		rs = strings.Join(ss, ", ")
	}
	until := "until revoked"
	if expires != nil {
		until = "until " + expires.Format(time.RFC3339)
	}
	fmt.Fprintf(stderr, "account %s <%s> (id %s, platform roles: %s); its personal token above, valid %s, is shown only now: store it safely\n", acc.Name, acc.Email, acc.ID, rs, until)
	return nil
}

// openPortal opens the store (which must be migrated), writes the portal
// schema if needed and starts a server without its HTTP face, so that the
// portal's writes are followed by the index they wait for. stop ends it
// and closes the store.
func openPortal(ctx context.Context, cfg server.Config, log *slog.Logger) (*server.Server, func(), error) {
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	srv, err := server.New(ctx, cfg, st, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	srv.Start(context.WithoutCancel(ctx))
	return srv, func() { srv.Stop(); st.Close() }, nil
}
