package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/server"
)

// TestPortalAuth: who may call which face. Every portal route refuses a
// missing or bad token (401) and an operator token (403); every low-level
// route refuses a personal token (403) and still takes the operator's.
func TestPortalAuth(t *testing.T) { forEachStore(t, testPortalAuth) }

func testPortalAuth(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	for _, rt := range api.Routes() {
		path := fillPath(rt.Path)
		name := rt.Method + " " + rt.Path
		if rt.Operation == "getOpenAPI" || strings.HasPrefix(rt.Path, "/api/v1/catalogue") || anonymousAuthOps[rt.Operation] {
			continue // open to anyone; see TestCatalogueAudience, TestAuthAnonymous
		}
		if rt.Operation == "listPages" || rt.Operation == "renderPage" {
			continue // open to anyone; see TestPageAudience
		}
		if r := w.do(rt.Method, path, nil, "Authorization", ""); r.status != 401 {
			t.Errorf("%s without a token: %d, want 401", name, r.status)
		} else if r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s without a token: no WWW-Authenticate", name)
		}
		if r := w.do(rt.Method, path, nil, "Authorization", "Bearer oct_not-a-token"); r.status != 401 {
			t.Errorf("%s with a bad token: %d, want 401", name, r.status)
		}
		if strings.HasPrefix(rt.Path, "/api/v1/schema") || strings.HasPrefix(rt.Path, "/api/v1/relationships") ||
			strings.HasPrefix(rt.Path, "/api/v1/permissions") || rt.Path == "/api/v1/watch" || rt.Path == "/metrics" {
			w.as("admin").do(rt.Method, path, nil).problem(t, 403, "forbidden")
		} else {
			w.do(rt.Method, path, nil).problem(t, 403, "forbidden") // the operator token
		}
	}
	// The operator keeps the low-level API, on the portal's schema.
	var sr api.SchemaResponse
	w.ok("GET", "/api/v1/schema", nil, &sr)
	if sr.Schema != portal.Schema {
		t.Errorf("stored schema is not the portal's")
	}
	if got := w.check("dataset:IGNF_T", "edit", "user:"+w.id["editor"], map[string]any{"fully_consistent": true}); got != "has_permission" {
		t.Errorf("operator check of the editor's edit right: %s", got)
	}
	// ...but may not replace the schema the portal manages.
	w.do("PUT", "/api/v1/schema", map[string]any{"schema": testSchema}).problem(t, 409, "schema_managed")
	w.ok("PUT", "/api/v1/schema", map[string]any{"schema": portal.Schema}, nil)

	// A revoked token, a disabled account's token: 401.
	var ct api.CreatedToken
	w.as("outsider").want(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "script"}, &ct)
	w.withToken(ct.Secret).want(200, "GET", "/api/v1/me", nil, nil)
	w.as("outsider").want(204, "DELETE", "/api/v1/me/tokens/"+ct.Token.ID, nil, nil)
	w.withToken(ct.Secret).do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated")
	w.as("manager").want(200, "PUT", "/api/v1/accounts/"+w.id["outsider"]+"/status", map[string]any{"status": "disabled"}, nil)
	w.as("outsider").do("GET", "/api/v1/me", nil).problem(t, 401, "unauthenticated")
	w.as("manager").want(200, "PUT", "/api/v1/accounts/"+w.id["outsider"]+"/status", map[string]any{"status": "active"}, nil)
	w.as("outsider").want(200, "GET", "/api/v1/me", nil, nil)
}

// TestPortalEndpoints walks every portal endpoint as the right person and
// checks the answers.
func TestPortalEndpoints(t *testing.T) { forEachStore(t, testPortalEndpoints) }

