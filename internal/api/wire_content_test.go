package api

// The content types join the portal bodies that TestPortalBodiesMatchOpenAPI
// holds to openapi.json.
func init() {
	for name, v := range map[string]any{
		"Holder": Holder{}, "HolderRef": HolderRef{}, "Visualisation": Visualisation{}, "Page": Page{}, "PageSummary": PageSummary{},
		"PageList": PageList{}, "RenderedVisualisation": RenderedVisualisation{}, "RenderedPage": RenderedPage{},
		"CreatePageRequest": CreatePageRequest{}, "UpdatePageRequest": UpdatePageRequest{}, "PagePolicyRequest": PagePolicyRequest{},
		"PageMember": PageMember{}, "PageMemberList": PageMemberList{}, "PageMemberRequest": PageMemberRequest{},
		"MapResource": MapResource{}, "Map": Map{}, "MapSummary": MapSummary{}, "MapList": MapList{}, "CreateMapRequest": CreateMapRequest{},
		"UpdateMapRequest": UpdateMapRequest{}, "MapResourcesRequest": MapResourcesRequest{}, "MapShareRequest": MapShareRequest{},
		"MapShare": MapShare{}, "MapShareChange": MapShareChange{}, "MapShareList": MapShareList{},
		"ContentRoleHolder": ContentRoleHolder{}, "ContentRoleList": ContentRoleList{}, "ContentRoleGrant": ContentRoleGrant{},
	} {
		if _, dup := portalBodies[name]; dup {
			panic("portalBodies: " + name + " twice")
		}
		portalBodies[name] = v
	}
}
