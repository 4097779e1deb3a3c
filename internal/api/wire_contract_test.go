package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// portalBodies maps the portal's schemas in openapi.json to the API's own
// types that read and write them.
var portalBodies = map[string]any{
	"Account": Account{}, "Me": Me{}, "OrgMembership": OrgMembership{}, "CommunityMembership": CommunityMembership{},
	"PlatformRoleGrant": PlatformRoleGrant{}, "Token": PersonalToken{}, "CreatedToken": CreatedToken{}, "TokenList": TokenList{},
	"CreateTokenRequest": CreateTokenRequest{}, "Notice": Notice{}, "NoticeList": NoticeList{},
	"CreateAccountRequest": CreateAccountRequest{}, "AccountList": AccountList{}, "AccountStatusRequest": AccountStatusRequest{},
	"PlatformRolesRequest": PlatformRolesRequest{}, "Organisation": Organisation{}, "CreateOrganisationRequest": CreateOrganisationRequest{},
	"UpdateOrganisationRequest": UpdateOrganisationRequest{}, "OrganisationList": OrganisationList{}, "Member": Member{},
	"MemberList": MemberList{}, "NewAccount": NewAccount{}, "AddMemberRequest": AddMemberRequest{}, "RoleRequest": RoleRequest{},
	"JoinRequest": JoinRequest{}, "JoinRequestCreate": JoinRequestCreate{}, "JoinDecision": JoinDecision{},
	"JoinRequestList": JoinRequestList{}, "Community": Community{}, "CommunityRequest": CommunityRequest{},
	"UpdateCommunityRequest": UpdateCommunityRequest{}, "CommunityList": CommunityList{}, "CommunityMember": CommunityMember{},
	"CommunityMemberList": CommunityMemberList{}, "InvitationRequest": InvitationRequest{},
	"CommunityInvitation": CommunityInvitation{}, "CommunityInvitationList": CommunityInvitationList{}, "OrgGroup": OrgGroup{},
	"OrgGroupRequest": OrgGroupRequest{}, "OrgGroupUpdate": OrgGroupUpdate{}, "OrgGroupOrganisations": OrgGroupOrganisations{},
	"OrgGroupList": OrgGroupList{}, "Dataset": Dataset{}, "CreateDatasetRequest": CreateDatasetRequest{},
	"UpdateDatasetRequest": UpdateDatasetRequest{}, "LevelRequest": LevelRequest{}, "DefaultLevelRequest": DefaultLevelRequest{},
	"GroupRef": GroupRef{}, "BulkChange": BulkChange{}, "DefaultLevelResponse": DefaultLevelResponse{}, "AccessRow": AccessRow{},
	"AccessTable": AccessTable{}, "SetLevelResponse": SetLevelResponse{}, "BulkAccessRequest": BulkAccessRequest{},
	"BulkAccessResponse": BulkAccessResponse{}, "DatasetList": DatasetList{}, "FilterRequest": FilterRequest{},
	"FilterResponse": FilterResponse{}, "Reason": Reason{}, "Explanation": Explanation{}, "AuditEntry": AuditEntry{},
	"AuditList":       AuditList{},
	"LanguageRequest": LanguageRequest{}, "MailPreferences": MailPreferences{}, "MailPreferencesRequest": MailPreferencesRequest{},
}

// TestPortalBodiesMatchOpenAPI proves that the API's portal types say what
// openapi.json says: the same JSON fields, none of its required ones ever
// omitted, and no portal struct among them or inside them (a field renamed
// in the domain must not rename it on the wire).
func TestPortalBodiesMatchOpenAPI(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range portalBodies {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("%s: no such schema in openapi.json", name)
			continue
		}
		typ := reflect.TypeOf(v)
		var fields []string
		for f := range typ.Fields() {
			tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "" || tag == "-" {
				t.Errorf("%s.%s: no JSON name", typ.Name(), f.Name)
				continue
			}
			fields = append(fields, tag)
			if slices.Contains(schema.Required, tag) && strings.Contains(opts, "omitempty") {
				t.Errorf("%s.%s: omitempty, but %s requires %q", typ.Name(), f.Name, name, tag)
			}
			if p := portalStruct(f.Type); p != "" {
				t.Errorf("%s.%s holds the portal's struct %s: declare the API's own", typ.Name(), f.Name, p)
			}
		}
		var props []string
		for p := range schema.Properties {
			props = append(props, p)
		}
		slices.Sort(fields)
		slices.Sort(props)
		if !slices.Equal(fields, props) {
			t.Errorf("%s: fields %q, want the schema's %q", typ.Name(), fields, props)
		}
	}
}

// portalStruct names the struct of package portal that t is or holds
// (through pointers, slices and maps), or "".
func portalStruct(t reflect.Type) string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && strings.HasSuffix(t.PkgPath(), "/internal/portal") {
		return t.String()
	}
	return ""
}
