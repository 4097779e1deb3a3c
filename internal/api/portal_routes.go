package api

// portalTable lists the portal endpoints: the data platform as people use
// it, each request acting as the account of its personal token.
//
// Join requests are created and listed under their organisation, but
// decided and cancelled by their own id (/join-requests/{id}/…): the
// portal finds the organisation from the request, so a path naming another
// organisation could only be wrong.
func (a *api) portalTable() []Route {
	p := func(method, path, op string, h handlerFunc) Route {
		return Route{Method: method, Path: Prefix + path, Operation: op, audience: people, h: h}
	}
	c := func(rt Route) Route { rt.audience = catalogue; return rt }
	return []Route{
		p("GET", "/me", "getMe", a.getMe),
		p("GET", "/me/tokens", "listMyTokens", a.listMyTokens),
		p("POST", "/me/tokens", "createMyToken", a.createMyToken),
		p("DELETE", "/me/tokens/{id}", "revokeMyToken", a.revokeMyToken),
		p("GET", "/me/notices", "listMyNotices", a.listMyNotices),
		p("GET", "/me/join-requests", "listMyJoinRequests", a.listMyJoinRequests),
		p("PUT", "/me/language", "setMyLanguage", a.setMyLanguage),
		p("GET", "/me/mail-preferences", "getMyMailPreferences", a.getMyMailPreferences),
		p("PUT", "/me/mail-preferences", "setMyMailPreferences", a.setMyMailPreferences),

		p("POST", "/accounts", "createAccount", a.createAccount),
		p("GET", "/accounts", "listAccounts", a.listAccounts),
		p("GET", "/accounts/{id}", "getAccount", a.getAccount),
		p("PUT", "/accounts/{id}/status", "setAccountStatus", a.setAccountStatus),
		p("PUT", "/accounts/{id}/platform-roles", "setPlatformRoles", a.setPlatformRoles),

		p("POST", "/organisations", "createOrganisation", a.createOrganisation),
		p("GET", "/organisations", "listOrganisations", a.listOrganisations),
		p("GET", "/organisations/{id}", "getOrganisation", a.getOrganisation),
		p("PUT", "/organisations/{id}", "updateOrganisation", a.updateOrganisation),
		p("DELETE", "/organisations/{id}", "deleteOrganisation", a.deleteOrganisation),
		p("GET", "/organisations/{id}/members", "listMembers", a.listMembers),
		p("POST", "/organisations/{id}/members", "addMember", a.addMember),
		p("PUT", "/organisations/{id}/members/{account}", "setMemberRole", a.setMemberRole),
		p("DELETE", "/organisations/{id}/members/{account}", "removeMember", a.removeMember),
		p("GET", "/organisations/{id}/join-requests", "listJoinRequests", a.listJoinRequests),
		p("POST", "/organisations/{id}/join-requests", "requestJoin", a.requestJoin),
		p("POST", "/join-requests/{id}/decision", "decideJoinRequest", a.decideJoinRequest),
		p("POST", "/join-requests/{id}/cancel", "cancelJoinRequest", a.cancelJoinRequest),

		p("POST", "/communities", "createCommunity", a.createCommunity),
		p("GET", "/communities", "listCommunities", a.listCommunities),
		p("GET", "/communities/{id}", "getCommunity", a.getCommunity),
		p("PUT", "/communities/{id}", "updateCommunity", a.updateCommunity),
		p("DELETE", "/communities/{id}", "deleteCommunity", a.deleteCommunity),
		p("GET", "/communities/{id}/members", "listCommunityMembers", a.listCommunityMembers),
		p("PUT", "/communities/{id}/members/{account}", "setCommunityMember", a.setCommunityMember),
		p("DELETE", "/communities/{id}/members/{account}", "removeCommunityMember", a.removeCommunityMember),
		p("GET", "/communities/{id}/invitations", "listCommunityInvitations", a.listCommunityInvitations),
		p("POST", "/communities/{id}/invitations", "inviteCommunityMember", a.inviteCommunityMember),
		p("DELETE", "/communities/{id}/invitations/{account}", "withdrawCommunityInvitation", a.withdrawCommunityInvitation),
		p("GET", "/me/community-invitations", "listMyCommunityInvitations", a.listMyCommunityInvitations),
		p("POST", "/me/community-invitations/{id}/accept", "acceptCommunityInvitation", a.acceptCommunityInvitation),
		p("POST", "/me/community-invitations/{id}/decline", "declineCommunityInvitation", a.declineCommunityInvitation),

		p("POST", "/org-groups", "createOrgGroup", a.createOrgGroup),
		p("GET", "/org-groups", "listOrgGroups", a.listOrgGroups),
		p("GET", "/org-groups/{id}", "getOrgGroup", a.getOrgGroup),
		p("PUT", "/org-groups/{id}", "renameOrgGroup", a.renameOrgGroup),
		p("PUT", "/org-groups/{id}/organisations", "setOrgGroupOrganisations", a.setOrgGroupOrganisations),
		p("DELETE", "/org-groups/{id}", "deleteOrgGroup", a.deleteOrgGroup),

		p("POST", "/datasets", "createDataset", a.createDataset),
		p("GET", "/datasets", "listDatasets", a.listDatasets),
		p("GET", "/datasets/{id}", "getDataset", a.getDataset),
		p("PUT", "/datasets/{id}", "updateDataset", a.updateDataset),
		p("DELETE", "/datasets/{id}", "deleteDataset", a.deleteDataset),
		p("PUT", "/datasets/{id}/default-level", "setDefaultLevel", a.setDefaultLevel),
		p("GET", "/datasets/{id}/access", "getAccessTable", a.getAccessTable),
		p("PUT", "/datasets/{id}/access/{kind}/{group}", "setGroupLevel", a.setGroupLevel),
		p("POST", "/datasets/{id}/access/bulk", "bulkAccess", a.bulkAccess),
		p("GET", "/datasets/{id}/explain", "explainAccess", a.explainAccess),

		c(p("GET", "/catalogue/searchable", "searchableDatasets", a.searchableDatasets)),
		c(p("POST", "/catalogue/filter", "filterDatasets", a.filterDatasets)),

		p("GET", "/audit", "queryAudit", a.queryAudit),

		p("POST", "/pages", "createPage", a.createPage),
		c(p("GET", "/pages", "listPages", a.listPages)),
		c(p("GET", "/pages/{id}", "renderPage", a.renderPage)),
		p("PUT", "/pages/{id}", "updatePage", a.updatePage),
		p("DELETE", "/pages/{id}", "deletePage", a.deletePage),
		p("PUT", "/pages/{id}/policy", "setPagePolicy", a.setPagePolicy),
		p("GET", "/pages/{id}/members", "listPageMembers", a.listPageMembers),
		p("PUT", "/pages/{id}/members/{kind}/{member}", "setPageMember", a.setPageMember),
		p("DELETE", "/pages/{id}/members/{kind}/{member}", "removePageMember", a.removePageMember),

		p("POST", "/maps", "createMap", a.createMap),
		p("GET", "/maps", "listMaps", a.listMaps),
		p("GET", "/maps/{id}", "getMap", a.getMap),
		p("PUT", "/maps/{id}", "updateMap", a.updateMap),
		p("DELETE", "/maps/{id}", "deleteMap", a.deleteMap),
		p("PUT", "/maps/{id}/resources", "setMapResources", a.setMapResources),
		p("GET", "/maps/{id}/shares", "listMapShares", a.listMapShares),
		p("PUT", "/maps/{id}/shares/{kind}/{group}", "setMapShare", a.setMapShare),

		p("GET", "/content-roles", "listContentRoles", a.listContentRoles),
		p("PUT", "/content-roles/{role}/{kind}/{holder}", "addContentRole", a.addContentRole),
		p("DELETE", "/content-roles/{role}/{kind}/{holder}", "removeContentRole", a.removeContentRole),

		p("GET", "/me/keys", "listMyKeys", a.listMyKeys),
		p("POST", "/me/keys", "createMyKey", a.createMyKey),
		p("GET", "/me/keys/{id}", "getMyKey", a.getMyKey),
		p("PATCH", "/me/keys/{id}", "updateMyKey", a.updateMyKey),
		p("DELETE", "/me/keys/{id}", "deleteMyKey", a.deleteMyKey),
		p("POST", "/me/keys/{id}/secret", "regenerateMyKey", a.regenerateMyKey),
		p("GET", "/me/keys/{id}/usage", "myKeyUsage", a.myKeyUsage),
		p("POST", "/keys/{id}/revoke", "revokeKey", a.revokeKey),
		p("GET", "/keys", "listPlatformKeys", a.listPlatformKeys),
		p("GET", "/services/{id}/usage", "serviceUsage", a.serviceUsage),
		p("POST", "/gateway/explain", "explainGateway", a.explainGateway),
	}
}
