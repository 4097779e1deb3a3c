package api

import (
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// Wire types of content pages, maps and content roles (openapi.json
// declares the same fields; wire_contract_test checks it).

// Holder names a person or a group (community, organisation), with its
// name in answers.
type Holder struct {
	Kind portal.HolderKind `json:"kind"`
	ID   string            `json:"id"`
	Name string            `json:"name,omitempty"`
}

func holderOut(h portal.Holder) Holder { return Holder{Kind: h.Kind, ID: h.ID, Name: h.Name} }

// HolderRef names a person or a group in a request.
type HolderRef struct {
	Kind portal.HolderKind `json:"kind"`
	ID   string            `json:"id"`
}

// Visualisation is a visualisation of a page, drawn from one dataset.
type Visualisation struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Dataset string `json:"dataset,omitempty"`
}

func visualisationOut(v portal.Visualisation) Visualisation {
	return Visualisation{ID: v.ID, Title: v.Title, Dataset: v.Dataset}
}

func visualisationIn(v Visualisation) portal.Visualisation {
	return portal.Visualisation{ID: v.ID, Title: v.Title, Dataset: v.Dataset}
}

// Page is a content page with its visualisations, as its editors write it.
type Page struct {
	ID             string          `json:"id"`
	Title          string          `json:"title"`
	Body           string          `json:"body"`
	Owner          string          `json:"owner,omitempty"`
	Public         bool            `json:"public"`
	Visualisations []Visualisation `json:"visualisations"`
	Created        time.Time       `json:"created"`
	Updated        time.Time       `json:"updated"`
}

func pageOut(p portal.Page) Page {
	return Page{ID: p.ID, Title: p.Title, Body: p.Body, Owner: p.Owner, Public: p.Public,
		Visualisations: nonNil(each(p.Visualisations, visualisationOut)), Created: p.Created, Updated: p.Updated}
}

// PageSummary is a page in a list.
type PageSummary struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Owner   string    `json:"owner,omitempty"`
	Public  bool      `json:"public"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func pageSummaryOut(p portal.Page) PageSummary {
	return PageSummary{ID: p.ID, Title: p.Title, Owner: p.Owner, Public: p.Public, Created: p.Created, Updated: p.Updated}
}

// PageList is one page of pages.
type PageList struct {
	Pages  []PageSummary `json:"pages"`
	Cursor string        `json:"cursor,omitempty"`
}

// RenderedVisualisation is a visualisation for the caller: load says
// whether it loads (the caller may consult its dataset); dataset is left
// out when the caller may not even find it.
type RenderedVisualisation struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Dataset string `json:"dataset,omitempty"`
	Load    bool   `json:"load"`
}

// RenderedPage is a page as the caller sees it.
type RenderedPage struct {
	ID             string                  `json:"id"`
	Title          string                  `json:"title"`
	Body           string                  `json:"body"`
	Owner          string                  `json:"owner,omitempty"`
	Public         bool                    `json:"public"`
	Visualisations []RenderedVisualisation `json:"visualisations"`
	Created        time.Time               `json:"created"`
	Updated        time.Time               `json:"updated"`
}

func renderedPageOut(r portal.RenderedPage) RenderedPage {
	p := r.Page
	return RenderedPage{ID: p.ID, Title: p.Title, Body: p.Body, Owner: p.Owner, Public: p.Public, Created: p.Created, Updated: p.Updated,
		Visualisations: nonNil(each(r.Visualisations, func(v portal.RenderedVisualisation) RenderedVisualisation {
			return RenderedVisualisation{ID: v.ID, Title: v.Title, Dataset: v.Dataset, Load: v.Load}
		}))}
}

// CreatePageRequest is the body of POST /pages.
type CreatePageRequest struct {
	ID             string          `json:"id"`
	Title          string          `json:"title"`
	Body           string          `json:"body"`
	Owner          string          `json:"owner"`
	Public         bool            `json:"public"`
	Visualisations []Visualisation `json:"visualisations"`
}

// UpdatePageRequest is the body of PUT /pages/{id}: body and
// visualisations left out are kept.
type UpdatePageRequest struct {
	Title          string           `json:"title"`
	Body           *string          `json:"body"`
	Visualisations *[]Visualisation `json:"visualisations"`
}

// PagePolicyRequest is the body of PUT /pages/{id}/policy.
type PagePolicyRequest struct {
	Public *bool `json:"public"`
}

// PageMember is a person or group added to a page.
type PageMember struct {
	Holder Holder `json:"holder"`
	View   bool   `json:"view"`
	Edit   bool   `json:"edit"`
}

func pageMemberOut(m portal.PageMember) PageMember {
	return PageMember{Holder: holderOut(m.Holder), View: m.View, Edit: m.Edit}
}

// PageMemberList lists a page's members.
type PageMemberList struct {
	Members []PageMember `json:"members"`
}

// PageMemberRequest is the body of PUT /pages/{id}/members/{kind}/{member}:
// view defaults to true and cannot be false (remove the member instead).
type PageMemberRequest struct {
	View *bool `json:"view"`
	Edit bool  `json:"edit"`
}

// MapResource is a resource shown on a map.
type MapResource struct {
	Kind  portal.ResourceKind `json:"kind"`
	ID    string              `json:"id"`
	Layer string              `json:"layer,omitempty"`
}

func mapResourceOut(r portal.MapResource) MapResource {
	return MapResource{Kind: r.Kind, ID: r.ID, Layer: r.Layer}
}

func mapResourceIn(r MapResource) portal.MapResource {
	return portal.MapResource{Kind: r.Kind, ID: r.ID, Layer: r.Layer}
}

// Map is a map with every resource it shows.
type Map struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Icon      string        `json:"icon,omitempty"`
	Resources []MapResource `json:"resources"`
	Created   time.Time     `json:"created"`
	Updated   time.Time     `json:"updated"`
}

func mapOut(m portal.Map) Map {
	return Map{ID: m.ID, Name: m.Name, Icon: m.Icon, Resources: nonNil(each(m.Resources, mapResourceOut)), Created: m.Created, Updated: m.Updated}
}

// MapSummary is a map in a list.
type MapSummary struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Icon    string    `json:"icon,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func mapSummaryOut(m portal.Map) MapSummary {
	return MapSummary{ID: m.ID, Name: m.Name, Icon: m.Icon, Created: m.Created, Updated: m.Updated}
}

