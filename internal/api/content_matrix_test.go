package api_test

// The content pages, maps and content roles in the role × action matrix
// (TestPortalMatrix), on a fixture made once per world by content:
//
//   - page "pg": private, of ign (so its editor, delegated admin and the
//     platform administrator manage it), with a visualisation of IGNF_T;
//     member is added to it (view only);
//   - community c1 (member supervises it) holds the map creator privilege;
//   - map "mp": owned by c1, shared read with the organisation ign (whose
//     orgadmin and editor view it).

var (
	pgManagers = []string{"editor", "orgadmin", "admin"}
	pgHidden   = []string{"manager", "reader", "outsider"}
	mpViewers  = []string{"member", "orgadmin", "editor", "admin"}
	mpOwners   = []string{"member", "admin"}
)

// content makes the fixture unless it is there.
func (w *world) content() {
	w.t.Helper()
	if w.as("admin").do("GET", "/api/v1/pages/pg", nil).status == 200 {
		return
	}
	w.as("editor").want(201, "POST", "/api/v1/pages", map[string]any{"id": "pg", "title": "Page", "body": "Texte", "owner": "ign",
		"visualisations": []map[string]any{{"id": "v1", "dataset": "IGNF_T"}}}, nil)
	w.as("editor").want(200, "PUT", "/api/v1/pages/pg/members/user/"+w.id["member"], map[string]any{}, nil)
	w.as("admin").want(200, "PUT", "/api/v1/content-roles/map_creator/community/c1", nil, nil)
	w.as("member").want(201, "POST", "/api/v1/maps", map[string]any{"id": "mp", "name": "Carte", "owner": map[string]any{"kind": "community", "id": "c1"}}, nil)
	w.as("member").want(200, "PUT", "/api/v1/maps/mp/shares/organisation/ign", map[string]any{"level": "read"}, nil)
}

// contentGet is get, after making the fixture.
func contentGet(path string) func(*world) (string, string, any) {
	return func(w *world) (string, string, any) { w.content(); return "GET", path, nil }
}

// freshPage makes a private page of ign's (by its editor).
func (w *world) freshPage() string {
	w.t.Helper()
	id := w.uniq("page")
	w.as("editor").want(201, "POST", "/api/v1/pages", map[string]any{"id": id, "title": "P", "owner": "ign"}, nil)
	return id
}

// freshMap makes a map of c1's shared read with ign (by member).
func (w *world) freshMap() string {
	w.t.Helper()
	w.content()
	id := w.uniq("map")
	w.as("member").want(201, "POST", "/api/v1/maps", map[string]any{"id": id, "name": "M", "owner": map[string]any{"kind": "community", "id": "c1"}}, nil)
	w.as("member").want(200, "PUT", "/api/v1/maps/"+id+"/shares/organisation/ign", map[string]any{"level": "read"}, nil)
	return id
}

