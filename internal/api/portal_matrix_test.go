package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/portal"
)

// matrixCase is one portal operation in the role × action matrix: the
// roles in allow succeed, every other role is refused — 403 forbidden, or
// 404 not_found for the roles in hidden, to whom the object does not
// exist.
type matrixCase struct {
	op     string
	allow  []string
	hidden []string
	status int // success status
	// write: the operation changes state, so only allow[0] performs it
	// (after every refused role has tried); reads are tried by every
	// allowed role.
	write bool
	// req returns the request; it is called before every attempt, so it
	// may set up what that attempt consumes.
	req func(w *world) (method, path string, body any)
}

var (
	everyone  = roles
	managers  = []string{"manager", "admin"}
	adminOnly = []string{"admin"}
	ignAdmins = []string{"orgadmin", "admin"}
	ignPubs   = []string{"editor", "orgadmin", "admin"}
	c1Members = []string{"member", "admin"}
	c1Hidden  = []string{"manager", "reader", "orgadmin", "editor", "outsider"}
	// notOutsider: to all but the invited outsider, an invitation does not
	// exist.
	notOutsider = []string{"admin", "manager", "reader", "orgadmin", "editor", "member"}
)

func get(path string) func(*world) (string, string, any) {
	return func(*world) (string, string, any) { return "GET", path, nil }
}

