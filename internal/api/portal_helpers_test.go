package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
)

// world is a small platform made through the API, with one person per
// role, for the portal tests.
type world struct {
	*env
	tok map[string]string // role → personal token
	id  map[string]string // role → account id
	seq atomic.Int64
}

// The roles of the world: platform roles, the organisation "ign"'s roles,
// and someone with none. member also supervises the private community
// "c1".
var roles = []string{"admin", "manager", "reader", "orgadmin", "editor", "member", "outsider"}

func portalOn(c *server.Config) { c.NoPortal = false }

// newWorld starts a server with the portal and builds the world: ign
// (state service) with its delegated admin, editor and registered member,
// dataset IGNF_T (default search), private community c1, group of
// organisations g1 = {ign}.
func newWorld(t *testing.T, mk envMaker) *world {
	t.Helper()
	w := &world{env: mk(t, portalOn), tok: map[string]string{}, id: map[string]string{}}
	acc, tok, err := w.srv.Portal().Bootstrap(context.Background(), "admin@test.example", "Admin", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	w.tok["admin"], w.id["admin"] = tok, acc.ID
	for _, a := range []struct {
		role  string
		roles []string
	}{{"manager", []string{"account_manager"}}, {"reader", []string{"data_reader"}}, {"orgadmin", nil}, {"outsider", nil}} {
		var got portal.Account
		w.as("admin").want(201, "POST", "/api/v1/accounts", map[string]any{"email": a.role + "@test.example", "name": a.role, "platform_roles": a.roles}, &got)
		w.id[a.role] = got.ID
		w.tok[a.role] = w.token(a.role + "@test.example")
	}
	w.as("admin").want(201, "POST", "/api/v1/organisations", map[string]any{"id": "ign", "name": "IGN", "type": "state_service", "first_admin": w.id["orgadmin"]}, nil)
	for _, r := range []string{"editor", "member"} {
		role := map[string]string{"editor": "editor", "member": "registered"}[r]
		var m portal.Member
		w.as("orgadmin").want(201, "POST", "/api/v1/organisations/ign/members", map[string]any{"new_account": map[string]any{"email": r + "@test.example", "name": r}, "role": role}, &m)
		w.id[r] = m.Account
		w.tok[r] = w.token(r + "@test.example")
	}
	w.as("editor").want(201, "POST", "/api/v1/datasets", map[string]any{"id": "IGNF_T", "title": "Test", "owner": "ign", "default_level": "search"}, nil)
	w.as("member").want(201, "POST", "/api/v1/communities", map[string]any{"id": "c1", "name": "Community one", "public": false}, nil)
	w.as("admin").want(201, "POST", "/api/v1/org-groups", map[string]any{"id": "g1", "name": "Group one", "organisations": []string{"ign"}}, nil)
	return w
}

// token issues a personal token for an existing account (the way `octroi
// admin create-user` does: there is no password login).
func (w *world) token(email string) string {
	w.t.Helper()
	_, tok, err := w.srv.Portal().Bootstrap(context.Background(), email, "x", nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

// fresh makes a new account (by the admin) and returns its id and a
// token for it.
func (w *world) fresh() (string, string) {
	w.t.Helper()
	email := fmt.Sprintf("fresh%d@test.example", w.seq.Add(1))
	var a portal.Account
	w.as("admin").want(201, "POST", "/api/v1/accounts", map[string]any{"email": email, "name": "Fresh"}, &a)
	return a.ID, w.token(email)
}

func (w *world) uniq(prefix string) string { return fmt.Sprintf("%s%d", prefix, w.seq.Add(1)) }

// caller sends requests with one personal token.
type caller struct {
	w   *world
	tok string
}

func (w *world) as(role string) caller { return caller{w, w.tok[role]} }

func (w *world) withToken(tok string) caller { return caller{w, tok} }

func (c caller) do(method, path string, body any) response {
	c.w.t.Helper()
	return c.w.do(method, path, body, "Authorization", "Bearer "+c.tok)
}

// want sends a request, checks the status and decodes the body into v.
func (c caller) want(status int, method, path string, body, v any) response {
	c.w.t.Helper()
	r := c.do(method, path, body)
	if r.status != status {
		c.w.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, status, r.body)
	}
	if v != nil {
		r.json(c.w.t, v)
	}
	return r
}

// fillPath replaces a route's {wildcards} with x.
func fillPath(p string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			return b.String()
		}
		j := strings.IndexByte(p[i:], '}')
		b.WriteString(p[:i] + "x")
		p = p[i+j+1:]
	}
}
