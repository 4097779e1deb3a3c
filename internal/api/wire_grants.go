package api

import (
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// Wire types of services, grants and access requests: the API's own, as
// for every portal noun, so that renaming a domain field never renames
// one on the wire.

// Service is a map or download service of a dataset.
type Service struct {
	ID           string             `json:"id"`
	Dataset      string             `json:"dataset"`
	Organisation string             `json:"organisation"`
	Title        string             `json:"title"`
	Type         portal.ServiceType `json:"type"`
	Path         string             `json:"path"`
	Upstream     string             `json:"upstream"`
	Layers       []string           `json:"layers"`
	Open         bool               `json:"open"`
	Available    bool               `json:"available"`
	Created      time.Time          `json:"created"`
}

func serviceOut(m portal.MapService) Service {
	layers := m.Layers
	if layers == nil {
		layers = []string{}
	}
	return Service{ID: m.ID, Dataset: m.Dataset, Organisation: m.Organisation, Title: m.Title, Type: m.Type, Path: m.Path,
		Upstream: m.Upstream, Layers: layers, Open: m.Open, Available: m.Available, Created: m.Created}
}

// ServiceRequest is the body of POST /services (id optional: generated).
type ServiceRequest struct {
	ID       string             `json:"id,omitempty"`
	Dataset  string             `json:"dataset"`
	Title    string             `json:"title"`
	Type     portal.ServiceType `json:"type"`
	Path     string             `json:"path"`
	Upstream string             `json:"upstream"`
	Layers   []string           `json:"layers"`
	Open     bool               `json:"open"`
	// Available defaults to true: a new service serves at once.
	Available *bool `json:"available,omitempty"`
}

// ServiceUpdate is the body of PUT /services/{id}: every field is set as
// given (the id and the dataset never change).
type ServiceUpdate struct {
	Title     string             `json:"title"`
	Type      portal.ServiceType `json:"type"`
	Path      string             `json:"path"`
	Upstream  string             `json:"upstream"`
	Layers    []string           `json:"layers"`
	Open      bool               `json:"open"`
	Available bool               `json:"available"`
}

// ServiceList is one page of services.
type ServiceList struct {
	Services []Service `json:"services"`
	Cursor   string    `json:"cursor,omitempty"`
}

// Grant is a named permission on services of one organisation.
type Grant struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Grantor     string     `json:"grantor"`
	Services    []string   `json:"services"`
	Users       []string   `json:"users"`
	Communities []string   `json:"communities"`
	Expires     *time.Time `json:"expires,omitempty"`
	OnlyOAuth   bool       `json:"only_oauth"`
	Created     time.Time  `json:"created"`
	CreatedBy   string     `json:"created_by"`
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func grantOut(g portal.Grant) Grant {
	return Grant{ID: g.ID, Name: g.Name, Grantor: g.Grantor, Services: orEmpty(g.Services), Users: orEmpty(g.Users),
		Communities: orEmpty(g.Communities), Expires: g.Expires, OnlyOAuth: g.OnlyOAuth, Created: g.Created, CreatedBy: g.CreatedBy}
}

// GrantRequest is the body of POST /grants.
type GrantRequest struct {
	Name        string     `json:"name"`
	Services    []string   `json:"services"`
	Users       []string   `json:"users,omitempty"`
	Communities []string   `json:"communities,omitempty"`
	Expires     *time.Time `json:"expires,omitempty"`
	OnlyOAuth   bool       `json:"only_oauth,omitempty"`
}

// GrantUpdate is the body of PATCH /grants/{id}: only the fields given
// change. expires sets a new expiry; no_expiry removes it.
type GrantUpdate struct {
	Name              *string    `json:"name,omitempty"`
	Expires           *time.Time `json:"expires,omitempty"`
	NoExpiry          bool       `json:"no_expiry,omitempty"`
	Services          []string   `json:"services,omitempty"`
	OnlyOAuth         *bool      `json:"only_oauth,omitempty"`
	AddUsers          []string   `json:"add_users,omitempty"`
	RemoveUsers       []string   `json:"remove_users,omitempty"`
	AddCommunities    []string   `json:"add_communities,omitempty"`
	RemoveCommunities []string   `json:"remove_communities,omitempty"`
}

// GrantList is one page of grants (the producer's view).
type GrantList struct {
	Grants []Grant `json:"grants"`
	Cursor string  `json:"cursor,omitempty"`
}

// HeldGrant is a grant as its beneficiary sees it.
type HeldGrant struct {
	Grant    Grant             `json:"grant"`
	Personal bool              `json:"personal"`
	Through  []string          `json:"through_communities"`
	State    portal.GrantState `json:"state"`
	Opens    []Service         `json:"opens"`
	Producer Organisation      `json:"producer"`
}

func heldGrantOut(h portal.HeldGrant) HeldGrant {
	return HeldGrant{Grant: grantOut(h.Grant), Personal: h.Personal, Through: orEmpty(h.Through), State: h.State,
		Opens: each(h.Opens, serviceOut), Producer: organisationOut(h.Producer)}
}

// HeldGrantList is one page of the caller's grants.
type HeldGrantList struct {
	Grants []HeldGrant `json:"grants"`
	Cursor string      `json:"cursor,omitempty"`
}

// AccessRequest asks for access to restricted services of a product.
type AccessRequest struct {
	ID           string                     `json:"id"`
	Dataset      string                     `json:"dataset"`
	Organisation string                     `json:"organisation"`
	Account      string                     `json:"account"`
	Community    string                     `json:"community,omitempty"`
	Services     []string                   `json:"services"`
	Message      string                     `json:"message,omitempty"`
	Renewal      string                     `json:"renewal,omitempty"`
	Status       portal.AccessRequestStatus `json:"status"`
	DecidedBy    string                     `json:"decided_by,omitempty"`
	DecidedAt    *time.Time                 `json:"decided_at,omitempty"`
	Reason       string                     `json:"reason,omitempty"`
	Grant        string                     `json:"grant,omitempty"`
	Expires      *time.Time                 `json:"expires,omitempty"`
	Created      time.Time                  `json:"created"`
	// Cause: why a deletion cancelled it (portal.CancelDatasetDeleted…).
	Cause string `json:"cause,omitempty"`
}

func accessRequestOut(r portal.AccessRequest) AccessRequest {
	return AccessRequest{ID: r.ID, Dataset: r.Dataset, Organisation: r.Organisation, Account: r.Account, Community: r.Community,
		Services: orEmpty(r.Services), Message: r.Message, Renewal: r.Renewal, Status: r.Status, DecidedBy: r.DecidedBy,
		DecidedAt: r.DecidedAt, Reason: r.Reason, Grant: r.Grant, Expires: r.Expires, Created: r.Created, Cause: r.Cause}
}

// AccessRequestCreate is the body of POST /access-requests.
type AccessRequestCreate struct {
	Dataset   string   `json:"dataset"`
	Services  []string `json:"services,omitempty"`
	Community string   `json:"community,omitempty"`
	Renewal   string   `json:"renewal,omitempty"`
	Message   string   `json:"message,omitempty"`
}

// AccessDecision is the body of POST /access-requests/{id}/decision:
// "accept" (with the grant's expiry, and the name of a grant to create) or
// "refuse" (with a reason, sent to the requester).
type AccessDecision struct {
	Decision string     `json:"decision"`
	Expires  *time.Time `json:"expires,omitempty"`
	Name     string     `json:"name,omitempty"`
	Reason   string     `json:"reason,omitempty"`
}

// AccessRequestList is one page of access requests.
type AccessRequestList struct {
	AccessRequests []AccessRequest `json:"access_requests"`
	Cursor         string          `json:"cursor,omitempty"`
}