func matrixCases() []matrixCase {
	var auth authCases
	return slices.Concat(auth.cases(), []matrixCase{
		{op: "getMe", allow: everyone, status: 200, req: get("/api/v1/me")},
		{op: "listMyTokens", allow: everyone, status: 200, req: get("/api/v1/me/tokens")},
		{op: "createMyToken", allow: everyone, status: 201, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/me/tokens", map[string]any{"name": w.uniq("t")}
		}},
		{op: "revokeMyToken", allow: []string{"member", "manager", "admin"}, status: 204, write: true, req: func(w *world) (string, string, any) {
			var ct api.CreatedToken
			w.as("member").want(201, "POST", "/api/v1/me/tokens", map[string]any{"name": w.uniq("t")}, &ct)
			return "DELETE", "/api/v1/me/tokens/" + ct.Token.ID, nil
		}},
		{op: "listMyNotices", allow: everyone, status: 200, req: get("/api/v1/me/notices")},
		{op: "listMyJoinRequests", allow: everyone, status: 200, req: get("/api/v1/me/join-requests")},
		{op: "setMyLanguage", allow: everyone, status: 200, req: func(*world) (string, string, any) {
			return "PUT", "/api/v1/me/language", map[string]any{"language": "en"}
		}},
		{op: "getMyMailPreferences", allow: everyone, status: 200, req: get("/api/v1/me/mail-preferences")},
		{op: "setMyMailPreferences", allow: everyone, status: 200, req: func(*world) (string, string, any) {
			return "PUT", "/api/v1/me/mail-preferences", map[string]any{"off": []string{"grant.expiring"}}
		}},

		{op: "createAccount", allow: managers, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/accounts", map[string]any{"email": w.uniq("a") + "@test.example", "name": "A"}
		}},
		{op: "listAccounts", allow: managers, status: 200, req: get("/api/v1/accounts")},
		{op: "listAccounts", allow: []string{"manager", "orgadmin", "admin"}, status: 200, req: get("/api/v1/accounts?q=memb")},
		{op: "getAccount", allow: []string{"member", "manager", "admin"}, status: 200, req: func(w *world) (string, string, any) {
			return "GET", "/api/v1/accounts/" + w.id["member"], nil
		}},
		{op: "setAccountStatus", allow: managers, status: 200, write: true, req: func(w *world) (string, string, any) {
			id, _ := w.fresh()
			return "PUT", "/api/v1/accounts/" + id + "/status", map[string]any{"status": "disabled"}
		}},
		// Only a platform administrator acts on a platform administrator.
		{op: "setAccountStatus", allow: adminOnly, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/accounts/" + w.freshAdmin() + "/status", map[string]any{"status": "disabled"}
		}},
		{op: "revokeMyToken", allow: adminOnly, status: 204, write: true, req: func(w *world) (string, string, any) {
			id := w.freshAdmin()
			tok, _, err := w.srv.Portal().CreateToken(context.Background(), id, "script", nil)
			if err != nil {
				w.t.Fatal(err)
			}
			return "DELETE", "/api/v1/me/tokens/" + tok.ID, nil
		}},
		{op: "setPlatformRoles", allow: adminOnly, status: 200, write: true, req: func(w *world) (string, string, any) {
			id, _ := w.fresh()
			return "PUT", "/api/v1/accounts/" + id + "/platform-roles", map[string]any{"platform_roles": []string{"data_reader"}}
		}},

		{op: "createOrganisation", allow: adminOnly, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/organisations", map[string]any{"id": w.uniq("org"), "name": "Org", "type": "other", "first_admin": w.id["outsider"]}
		}},
		{op: "listOrganisations", allow: everyone, status: 200, req: get("/api/v1/organisations?type=state_service")},
		{op: "getOrganisation", allow: everyone, status: 200, req: get("/api/v1/organisations/ign")},
		{op: "updateOrganisation", allow: ignAdmins, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/organisations/ign", map[string]any{"name": "IGN", "type": "state_service"}
		}},
		{op: "deleteOrganisation", allow: adminOnly, status: 204, write: true, req: func(w *world) (string, string, any) {
			id := w.uniq("org")
			w.as("admin").want(201, "POST", "/api/v1/organisations", map[string]any{"id": id, "name": "Org", "type": "other", "first_admin": w.id["orgadmin"]}, nil)
			return "DELETE", "/api/v1/organisations/" + id, nil
		}},
		{op: "listMembers", allow: []string{"member", "editor", "orgadmin", "admin"}, status: 200, req: get("/api/v1/organisations/ign/members")},
		{op: "addMember", allow: ignAdmins, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/organisations/ign/members", map[string]any{"new_account": map[string]any{"email": w.uniq("m") + "@test.example", "name": "M"}, "role": "registered"}
		}},
		{op: "setMemberRole", allow: ignAdmins, status: 200, write: true, req: func(w *world) (string, string, any) {
			id := w.freshMember()
			return "PUT", "/api/v1/organisations/ign/members/" + id, map[string]any{"role": "editor"}
		}},
		{op: "removeMember", allow: ignAdmins, status: 204, write: true, req: func(w *world) (string, string, any) {
			return "DELETE", "/api/v1/organisations/ign/members/" + w.freshMember(), nil
		}},
		{op: "listJoinRequests", allow: ignAdmins, status: 200, req: get("/api/v1/organisations/ign/join-requests")},
		// Everyone may ask to join an organisation they are not in.
		{op: "requestJoin", allow: everyone, status: 201, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/organisations/" + w.freshOrg() + "/join-requests", map[string]any{"message": "hello"}
		}},
		{op: "decideJoinRequest", allow: ignAdmins, status: 200, write: true, req: func(w *world) (string, string, any) {
			_, tok := w.fresh()
			var jr portal.JoinRequest
			w.withToken(tok).want(201, "POST", "/api/v1/organisations/ign/join-requests", nil, &jr)
			return "POST", "/api/v1/join-requests/" + jr.ID + "/decision", map[string]any{"decision": "refuse", "reason": "no"}
		}},
		// Only the requester cancels, not even the platform administrator.
		{op: "cancelJoinRequest", allow: []string{"outsider"}, status: 200, write: true, req: func(w *world) (string, string, any) {
			var jr portal.JoinRequest
			w.as("outsider").want(201, "POST", "/api/v1/organisations/"+w.freshOrg()+"/join-requests", nil, &jr)
			return "POST", "/api/v1/join-requests/" + jr.ID + "/cancel", nil
		}},

		{op: "createCommunity", allow: everyone, status: 201, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/communities", map[string]any{"id": w.uniq("c"), "name": "C", "public": false}
		}},
		{op: "listCommunities", allow: everyone, status: 200, req: get("/api/v1/communities")},
		{op: "getCommunity", allow: c1Members, hidden: c1Hidden, status: 200, req: get("/api/v1/communities/c1")},
		{op: "updateCommunity", allow: c1Members, hidden: c1Hidden, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/communities/c1", map[string]any{"name": "Community one", "public": false}
		}},
		// A public community: everyone sees it, only its supervisor and
		// the platform administrators delete it.
		{op: "deleteCommunity", allow: c1Members, status: 204, write: true, req: func(w *world) (string, string, any) {
			id := w.uniq("pc")
			w.as("member").want(201, "POST", "/api/v1/communities", map[string]any{"id": id, "name": "Public", "public": true}, nil)
			return "DELETE", "/api/v1/communities/" + id, nil
		}},
		{op: "listCommunityMembers", allow: c1Members, hidden: c1Hidden, status: 200, req: get("/api/v1/communities/c1/members")},
		{op: "setCommunityMember", allow: c1Members, hidden: c1Hidden, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/communities/c1/members/" + w.freshC1Member(), map[string]any{"role": "administrator"}
		}},
		{op: "removeCommunityMember", allow: c1Members, hidden: c1Hidden, status: 204, write: true, req: func(w *world) (string, string, any) {
			return "DELETE", "/api/v1/communities/c1/members/" + w.freshC1Member(), nil
		}},
		// Nobody is made a member without consent: the community's
		// managers invite and withdraw, only the invited person answers.
		{op: "inviteCommunityMember", allow: c1Members, hidden: c1Hidden, status: 201, write: true, req: func(w *world) (string, string, any) {
			id, _ := w.fresh()
			return "POST", "/api/v1/communities/c1/invitations", map[string]any{"account": id, "role": "participant"}
		}},
		{op: "listCommunityInvitations", allow: c1Members, hidden: c1Hidden, status: 200, req: get("/api/v1/communities/c1/invitations")},
		{op: "withdrawCommunityInvitation", allow: c1Members, hidden: c1Hidden, status: 204, write: true, req: func(w *world) (string, string, any) {
			id, _ := w.fresh()
			w.as("member").want(201, "POST", "/api/v1/communities/c1/invitations", map[string]any{"account": id, "role": "participant"}, nil)
			return "DELETE", "/api/v1/communities/c1/invitations/" + id, nil
		}},
		{op: "listMyCommunityInvitations", allow: everyone, status: 200, req: get("/api/v1/me/community-invitations")},
		{op: "acceptCommunityInvitation", allow: []string{"outsider"}, hidden: notOutsider, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/me/community-invitations/" + w.outsiderInvited() + "/accept", nil
		}},
		{op: "declineCommunityInvitation", allow: []string{"outsider"}, hidden: notOutsider, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/me/community-invitations/" + w.outsiderInvited() + "/decline", nil
		}},

		{op: "createOrgGroup", allow: adminOnly, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/org-groups", map[string]any{"id": w.uniq("g"), "name": "G", "organisations": []string{"ign"}}
		}},
		{op: "listOrgGroups", allow: everyone, status: 200, req: get("/api/v1/org-groups")},
		{op: "getOrgGroup", allow: everyone, status: 200, req: get("/api/v1/org-groups/g1")},
		{op: "renameOrgGroup", allow: adminOnly, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/org-groups/g1", map[string]any{"name": w.uniq("Group ")}
		}},
		{op: "setOrgGroupOrganisations", allow: adminOnly, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/org-groups/g1/organisations", map[string]any{"organisations": []string{"ign"}}
		}},
		{op: "deleteOrgGroup", allow: adminOnly, status: 204, write: true, req: func(w *world) (string, string, any) {
			id := w.uniq("g")
			w.as("admin").want(201, "POST", "/api/v1/org-groups", map[string]any{"id": id, "name": "G", "organisations": []string{}}, nil)
			return "DELETE", "/api/v1/org-groups/" + id, nil
		}},

		{op: "createDataset", allow: ignPubs, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/datasets", map[string]any{"id": w.uniq("IGNF_D"), "title": "D", "owner": "ign", "default_level": "search"}
		}},
		{op: "listDatasets", allow: everyone, status: 200, req: get("/api/v1/datasets?owner=ign&permission=edit")},
		{op: "getDataset", allow: everyone, status: 200, req: get("/api/v1/datasets/IGNF_T")},
		{op: "updateDataset", allow: ignPubs, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/datasets/IGNF_T", map[string]any{"title": "Test"}
		}},
		{op: "deleteDataset", allow: ignPubs, status: 204, write: true, req: func(w *world) (string, string, any) {
			id := w.uniq("IGNF_D")
			w.as("editor").want(201, "POST", "/api/v1/datasets", map[string]any{"id": id, "title": "D", "owner": "ign", "default_level": "search"}, nil)
			return "DELETE", "/api/v1/datasets/" + id, nil
		}},
		{op: "setDefaultLevel", allow: ignPubs, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/datasets/IGNF_T/default-level", map[string]any{"level": "search"}
		}},
		{op: "getAccessTable", allow: ignPubs, status: 200, req: get("/api/v1/datasets/IGNF_T/access?kind=organisation")},
		{op: "setGroupLevel", allow: ignPubs, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/datasets/IGNF_T/access/org_group/g1", map[string]any{"level": "consult"}
		}},
		{op: "bulkAccess", allow: ignPubs, status: 200, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/datasets/IGNF_T/access/bulk", map[string]any{"groups": []map[string]string{{"kind": "org_group", "id": "g1"}}, "action": "grant", "level": "download", "dry_run": true}
		}},
		// The private community c1 holds no level on IGNF_T: it does not
		// exist for the dataset's managers who may not view it.
		{op: "bulkAccess", allow: adminOnly, hidden: []string{"editor", "orgadmin"}, status: 200, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/datasets/IGNF_T/access/bulk", map[string]any{"groups": []map[string]string{{"kind": "community", "id": "c1"}}, "action": "grant", "level": "download", "dry_run": true}
		}},
		{op: "setGroupLevel", allow: adminOnly, hidden: []string{"editor", "orgadmin"}, status: 200, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/datasets/IGNF_T/access/community/c1", map[string]any{"level": nil}
		}},
		// Explaining someone's access needs manage_access, except one's own.
		{op: "explainAccess", allow: []string{"member", "editor", "orgadmin", "admin"}, status: 200, req: func(w *world) (string, string, any) {
			return "GET", "/api/v1/datasets/IGNF_T/explain?permission=download&account=" + w.id["member"], nil
		}},

		{op: "searchableDatasets", allow: everyone, status: 200, req: get("/api/v1/catalogue/searchable")},
		{op: "filterDatasets", allow: everyone, status: 200, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/catalogue/filter", map[string]any{"ids": []string{"IGNF_T"}, "permission": "download"}
		}},

		// Without a resource, managers read what they manage: by now every
		// role supervises the community it made above (TestAuditManagers
		// refuses someone who manages nothing).
		{op: "queryAudit", allow: everyone, status: 200, req: get("/api/v1/audit")},
		{op: "queryAudit", allow: ignPubs, status: 200, req: get("/api/v1/audit?resource=dataset:IGNF_T")},
		{op: "queryAudit", allow: ignAdmins, status: 200, req: get("/api/v1/audit?resource=organisation:ign")},
		{op: "queryAudit", allow: ignAdmins, status: 200, req: get("/api/v1/audit?resource=organisation:ign&action=organisation&order=desc")},
	}, grantMatrixCases())
}

