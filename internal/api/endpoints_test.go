package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/server"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

func TestConsistency(t *testing.T) { forEachStore(t, testConsistency) }

func testConsistency(t *testing.T, mk envMaker) {
	e := mk(t)
	e.writeSchema(testSchema)
	tok := e.touch("document:a#viewer@user:tom")
	// Read-your-writes: the token of the write is already readable.
	if got := e.check("document:a", "view", "user:tom", map[string]any{"at_least_as_fresh": tok}); got != "has_permission" {
		t.Errorf("check with the write's token = %s, want has_permission", got)
	}
	if got := e.check("document:a", "view", "user:tom", map[string]any{"fully_consistent": true}); got != "has_permission" {
		t.Errorf("fully consistent check = %s, want has_permission", got)
	}
	// Answers carry a token no older than the write's.
	var cr api.CheckResponse
	e.ok("POST", "/api/v1/permissions/check", map[string]any{"resource": "document:a", "permission": "view", "subject": "user:tom"}, &cr)
	got, _ := api.DecodeToken(cr.ConsistencyToken)
	want, _ := api.DecodeToken(tok)
	if got < want {
		t.Errorf("check answered at revision %d, before the write's %d", got, want)
	}
	// A token from another database (ahead of this one) is refused.
	e.do("POST", "/api/v1/permissions/check", map[string]any{"resource": "document:a", "permission": "view", "subject": "user:tom",
		"consistency": map[string]any{"at_least_as_fresh": api.EncodeToken(want + 1000)}}).problem(t, 400, "invalid_argument")

	// A write by another process (same database, not seen by this
	// server's subscription) is picked up by polling; fully_consistent
	// waits for it.
	rev, err := e.store.Write(context.Background(), store.WriteRequest{Updates: []store.Update{{Op: store.Touch, Relationship: mustParse(t, "document:b#viewer@user:ann")}}})
	if err != nil {
		t.Fatal(err)
	}
	_ = rev
	if got := e.check("document:b", "view", "user:ann", map[string]any{"fully_consistent": true}); got != "has_permission" {
		t.Errorf("fully consistent check after a direct store write = %s, want has_permission", got)
	}
}

