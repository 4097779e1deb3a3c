package api

import (
	"encoding/json"
	"github.com/octroi/octroi/internal/messages"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// Portal bodies. Records without levels (accounts, organisations,
// members, communities, groups of organisations, join requests, tokens,
// notices, explanations) are the portal's own types; datasets and access
// rows are converted so that levels travel by name ("private", "search",
// "consult", "download"), never by number.

// Me is the answer of GET /me: who the caller is — account, roles in
// organisations and communities, platform roles and where they come from.
type Me struct {
	portal.Profile
}

// CreateTokenRequest is the body of POST /me/tokens. ExpiresAt, when set,
// ends the token's validity (it must lie in the future).
type CreateTokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// CreatedToken answers POST /me/tokens: Secret is shown only now.
type CreatedToken struct {
	Token  portal.Token `json:"token"`
	Secret string       `json:"secret"`
}

// TokenList answers GET /me/tokens.
type TokenList struct {
	Tokens []portal.Token `json:"tokens"`
}

// NoticeList is one page of notices.
type NoticeList struct {
	Notices []portal.Notice `json:"notices"`
	Cursor  string          `json:"cursor,omitempty"`
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
	Accounts []portal.Account `json:"accounts"`
	Cursor   string           `json:"cursor,omitempty"`
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
	FirstAdmin string         `json:"first_admin,omitempty"`
}

// UpdateOrganisationRequest is the body of PUT /organisations/{id}.
type UpdateOrganisationRequest struct {
	Name string         `json:"name"`
	Type portal.OrgType `json:"type"`
}

// OrganisationList is one page of organisations.
type OrganisationList struct {
	Organisations []portal.Organisation `json:"organisations"`
	Cursor        string                `json:"cursor,omitempty"`
}

// MemberList is one page of an organisation's members.
type MemberList struct {
	Members []portal.Member `json:"members"`
	Cursor  string          `json:"cursor,omitempty"`
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

// JoinRequestList is one page of join requests.
type JoinRequestList struct {
	JoinRequests []portal.JoinRequest `json:"join_requests"`
	Cursor       string               `json:"cursor,omitempty"`
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

// CommunityList is one page of communities.
type CommunityList struct {
	Communities []portal.Community `json:"communities"`
	Cursor      string             `json:"cursor,omitempty"`
}

// CommunityMemberList answers GET /communities/{id}/members.
type CommunityMemberList struct {
	Members []portal.CommunityMember `json:"members"`
}

// InvitationRequest is the body of POST /communities/{id}/invitations: the
// account invited and the role it will have once it accepts.
type InvitationRequest struct {
	Account string `json:"account"`
	Role    string `json:"role"`
}

// CommunityInvitationList lists pending invitations to communities.
type CommunityInvitationList struct {
	Invitations []portal.CommunityInvitation `json:"invitations"`
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

// OrgGroupList is one page of groups of organisations.
type OrgGroupList struct {
	OrgGroups []portal.OrgGroup `json:"org_groups"`
	Cursor    string            `json:"cursor,omitempty"`
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

func datasetsOut(ds []portal.Dataset) []Dataset {
	out := make([]Dataset, len(ds))
	for i, d := range ds {
		out[i] = datasetOut(d)
	}
	return out
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

// BulkChange is one group's change: specific levels before and after (null:
// none).
type BulkChange struct {
	Group  portal.GroupRef `json:"group"`
	Name   string          `json:"name"`
	Before *string         `json:"before"`
	After  *string         `json:"after"`
}

func levelPtr(l *portal.Level) *string {
	if l == nil {
		return nil
	}
	s := l.String()
	return &s
}

func changeOut(c portal.BulkChange) BulkChange {
	return BulkChange{Group: c.Group, Name: c.Name, Before: levelPtr(c.Before), After: levelPtr(c.After)}
}

func changesOut(cs []portal.BulkChange) []BulkChange {
	out := make([]BulkChange, len(cs))
	for i, c := range cs {
		out[i] = changeOut(c)
	}
	return out
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
	Group          portal.GroupRef `json:"group"`
	Name           string          `json:"name"`
	OrgType        portal.OrgType  `json:"org_type,omitempty"`
	SpecificLevel  *string         `json:"specific_level"`
	EffectiveLevel string          `json:"effective_level"`
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
	Groups []portal.GroupRef `json:"groups"`
	Action string            `json:"action"`
	Level  string            `json:"level,omitempty"`
	Mode   string            `json:"mode,omitempty"`
	DryRun bool              `json:"dry_run,omitempty"`
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

// Explanation says why an account has (or lacks) a permission on a
// dataset, in French and English: the portal's explanation with its words
// rendered in both languages.
type Explanation struct {
	portal.Explanation
	Reasons []Reason `json:"reasons"`
	FR      string   `json:"fr"` // one sentence summing up
	EN      string   `json:"en"`
}

// Reason is one reason why an account has (or lacks) a level, in words.
type Reason struct {
	portal.Reason
	FR string `json:"fr"`
	EN string `json:"en"`
}

// explanationOut renders x in both languages.
func explanationOut(x portal.Explanation) Explanation {
	out := Explanation{Explanation: x, Reasons: make([]Reason, len(x.Reasons)),
		FR: x.Text.In(messages.French), EN: x.Text.In(messages.English)}
	for i, r := range x.Reasons {
		out.Reasons[i] = Reason{Reason: r, FR: r.Text.In(messages.French), EN: r.Text.In(messages.English)}
	}
	return out
}
