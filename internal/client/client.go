// Package client is a small Go client of octroi's HTTP API (package api),
// used by the command line. Its methods mirror the API's operations and
// take and return the API's own wire types; an error answer comes back as
// an *api.Problem (test its Code), a transport failure as the net/http
// error.
//
// A Client is safe for concurrent use.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/octroi/octroi/internal/api"
)

// Client talks to one octroi server.
type Client struct {
	endpoint string
	token    string
	// HTTP is the client used for requests; New sets http.DefaultClient.
	HTTP *http.Client
}

// New returns a client of the server at endpoint (e.g.
// "http://127.0.0.1:8080"), authenticating with token ("" for none).
func New(endpoint, token string) *Client {
	return &Client{endpoint: strings.TrimRight(endpoint, "/"), token: token, HTTP: http.DefaultClient}
}

// do sends a request and returns the response when its status is 2xx;
// otherwise it decodes the problem into an error and closes the body.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, contentType, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, body)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 { // 201 for creations, 204 for deletions
		return resp, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var p api.Problem
	if json.Unmarshal(b, &p) != nil || p.Code == "" {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return nil, &p
}

// call sends in as JSON (nil: no body) and decodes the answer into out.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	ct := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body, ct = bytes.NewReader(b), "application/json"
	}
	resp, err := c.do(ctx, method, path, body, ct, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// IsCode reports whether err is a problem with the given code.
func IsCode(err error, code string) bool {
	var p *api.Problem
	return errors.As(err, &p) && p.Code == code
}

// ReadSchema returns the current schema.
func (c *Client) ReadSchema(ctx context.Context) (api.SchemaResponse, error) {
	var out api.SchemaResponse
	return out, c.call(ctx, "GET", "/api/v1/schema", nil, &out)
}

// WriteSchema writes (or, with DryRun, previews) a schema.
func (c *Client) WriteSchema(ctx context.Context, req api.WriteSchemaRequest) (api.WriteSchemaResponse, error) {
	var out api.WriteSchemaResponse
	return out, c.call(ctx, "PUT", "/api/v1/schema", req, &out)
}

// Write applies updates atomically under preconditions.
func (c *Client) Write(ctx context.Context, req api.WriteRequest) (api.WriteResponse, error) {
	var out api.WriteResponse
	return out, c.call(ctx, "POST", "/api/v1/relationships/write", req, &out)
}

// Delete deletes relationships by filter.
func (c *Client) Delete(ctx context.Context, req api.DeleteRequest) (api.DeleteResponse, error) {
	var out api.DeleteResponse
	return out, c.call(ctx, "POST", "/api/v1/relationships/delete", req, &out)
}

// Read returns one page of relationships.
func (c *Client) Read(ctx context.Context, req api.ReadRequest) (api.ReadResponse, error) {
	var out api.ReadResponse
	return out, c.call(ctx, "POST", "/api/v1/relationships/read", req, &out)
}

// Import streams relationships in the text form, one per line, from r.
func (c *Client) Import(ctx context.Context, r io.Reader) (api.ImportResponse, error) {
	var out api.ImportResponse
	resp, err := c.do(ctx, "POST", "/api/v1/relationships/import", r, "text/plain; charset=utf-8", "")
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// Export writes the relationships matching f in the text form to w and
// returns the snapshot's consistency token. An export that does not end
// with its token line was cut short and is an error.
func (c *Client) Export(ctx context.Context, f api.Filter, w io.Writer) (api.Token, error) {
	q := url.Values{}
	for k, v := range map[string]string{"resource_type": f.ResourceType, "resource_id": f.ResourceID, "relation": f.Relation,
		"subject_type": f.SubjectType, "subject_id": f.SubjectID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.SubjectRelation != nil {
		q.Set("subject_relation", *f.SubjectRelation)
	}
	path := "/api/v1/relationships/export"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	resp, err := c.do(ctx, "GET", path, nil, "", "")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var tok api.Token
	for sc.Scan() {
		line := sc.Text()
		if t, ok := strings.CutPrefix(line, "# consistency_token: "); ok {
			tok = t
			continue
		}
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return "", err
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("export cut short: %w", err)
	}
	if tok == "" {
		return "", errors.New("export cut short: no final consistency token")
	}
	return tok, nil
}

// Check checks one permission.
func (c *Client) Check(ctx context.Context, req api.CheckRequest) (api.CheckResponse, error) {
	var out api.CheckResponse
	return out, c.call(ctx, "POST", "/api/v1/permissions/check", req, &out)
}

// CheckBulk checks several permissions on one snapshot.
func (c *Client) CheckBulk(ctx context.Context, req api.CheckBulkRequest) (api.CheckBulkResponse, error) {
	var out api.CheckBulkResponse
	return out, c.call(ctx, "POST", "/api/v1/permissions/check-bulk", req, &out)
}

// LookupResources returns one page of resources.
func (c *Client) LookupResources(ctx context.Context, req api.LookupResourcesRequest) (api.LookupResourcesResponse, error) {
	var out api.LookupResourcesResponse
	return out, c.call(ctx, "POST", "/api/v1/permissions/lookup-resources", req, &out)
}

// LookupSubjects returns one page of subjects.
func (c *Client) LookupSubjects(ctx context.Context, req api.LookupSubjectsRequest) (api.LookupSubjectsResponse, error) {
	var out api.LookupSubjectsResponse
	return out, c.call(ctx, "POST", "/api/v1/permissions/lookup-subjects", req, &out)
}

// StreamResources calls fn for every resource found, streamed as NDJSON,
// and returns the consistency token.
func (c *Client) StreamResources(ctx context.Context, req api.LookupResourcesRequest, fn func(api.LookupResource) error) (api.Token, error) {
	return stream(ctx, c, "/api/v1/permissions/lookup-resources", req, fn)
}

// StreamSubjects calls fn for every subject found, streamed as NDJSON.
func (c *Client) StreamSubjects(ctx context.Context, req api.LookupSubjectsRequest, fn func(api.LookupSubject) error) (api.Token, error) {
	return stream(ctx, c, "/api/v1/permissions/lookup-subjects", req, fn)
}

func stream[T any](ctx context.Context, c *Client, path string, in any, fn func(T) error) (api.Token, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	resp, err := c.do(ctx, "POST", path, bytes.NewReader(b), "application/json", "application/x-ndjson")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var v T
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return resp.Header.Get("Octroi-Consistency-Token"), nil
		} else if err != nil {
			return "", fmt.Errorf("stream cut short: %w", err)
		}
		if err := fn(v); err != nil {
			return "", err
		}
	}
}

// Expand returns a permission's expansion tree.
func (c *Client) Expand(ctx context.Context, req api.ExpandRequest) (api.ExpandResponse, error) {
	var out api.ExpandResponse
	return out, c.call(ctx, "POST", "/api/v1/permissions/expand", req, &out)
}

// Explain says why a check answers what it does.
func (c *Client) Explain(ctx context.Context, req api.ExplainRequest) (api.ExplainResponse, error) {
	var out api.ExplainResponse
	return out, c.call(ctx, "POST", "/api/v1/permissions/explain", req, &out)
}

// Watch calls fn for every change after the token's revision ("": from
// now), until ctx ends, fn fails or the server ends the stream.
func (c *Client) Watch(ctx context.Context, after api.Token, fn func(api.WatchEvent) error) error {
	path := "/api/v1/watch"
	if after != "" {
		path += "?after=" + url.QueryEscape(after)
	}
	resp, err := c.do(ctx, "GET", path, nil, "", "application/x-ndjson")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var ev api.WatchEvent
		if err := dec.Decode(&ev); err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
}