// freshMember adds a new account to ign (by the admin) and returns its id.
func (w *world) freshMember() string {
	w.t.Helper()
	var m portal.Member
	w.as("admin").want(201, "POST", "/api/v1/organisations/ign/members", map[string]any{"new_account": map[string]any{"email": w.uniq("fm") + "@test.example", "name": "FM"}, "role": "registered"}, &m)
	return m.Account
}

// freshC1Member makes a new account a participant of c1: invited by its
// supervisor, accepted.
func (w *world) freshC1Member() string {
	w.t.Helper()
	id, tok := w.fresh()
	w.as("member").want(201, "POST", "/api/v1/communities/c1/invitations", map[string]any{"account": id, "role": "participant"}, nil)
	w.withToken(tok).want(200, "POST", "/api/v1/me/community-invitations/c1/accept", nil, nil)
	return id
}

// outsiderInvited creates a private community of member's and invites the
// outsider to it.
func (w *world) outsiderInvited() string {
	w.t.Helper()
	id := w.uniq("inv")
	w.as("member").want(201, "POST", "/api/v1/communities", map[string]any{"id": id, "name": "Invitation"}, nil)
	w.as("member").want(201, "POST", "/api/v1/communities/"+id+"/invitations", map[string]any{"account": w.id["outsider"], "role": "participant"}, nil)
	return id
}