func mustParse(t *testing.T, s string) tuple.Relationship {
	t.Helper()
	r, err := tuple.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSchemaDryRunAndInUse(t *testing.T) { forEachStore(t, testSchemaDryRunAndInUse) }

func testSchemaDryRunAndInUse(t *testing.T, mk envMaker) {
	e := mk(t)
	e.writeSchema(testSchema)
	e.touch("document:a#viewer@user:*", "document:b#viewer@user:*", "document:a#owner@user:tom")

	next := strings.Replace(testSchema, "relation viewer: user | user:* | group#member", "relation viewer: user | group#member\n\trelation editor: user", 1)
	next = strings.Replace(next, "permission edit = owner", "permission edit = owner + editor", 1)
	var ws api.WriteSchemaResponse
	// Dry run of a schema that would orphan the wildcards: refused, with counts.
	p := e.do("PUT", "/api/v1/schema?dry_run=true", map[string]any{"schema": next}).problem(t, 409, "schema_in_use")
	uses, _ := p["uses"].([]any)
	if len(uses) != 1 || uses[0].(map[string]any)["shape"] != "document#viewer@user:*" || uses[0].(map[string]any)["count"] != float64(2) {
		t.Errorf("uses = %v, want document#viewer@user:* counted 2", uses)
	}
	// Once the wildcards are gone, the dry run shows the diff and writes nothing.
	var del api.DeleteResponse
	e.ok("POST", "/api/v1/relationships/delete", map[string]any{"filter": map[string]any{"resource_type": "document", "subject_id": "*"}}, &del)
	if del.Deleted != 2 {
		t.Errorf("deleted %d, want 2", del.Deleted)
	}
	e.ok("PUT", "/api/v1/schema", map[string]any{"schema": next, "dry_run": true}, &ws)
	if !ws.DryRun || ws.ConsistencyToken != "" {
		t.Errorf("dry run answered %+v", ws)
	}
	d := ws.Diff
	if fmt.Sprint(d.AddedRelations) != "[document#editor]" || len(d.ChangedRelations) != 1 || len(d.ChangedPermissions) != 1 {
		t.Errorf("diff = %+v", d)
	}
	var sr api.SchemaResponse
	e.ok("GET", "/api/v1/schema", nil, &sr)
	if sr.Schema != testSchema {
		t.Error("dry run wrote the schema")
	}
	e.ok("PUT", "/api/v1/schema", map[string]any{"schema": next}, &ws)
	// The new relation is usable at once (the schema reached the engine).
	tok := e.touch("document:a#editor@user:ann")
	if got := e.check("document:a", "edit", "user:ann", map[string]any{"at_least_as_fresh": tok}); got != "has_permission" {
		t.Errorf("check through the new relation = %s", got)
	}
	// Removing a definition still used is refused too.
	e.do("PUT", "/api/v1/schema", map[string]any{"schema": "definition user {}"}).problem(t, 409, "schema_in_use")
}

func TestRelationshipsReadWriteDelete(t *testing.T) {
	forEachStore(t, testRelationshipsReadWriteDelete)
}

func testRelationshipsReadWriteDelete(t *testing.T, mk envMaker) {
	e := mk(t)
	e.writeSchema("use expiration\ncaveat weekday(day string) { day == \"mon\" }\n" + strings.Replace(testSchema,
		"relation owner: user", "relation owner: user | user with weekday | user with expiration", 1))
	exp := time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)
	var wr api.WriteResponse
	e.ok("POST", "/api/v1/relationships/write", map[string]any{"updates": []any{
		map[string]any{"operation": "create", "relationship": map[string]any{"resource": "document:a", "relation": "owner", "subject": "user:tom",
			"caveat": map[string]any{"name": "weekday", "context": map[string]any{"day": "mon"}}}},
		map[string]any{"operation": "touch", "relationship": map[string]any{"resource": "document:a", "relation": "owner", "subject": "user:ann", "expiration": exp}},
		map[string]any{"operation": "touch", "relationship": "document:b#viewer@group:eng#member"},
	}}, &wr)
	for i := range 5 {
		e.touch(fmt.Sprintf("document:p%d#viewer@user:u%d", i, i))
	}
	// Pagination: pages of 2 until the cursor is empty, GET and POST alike.
	var all []api.Relationship
	cursor := ""
	for range 10 {
		var rr api.ReadResponse
		e.ok("POST", "/api/v1/relationships/read", map[string]any{"filter": map[string]any{"resource_type": "document"}, "limit": 2, "cursor": cursor}, &rr)
		all = append(all, rr.Relationships...)
		if cursor = rr.Cursor; cursor == "" {
			break
		}
	}
	if len(all) != 8 {
		t.Fatalf("read %d relationships in pages, want 8: %v", len(all), all)
	}
	var rr api.ReadResponse
	e.ok("GET", "/api/v1/relationships/read?resource_type=document&resource_id=a&consistency=fully_consistent", nil, &rr)
	if len(rr.Relationships) != 2 || rr.ConsistencyToken == "" {
		t.Fatalf("GET read = %+v", rr)
	}
	for _, r := range rr.Relationships {
		switch r.Subject {
		case "user:tom":
			if r.Caveat == nil || r.Caveat.Name != "weekday" || r.Caveat.Context["day"] != "mon" {
				t.Errorf("caveat not read back: %+v", r)
			}
		case "user:ann":
			if r.Expiration == nil || !r.Expiration.Equal(exp) {
				t.Errorf("expiration not read back: %+v", r)
			}
		}
	}
	e.ok("GET", "/api/v1/relationships/read?resource_type=document&subject_relation=member", nil, &rr)
	if len(rr.Relationships) != 1 || rr.Relationships[0].Subject != "group:eng#member" {
		t.Errorf("subject_relation filter = %+v", rr.Relationships)
	}
	// Delete one, then by filter with a limit.
	e.ok("POST", "/api/v1/relationships/write", map[string]any{"updates": []any{map[string]any{"operation": "delete", "relationship": "document:b#viewer@group:eng#member"}}}, nil)
	var del api.DeleteResponse
	e.ok("POST", "/api/v1/relationships/delete", map[string]any{"filter": map[string]any{"resource_type": "document", "relation": "viewer"}, "limit": 3}, &del)
	if del.Deleted != 3 {
		t.Errorf("deleted %d, want 3", del.Deleted)
	}
	if got := e.check("document:p0", "view", "user:u0", map[string]any{"at_least_as_fresh": del.ConsistencyToken}); got != "no_permission" {
		t.Errorf("check after delete = %s, want no_permission", got)
	}
}

func TestImportExport(t *testing.T) { forEachStore(t, testImportExport) }

