package ui

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Catalogue is what the catalogue and dataset screens need of the domain.
// *portal.Service has every method; each authorizes the actor itself (an
// empty actor is an anonymous visitor).
type Catalogue interface {
	SearchableDatasets(ctx context.Context, actor, after string, limit int) ([]portal.Dataset, string, error)
	FilterDatasets(ctx context.Context, actor string, ids []string, permission string) (map[string]bool, error)
	Dataset(ctx context.Context, actor, id string) (portal.Dataset, error)
	Organisation(ctx context.Context, actor, id string) (portal.Organisation, error)
	Explain(ctx context.Context, actor, dataset, account, permission string) (portal.Explanation, error)
}

// Access is what the "Accès à la donnée" screen needs of the domain: the
// table of groups and the changes of levels, each previewed first.
type Access interface {
	AccessTable(ctx context.Context, actor, id string, f portal.AccessFilter) ([]portal.AccessRow, int, error)
	PreviewDefaultLevel(ctx context.Context, actor, id string, l portal.Level) (portal.Dataset, []portal.BulkChange, error)
	SetDefaultLevel(ctx context.Context, actor, id string, l portal.Level) (portal.Dataset, []portal.BulkChange, error)
	BulkAccess(ctx context.Context, actor, id string, b portal.BulkAction) ([]portal.BulkChange, error)
	ExplainGroupLevel(ctx context.Context, actor, dataset string, g portal.GroupRef) (portal.GroupLevelExplanation, error)
}

// Config is what Handler needs. Every field but Log is required.
type Config struct {
	Catalogue Catalogue
	Access    Access
	Members   Members
	People    People
	Tokens    Tokens
	Notices   Notices
	Grants    Grants
	// Permissions gives the producer's « Gérer les permissions d'accès »
	// and the public access request page (none without it).
	Permissions Permissions
	// Audit, OrgGroups and CommunityAdmin give the administrators' audit
	// log, groups of organisations, and the management of a community.
	Audit          AuditLog
	OrgGroups      OrgGroups
	CommunityAdmin CommunityAdmin
	Pages          Pages
	Maps           Maps
	// SignIn and Sessions give the sign-in screens (none without them).
	SignIn   SignIn
	Sessions Sessions
	// PublicHTTPS: people reach the platform over https, so session
	// cookies are Secure even behind a proxy that terminates TLS.
	PublicHTTPS bool
	// OIDC: single sign-on is configured (the API's /auth/oidc/start).
	OIDC bool
	// OIDCName names the provider on the sign-in button ("ProConnect");
	// "" : a generic label.
	OIDCName string
	// ClientAddress returns a request's client address, for the sign-in
	// limits per address (nil: the connection's peer). Behind a reverse
	// proxy it reads the proxy's header only from the proxy's address.
	ClientAddress func(*http.Request) string
	// Actor tells who sends r: an account id, "" for an anonymous
	// visitor, or an error (an expired session...) shown as a page.
	Actor func(r *http.Request) (string, error)
	Log   *slog.Logger
	// Keys gives the access keys screens; KeyStates (optional) says what
	// each key opens now and why not; GatewayURL (optional) is where
	// clients reach the map services (scheme and host), else this site.
	Keys       Keys
	KeyStates  KeyStates
	GatewayURL string
	// Location is the time zone dates are shown in; nil: the server's
	// local zone.
	Location *time.Location
	// OrgAdmin gives the platform administrators' creation and deletion
	// of organisations (orgadmin.go; none without it).
	OrgAdmin OrgAdmin
}

