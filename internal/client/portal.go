package client

import (
	"context"
	"net/url"
	"strconv"

	"github.com/octroi/octroi/internal/api"
)

// Portal endpoints: the client's token must be a personal token (it acts
// as its account); a few operations a catalogue or a script needs.

// Me returns the token's account.
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	var out api.Me
	return out, c.call(ctx, "GET", api.Prefix+"/me", nil, &out)
}

// SearchableDatasets returns one page of the datasets the account may
// find; pass the answer's Cursor for the next ("" after the last).
func (c *Client) SearchableDatasets(ctx context.Context, cursor string, limit int) (api.DatasetList, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out api.DatasetList
	return out, c.call(ctx, "GET", api.Prefix+"/catalogue/searchable?"+q.Encode(), nil, &out)
}

// FilterDatasets says which of ids the account has permission on.
func (c *Client) FilterDatasets(ctx context.Context, req api.FilterRequest) (api.FilterResponse, error) {
	var out api.FilterResponse
	return out, c.call(ctx, "POST", api.Prefix+"/catalogue/filter", req, &out)
}

// ExplainAccess says why account ("" for the token's own) has or lacks
// permission on a dataset, in French and English.
func (c *Client) ExplainAccess(ctx context.Context, dataset, account, permission string) (api.Explanation, error) {
	q := url.Values{"permission": {permission}}
	if account != "" {
		q.Set("account", account)
	}
	var out api.Explanation
	return out, c.call(ctx, "GET", api.Prefix+"/datasets/"+url.PathEscape(dataset)+"/explain?"+q.Encode(), nil, &out)
}

// CreateToken makes a personal token for the account; its Secret is shown
// only in this answer.
func (c *Client) CreateToken(ctx context.Context, name string) (api.CreatedToken, error) {
	var out api.CreatedToken
	return out, c.call(ctx, "POST", api.Prefix+"/me/tokens", api.CreateTokenRequest{Name: name}, &out)
}

// RevokeToken revokes one of the account's tokens.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", api.Prefix+"/me/tokens/"+url.PathEscape(id), nil, nil)
}
