package api

import (
	"cmp"
	"encoding/json"
	"github.com/octroi/octroi/internal/messages"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// Portal bodies. They are the API's own types, converted from and to the
// portal's values by the functions below: a field renamed in the domain
// (or in its stored records) does not rename it on the wire, and what the
// wire says is what openapi.json describes. Enumerations of names (roles,
// organisation types, statuses, kinds of group) keep the portal's string
// types: their values are the schema's relation names and the names
// openapi.json lists, so they cannot change without a migration anyway.
// Levels, numbered in the domain, travel by name.

// Account is a person's account.
type Account struct {
	ID            string                `json:"id"`
	Email         string                `json:"email"`
	Name          string                `json:"name"`
	Status        portal.AccountStatus  `json:"status"`
	PlatformRoles []portal.PlatformRole `json:"platform_roles,omitempty"`
	Created       time.Time             `json:"created"`
	Language      string                `json:"language"`
}

func accountOut(a portal.Account) Account {
	return Account{ID: a.ID, Email: a.Email, Name: a.Name, Status: a.Status, PlatformRoles: a.PlatformRoles, Created: a.Created,
		Language: cmp.Or(a.Language, portal.LanguageFrench)}
}

// each converts a list of portal values; the result is never nil, so that
// an empty list encodes as [] rather than null.
func each[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// Me is the answer of GET /me: who the caller is — account, roles in
// organisations and communities, platform roles and where they come from.
type Me struct {
	Account       Account               `json:"account"`
	Organisations []OrgMembership       `json:"organisations"`
	Communities   []CommunityMembership `json:"communities"`
	PlatformRoles []PlatformRoleGrant   `json:"platform_roles"`
	ContentRoles  []ContentRoleGrant    `json:"content_roles"`
}

// OrgMembership is the caller's role in one organisation.
type OrgMembership struct {
	Organisation string         `json:"organisation"`
	Name         string         `json:"name"`
	Role         portal.OrgRole `json:"role"`
}

// CommunityMembership is the caller's role in one community.
type CommunityMembership struct {
	Community string               `json:"community"`
	Name      string               `json:"name"`
	Role      portal.CommunityRole `json:"role"`
}

// PlatformRoleGrant is a platform role the caller holds, directly
// (Community "") or as a member of a community that holds it.
type PlatformRoleGrant struct {
	Role      portal.PlatformRole `json:"role"`
	Community string              `json:"community,omitempty"`
}

func meOut(p portal.Profile) Me {
	return Me{
		Account: accountOut(p.Account),
		Organisations: each(p.Organisations, func(m portal.OrgMembership) OrgMembership {
			return OrgMembership{Organisation: m.Organisation, Name: m.Name, Role: m.Role}
		}),
		Communities: each(p.Communities, func(m portal.CommunityMembership) CommunityMembership {
			return CommunityMembership{Community: m.Community, Name: m.Name, Role: m.Role}
		}),
		PlatformRoles: each(p.PlatformRoles, func(g portal.PlatformRoleGrant) PlatformRoleGrant {
			return PlatformRoleGrant{Role: g.Role, Community: g.Community}
		}),
		ContentRoles: nonNil(each(p.ContentRoles, contentRoleGrantOut)),
	}
}

// PersonalToken is a personal token, without its secret (schema Token in
// openapi.json; Token here is the consistency token).
type PersonalToken struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Account   string     `json:"account"`
	Created   time.Time  `json:"created"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Expired   bool       `json:"expired,omitempty"`
}

func tokenOut(t portal.Token) PersonalToken {
	return PersonalToken{ID: t.ID, Name: t.Name, Account: t.Account, Created: t.Created, LastUsed: t.LastUsed, ExpiresAt: t.ExpiresAt, Expired: t.Expired}
}

// Notice is an event the caller is told about.
type Notice struct {
	ID   string            `json:"id"`
	To   string            `json:"to"`
	Kind string            `json:"kind"`
	Data map[string]string `json:"data"`
	// Names: the names of the records Data names, as they were when the
	// notice was made (absent from older notices).
	Names   map[string]string `json:"names,omitempty"`
	Created time.Time         `json:"created"`
}

func noticeOut(n portal.Notice) Notice {
	return Notice{ID: n.ID, To: n.To, Kind: n.Kind, Data: n.Data, Names: n.Names, Created: n.Created}
}

// CreateTokenRequest is the body of POST /me/tokens. ExpiresAt, when set,
// ends the token's validity (it must lie in the future).
type CreateTokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// CreatedToken answers POST /me/tokens: Secret is shown only now.
type CreatedToken struct {
	Token  PersonalToken `json:"token"`
	Secret string        `json:"secret"`
}

// TokenList answers GET /me/tokens.
type TokenList struct {
	Tokens []PersonalToken `json:"tokens"`
}

// NoticeList is one page of notices.
type NoticeList struct {
	Notices []Notice `json:"notices"`
	Cursor  string   `json:"cursor,omitempty"`
}

// CreateAccountRequest is the body of POST /accounts.
type CreateAccountRequest struct {
	ID            string                `json:"id,omitempty"`
	Email         string                `json:"email"`
	Name          string                `json:"name"`
	PlatformRoles []portal.PlatformRole `json:"platform_roles,omitempty"`
}

func (c CreateAccountRequest) account() portal.Account {
	return portal.Account{ID: c.ID, Email: c.Email, Name: c.Name, PlatformRoles: c.PlatformRoles, Status: portal.AccountActive}
}

// AccountList is one page of accounts.
type AccountList struct {
	Accounts []Account `json:"accounts"`
	Cursor   string    `json:"cursor,omitempty"`
}

// AccountStatusRequest is the body of PUT /accounts/{id}/status.
type AccountStatusRequest struct {
	Status portal.AccountStatus `json:"status"`
}

// PlatformRolesRequest is the body of PUT /accounts/{id}/platform-roles.
type PlatformRolesRequest struct {
	PlatformRoles []portal.PlatformRole `json:"platform_roles"`
}

// CreateOrganisationRequest is the body of POST /organisations. FirstAdmin
// is the account made its first delegated administrator (default: the
// caller).
type CreateOrganisationRequest struct {
	ID         string         `json:"id,omitempty"`
	Name       string         `json:"name"`
	Type       portal.OrgType `json:"type"`
	Contact    string         `json:"contact,omitempty"`
	FirstAdmin string         `json:"first_admin,omitempty"`
}

// UpdateOrganisationRequest is the body of PUT /organisations/{id}.
type UpdateOrganisationRequest struct {
	Name    string         `json:"name"`
	Type    portal.OrgType `json:"type"`
	Contact string         `json:"contact,omitempty"`
}

// Organisation is a producer or consumer organisation.
type Organisation struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Type    portal.OrgType `json:"type"`
	Contact string         `json:"contact,omitempty"`
	Created time.Time      `json:"created"`
}

func organisationOut(o portal.Organisation) Organisation {
	return Organisation{ID: o.ID, Name: o.Name, Type: o.Type, Contact: o.Contact, Created: o.Created}
}

// OrganisationList is one page of organisations.
type OrganisationList struct {
	Organisations []Organisation `json:"organisations"`
	Cursor        string         `json:"cursor,omitempty"`
}

// Member is an account's role in an organisation.
type Member struct {
	Account string         `json:"account"`
	Name    string         `json:"name,omitempty"`
	Email   string         `json:"email,omitempty"`
	Role    portal.OrgRole `json:"role"`
}

func memberOut(m portal.Member) Member {
	return Member{Account: m.Account, Name: m.Name, Email: m.Email, Role: m.Role}
}

// MemberList is one page of an organisation's members.
type MemberList struct {
	Members []Member `json:"members"`
	Cursor  string   `json:"cursor,omitempty"`
}

// NewAccount describes an account created while adding it as a member.
type NewAccount struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// AddMemberRequest is the body of POST /organisations/{id}/members: either
// Account (an existing account's id) or NewAccount.
type AddMemberRequest struct {
	Account    string         `json:"account,omitempty"`
	NewAccount *NewAccount    `json:"new_account,omitempty"`
	Role       portal.OrgRole `json:"role"`
}

// RoleRequest is the body of PUT …/members/{account}.
type RoleRequest struct {
	Role string `json:"role"`
}

// JoinRequestCreate is the body of POST /organisations/{id}/join-requests.
type JoinRequestCreate struct {
	Message string `json:"message,omitempty"`
}

// JoinDecision is the body of POST /join-requests/{id}/decision: decision
// "accept" (with the role granted, default registered) or "refuse" (with
// a reason, sent to the requester).
type JoinDecision struct {
	Decision string         `json:"decision"`
	Role     portal.OrgRole `json:"role,omitempty"`
	Reason   string         `json:"reason,omitempty"`
}

// JoinRequest is an account's request to join an organisation.
type JoinRequest struct {
	ID           string            `json:"id"`
	Organisation string            `json:"organisation"`
	Account      string            `json:"account"`
	Name         string            `json:"name,omitempty"`  // the requester's, in an organisation's list
	Email        string            `json:"email,omitempty"` // the requester's, in an organisation's list
	Message      string            `json:"message,omitempty"`
	Status       portal.JoinStatus `json:"status"`
	Role         portal.OrgRole    `json:"role,omitempty"`
	DecidedBy    string            `json:"decided_by,omitempty"`
	DecidedAt    *time.Time        `json:"decided_at,omitempty"`
	Reason       string            `json:"reason,omitempty"`
	Created      time.Time         `json:"created"`
}

func joinRequestOut(j portal.JoinRequest) JoinRequest {
	return JoinRequest{ID: j.ID, Organisation: j.Organisation, Account: j.Account, Name: j.Name, Email: j.Email, Message: j.Message, Status: j.Status,
		Role: j.Role, DecidedBy: j.DecidedBy, DecidedAt: j.DecidedAt, Reason: j.Reason, Created: j.Created}
}

// JoinRequestList is one page of join requests.
type JoinRequestList struct {
	JoinRequests []JoinRequest `json:"join_requests"`
	Cursor       string        `json:"cursor,omitempty"`
}

// CommunityRequest is the body of POST /communities. The caller becomes
// its supervisor: Supervisor, when given, must be the caller.
type CommunityRequest struct {
	ID         string `json:"id,omitempty"`
	Name       string `json:"name"`
	Public     bool   `json:"public"`
	Supervisor string `json:"supervisor,omitempty"`
}

// UpdateCommunityRequest is the body of PUT /communities/{id}: what
// changes, and nothing else (the id is in the path, the supervisor never
// changes).
type UpdateCommunityRequest struct {
	Name   string `json:"name"`
	Public bool   `json:"public"`
}

// Community is a group of people across organisations.
type Community struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Public     bool      `json:"public"`
	Supervisor string    `json:"supervisor"`
	Created    time.Time `json:"created"`
}

func communityOut(c portal.Community) Community {
	return Community{ID: c.ID, Name: c.Name, Public: c.Public, Supervisor: c.Supervisor, Created: c.Created}
}

// CommunityList is one page of communities.
type CommunityList struct {
	Communities []Community `json:"communities"`
	Cursor      string      `json:"cursor,omitempty"`
}

// CommunityMember is an account's role in a community.
type CommunityMember struct {
	Account string               `json:"account"`
	Name    string               `json:"name,omitempty"`
	Role    portal.CommunityRole `json:"role"`
}

func communityMemberOut(m portal.CommunityMember) CommunityMember {
	return CommunityMember{Account: m.Account, Name: m.Name, Role: m.Role}
}

// CommunityMemberList answers GET /communities/{id}/members.
type CommunityMemberList struct {
	Members []CommunityMember `json:"members"`
}

// InvitationRequest is the body of POST /communities/{id}/invitations: the
// account invited and the role it will have once it accepts.
type InvitationRequest struct {
	Account string `json:"account"`
	Role    string `json:"role"`
}

// CommunityInvitation is a pending invitation of an account to a
// community, with the role it will have once it accepts.
type CommunityInvitation struct {
	Community string               `json:"community"`
	Account   string               `json:"account"`
	Role      portal.CommunityRole `json:"role"`
	InvitedBy string               `json:"invited_by"`
	Created   time.Time            `json:"created"`
}

func invitationOut(inv portal.CommunityInvitation) CommunityInvitation {
	return CommunityInvitation{Community: inv.Community, Account: inv.Account, Role: inv.Role, InvitedBy: inv.InvitedBy, Created: inv.Created}
}

// CommunityInvitationList lists pending invitations to communities.
type CommunityInvitationList struct {
	Invitations []CommunityInvitation `json:"invitations"`
}

// OrgGroupRequest is the body of POST /org-groups.
type OrgGroupRequest struct {
	ID            string   `json:"id,omitempty"`
	Name          string   `json:"name"`
	Organisations []string `json:"organisations"`
}

// OrgGroupUpdate is the body of PUT /org-groups/{id}: its new name (its
// organisations have their own endpoint).
type OrgGroupUpdate struct {
	Name string `json:"name"`
}

// OrgGroupOrganisations is the body of PUT /org-groups/{id}/organisations.
type OrgGroupOrganisations struct {
	Organisations []string `json:"organisations"`
}

// OrgGroup is a named set of organisations.
type OrgGroup struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Organisations []string  `json:"organisations"`
	Created       time.Time `json:"created"`
}

func orgGroupOut(g portal.OrgGroup) OrgGroup {
	return OrgGroup{ID: g.ID, Name: g.Name, Organisations: g.Organisations, Created: g.Created}
}

// OrgGroupList is one page of groups of organisations.
type OrgGroupList struct {
	OrgGroups []OrgGroup `json:"org_groups"`
	Cursor    string     `json:"cursor,omitempty"`
}

// Dataset is a dataset with its default level by name.
type Dataset struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Owner        string    `json:"owner"`
	DefaultLevel string    `json:"default_level"`
	Created      time.Time `json:"created"`
}

func datasetOut(d portal.Dataset) Dataset {
	return Dataset{ID: d.ID, Title: d.Title, Owner: d.Owner, DefaultLevel: d.Default.String(), Created: d.Created}
}

// CreateDatasetRequest is the body of POST /datasets.
type CreateDatasetRequest struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Owner        string `json:"owner"`
	DefaultLevel string `json:"default_level"`
}

// UpdateDatasetRequest is the body of PUT /datasets/{id}.
type UpdateDatasetRequest struct {
	Title string `json:"title"`
}

// LevelRequest is the body of PUT /datasets/{id}/access/{kind}/{group}
// (where null removes the group's specific level).
type LevelRequest struct {
	Level *string `json:"level"`
}

// DefaultLevelRequest is the body of PUT /datasets/{id}/default-level.
// DryRun (or ?dry_run=true) previews the change without writing it.
type DefaultLevelRequest struct {
	Level  *string `json:"level"`
	DryRun bool    `json:"dry_run,omitempty"`
}

// GroupRef names a group: an organisation, a community or a group of
// organisations.
type GroupRef struct {
	Kind portal.GroupKind `json:"kind"`
	ID   string           `json:"id"`
}

func groupOut(g portal.GroupRef) GroupRef { return GroupRef{Kind: g.Kind, ID: g.ID} }

func groupIn(g GroupRef) portal.GroupRef {
	return portal.GroupRef{Kind: g.Kind, ID: g.ID}
}

// BulkChange is one group's change: specific levels before and after (null:
// none).
type BulkChange struct {
	Group  GroupRef `json:"group"`
	Name   string   `json:"name"`
	Before *string  `json:"before"`
	After  *string  `json:"after"`
}

func levelPtr(l *portal.Level) *string {
	if l == nil {
		return nil
	}
	s := l.String()
	return &s
}

func changeOut(c portal.BulkChange) BulkChange {
	return BulkChange{Group: groupOut(c.Group), Name: c.Name, Before: levelPtr(c.Before), After: levelPtr(c.After)}
}

// DefaultLevelResponse answers PUT /datasets/{id}/default-level: the
// dataset and the specific levels removed because they lay below the new
// default (for a dry run: as they would be, with nothing written).
type DefaultLevelResponse struct {
	DryRun  bool         `json:"dry_run"`
	Dataset Dataset      `json:"dataset"`
	Changes []BulkChange `json:"changes"`
}

// AccessRow is one line of a dataset's access table.
type AccessRow struct {
	Group          GroupRef       `json:"group"`
	Name           string         `json:"name"`
	OrgType        portal.OrgType `json:"org_type,omitempty"`
	SpecificLevel  *string        `json:"specific_level"`
	EffectiveLevel string         `json:"effective_level"`
}

func accessRowOut(r portal.AccessRow) AccessRow {
	return AccessRow{Group: groupOut(r.Group), Name: r.Name, OrgType: r.OrgType,
		SpecificLevel: levelPtr(r.Specific), EffectiveLevel: r.Effective.String()}
}

// AccessTable answers GET /datasets/{id}/access: one page of rows and the
// number of rows matching the filters.
type AccessTable struct {
	Dataset string      `json:"dataset"`
	Rows    []AccessRow `json:"rows"`
	Total   int         `json:"total"`
}

// SetLevelResponse answers PUT /datasets/{id}/access/{kind}/{group}.
type SetLevelResponse struct {
	Change BulkChange `json:"change"`
}

// BulkAccessRequest is the body of POST /datasets/{id}/access/bulk. Action
// "grant" gives Level to every group, "remove" drops their specific
// levels. Mode "merge" (default) never lowers a group; "replace" sets
// exactly Level. DryRun previews the changes without writing them.
type BulkAccessRequest struct {
	Groups []GroupRef `json:"groups"`
	Action string     `json:"action"`
	Level  string     `json:"level,omitempty"`
	Mode   string     `json:"mode,omitempty"`
	DryRun bool       `json:"dry_run,omitempty"`
}

// BulkAccessResponse lists the changes made (or, for a dry run, that would
// be made).
type BulkAccessResponse struct {
	DryRun  bool         `json:"dry_run"`
	Changes []BulkChange `json:"changes"`
}

// DatasetList is one page of datasets.
type DatasetList struct {
	Datasets []Dataset `json:"datasets"`
	Cursor   string    `json:"cursor,omitempty"`
}

// FilterRequest is the body of POST /catalogue/filter.
type FilterRequest struct {
	IDs        []string `json:"ids"`
	Permission string   `json:"permission"`
}

// FilterResponse says, for every id asked, whether the caller has the
// permission; Allowed lists those that pass, in request order.
type FilterResponse struct {
	Permission string          `json:"permission"`
	Results    map[string]bool `json:"results"`
	Allowed    []string        `json:"allowed"`
}

// Reason is one reason why an account has (or lacks) a level, in words.
type Reason struct {
	Via   string    `json:"via"`
	Group *GroupRef `json:"group,omitempty"`
	FR    string    `json:"fr"`
	EN    string    `json:"en"`
}

// Explanation says why an account has (or lacks) a permission on a
// dataset, in French and English.
type Explanation struct {
	Dataset    string   `json:"dataset"`
	Account    string   `json:"account"`
	Permission string   `json:"permission"`
	Allowed    bool     `json:"allowed"`
	Reasons    []Reason `json:"reasons"`
	FR         string   `json:"fr"`
	EN         string   `json:"en"`
}

// explanationOut renders e's words in both languages.
func explanationOut(e portal.Explanation) Explanation {
	return Explanation{Dataset: e.Dataset, Account: e.Account, Permission: e.Permission, Allowed: e.Allowed,
		FR: e.Text.In(messages.French), EN: e.Text.In(messages.English),
		Reasons: each(e.Reasons, func(r portal.Reason) Reason {
			out := Reason{Via: r.Via, FR: r.Text.In(messages.French), EN: r.Text.In(messages.English)}
			if r.Group != nil {
				g := groupOut(*r.Group)
				out.Group = &g
			}
			return out
		})}
}

// AuditEntry is one audit record; Before and After are the JSON records.
type AuditEntry struct {
	Seq       int64           `json:"seq"`
	At        time.Time       `json:"at"`
	Revision  uint64          `json:"revision"`
	Actor     string          `json:"actor"`
	Action    string          `json:"action"`
	Resource  string          `json:"resource"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
}

func auditOut(e store.AuditEntry) AuditEntry {
	return AuditEntry{Seq: e.Seq, At: e.At, Revision: uint64(e.Revision), Actor: e.Actor, Action: e.Action,
		Resource: e.Resource, Before: rawJSON(e.Before), After: rawJSON(e.After), RequestID: e.RequestID}
}

func rawJSON(b []byte) json.RawMessage {
	if len(b) == 0 || !json.Valid(b) {
		return nil
	}
	return json.RawMessage(b)
}

// AuditList is one page of audit entries, oldest first.
type AuditList struct {
	Entries []AuditEntry `json:"entries"`
	Cursor  string       `json:"cursor,omitempty"`
}

// LanguageRequest is the body of PUT /me/language.
type LanguageRequest struct {
	Language string `json:"language"`
}

// MailPreferences answers /me/mail-preferences: the notice kinds one may
// stop receiving by e-mail, and those the caller did.
type MailPreferences struct {
	Optional []string `json:"optional"`
	Off      []string `json:"off"`
}

// MailPreferencesRequest is the body of PUT /me/mail-preferences.
type MailPreferencesRequest struct {
	Off []string `json:"off"`
}
