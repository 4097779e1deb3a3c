package api

import (
	"context"

	"github.com/octroi/octroi/internal/portal"
)

// Pages are content pages and their security (source 003): public or
// private, the people and groups added to them, and how each renders for
// its viewer.
type Pages interface {
	CreatePage(ctx context.Context, actor string, p portal.Page) (portal.Page, error)
	RenderPage(ctx context.Context, actor, id string) (portal.RenderedPage, error)
	Pages(ctx context.Context, actor, after string, limit int) ([]portal.Page, error)
	UpdatePage(ctx context.Context, actor string, u portal.PageUpdate) (portal.Page, error)
	SetPagePolicy(ctx context.Context, actor, id string, public bool) (portal.Page, error)
	DeletePage(ctx context.Context, actor, id string) error
	PageMembers(ctx context.Context, actor, id string) ([]portal.PageMember, error)
	SetPageMember(ctx context.Context, actor, id string, m portal.PageMember) (portal.PageMember, error)
	RemovePageMember(ctx context.Context, actor, id string, h portal.Holder) error
}

// Maps are maps, their resources and the privileges roles hold on them
// (source 004).
type Maps interface {
	CreateMap(ctx context.Context, actor string, m portal.Map, owner portal.Holder) (portal.Map, error)
	Map(ctx context.Context, actor, id string) (portal.Map, error)
	Maps(ctx context.Context, actor, after string, limit int) ([]portal.Map, error)
	UpdateMap(ctx context.Context, actor string, m portal.Map) (portal.Map, error)
	SetMapResources(ctx context.Context, actor, id string, rs []portal.MapResource) (portal.Map, error)
	DeleteMap(ctx context.Context, actor, id string) error
	MapShares(ctx context.Context, actor, id string) ([]portal.MapShare, error)
	SetMapShare(ctx context.Context, actor, id string, group portal.Holder, l portal.MapLevel) (portal.MapShare, error)
}

// ContentRoles are the roles over every page or map ("view all pages",
// "edit all pages", map administrators, editors and creators), given by
// platform administrators.
type ContentRoles interface {
	ContentRoleHolders(ctx context.Context, actor string) ([]portal.ContentRoleHolder, error)
	SetContentRole(ctx context.Context, actor string, role portal.ContentRole, h portal.Holder, hold bool) (portal.ContentRoleHolder, error)
}