func testPortalEndpoints(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	admin, oa, ed, mem, out := w.as("admin"), w.as("orgadmin"), w.as("editor"), w.as("member"), w.as("outsider")

	// me
	var me api.Me
	mem.want(200, "GET", "/api/v1/me", nil, &me)
	if me.Account.ID != w.id["member"] || me.Account.Email != "member@test.example" {
		t.Errorf("GET /me: %+v", me.Account)
	}
	var ct api.CreatedToken
	r := mem.want(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "laptop"}, &ct)
	if !strings.HasPrefix(ct.Secret, "oct_") || ct.Token.Name != "laptop" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("POST /me/tokens: %s", r.body)
	}
	var tl api.TokenList
	mem.want(200, "GET", "/api/v1/me/tokens", nil, &tl)
	if len(tl.Tokens) < 2 || bytes.Contains(mem.do("GET", "/api/v1/me/tokens", nil).body, []byte(ct.Secret)) {
		t.Errorf("GET /me/tokens: %+v", tl)
	}
	mem.want(204, "DELETE", "/api/v1/me/tokens/"+ct.Token.ID, nil, nil)
	mem.do("DELETE", "/api/v1/me/tokens/"+ct.Token.ID, nil).problem(t, 404, "not_found")

	// accounts
	var acc portal.Account
	admin.want(201, "POST", "/api/v1/accounts", map[string]any{"email": "New@Test.example", "name": "New"}, &acc)
	if acc.Email != "new@test.example" || acc.Status != "active" {
		t.Errorf("POST /accounts: %+v", acc)
	}
	admin.do("POST", "/api/v1/accounts", map[string]any{"email": "new@test.example", "name": "Again"}).problem(t, 409, "conflict")
	admin.do("POST", "/api/v1/accounts", map[string]any{"email": "not an address", "name": "X"}).problem(t, 400, "invalid_argument")
	admin.do("POST", "/api/v1/accounts", map[string]any{"email": "a@b.example", "name": "X", "colour": "red"}).problem(t, 400, "invalid_json")
	var al api.AccountList
	admin.want(200, "GET", "/api/v1/accounts?limit=2", nil, &al)
	if len(al.Accounts) != 2 || al.Cursor == "" {
		t.Errorf("GET /accounts?limit=2: %d accounts, cursor %q", len(al.Accounts), al.Cursor)
	}
	var al2 api.AccountList
	admin.want(200, "GET", "/api/v1/accounts?limit=2&cursor="+al.Cursor, nil, &al2)
	if len(al2.Accounts) == 0 || al2.Accounts[0].ID == al.Accounts[0].ID {
		t.Errorf("second page of accounts: %+v", al2)
	}
	admin.do("GET", "/api/v1/accounts?limit=0", nil).problem(t, 400, "invalid_argument")
	admin.want(200, "GET", "/api/v1/accounts/"+acc.ID, nil, &acc)
	admin.do("GET", "/api/v1/accounts/nobody", nil).problem(t, 404, "not_found")
	admin.want(200, "PUT", "/api/v1/accounts/"+acc.ID+"/platform-roles", map[string]any{"platform_roles": []string{"data_reader"}}, &acc)
	if !slices.Equal(acc.PlatformRoles, []portal.PlatformRole{"data_reader"}) {
		t.Errorf("platform roles: %v", acc.PlatformRoles)
	}
	admin.want(200, "PUT", "/api/v1/accounts/"+acc.ID+"/status", map[string]any{"status": "disabled"}, &acc)
	if acc.Status != "disabled" {
		t.Errorf("status: %v", acc.Status)
	}

	// organisations
	var org portal.Organisation
	admin.want(201, "POST", "/api/v1/organisations", map[string]any{"id": "region-sud", "name": "Région Sud", "type": "local_authority", "first_admin": w.id["outsider"]}, &org)
	admin.do("POST", "/api/v1/organisations", map[string]any{"id": "region-sud", "name": "Again", "type": "local_authority"}).problem(t, 409, "conflict")
	admin.do("POST", "/api/v1/organisations", map[string]any{"name": "Bad", "type": "castle"}).problem(t, 400, "invalid_argument")
	var ol api.OrganisationList
	out.want(200, "GET", "/api/v1/organisations?type=local_authority", nil, &ol)
	if len(ol.Organisations) != 1 || ol.Organisations[0].ID != "region-sud" {
		t.Errorf("organisations of type local_authority: %+v", ol.Organisations)
	}
	out.want(200, "GET", "/api/v1/organisations?name=IG", nil, &ol)
	if len(ol.Organisations) != 1 || ol.Organisations[0].ID != "ign" {
		t.Errorf("organisations named like IG: %+v", ol.Organisations)
	}
	out.want(200, "GET", "/api/v1/organisations/ign", nil, &org)
	oa.want(200, "PUT", "/api/v1/organisations/ign", map[string]any{"name": "IGN (Institut)", "type": "public_establishment"}, &org)
	if org.Name != "IGN (Institut)" || org.Type != "public_establishment" {
		t.Errorf("PUT /organisations/ign: %+v", org)
	}
	var m portal.Member
	oa.want(201, "POST", "/api/v1/organisations/ign/members", map[string]any{"account": acc.ID, "role": "registered"}, &m)
	oa.do("POST", "/api/v1/organisations/ign/members", map[string]any{"role": "registered"}).problem(t, 400, "invalid_argument")
	oa.want(200, "PUT", "/api/v1/organisations/ign/members/"+acc.ID, map[string]any{"role": "editor"}, &m)
	if m.Role != "editor" {
		t.Errorf("member role: %+v", m)
	}
	var ml api.MemberList
	mem.want(200, "GET", "/api/v1/organisations/ign/members", nil, &ml)
	if len(ml.Members) != 4 {
		t.Errorf("ign members: %+v", ml.Members)
	}
	oa.want(204, "DELETE", "/api/v1/organisations/ign/members/"+acc.ID, nil, nil)
	// The last delegated admin stays.
	oa.do("PUT", "/api/v1/organisations/ign/members/"+w.id["orgadmin"], map[string]any{"role": "editor"}).problem(t, 409, "conflict")
	oa.do("DELETE", "/api/v1/organisations/ign/members/"+w.id["orgadmin"], nil).problem(t, 409, "conflict")

	// join requests
	var jr portal.JoinRequest
	out.want(201, "POST", "/api/v1/organisations/ign/join-requests", map[string]any{"message": "hello"}, &jr)
	var jl api.JoinRequestList
	out.want(200, "GET", "/api/v1/me/join-requests", nil, &jl)
	if len(jl.JoinRequests) != 1 || jl.JoinRequests[0].ID != jr.ID {
		t.Errorf("GET /me/join-requests: %+v", jl)
	}
	oa.want(200, "GET", "/api/v1/organisations/ign/join-requests?status=pending", nil, &jl)
	if len(jl.JoinRequests) != 1 {
		t.Errorf("pending join requests of ign: %+v", jl)
	}
	oa.do("POST", "/api/v1/join-requests/"+jr.ID+"/decision", map[string]any{"decision": "maybe"}).problem(t, 400, "invalid_argument")
	oa.want(200, "POST", "/api/v1/join-requests/"+jr.ID+"/decision", map[string]any{"decision": "accept", "role": "registered"}, &jr)
	if jr.Status != "accepted" || jr.DecidedBy != w.id["orgadmin"] {
		t.Errorf("decided join request: %+v", jr)
	}
	oa.do("POST", "/api/v1/join-requests/"+jr.ID+"/decision", map[string]any{"decision": "refuse"}).problem(t, 409, "conflict")
	var nl api.NoticeList
	out.want(200, "GET", "/api/v1/me/notices", nil, &nl)
	if len(nl.Notices) == 0 {
		t.Errorf("the requester got no notice of the decision")
	}
	admin.want(201, "POST", "/api/v1/organisations/region-sud/join-requests", nil, &jr)
	admin.want(200, "POST", "/api/v1/join-requests/"+jr.ID+"/cancel", nil, &jr)
	if jr.Status != "cancelled" {
		t.Errorf("cancelled join request: %+v", jr)
	}

	// communities
	var c portal.Community
	ed.want(201, "POST", "/api/v1/communities", map[string]any{"id": "obs", "name": "Observatoire", "public": true}, &c)
	if c.Supervisor != w.id["editor"] {
		t.Errorf("community supervisor %q, want the creator", c.Supervisor)
	}
	var cl api.CommunityList
	out.want(200, "GET", "/api/v1/communities", nil, &cl)
	if len(cl.Communities) != 1 || cl.Communities[0].ID != "obs" {
		t.Errorf("communities an outsider sees: %+v", cl.Communities)
	}
	out.want(200, "GET", "/api/v1/communities/obs", nil, &c)
	ed.want(200, "PUT", "/api/v1/communities/obs", map[string]any{"name": "Observatoire du littoral", "public": true}, &c)
	var cm portal.CommunityMember
	// Nobody is added without consent: invited, then accepted.
	ed.do("PUT", "/api/v1/communities/obs/members/"+w.id["outsider"], map[string]any{"role": "participant"}).problem(t, 409, "conflict")
	ed.want(201, "POST", "/api/v1/communities/obs/invitations", map[string]any{"account": w.id["outsider"], "role": "administrator"}, nil)
	var il api.CommunityInvitationList
	out.want(200, "GET", "/api/v1/me/community-invitations", nil, &il)
	if len(il.Invitations) != 1 || il.Invitations[0].Community != "obs" || il.Invitations[0].Role != "administrator" {
		t.Errorf("the outsider's invitations: %+v", il)
	}
	out.want(200, "POST", "/api/v1/me/community-invitations/obs/accept", nil, nil)
	ed.want(200, "PUT", "/api/v1/communities/obs/members/"+w.id["outsider"], map[string]any{"role": "participant"}, &cm)
	var cml api.CommunityMemberList
	out.want(200, "GET", "/api/v1/communities/obs/members", nil, &cml)
	if len(cml.Members) != 2 {
		t.Errorf("community members: %+v", cml.Members)
	}
	ed.do("DELETE", "/api/v1/communities/obs/members/"+w.id["editor"], nil).problem(t, 409, "conflict") // the supervisor stays
	ed.want(204, "DELETE", "/api/v1/communities/obs/members/"+w.id["outsider"], nil, nil)

	// groups of organisations
	var g portal.OrgGroup
	admin.want(201, "POST", "/api/v1/org-groups", map[string]any{"id": "var", "name": "Communes du Var", "organisations": []string{"ign"}}, &g)
	admin.want(200, "PUT", "/api/v1/org-groups/var/organisations", map[string]any{"organisations": []string{"ign", "region-sud"}}, &g)
	if len(g.Organisations) != 2 {
		t.Errorf("org group organisations: %+v", g)
	}
	var gl api.OrgGroupList
	out.want(200, "GET", "/api/v1/org-groups", nil, &gl)
	if len(gl.OrgGroups) != 2 {
		t.Errorf("org groups: %+v", gl)
	}
	out.want(200, "GET", "/api/v1/org-groups/var", nil, &g)

	// datasets
	var ds api.Dataset
	ed.want(201, "POST", "/api/v1/datasets", map[string]any{"id": "IGNF_BD-PARCELLAIRE", "title": "Parcellaire", "owner": "ign", "default_level": "private"}, &ds)
	if ds.DefaultLevel != "private" {
		t.Errorf("dataset default level %q", ds.DefaultLevel)
	}
	ed.do("POST", "/api/v1/datasets", map[string]any{"id": "X", "title": "X", "owner": "ign", "default_level": "secret"}).problem(t, 400, "invalid_argument")
	_, nobody := w.fresh()
	w.withToken(nobody).do("GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE", nil).problem(t, 404, "not_found") // private: hidden
	mem.want(200, "GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE", nil, &ds)                                  // the owner's members see it
	ed.want(200, "PUT", "/api/v1/datasets/IGNF_BD-PARCELLAIRE", map[string]any{"title": "BD PARCELLAIRE"}, &ds)
	if ds.Title != "BD PARCELLAIRE" {
		t.Errorf("title %q", ds.Title)
	}
	var sl api.SetLevelResponse
	ed.want(200, "PUT", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access/org_group/var", map[string]any{"level": "consult"}, &sl)
	if sl.Change.After == nil || *sl.Change.After != "consult" || sl.Change.Before != nil {
		t.Errorf("set group level: %+v", sl.Change)
	}
	ed.want(200, "PUT", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access/community/obs", map[string]any{"level": "search"}, nil)
	// A group level never lies below the default: raising the default
	// removes those below it, and says so.
	var dl api.DefaultLevelResponse
	ed.want(200, "PUT", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/default-level", map[string]any{"level": "consult"}, &dl)
	if dl.Dataset.DefaultLevel != "consult" || len(dl.Changes) != 1 || dl.Changes[0].Group.ID != "obs" ||
		dl.Changes[0].Before == nil || *dl.Changes[0].Before != "search" || dl.Changes[0].After != nil {
		t.Errorf("default level raised to consult: %+v", dl)
	}
	ed.do("PUT", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access/community/obs", map[string]any{"level": "search"}).problem(t, 400, "invalid_argument")
	ed.do("PUT", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/default-level", map[string]any{"level": nil}).problem(t, 400, "invalid_argument")
	var at api.AccessTable
	ed.want(200, "GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access?kind=organisation&sort=name", nil, &at)
	if at.Total != 2 || len(at.Rows) != 2 || at.Rows[0].Group.Kind != "organisation" {
		t.Errorf("access table of organisations: %+v", at)
	}
	ed.want(200, "GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access?level=consult&limit=1", nil, &at)
	if at.Total < 1 || len(at.Rows) != 1 || at.Rows[0].EffectiveLevel != "consult" {
		t.Errorf("access table at consult: %+v", at)
	}
	ed.do("GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access?sort=colour", nil).problem(t, 400, "invalid_argument")
	bulk := map[string]any{"groups": []map[string]string{{"kind": "organisation", "id": "region-sud"}, {"kind": "community", "id": "obs"}}, "action": "grant", "level": "download"}
	var br api.BulkAccessResponse
	ed.want(200, "POST", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access/bulk?dry_run=true", bulk, &br)
	if !br.DryRun || len(br.Changes) != 2 {
		t.Errorf("bulk dry run: %+v", br)
	}
	ed.want(200, "GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access?kind=organisation&name=sud", nil, &at)
	if len(at.Rows) != 1 || at.Rows[0].SpecificLevel != nil {
		t.Errorf("a dry run wrote: %+v", at.Rows)
	}
	ed.want(200, "POST", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access/bulk", bulk, &br)
	if br.DryRun || len(br.Changes) != 2 {
		t.Errorf("bulk: %+v", br)
	}
	ed.do("POST", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/access/bulk", map[string]any{"groups": []any{}, "action": "paint"}).problem(t, 400, "invalid_argument")

	// explain, in both languages
	var ex api.Explanation
	out.want(200, "GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/explain?permission=download", nil, &ex)
	if !ex.Allowed || ex.FR == "" || ex.EN == "" || len(ex.Reasons) == 0 || ex.Reasons[0].FR == "" || ex.Reasons[0].EN == "" {
		t.Errorf("explain the outsider's download (region-sud's delegated admin): %+v", ex)
	}
	ed.want(200, "GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/explain?account="+w.id["reader"]+"&permission=edit", nil, &ex)
	if ex.Allowed || ex.FR == "" {
		t.Errorf("explain the reader's edit: %+v", ex)
	}
	ed.do("GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE/explain", nil).problem(t, 400, "invalid_argument")

	// catalogue
	var dsl api.DatasetList
	out.want(200, "GET", "/api/v1/catalogue/searchable", nil, &dsl)
	if len(dsl.Datasets) != 2 {
		t.Errorf("searchable by the outsider, now of ign: %+v", dsl)
	}
	w.withToken(nobody).want(200, "GET", "/api/v1/catalogue/searchable", nil, &dsl)
	if len(dsl.Datasets) != 2 { // both now public at search or more
		t.Errorf("searchable by someone of no organisation: %+v", dsl)
	}
	out.want(200, "GET", "/api/v1/catalogue/searchable?limit=1", nil, &dsl)
	if len(dsl.Datasets) != 1 || dsl.Cursor == "" {
		t.Errorf("searchable page 1: %+v", dsl)
	}
	var fr api.FilterResponse
	w.as("reader").want(200, "POST", "/api/v1/catalogue/filter", map[string]any{"ids": []string{"IGNF_T", "IGNF_BD-PARCELLAIRE", "NOPE"}, "permission": "download"}, &fr)
	if !slices.Equal(fr.Allowed, []string{"IGNF_T", "IGNF_BD-PARCELLAIRE"}) || fr.Results["NOPE"] {
		t.Errorf("filter for the data reader: %+v", fr)
	}
	w.as("editor").want(200, "POST", "/api/v1/catalogue/filter", map[string]any{"ids": []string{"IGNF_T"}}, &fr)
	if fr.Permission != "search" || !fr.Results["IGNF_T"] {
		t.Errorf("filter with the default permission: %+v", fr)
	}

	// audit
	var aul api.AuditList
	ed.want(200, "GET", "/api/v1/audit?resource=dataset:IGNF_BD-PARCELLAIRE", nil, &aul)
	if len(aul.Entries) < 5 || aul.Entries[0].Action == "" || aul.Entries[0].Actor != w.id["editor"] {
		t.Errorf("audit of the dataset: %+v", aul.Entries)
	}
	admin.want(200, "GET", "/api/v1/audit?limit=3&since=2000-01-01", nil, &aul)
	if len(aul.Entries) != 3 || aul.Cursor == "" {
		t.Fatalf("audit page: %+v", aul)
	}
	var next api.AuditList
	admin.want(200, "GET", "/api/v1/audit?limit=3&cursor="+aul.Cursor, nil, &next)
	if len(next.Entries) == 0 || next.Entries[0].Seq <= aul.Entries[2].Seq {
		t.Errorf("audit page 2 does not follow page 1")
	}
	admin.want(200, "GET", "/api/v1/audit?actor="+w.id["orgadmin"], nil, &aul)
	for _, e := range aul.Entries {
		if e.Actor != w.id["orgadmin"] {
			t.Errorf("audit by actor: entry of %s", e.Actor)
		}
	}
	admin.do("GET", "/api/v1/audit?since=yesterday", nil).problem(t, 400, "invalid_argument")
	nd := w.do("GET", "/api/v1/audit", nil, "Authorization", "Bearer "+w.tok["admin"], "Accept", "application/x-ndjson")
	if nd.status != 200 || nd.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("audit export: %d %s", nd.status, nd.body)
	}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(nd.body))
	for sc.Scan() {
		var e api.AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Seq == 0 {
			t.Fatalf("audit export line %q: %v", sc.Text(), err)
		}
		lines++
	}
	admin.want(200, "GET", "/api/v1/audit?limit=1000", nil, &aul)
	if lines != len(aul.Entries) {
		t.Errorf("audit export has %d lines, the audit %d entries", lines, len(aul.Entries))
	}

	// deletions
	ed.want(204, "DELETE", "/api/v1/datasets/IGNF_BD-PARCELLAIRE", nil, nil)
	ed.do("GET", "/api/v1/datasets/IGNF_BD-PARCELLAIRE", nil).problem(t, 404, "not_found")
	ed.want(204, "DELETE", "/api/v1/communities/obs", nil, nil)
	admin.want(204, "DELETE", "/api/v1/org-groups/var", nil, nil)
	admin.do("GET", "/api/v1/org-groups/var", nil).problem(t, 404, "not_found")
}

// TestCatalogueAudience: the catalogue filters answer anonymous visitors,
// people (personal tokens) and catalogues acting for a person (operator
// token + account), each with exactly that person's view. Only an operator
// token may name the account: anyone else doing so is refused, since
// account ids are easy to learn. Every caller meets every account value,
// on both filters.
func TestCatalogueAudience(t *testing.T) { forEachStore(t, testCatalogueAudience) }

func testCatalogueAudience(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	w.as("editor").want(201, "POST", "/api/v1/datasets", map[string]any{"id": "IGNF_P", "title": "Private", "owner": "ign", "default_level": "private"}, nil)
	disabled, _ := w.fresh()
	w.as("admin").want(200, "PUT", "/api/v1/accounts/"+disabled+"/status", map[string]any{"status": "disabled"}, nil)

	public, both, none := []string{"IGNF_T"}, []string{"IGNF_P", "IGNF_T"}, []string(nil)
	const (
		anonymous = "anonymous"
		operator  = "operator"
		badToken  = "bad token"
	)
	callers := map[string]string{ // caller → Authorization header
		anonymous: "", operator: "Bearer " + testToken, badToken: "Bearer oct_not-a-token",
		"member": "Bearer " + w.tok["member"], "outsider": "Bearer " + w.tok["outsider"],
	}
	for _, tc := range []struct {
		caller  string
		account string // "-": no account parameter
		status  int
		code    string
		want    []string // with 200
	}{
		{anonymous, "-", 200, "", public},
		{anonymous, w.id["member"], 403, "forbidden", nil},
		{anonymous, "nobody", 403, "forbidden", nil},
		{anonymous, "", 403, "forbidden", nil},
		{"member", "-", 200, "", both},
		{"member", w.id["member"], 403, "forbidden", nil},
		{"member", w.id["outsider"], 403, "forbidden", nil},
		{"outsider", "-", 200, "", public},
		{"outsider", w.id["member"], 403, "forbidden", nil},
		{operator, "-", 200, "", public},
		{operator, w.id["member"], 200, "", both},
		{operator, w.id["outsider"], 200, "", public},
		{operator, "nobody", 404, "not_found", nil},
		{operator, "", 400, "invalid_argument", nil},
		{operator, disabled, 200, "", none},
		{badToken, "-", 401, "unauthenticated", nil},
		{badToken, w.id["member"], 401, "unauthenticated", nil},
	} {
		query := ""
		if tc.account != "-" {
			query = "?account=" + tc.account
		}
		for _, op := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/catalogue/searchable", nil},
			{"POST", "/api/v1/catalogue/filter", map[string]any{"ids": both, "permission": "search"}},
		} {
			name := fmt.Sprintf("%s %s%s as %s", op.method, op.path, query, tc.caller)
			r := w.do(op.method, op.path+query, op.body, "Authorization", callers[tc.caller])
			if tc.status != 200 {
				if r.status != tc.status {
					t.Errorf("%s: got status %d, want %d; body %s", name, r.status, tc.status, r.body)
					continue
				}
				p := r.problem(t, tc.status, tc.code)
				if tc.status == 403 && !strings.Contains(p["detail"].(string), "operator token") {
					t.Errorf("%s: got detail %q, want it to say that account is for operator tokens", name, p["detail"])
				}
				continue
			}
			if r.status != 200 {
				t.Errorf("%s: got status %d, want 200; body %s", name, r.status, r.body)
				continue
			}
			var got []string
			if op.method == "GET" {
				var dsl api.DatasetList
				r.json(t, &dsl)
				for _, d := range dsl.Datasets {
					got = append(got, d.ID)
				}
			} else {
				var fr api.FilterResponse
				r.json(t, &fr)
				got = fr.Allowed
			}
			slices.Sort(got)
			if len(got) == 0 {
				got = nil
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", name, got, tc.want)
			}
		}
	}

	// The log names the real caller and whom it acted for, never the
	// account as if it had authenticated.
	w.logs.Reset()
	w.ok("GET", "/api/v1/catalogue/searchable?account="+w.id["member"], nil, nil)
	lines := w.logs.lines("msg=request", "operation=searchableDatasets")
	if len(lines) != 1 || !strings.Contains(lines[0], "actor=operator:(configured)") || !strings.Contains(lines[0], "on_behalf_of="+w.id["member"]) {
		t.Errorf("got request log %q, want one line with actor=operator:(configured) on_behalf_of=%s", lines, w.id["member"])
	}
}

// TestCatalogueNoAuth: --no-auth opens the low-level API only; it makes
// nobody an operator of the portal, so an anonymous catalogue request
// still may not name an account.
func TestCatalogueNoAuth(t *testing.T) {
	w := newWorld(t, func(t *testing.T, m ...func(*server.Config)) *env {
		return newEnv(t, append(m, func(c *server.Config) { c.NoAuth = true })...)
	})
	for _, tc := range []struct {
		path, auth string
		status     int
	}{
		{"/api/v1/catalogue/searchable", "", 200},
		{"/api/v1/catalogue/searchable?account=" + w.id["member"], "", 403},
		{"/api/v1/catalogue/searchable?account=" + w.id["member"], "Bearer anything", 401},
		{"/api/v1/catalogue/searchable?account=" + w.id["member"], "Bearer " + w.tok["outsider"], 403},
	} {
		if r := w.do("GET", tc.path, nil, "Authorization", tc.auth); r.status != tc.status {
			t.Errorf("GET %s with %q: got status %d, want %d; body %s", tc.path, tc.auth, r.status, tc.status, r.body)
		}
	}
}
