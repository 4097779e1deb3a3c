package api

import (
	"context"

	"github.com/octroi/octroi/internal/portal"
)

// MapServices are the map and download services of datasets.
type MapServices interface {
	CreateService(ctx context.Context, actor string, m portal.MapService) (portal.MapService, error)
	MapServiceOf(ctx context.Context, actor, id string) (portal.MapService, error)
	MapServices(ctx context.Context, actor string, q portal.ServiceQuery) ([]portal.MapService, string, error)
	UpdateService(ctx context.Context, actor string, m portal.MapService) (portal.MapService, error)
	DeleteService(ctx context.Context, actor, id string) error
}

// Grants are named permissions on services, for accounts and communities.
type Grants interface {
	CreateGrant(ctx context.Context, actor string, g portal.Grant) (portal.Grant, error)
	GrantOf(ctx context.Context, actor, id string) (portal.Grant, error)
	Grants(ctx context.Context, actor string, q portal.GrantQuery) ([]portal.Grant, string, error)
	UpdateGrant(ctx context.Context, actor, id string, c portal.GrantChange) (portal.Grant, error)
	DeleteGrant(ctx context.Context, actor, id string) error
	MyGrants(ctx context.Context, actor string, q portal.GrantQuery) ([]portal.HeldGrant, string, error)
	RenounceGrant(ctx context.Context, actor, id string) (portal.Grant, error)
}

// AccessRequests ask a product's publishers for access to its services.
type AccessRequests interface {
	RequestAccess(ctx context.Context, actor string, r portal.AccessRequest) (portal.AccessRequest, error)
	AccessRequestOf(ctx context.Context, actor, id string) (portal.AccessRequest, error)
	AccessRequests(ctx context.Context, actor string, q portal.AccessRequestQuery) ([]portal.AccessRequest, error)
	DecideAccessRequest(ctx context.Context, actor, id string, d portal.AccessDecision) (portal.AccessRequest, error)
	CancelAccessRequest(ctx context.Context, actor, id string) (portal.AccessRequest, error)
}