// Handler serves the web interface. Paths it does not know answer a 404
// page; it is meant to be mounted at "/" beside the API's /api/.
func Handler(cfg Config) http.Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	u := &ui{cfg: cfg, pages: mustParse(templateFS)}
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	mux.Handle("GET /{$}", u.handle(u.catalogue))
	mux.Handle("GET /datasets/{id}", u.handle(u.dataset))
	mux.Handle("GET /datasets/{id}/why/{permission}", u.handle(u.why))
	mux.Handle("GET /datasets/{id}/access", u.handle(u.access))
	mux.Handle("POST /datasets/{id}/access/bulk", u.handle(u.bulk))
	mux.Handle("POST /datasets/{id}/access/default", u.handle(u.setDefault))
	mux.Handle("GET /me", u.handle(u.me))
	mux.Handle("GET /organisations/{id}/members", u.handle(u.members))
	mux.Handle("POST /organisations/{id}/members/{action}", u.handle(u.memberAction))
	mux.Handle("GET /me/notices", u.handle(u.notices))
	mux.Handle("GET /me/grants", u.handle(u.myGrants))
	mux.Handle("POST /datasets/{id}/request-access", u.handle(u.requestAccess))
	mux.Handle("GET /access-requests", u.handle(u.accessRequests))
	mux.Handle("POST /access-requests/{id}/{action}", u.handle(u.accessRequestAction))
	mux.Handle("GET /me/tokens", u.handle(u.tokens))
	mux.Handle("POST /me/tokens/{action}", u.handle(u.tokenAction))
	mux.Handle("GET /organisations", u.handle(u.organisations))
	mux.Handle("POST /organisations/{id}/join", u.handle(u.join))
	mux.Handle("GET /communities", u.handle(u.communities))
	mux.Handle("POST /communities/{action}", u.handle(u.communityAction))
	mux.Handle("GET /admin/accounts", u.handle(u.accounts))
	mux.Handle("GET /admin/accounts/{id}", u.handle(u.account))
	mux.Handle("POST /admin/accounts/{id}/{action}", u.handle(u.accountAction))
	mux.Handle("GET /pages", u.handle(u.pagesList))
	mux.Handle("GET /pages/{id}", u.handle(u.pageShow))
	mux.Handle("GET /pages/{id}/edit", u.handle(u.pageEdit))
	mux.Handle("POST /pages/{id}/edit", u.handle(u.pageSave))
	mux.Handle("GET /pages/{id}/security", u.handle(u.pageSecurity))
	mux.Handle("POST /pages/{id}/security/{action}", u.handle(u.pageSecurityAction))
	mux.Handle("GET /content-roles", u.handle(u.contentRoles))
	mux.Handle("POST /content-roles/{action}", u.handle(u.contentRoleAction))
	mux.Handle("GET /maps", u.handle(u.mapsList))
	mux.Handle("POST /maps", u.handle(u.mapCreate))
	mux.Handle("GET /maps/{id}", u.handle(u.mapShow))
	mux.Handle("GET /maps/{id}/share", u.handle(u.mapShare))
	mux.Handle("POST /maps/{id}/share", u.handle(u.mapShareAction))
	if cfg.Keys != nil {
		mux.Handle("GET /me/keys", u.handle(u.myKeys))
		mux.Handle("POST /me/keys", u.handle(u.createKey))
		mux.Handle("GET /me/keys/{id}", u.handle(u.myKey))
		mux.Handle("POST /me/keys/{id}/{action}", u.handle(u.keyAction))
		mux.Handle("GET /admin/keys", u.handle(u.adminKeys))
		mux.Handle("POST /admin/keys/{id}/revoke", u.handle(u.adminKeyRevoke))
	}
	mux.Handle("GET /admin/audit", u.handle(u.audit))
	mux.Handle("GET /admin/audit/export.csv", u.handle(u.auditExport))
	mux.Handle("GET /admin/org-groups", u.handle(u.orgGroups))
	mux.Handle("POST /admin/org-groups/create", u.handle(u.orgGroupCreate))
	mux.Handle("GET /admin/org-groups/{id}", u.handle(u.orgGroup))
	mux.Handle("GET /admin/org-groups/{id}/delete", u.handle(u.orgGroupConfirmDelete))
	mux.Handle("POST /admin/org-groups/{id}/{action}", u.handle(u.orgGroupAction))
	mux.Handle("GET /communities/{id}", u.handle(u.community))
	mux.Handle("GET /communities/{id}/delete", u.handle(u.communityConfirmDelete))
	mux.Handle("POST /communities/{id}/{action}", u.handle(u.communityManage))
	if cfg.SignIn != nil {
		mux.Handle("GET /sign-in", u.handle(u.signInPage))
		mux.Handle("POST /sign-in", u.handle(u.signIn))
		mux.Handle("POST /sign-out", u.handle(u.signOut))
		mux.Handle("GET "+portal.LinkPath, u.handle(u.setPasswordPage))
		mux.Handle("POST "+portal.LinkPath, u.handle(u.setPassword))
		mux.Handle("GET /password-reset", u.handle(u.resetPage))
		mux.Handle("POST /password-reset", u.handle(u.reset))
	}
	if cfg.Sessions != nil {
		mux.Handle("GET /me/sessions", u.handle(u.sessions))
		mux.Handle("POST /me/sessions/{action}", u.handle(u.sessionAction))
	}
	if cfg.Permissions != nil {
		mux.Handle("GET /organisations/{id}/permissions", u.handle(u.permissions))
		mux.Handle("GET /organisations/{id}/permissions/new", u.handle(u.newGrant))
		mux.Handle("POST /organisations/{id}/permissions/new", u.handle(u.createGrant))
		mux.Handle("GET /organisations/{id}/permissions/grants/{grant}", u.handle(u.grantScreen))
		mux.Handle("POST /organisations/{id}/permissions/grants/{grant}", u.handle(u.updateGrant))
		mux.Handle("GET /organisations/{id}/permissions/grants/{grant}/delete", u.handle(u.deleteGrantPage))
		mux.Handle("POST /organisations/{id}/permissions/grants/{grant}/delete", u.handle(u.deleteGrant))
		mux.Handle("GET /organisations/{id}/permissions/services/{service}", u.handle(u.serviceScreen))
		mux.Handle("GET /demande-acces/{id}", u.handle(u.demande))
	}
	mux.Handle("GET /me/preferences", u.handle(u.preferences))
	mux.Handle("POST /me/preferences", u.handle(u.savePreferences))
	mux.Handle("GET /maps/{id}/edit", u.handle(u.mapEdit))
	mux.Handle("POST /maps/{id}/edit/{action}", u.handle(u.mapEditAction))
	mux.Handle("GET /maps/{id}/delete", u.handle(u.mapConfirmDelete))
	mux.Handle("POST /maps/{id}/delete", u.handle(u.mapDelete))
	mux.Handle("GET /organisations/{id}/edit", u.handle(u.orgEdit))
	mux.Handle("POST /organisations/{id}/edit", u.handle(u.orgSave))
	mux.Handle("POST /lang", u.handle(u.setLang))
	mux.Handle("GET /datasets/{id}/access/why/{kind}/{group}", u.handle(u.accessWhy))
	mux.Handle("POST /pages", u.handle(u.pageCreate))
	mux.Handle("GET /pages/{id}/delete", u.handle(u.pageConfirmDelete))
	mux.Handle("POST /pages/{id}/delete", u.handle(u.pageDelete))
	if cfg.OrgAdmin != nil {
		mux.Handle("GET /organisations/new", u.handle(u.orgNew))
		mux.Handle("POST /organisations/new", u.handle(u.orgCreate))
		mux.Handle("GET /organisations/{id}/delete", u.handle(u.orgConfirmDelete))
		mux.Handle("POST /organisations/{id}/delete", u.handle(u.orgDelete))
	}
	mux.Handle("/", u.handle(func(w http.ResponseWriter, r *http.Request, v *view) error {
		return errNotFound
	}))
	return headers(http.NewCrossOriginProtection().Handler(mux))
}

// ui holds the parsed pages and the configuration.
type ui struct {
	cfg   Config
	pages pages
}

// handler is a screen: it renders a page, or returns an error that the
// error page shows.
type handler func(w http.ResponseWriter, r *http.Request, v *view) error

// handle runs h with the request's view (reader and language) and renders
// the error it returns.
func (u *ui) handle(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &view{Lang: language(r), Path: r.URL.RequestURI(), SignInURL: signInURL(r.URL.RequestURI()), CanSignIn: u.cfg.SignIn != nil}
		r = withSessionMemo(r)
		actor, err := u.cfg.Actor(r)
		if err == nil {
			v.Actor = actor
			u.accountLanguage(r, v)
			err = h(w, r, v)
		}
		if err != nil {
			u.fail(w, r, v, err)
		}
	})
}

// headers sets the headers of every page: a Content-Security-Policy that
// lets the pages use octroi's own scripts, styles and images and nothing
// inline, and no caching of pages that show one person's rights.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// cacheFor lets browsers keep static assets for d.
func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age="+itoa(int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}