func contentMatrixCases() []matrixCase {
	return []matrixCase{
		{op: "createPage", allow: ignPubs, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/pages", map[string]any{"id": w.uniq("p"), "title": "P", "owner": "ign"}
		}},
		// The platform's own pages: "edit all pages" (here the platform
		// administrator) only.
		{op: "createPage", allow: adminOnly, status: 201, write: true, req: func(w *world) (string, string, any) {
			return "POST", "/api/v1/pages", map[string]any{"id": w.uniq("p"), "title": "P"}
		}},
		{op: "listPages", allow: everyone, status: 200, req: contentGet("/api/v1/pages")},
		{op: "renderPage", allow: []string{"member", "editor", "orgadmin", "admin"}, hidden: pgHidden, status: 200, req: contentGet("/api/v1/pages/pg")},
		{op: "updatePage", allow: pgManagers, hidden: pgHidden, status: 200, write: true, req: func(w *world) (string, string, any) {
			w.content()
			return "PUT", "/api/v1/pages/pg", map[string]any{"title": "Page", "body": "Texte", "visualisations": []map[string]any{{"id": "v1"}}}
		}},
		{op: "deletePage", allow: pgManagers, hidden: append([]string{"member"}, pgHidden...), status: 204, write: true, req: func(w *world) (string, string, any) {
			return "DELETE", "/api/v1/pages/" + w.freshPage(), nil
		}},
		{op: "setPagePolicy", allow: pgManagers, hidden: pgHidden, status: 200, write: true, req: func(w *world) (string, string, any) {
			w.content()
			return "PUT", "/api/v1/pages/pg/policy", map[string]any{"public": false}
		}},
		{op: "listPageMembers", allow: pgManagers, hidden: pgHidden, status: 200, req: contentGet("/api/v1/pages/pg/members")},
		{op: "setPageMember", allow: pgManagers, hidden: pgHidden, status: 200, write: true, req: func(w *world) (string, string, any) {
			w.content()
			id, _ := w.fresh()
			return "PUT", "/api/v1/pages/pg/members/user/" + id, map[string]any{"edit": true}
		}},
		{op: "removePageMember", allow: pgManagers, hidden: pgHidden, status: 204, write: true, req: func(w *world) (string, string, any) {
			w.content()
			id, _ := w.fresh()
			w.as("editor").want(200, "PUT", "/api/v1/pages/pg/members/user/"+id, map[string]any{}, nil)
			return "DELETE", "/api/v1/pages/pg/members/user/" + id, nil
		}},

		{op: "createMap", allow: mpOwners, status: 201, write: true, req: func(w *world) (string, string, any) {
			w.content()
			return "POST", "/api/v1/maps", map[string]any{"name": "M", "owner": map[string]any{"kind": "community", "id": "c1"}}
		}},
		{op: "listMaps", allow: everyone, status: 200, req: contentGet("/api/v1/maps")},
		{op: "getMap", allow: mpViewers, hidden: pgHidden, status: 200, req: contentGet("/api/v1/maps/mp")},
		{op: "updateMap", allow: mpOwners, hidden: pgHidden, status: 200, write: true, req: func(w *world) (string, string, any) {
			w.content()
			return "PUT", "/api/v1/maps/mp", map[string]any{"name": "Carte", "icon": "globe"}
		}},
		{op: "deleteMap", allow: mpOwners, hidden: pgHidden, status: 204, write: true, req: func(w *world) (string, string, any) {
			return "DELETE", "/api/v1/maps/" + w.freshMap(), nil
		}},
		{op: "setMapResources", allow: mpOwners, hidden: pgHidden, status: 200, write: true, req: func(w *world) (string, string, any) {
			w.content()
			return "PUT", "/api/v1/maps/mp/resources", map[string]any{"resources": []map[string]any{{"kind": "dataset", "id": "IGNF_T"}}}
		}},
		{op: "listMapShares", allow: mpOwners, hidden: pgHidden, status: 200, req: contentGet("/api/v1/maps/mp/shares")},
		{op: "setMapShare", allow: mpOwners, hidden: pgHidden, status: 200, write: true, req: func(w *world) (string, string, any) {
			return "PUT", "/api/v1/maps/" + w.freshMap() + "/shares/organisation/ign", map[string]any{"level": "write"}
		}},

		// Whoever manages a page or shares a map reads its audit entries.
		{op: "queryAudit", allow: pgManagers, status: 200, req: contentGet("/api/v1/audit?resource=page:pg")},
		{op: "queryAudit", allow: mpOwners, status: 200, req: contentGet("/api/v1/audit?resource=map:mp")},

		{op: "listContentRoles", allow: adminOnly, status: 200, req: get("/api/v1/content-roles")},
		{op: "addContentRole", allow: adminOnly, status: 200, write: true, req: func(w *world) (string, string, any) {
			id, _ := w.fresh()
			return "PUT", "/api/v1/content-roles/page_viewer/user/" + id, nil
		}},
		{op: "removeContentRole", allow: adminOnly, status: 204, write: true, req: func(w *world) (string, string, any) {
			id, _ := w.fresh()
			w.as("admin").want(200, "PUT", "/api/v1/content-roles/map_editor/user/"+id, nil, nil)
			return "DELETE", "/api/v1/content-roles/map_editor/user/" + id, nil
		}},
	}
}
