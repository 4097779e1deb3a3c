package api_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/signin"
	"github.com/octroi/octroi/internal/signin/oidctest"
	"github.com/octroi/octroi/internal/store"
)

// ssoSignIn signs user in through the provider as a browser would (start,
// the provider's login page, the callback) and returns the session
// cookie.
func ssoSignIn(t *testing.T, w *world, redirect, user string) *http.Cookie {
	t.Helper()
	get := func(path string, cookies ...*http.Cookie) *http.Response {
		t.Helper()
		return getNoFollow(t, w, path, cookies...)
	}
	start := get("/api/v1/auth/oidc/start")
	loc, err := start.Location()
	if err != nil {
		t.Fatalf("start: %d %v", start.StatusCode, err)
	}
	var flow *http.Cookie
	for _, c := range start.Cookies() {
		if c.Name == signin.FlowCookieName {
			flow = c
		}
	}
	q := oidctest.Login(t, loc.String(), redirect, user, oidctest.Password)
	done := get("/api/v1/auth/oidc/callback?"+q.Encode(), flow)
	for _, c := range done.Cookies() {
		if c.Name == signin.CookieName && c.Value != "" {
			return c
		}
	}
	t.Fatalf("callback: %d, no session", done.StatusCode)
	return nil
}

// TestGroupClaimsMapToCommunities: with --oidc-groups-claim and
// --oidc-group-communities, each sign-in through a real provider brings
// the account's membership of the mapped communities in line with the
// groups the provider returns: added, then removed when the group goes,
// while memberships given by hand (in a mapped community or not) are
// never touched, and each change is in the audit log.
func TestGroupClaimsMapToCommunities(t *testing.T) {
	const redirect = "http://octroi.test/api/v1/auth/oidc/callback"
	op := oidctest.Start(t, redirect)
	w := newWorld(t, func(t *testing.T, mutate ...func(*server.Config)) *env {
		return newEnv(t, append(mutate, func(c *server.Config) {
			c.SignIn.OIDC = signin.OIDCConfig{Issuer: op.Issuer, ClientID: "octroi", ClientSecret: "octroi-secret", RedirectURL: redirect, MatchEmail: true,
				GroupsClaim: oidctest.GroupsClaim}
			c.SignIn.GroupCommunities = "geo-team=c1, geo-team=c2, ops=c3, ghost=nowhere"
		})...)
	})
	ctx := context.Background()
	p := w.srv.Portal().(*portal.Service)
	var acc struct{ ID string }
	w.as("manager").want(201, "POST", "/api/v1/accounts", map[string]any{"email": oidctest.FirstEmail, "name": "Zitadel user"}, &acc)
	// c2 and c3 are mapped; c4 is not. The person is a member of c3 and
	// c4 by hand (an invitation accepted).
	for _, c := range []string{"c2", "c3", "c4"} {
		w.as("outsider").want(201, "POST", "/api/v1/communities", map[string]any{"id": c, "name": "Community " + c, "public": false}, nil)
	}
	for _, c := range []string{"c3", "c4"} {
		if _, err := p.InviteCommunityMember(ctx, w.id["outsider"], c, acc.ID, portal.CommunityParticipant); err != nil {
			t.Fatal(err)
		}
		if _, err := p.AnswerCommunityInvitation(ctx, acc.ID, c, true); err != nil {
			t.Fatal(err)
		}
	}
	roleIn := func(c string) portal.CommunityRole {
		t.Helper()
		ms, err := p.CommunityMembers(ctx, w.id["admin"], c)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Account == acc.ID {
				return m.Role
			}
		}
		return ""
	}
	want := func(step string, roles map[string]portal.CommunityRole) {
		t.Helper()
		for c, r := range roles {
			if got := roleIn(c); got != r {
				t.Errorf("%s: role in %s %q, want %q", step, c, got, r)
			}
		}
	}

	op.SetGroups(oidctest.FirstSubject, []string{"geo-team", "unmapped"})
	ssoSignIn(t, w, redirect, oidctest.User(op.Issuer))
	want("in geo-team", map[string]portal.CommunityRole{"c1": portal.CommunityParticipant, "c2": portal.CommunityParticipant, "c3": portal.CommunityParticipant, "c4": portal.CommunityParticipant})

	// A community manager raises the person in c2: a membership by hand
	// from now on.
	if _, err := p.SetCommunityMember(ctx, w.id["outsider"], "c2", acc.ID, portal.CommunityAdministrator); err != nil {
		t.Fatal(err)
	}
	// Out of geo-team, into ops: c1 goes (the groups gave it), c2 stays
	// (a manager's), c3 and c4 stay (by hand).
	op.SetGroups(oidctest.FirstSubject, []string{"ops"})
	ssoSignIn(t, w, redirect, oidctest.User(op.Issuer))
	want("in ops", map[string]portal.CommunityRole{"c1": "", "c2": portal.CommunityAdministrator, "c3": portal.CommunityParticipant, "c4": portal.CommunityParticipant})

	// No groups claim at all: nothing the groups gave remains, and what
	// was given by hand stays.
	op.SetGroups(oidctest.FirstSubject, nil)
	ssoSignIn(t, w, redirect, oidctest.User(op.Issuer))
	want("without groups", map[string]portal.CommunityRole{"c1": "", "c2": portal.CommunityAdministrator, "c3": portal.CommunityParticipant, "c4": portal.CommunityParticipant})

	// Back in geo-team: c1 again.
	op.SetGroups(oidctest.FirstSubject, []string{"geo-team"})
	ssoSignIn(t, w, redirect, oidctest.User(op.Issuer))
	want("back in geo-team", map[string]portal.CommunityRole{"c1": portal.CommunityParticipant, "c2": portal.CommunityAdministrator})

	// A provider that puts the groups in its user info only: read there.
	op.GroupsInUserInfoOnly(true)
	op.SetGroups(oidctest.FirstSubject, []string{"ops"})
	ssoSignIn(t, w, redirect, oidctest.User(op.Issuer))
	want("groups in the user info", map[string]portal.CommunityRole{"c1": "", "c2": portal.CommunityAdministrator, "c3": portal.CommunityParticipant})
	op.SetGroups(oidctest.FirstSubject, []string{"geo-team"})
	ssoSignIn(t, w, redirect, oidctest.User(op.Issuer))
	want("back in geo-team, from the user info", map[string]portal.CommunityRole{"c1": portal.CommunityParticipant})
	op.GroupsInUserInfoOnly(false)

	es, err := p.Audit(ctx, w.id["admin"], store.AuditQuery{Resource: "community:c1", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range es {
		if e.Actor != "system" {
			continue
		}
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"community.member.sso_add", "community.member.sso_remove", "community.member.sso_add", "community.member.sso_remove", "community.member.sso_add"}) {
		t.Errorf("audit of c1 by the system: %v", actions)
	}
}

// getNoFollow GETs path on w with cookies, without following a redirect,
// and returns the answer with its body read and closed: the steps of a
// sign-in through a provider, whose cookies and Location are what count.
func getNoFollow(t *testing.T, w *world, path string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", w.url+path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}
