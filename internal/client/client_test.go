package client_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/client"
	"github.com/octroi/octroi/internal/server"
)

func TestClient(t *testing.T) {
	ctx := context.Background()
	_, url := serve(t, func(cfg *server.Config) {
		cfg.Tokens = []string{"secret"}
		cfg.NoPortal = true // the test writes its own schema
	})
	if _, err := client.New(url, "wrong").ReadSchema(ctx); !client.IsCode(err, api.CodeUnauthenticated) {
		t.Errorf("bad token: err %v, want unauthenticated", err)
	}
	c := client.New(url+"/", "secret")
	if _, err := c.WriteSchema(ctx, api.WriteSchemaRequest{Schema: "definition user {}\ndefinition doc { relation viewer: user\n permission view = viewer }"}); err != nil {
		t.Fatal(err)
	}
	w, err := c.Write(ctx, api.WriteRequest{Updates: []api.Update{{Operation: "touch", Relationship: api.Relationship{Resource: "doc:a", Relation: "viewer", Subject: "user:tom"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Import(ctx, strings.NewReader("doc:b#viewer@user:tom\ndoc:c#viewer@user:ann\n")); err != nil {
		t.Fatal(err)
	}
	cr, err := c.Check(ctx, api.CheckRequest{Resource: "doc:a", Permission: "view", Subject: "user:tom", Consistency: &api.Consistency{AtLeastAsFresh: w.ConsistencyToken}})
	if err != nil || cr.Result != "has_permission" {
		t.Errorf("Check = %+v, %v", cr, err)
	}
	var ids []string
	if _, err := c.StreamResources(ctx, api.LookupResourcesRequest{ResourceType: "doc", Permission: "view", Subject: "user:tom"}, func(r api.LookupResource) error {
		ids = append(ids, r.ResourceID)
		return nil
	}); err != nil || len(ids) != 2 {
		t.Errorf("StreamResources = %v, %v", ids, err)
	}
	ls, err := c.LookupSubjects(ctx, api.LookupSubjectsRequest{Resource: "doc:b", Permission: "view", SubjectType: "user"})
	if err != nil || len(ls.Subjects) != 1 {
		t.Errorf("LookupSubjects = %+v, %v", ls, err)
	}
	var buf bytes.Buffer
	tok, err := c.Export(ctx, api.Filter{}, &buf)
	if err != nil || tok == "" || strings.Count(buf.String(), "\n") != 3 {
		t.Errorf("Export = %q, %q, %v", buf.String(), tok, err)
	}
	if _, err := c.Check(ctx, api.CheckRequest{Resource: "nope:a", Permission: "view", Subject: "user:tom"}); !client.IsCode(err, api.CodeUnknownType) {
		t.Errorf("unknown type: err %v", err)
	}
}
