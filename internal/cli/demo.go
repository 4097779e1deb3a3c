package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"text/tabwriter"

	"github.com/octroi/octroi/internal/server"
)

// serveDemo serves like `octroi serve`, after migrating the database,
// loading the demo platform (or finding it) and printing its people and
// roles as the data says, with a personal token each that replaces the one
// printed at the previous start.
func serveDemo(ctx context.Context, cfg server.Config, log *slog.Logger, stdout, stderr io.Writer) error {
	if cfg.NoPortal {
		return fmt.Errorf("%w: --demo needs the portal: drop --no-portal", errUsage)
	}
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// The demo is a one-command start on a fresh data dir: it migrates
	// (serve alone refuses an unmigrated database).
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	srv, err := server.New(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	// The follower must run while the demo is written (portal writes wait
	// for the index), and requests must not come before it is done: the
	// listener accepts only once Serve runs.
	srv.Start(context.WithoutCancel(ctx))
	defer srv.Stop() // before the store closes; Serve stops it too
	accounts, loaded, err := srv.LoadDemo(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	return srv.Serve(ctx, ln, func(addr string) {
		printDemo(stdout, "http://"+addr, accounts, loaded)
		printDemoMail(stdout, "http://"+addr, cfg.Mail)
		fmt.Fprintf(stderr, "octroi serving on http://%s\n", addr)
	})
}

const demoBanner = `
 ================================================================================
  DEMO ONLY — NE PAS UTILISER EN PRODUCTION / DO NOT USE IN PRODUCTION
  These personal tokens and this password give access to the demo platform to anyone who reads them.
  Ces jetons personnels et ce mot de passe donnent accès à la plateforme de démonstration à qui les lit.
 ================================================================================
`

func printDemo(w io.Writer, url string, accounts []server.DemoAccount, loaded bool) {
	fmt.Fprint(w, demoBanner)
	if loaded {
		fmt.Fprintln(w, "  Demo platform created. / Plateforme de démonstration créée.")
	} else {
		fmt.Fprintln(w, "  Demo platform found in the database; the tokens printed at its last start are revoked,")
		fmt.Fprintln(w, "  these replace them. The roles below are read from the data.")
		fmt.Fprintln(w, "  Plateforme de démonstration trouvée dans la base ; les jetons affichés à son dernier")
		fmt.Fprintln(w, "  démarrage sont révoqués, ceux-ci les remplacent. Les rôles ci-dessous sont lus dans les données.")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// Roles last: they are the long column, and a terminal wraps them
	// without breaking the table.
	fmt.Fprintln(tw, "  E-MAIL\tTOKEN / JETON\tROLE / RÔLE")
	for _, a := range accounts {
		tok := a.Token
		if a.Disabled {
			tok = "(disabled: no token / désactivé : pas de jeton)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s / %s\n", a.Email, tok, a.RoleEN, a.RoleFR)
	}
	tw.Flush()
	password, email := "", ""
	for _, a := range accounts {
		if a.Password != "" && password == "" {
			password, email = a.Password, a.Email
		}
	}
	if password != "" {
		fmt.Fprintf(w, `
  Password of every account above / Mot de passe de chaque compte ci-dessus : %s
  Sign in / Connectez-vous (session cookie / cookie de session) :
    curl -c cookies -H "Content-Type: application/json" -d '{"email":"%s","password":"%s"}' %s/api/v1/auth/sign-in
    curl -b cookies %s/api/v1/me
`, password, email, password, url, url)
	}
	for _, a := range accounts {
		if a.Key == "" {
			continue
		}
		fmt.Fprintf(w, `
  Access key of %[1]s (the PPRI's grant: layers ppri_zonage, ppri_alea of the WMS at /wms/sud)
  Clé d'accès de %[1]s (permission PPRI : couches ppri_zonage, ppri_alea du WMS /wms/sud) : %[2]s
  Ask the gateway as nginx would / Interrogez la passerelle comme nginx :
    curl -i -H "X-Original-URI: /wms/sud?SERVICE=WMS&REQUEST=GetMap&LAYERS=ppri_zonage&apikey=%[2]s" %[3]s/gateway/auth
    curl -i -H "X-Original-URI: /wms/sud?SERVICE=WMS&REQUEST=GetMap&LAYERS=foncier_parcelles&apikey=%[2]s" %[3]s/gateway/auth
    curl -i -H "X-Original-URI: /wms/sud?SERVICE=WMS&REQUEST=GetMap&LAYERS=ppri_alea" %[3]s/gateway/auth
`, a.Name, a.Key, url)
	}
	fmt.Fprintf(w, `
  Try it / Essayez :
    curl -H "Authorization: Bearer $TOKEN" %[1]s/api/v1/me
    curl -H "Authorization: Bearer $TOKEN" %[1]s/api/v1/catalogue/searchable
    curl -H "Authorization: Bearer $TOKEN" "%[1]s/api/v1/datasets/IGNF_BD-PARCELLAIRE/explain?permission=download"
    curl -H "Authorization: Bearer $TOKEN" "%[1]s/api/v1/datasets/REGION-SUD_PPRI/access?kind=organisation&sort=level&order=desc"
    curl %[1]s/api/v1/pages/accueil
    curl -H "Authorization: Bearer $TOKEN" %[1]s/api/v1/pages/tableau-de-bord-inondations
    curl -H "Authorization: Bearer $TOKEN" %[1]s/api/v1/maps
 ================================================================================

`, url)
}
