package api

// The access keys' bodies join the contract test's list (a file of their
// own, so that work on other nouns does not meet it).
func init() {
	for name, v := range map[string]any{
		"AccessKey": AccessKey{}, "KeyOAuth2": KeyOAuth2{}, "KeyFilters": KeyFilters{}, "KeyAccess": KeyAccess{},
		"KeyAccessOut": KeyAccessOut{}, "CreateKeyRequest": CreateKeyRequest{}, "UpdateKeyRequest": UpdateKeyRequest{},
		"CreatedKey": CreatedKey{}, "AccessKeyList": AccessKeyList{}, "UsageDay": UsageDay{}, "UsageList": UsageList{},
		"GatewayExplainRequest": GatewayExplainRequest{}, "GatewayExplanation": GatewayExplanation{},
	} {
		portalBodies[name] = v
	}
}