// MapList is one page of maps.
type MapList struct {
	Maps   []MapSummary `json:"maps"`
	Cursor string       `json:"cursor,omitempty"`
}

// CreateMapRequest is the body of POST /maps.
type CreateMapRequest struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Icon      string        `json:"icon"`
	Resources []MapResource `json:"resources"`
	Owner     *HolderRef    `json:"owner"`
}

// UpdateMapRequest is the body of PUT /maps/{id}.
type UpdateMapRequest struct {
	Name string `json:"name"`
	Icon string `json:"icon"`
}

// MapResourcesRequest is the body of PUT /maps/{id}/resources.
type MapResourcesRequest struct {
	Resources []MapResource `json:"resources"`
}

// MapShareRequest is the body of PUT /maps/{id}/shares/{kind}/{group}:
// level read, write, owner, or null (or "none") to remove the privilege.
type MapShareRequest struct {
	Level *string `json:"level"`
}

// MapShare is the privilege a role holds on a map: read, write or owner.
type MapShare struct {
	Group Holder `json:"group"`
	Level string `json:"level"`
}

// levelName names a privilege, "none" for none.
func levelName(l portal.MapLevel) string {
	if l == portal.MapNone {
		return "none"
	}
	return string(l)
}

func mapShareOut(s portal.MapShare) MapShare {
	return MapShare{Group: holderOut(s.Group), Level: levelName(s.Level)}
}

// MapShareChange is a change of a role's privilege on a map: before and
// after, "none" when it holds none.
type MapShareChange struct {
	Group  Holder `json:"group"`
	Before string `json:"before"`
	Level  string `json:"level"`
}

func mapShareChangeOut(s portal.MapShare) MapShareChange {
	return MapShareChange{Group: holderOut(s.Group), Before: levelName(s.Before), Level: levelName(s.Level)}
}

// MapShareList lists the roles a map is shared with.
type MapShareList struct {
	Shares []MapShare `json:"shares"`
}

// ContentRoleHolder is one holder of a content role.
type ContentRoleHolder struct {
	Role   portal.ContentRole `json:"role"`
	Holder Holder             `json:"holder"`
}

func contentRoleHolderOut(h portal.ContentRoleHolder) ContentRoleHolder {
	return ContentRoleHolder{Role: h.Role, Holder: holderOut(h.Holder)}
}

// ContentRoleGrant is a content role the caller holds, directly (no via)
// or as a member of a community or organisation.
type ContentRoleGrant struct {
	Role portal.ContentRole `json:"role"`
	Via  *HolderRef         `json:"via,omitempty"`
}

func contentRoleGrantOut(g portal.ContentRoleGrant) ContentRoleGrant {
	out := ContentRoleGrant{Role: g.Role}
	if g.Via != nil {
		out.Via = &HolderRef{Kind: g.Via.Kind, ID: g.Via.ID}
	}
	return out
}

// ContentRoleList lists the holders of every content role.
type ContentRoleList struct {
	Holders []ContentRoleHolder `json:"holders"`
}