// freshAdmin creates a platform administrator (by the admin).
func (w *world) freshAdmin() string {
	w.t.Helper()
	var a portal.Account
	w.as("admin").want(201, "POST", "/api/v1/accounts", map[string]any{"email": w.uniq("fa") + "@test.example", "name": "FA", "platform_roles": []string{"administrator"}}, &a)
	return a.ID
}

// freshOrg creates an organisation none of the roles belongs to.
func (w *world) freshOrg() string {
	w.t.Helper()
	first, _ := w.fresh()
	id := w.uniq("org")
	w.as("admin").want(201, "POST", "/api/v1/organisations", map[string]any{"id": id, "name": "Org", "type": "other", "first_admin": first}, nil)
	return id
}

// TestPortalMatrix: for every portal operation, every role of the world
// either may (and succeeds) or may not (and is refused with 403, or 404
// when the object is hidden from it), over HTTP.
func TestPortalMatrix(t *testing.T) { forEachStore(t, testPortalMatrix) }

func testPortalMatrix(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	covered := map[string]bool{}
	for _, c := range append(append(matrixCases(), contentMatrixCases()...), keyMatrixCases()...) {
		covered[c.op] = true
		for _, role := range roles {
			if slices.Contains(c.allow, role) {
				continue
			}
			method, path, body := c.req(w)
			r := w.as(role).do(method, path, body)
			want, code := 403, "forbidden"
			if slices.Contains(c.hidden, role) {
				want, code = 404, "not_found"
			}
			if r.status != want || !strings.Contains(string(r.body), `"code":"`+code+`"`) {
				t.Errorf("%s as %s (%s %s): %d %s, want %d %s", c.op, role, method, path, r.status, r.body, want, code)
			}
		}
		for i, role := range c.allow {
			if c.write && i > 0 {
				break
			}
			method, path, body := c.req(w)
			if r := w.as(role).do(method, path, body); r.status != c.status {
				t.Errorf("%s as %s (%s %s): %d %s, want %d", c.op, role, method, path, r.status, r.body, c.status)
			}
		}
	}
	for _, rt := range api.Routes() {
		if strings.HasPrefix(rt.Path, "/api/v1/schema") || strings.HasPrefix(rt.Path, "/api/v1/relationships") ||
			strings.HasPrefix(rt.Path, "/api/v1/permissions") || rt.Path == "/api/v1/watch" || rt.Path == "/metrics" || rt.Operation == "getOpenAPI" ||
			anonymousAuthOps[rt.Operation] {
			continue
		}
		if !covered[rt.Operation] {
			t.Errorf("the matrix misses %s (%s %s)", rt.Operation, rt.Method, rt.Path)
		}
	}
}
