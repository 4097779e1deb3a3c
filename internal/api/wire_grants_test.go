package api

// The wire types of services, grants and access requests, checked against
// openapi.json with the others (TestPortalBodiesMatchOpenAPI).
func init() {
	for k, v := range map[string]any{
		"Service": Service{}, "ServiceRequest": ServiceRequest{}, "ServiceUpdate": ServiceUpdate{}, "ServiceList": ServiceList{},
		"Grant": Grant{}, "GrantRequest": GrantRequest{}, "GrantUpdate": GrantUpdate{}, "GrantList": GrantList{},
		"HeldGrant": HeldGrant{}, "HeldGrantList": HeldGrantList{}, "AccessRequest": AccessRequest{},
		"AccessRequestCreate": AccessRequestCreate{}, "AccessDecision": AccessDecision{}, "AccessRequestList": AccessRequestList{},
	} {
		portalBodies[k] = v
	}
}