func testImportExport(t *testing.T, mk envMaker) {
	e := mk(t)
	e.writeSchema(testSchema)
	var b strings.Builder
	b.WriteString("# a comment\n\n")
	for i := range 250 {
		fmt.Fprintf(&b, "document:d%d#viewer@user:u%d\n", i, i%7)
	}
	var ir api.ImportResponse
	e.ok("POST", "/api/v1/relationships/import", b.String(), &ir, "Content-Type", "text/plain")
	if ir.Imported != 250 {
		t.Errorf("imported %d, want 250", ir.Imported)
	}
	if got := e.check("document:d249", "view", "user:u4", map[string]any{"at_least_as_fresh": ir.ConsistencyToken}); got != "has_permission" {
		t.Errorf("check of an imported relationship = %s", got)
	}
	// Errors name the line.
	p := e.do("POST", "/api/v1/relationships/import", "document:x#viewer@user:a\ndocument:y#viewer@\n").problem(t, 400, "invalid_argument")
	if !strings.Contains(p["detail"].(string), "line 2") {
		t.Errorf("parse error detail %q does not name line 2", p["detail"])
	}
	p = e.do("POST", "/api/v1/relationships/import", "document:x#viewer@user:a\n\ndocument:y#owner@group:g#member\n").problem(t, 400, "invalid_relationship")
	if !strings.Contains(p["detail"].(string), "line 3") {
		t.Errorf("schema error detail %q does not name line 3", p["detail"])
	}
	// Export: every relationship, then the token line.
	r := e.ok("GET", "/api/v1/relationships/export", nil, nil)
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	if len(lines) != 251 || !strings.HasPrefix(lines[250], "# consistency_token: ") {
		t.Fatalf("export has %d lines, last %q", len(lines), lines[len(lines)-1])
	}
	r = e.ok("GET", "/api/v1/relationships/export?subject_id=u3", nil, nil)
	if n := strings.Count(string(r.body), "@user:u3\n"); n != 36 {
		t.Errorf("filtered export has %d lines for u3, want 36", n)
	}
}

func TestImportTooLarge(t *testing.T) { forEachStore(t, testImportTooLarge) }

func testImportTooLarge(t *testing.T, mk envMaker) {
	e := mk(t, func(c *server.Config) { c.MaxImportBytes = 100 })
	e.writeSchema(testSchema)
	e.do("POST", "/api/v1/relationships/import", strings.Repeat("document:x#viewer@user:a\n", 20)).problem(t, 413, "too_large")
}

func TestLookupsPagesAndNDJSON(t *testing.T) { forEachStore(t, testLookupsPagesAndNDJSON) }

func testLookupsPagesAndNDJSON(t *testing.T, mk envMaker) {
	e := mk(t)
	e.writeSchema(testSchema)
	var b strings.Builder
	for i := range 25 {
		fmt.Fprintf(&b, "document:d%02d#viewer@group:eng#member\ngroup:eng#member@user:u%02d\n", i, i)
	}
	var ir api.ImportResponse
	e.ok("POST", "/api/v1/relationships/import", b.String(), &ir)
	cons := map[string]any{"at_least_as_fresh": ir.ConsistencyToken}

	var ids []string
	cursor := ""
	for range 10 {
		var lr api.LookupResourcesResponse
		e.ok("POST", "/api/v1/permissions/lookup-resources", map[string]any{"resource_type": "document", "permission": "view", "subject": "user:u03", "limit": 10, "cursor": cursor, "consistency": cons}, &lr)
		for _, r := range lr.Resources {
			ids = append(ids, r.ResourceID)
		}
		if cursor = lr.Cursor; cursor == "" {
			break
		}
	}
	if len(ids) != 25 || ids[0] != "d00" || ids[24] != "d24" {
		t.Errorf("paged lookup-resources = %v", ids)
	}
	r := e.ok("POST", "/api/v1/permissions/lookup-resources", map[string]any{"resource_type": "document", "permission": "view", "subject": "user:u03", "consistency": cons}, nil, "Accept", "application/x-ndjson")
	if ct := r.header.Get("Content-Type"); ct != "application/x-ndjson" || r.header.Get("Octroi-Consistency-Token") == "" {
		t.Errorf("NDJSON answer has Content-Type %q, token %q", ct, r.header.Get("Octroi-Consistency-Token"))
	}
	if n := countLines(t, r.body, func(l api.LookupResource) bool { return l.Result == "has_permission" }); n != 25 {
		t.Errorf("NDJSON lookup-resources gave %d lines, want 25", n)
	}

	var subjects []string
	cursor = ""
	for range 10 {
		var ls api.LookupSubjectsResponse
		e.ok("POST", "/api/v1/permissions/lookup-subjects", map[string]any{"resource": "document:d07", "permission": "view", "subject_type": "user", "limit": 10, "cursor": cursor}, &ls)
		for _, s := range ls.Subjects {
			subjects = append(subjects, s.Subject)
		}
		if cursor = ls.Cursor; cursor == "" {
			break
		}
	}
	if len(subjects) != 25 || subjects[0] != "user:u00" || subjects[24] != "user:u24" {
		t.Errorf("paged lookup-subjects = %v", subjects)
	}
	r = e.ok("POST", "/api/v1/permissions/lookup-subjects", map[string]any{"resource": "document:d07", "permission": "view", "subject_type": "user"}, nil, "Accept", "application/x-ndjson")
	if n := countLines(t, r.body, func(l api.LookupSubject) bool { return strings.HasPrefix(l.Subject, "user:") }); n != 25 {
		t.Errorf("NDJSON lookup-subjects gave %d lines, want 25", n)
	}
}

