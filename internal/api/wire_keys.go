package api

import (
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// Wire types of access keys, their usage and the gateway's explanations
// (schemas of the same names in openapi.json).

// AccessKey is an access key, without its secret.
type AccessKey struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Owner     string         `json:"owner"`
	Type      string         `json:"type"`
	Status    string         `json:"status"`
	UserName  string         `json:"user_name,omitempty"`
	Header    string         `json:"header,omitempty"`
	OAuth2    *KeyOAuth2     `json:"oauth2,omitempty"`
	Filters   KeyFilters     `json:"filters"`
	Accesses  []KeyAccessOut `json:"accesses"`
	Created   time.Time      `json:"created"`
	Updated   time.Time      `json:"updated"`
	LastUsed  *time.Time     `json:"last_used,omitempty"`
	RevokedBy string         `json:"revoked_by,omitempty"`
	RevokedAt *time.Time     `json:"revoked_at,omitempty"`
}

// KeyOAuth2 is what an OAUTH2 key accepts.
type KeyOAuth2 struct {
	Issuer   string `json:"issuer"`
	ClientID string `json:"client_id"`
	Subject  string `json:"subject"`
}

// KeyFilters restrict where a key may be used from (see portal.KeyFilters
// for the pattern syntax).
type KeyFilters struct {
	IPAllow    []string `json:"ip_allow,omitempty"`
	IPDeny     []string `json:"ip_deny,omitempty"`
	Referers   []string `json:"referers,omitempty"`
	UserAgents []string `json:"user_agents,omitempty"`
}

// KeyAccess is an access asked for: a grant the owner holds, a service
// it covers.
type KeyAccess struct {
	Grant   string `json:"grant"`
	Service string `json:"service"`
}

// KeyAccessOut is an access of a key, with the id of its access object.
type KeyAccessOut struct {
	ID      string `json:"id"`
	Grant   string `json:"grant"`
	Service string `json:"service"`
}

// CreateKeyRequest is the body of POST /me/keys.
type CreateKeyRequest struct {
	Name           string      `json:"name"`
	Type           string      `json:"type"`
	UserName       string      `json:"user_name,omitempty"`
	Header         string      `json:"header,omitempty"`
	OAuth2ClientID string      `json:"oauth2_client_id,omitempty"`
	Filters        KeyFilters  `json:"filters"`
	Accesses       []KeyAccess `json:"accesses"`
}

// UpdateKeyRequest is the body of PATCH /me/keys/{id}: absent fields stay.
type UpdateKeyRequest struct {
	Name     *string      `json:"name,omitempty"`
	Status   *string      `json:"status,omitempty"`
	Filters  *KeyFilters  `json:"filters,omitempty"`
	Accesses *[]KeyAccess `json:"accesses,omitempty"`
}

// CreatedKey answers POST /me/keys and POST /me/keys/{id}/secret: Secret
// is shown only now ("" for OAUTH2 keys).
type CreatedKey struct {
	Key    AccessKey `json:"key"`
	Secret string    `json:"secret"`
}

// AccessKeyList answers GET /me/keys.
type AccessKeyList struct {
	Keys []AccessKey `json:"keys"`
}

// UsageDay is one day's usage of one key on one service through one grant.
type UsageDay struct {
	Day     string `json:"day"`
	Key     string `json:"key"`
	Account string `json:"account,omitempty"`
	Service string `json:"service"`
	Grant   string `json:"grant,omitempty"`
	Allowed int64  `json:"allowed"`
	Refused int64  `json:"refused"`
	Bytes   int64  `json:"bytes"`
}

// UsageList answers the usage endpoints.
type UsageList struct {
	Days []UsageDay `json:"days"`
}

// GatewayExplainRequest is the body of POST /gateway/explain: a key (by
// id; "" for a request without one) and the request as the client would
// send it.
type GatewayExplainRequest struct {
	Key       string `json:"key"`
	Method    string `json:"method"`
	URI       string `json:"uri"`
	Client    string `json:"client,omitempty"`
	Referer   string `json:"referer,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

// GatewayExplanation answers POST /gateway/explain.
type GatewayExplanation struct {
	Allowed  bool     `json:"allowed"`
	Status   int      `json:"status"`
	Reason   string   `json:"reason,omitempty"`
	WhyEN    string   `json:"why_en"`
	WhyFR    string   `json:"why_fr"`
	Account  string   `json:"account,omitempty"`
	Key      string   `json:"key,omitempty"`
	Services []string `json:"services"`
	Layers   []string `json:"layers"`
}

func keyOut(k portal.AccessKey) AccessKey {
	out := AccessKey{ID: k.ID, Name: k.Name, Owner: k.Owner, Type: string(k.Type), Status: string(k.Status), UserName: k.UserName,
		Header: k.Header, Filters: KeyFilters(k.Filters), Accesses: make([]KeyAccessOut, len(k.Accesses)), Created: k.Created,
		Updated: k.Updated, LastUsed: k.LastUsed, RevokedBy: k.RevokedBy, RevokedAt: k.RevokedAt}
	if k.OAuth2 != nil {
		out.OAuth2 = &KeyOAuth2{Issuer: k.OAuth2.Issuer, ClientID: k.OAuth2.ClientID, Subject: k.OAuth2.Subject}
	}
	for i, a := range k.Accesses {
		out.Accesses[i] = KeyAccessOut{ID: a.ID, Grant: a.Grant, Service: a.Service}
	}
	return out
}

func pairsIn(as []KeyAccess) []portal.AccessPair {
	out := make([]portal.AccessPair, len(as))
	for i, a := range as {
		out[i] = portal.AccessPair{Grant: a.Grant, Service: a.Service}
	}
	return out
}

func (r CreateKeyRequest) spec() portal.KeySpec {
	return portal.KeySpec{Name: r.Name, Type: portal.KeyType(r.Type), UserName: r.UserName, Header: r.Header,
		OAuth2ClientID: r.OAuth2ClientID, Filters: portal.KeyFilters(r.Filters), Accesses: pairsIn(r.Accesses)}
}

func (r UpdateKeyRequest) change() portal.KeyChange {
	c := portal.KeyChange{Name: r.Name}
	if r.Status != nil {
		st := portal.KeyStatus(*r.Status)
		c.Status = &st
	}
	if r.Filters != nil {
		f := portal.KeyFilters(*r.Filters)
		c.Filters = &f
	}
	if r.Accesses != nil {
		p := pairsIn(*r.Accesses)
		c.Accesses = &p
	}
	return c
}

func usageOut(u portal.UsageSum) UsageDay { return UsageDay(u) }

func noSuchKey(id string) messages.Message {
	return messages.New("notfound.object", messages.New("noun.access_key"), messages.Quote(id))
}

// PlatformKey is a key of the administrators' list: the key (never its
// secret) and its owner's name and e-mail.
type PlatformKey struct {
	Key        AccessKey `json:"key"`
	OwnerName  string    `json:"owner_name"`
	OwnerEmail string    `json:"owner_email"`
}

// PlatformKeyList answers GET /keys; Cursor is where the next page starts.
type PlatformKeyList struct {
	Keys   []PlatformKey `json:"keys"`
	Cursor string        `json:"cursor,omitempty"`
}