func countLines[T any](t *testing.T, body []byte, ok func(T) bool) int {
	t.Helper()
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("NDJSON line %q: %v", sc.Text(), err)
		}
		if !ok(v) {
			t.Errorf("unexpected line %s", sc.Text())
		}
		n++
	}
	return n
}

func TestCheckBulkExpandExplain(t *testing.T) { forEachStore(t, testCheckBulkExpandExplain) }

func testCheckBulkExpandExplain(t *testing.T, mk envMaker) {
	e := mk(t)
	e.writeSchema(testSchema)
	e.touch("document:a#viewer@group:eng#member", "group:eng#member@user:tom", "document:a#owner@user:ann")
	var cb api.CheckBulkResponse
	e.ok("POST", "/api/v1/permissions/check-bulk", map[string]any{"items": []any{
		map[string]any{"resource": "document:a", "permission": "view", "subject": "user:tom"},
		map[string]any{"resource": "document:a", "permission": "edit", "subject": "user:tom"},
		map[string]any{"resource": "document:a", "permission": "nope", "subject": "user:tom"},
		map[string]any{"resource": "bad", "permission": "view", "subject": "user:tom"},
	}}, &cb)
	if len(cb.Results) != 4 || cb.Results[0].Result != "has_permission" || cb.Results[1].Result != "no_permission" ||
		cb.Results[2].Error == nil || cb.Results[2].Error.Code != "unknown_relation" ||
		cb.Results[3].Error == nil || cb.Results[3].Error.Code != "invalid_argument" {
		t.Errorf("check-bulk = %+v", cb.Results)
	}
	var ex api.ExpandResponse
	e.ok("POST", "/api/v1/permissions/expand", map[string]any{"resource": "document:a", "permission": "view"}, &ex)
	if ex.Tree == nil || ex.Tree.Object != "document:a" || !strings.Contains(mustJSON(ex.Tree), "user:tom") || !strings.Contains(mustJSON(ex.Tree), "user:ann") {
		t.Errorf("expand tree = %s", mustJSON(ex.Tree))
	}
	var xr api.ExplainResponse
	e.ok("POST", "/api/v1/permissions/explain", map[string]any{"resource": "document:a", "permission": "view", "subject": "user:tom"}, &xr)
	if xr.Result != "has_permission" || xr.Tree == nil || !strings.Contains(xr.Text, "group:eng") {
		t.Errorf("explain = %+v", xr)
	}
	r := e.ok("POST", "/api/v1/permissions/explain", map[string]any{"resource": "document:a", "permission": "view", "subject": "user:tom", "only_granting": true}, nil, "Accept", "text/plain")
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || !strings.Contains(string(r.body), "✓") {
		t.Errorf("text explain = %q", r.body)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestWatch(t *testing.T) { forEachStore(t, testWatch) }

func testWatch(t *testing.T, mk envMaker) {
	e := mk(t)
	tok := e.writeSchema(testSchema)
	e.touch("document:a#viewer@user:tom")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/watch?after="+tok, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("watch answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan api.WatchEvent)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			var ev api.WatchEvent
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				events <- ev
			}
		}
	}()
	next := func() api.WatchEvent {
		t.Helper()
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("watch stream ended")
			}
			return ev
		case <-ctx.Done():
			t.Fatal("no watch event")
		}
		return api.WatchEvent{}
	}
	// From the changelog, then live.
	if ev := next(); ev.Operation != "touch" || ev.Relationship.Subject != "user:tom" {
		t.Errorf("first event %+v", ev)
	}
	e.ok("POST", "/api/v1/relationships/write", map[string]any{"updates": []any{map[string]any{"operation": "delete", "relationship": "document:a#viewer@user:tom"}}}, nil)
	if ev := next(); ev.Operation != "delete" || ev.Relationship.Resource != "document:a" || ev.ConsistencyToken == "" {
		t.Errorf("live event %+v", ev)
	}
	e.writeSchema(testSchema + "\ndefinition folder {}\n")
	if ev := next(); ev.Operation != "schema" {
		t.Errorf("schema event %+v", ev)
	}
}
