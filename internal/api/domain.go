package api

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// What the portal endpoints need of the domain, one interface per noun
// (see the package documentation): the domain can grow (services, grants,
// keys…) without growing what the API must be given. Every method but
// Authenticate takes the acting account's id first and authorizes the
// action itself: the API only authenticates.

// Portal is the data-platform domain as the portal endpoints use it.
// *portal.Service fills every field; a test or another domain may fill
// each with what it likes. Every field must be set: Handler panics on a
// nil one, at start rather than at the first request of its noun.
type Portal struct {
	Callers          Callers
	Profiles         Profiles
	Accounts         Accounts
	PersonalTokens   PersonalTokens
	Notices          Notices
	Organisations    Organisations
	Members          Members
	JoinRequests     JoinRequests
	Communities      Communities
	CommunityMembers CommunityMembers
	Invitations      Invitations
	OrgGroups        OrgGroups
	Datasets         Datasets
	Access           Access
	Catalogue        Catalogue
	AuditLog         AuditLog
	Keys             AccessKeys
	Gateway          GatewayExplainer
	MapServices      MapServices
	Grants           Grants
	AccessRequests   AccessRequests
	Pages            Pages
	Maps             Maps
	ContentRoles     ContentRoles
}

// mustBeComplete panics naming the first nil field of p.
func (p *Portal) mustBeComplete() {
	v := reflect.ValueOf(p).Elem()
	for i := range v.NumField() {
		if v.Field(i).IsNil() {
			panic(fmt.Sprintf("api: Portal.%s is nil", v.Type().Field(i).Name))
		}
	}
}

// Callers tell who a portal request comes from: the account of a personal
// token, or the account a catalogue acts for.
type Callers interface {
	Authenticate(ctx context.Context, secret string) (portal.Account, error)
	Account(ctx context.Context, actor, id string) (portal.Account, error)
}

// Profiles answer GET /me: an account with its roles; and set the
// language of its e-mails and which it receives.
type Profiles interface {
	Profile(ctx context.Context, actor, id string) (portal.Profile, error)
	SetLanguage(ctx context.Context, actor, id, lang string) (portal.Account, error)
	SetMailOff(ctx context.Context, actor, id string, off []string) (portal.Account, error)
}

// Accounts are the platform's people, managed by its account managers.
type Accounts interface {
	CreateAccount(ctx context.Context, actor string, a portal.Account) (portal.Account, error)
	Account(ctx context.Context, actor, id string) (portal.Account, error)
	Accounts(ctx context.Context, actor, after string, limit int) ([]portal.Account, error)
	SearchAccountsPage(ctx context.Context, actor, q, after string, limit int) ([]portal.Account, string, error)
	SetAccountStatus(ctx context.Context, actor, id string, st portal.AccountStatus) (portal.Account, error)
	SetPlatformRoles(ctx context.Context, actor, id string, roles []portal.PlatformRole) (portal.Account, error)
}

// PersonalTokens are the caller's own tokens (/me/tokens).
type PersonalTokens interface {
	CreateToken(ctx context.Context, actor, name string, expires *time.Time) (portal.Token, string, error)
	Tokens(ctx context.Context, actor string) ([]portal.Token, error)
	RevokeToken(ctx context.Context, actor, tokenID string) error
}

// Notices are what the portal tells the caller (/me/notices).
type Notices interface {
	Notices(ctx context.Context, actor, after string, limit int) ([]portal.Notice, error)
}

// Organisations are the producers and consumers of data.
type Organisations interface {
	CreateOrganisation(ctx context.Context, actor string, o portal.Organisation, firstAdmin string) (portal.Organisation, error)
	Organisation(ctx context.Context, actor, id string) (portal.Organisation, error)
	Organisations(ctx context.Context, actor string, typ portal.OrgType, name, after string, limit int) ([]portal.Organisation, error)
	UpdateOrganisation(ctx context.Context, actor string, o portal.Organisation) (portal.Organisation, error)
	DeleteOrganisation(ctx context.Context, actor, id string) error
}

// Members are the people of an organisation and their roles.
type Members interface {
	Members(ctx context.Context, actor, org, after string, limit int) ([]portal.Member, error)
	AddMember(ctx context.Context, actor, org, account string, role portal.OrgRole) (portal.Member, error)
	AddNewMember(ctx context.Context, actor, org string, a portal.Account, role portal.OrgRole) (portal.Member, error)
	SetMemberRole(ctx context.Context, actor, org, account string, role portal.OrgRole) (portal.Member, error)
	RemoveMember(ctx context.Context, actor, org, account string) error
}

// JoinRequests are asked by people and decided by an organisation's
// administrators.
type JoinRequests interface {
	RequestJoin(ctx context.Context, actor, org, message string) (portal.JoinRequest, error)
	CancelJoinRequest(ctx context.Context, actor, id string) (portal.JoinRequest, error)
	DecideJoinRequest(ctx context.Context, actor, id string, accept bool, role portal.OrgRole, reason string) (portal.JoinRequest, error)
	JoinRequests(ctx context.Context, actor, org string, status portal.JoinStatus, after string, limit int) ([]portal.JoinRequest, error)
}

// Communities are groups of people across organisations.
type Communities interface {
	CreateCommunity(ctx context.Context, actor string, c portal.Community) (portal.Community, error)
	Community(ctx context.Context, actor, id string) (portal.Community, error)
	Communities(ctx context.Context, actor, after string, limit int) ([]portal.Community, error)
	UpdateCommunity(ctx context.Context, actor string, c portal.Community) (portal.Community, error)
	DeleteCommunity(ctx context.Context, actor, id string) error
}

// CommunityMembers are the people of a community and their roles.
type CommunityMembers interface {
	CommunityMembers(ctx context.Context, actor, id string) ([]portal.CommunityMember, error)
	SetCommunityMember(ctx context.Context, actor, id, account string, role portal.CommunityRole) (portal.CommunityMember, error)
	RemoveCommunityMember(ctx context.Context, actor, id, account string) error
}

// Invitations to a community, which nobody joins without consent.
type Invitations interface {
	InviteCommunityMember(ctx context.Context, actor, id, account string, role portal.CommunityRole) (portal.CommunityInvitation, error)
	CommunityInvitations(ctx context.Context, actor, id string) ([]portal.CommunityInvitation, error)
	MyCommunityInvitations(ctx context.Context, actor string) ([]portal.CommunityInvitation, error)
	AnswerCommunityInvitation(ctx context.Context, actor, id string, accept bool) (portal.CommunityInvitation, error)
	WithdrawCommunityInvitation(ctx context.Context, actor, id, account string) error
}

// OrgGroups are groups of organisations, to which datasets give levels.
type OrgGroups interface {
	CreateOrgGroup(ctx context.Context, actor string, g portal.OrgGroup) (portal.OrgGroup, error)
	OrgGroup(ctx context.Context, actor, id string) (portal.OrgGroup, error)
	OrgGroups(ctx context.Context, actor, after string, limit int) ([]portal.OrgGroup, error)
	RenameOrgGroup(ctx context.Context, actor, id, name string) (portal.OrgGroup, error)
	SetOrgGroupOrganisations(ctx context.Context, actor, id string, orgs []string) (portal.OrgGroup, error)
	DeleteOrgGroup(ctx context.Context, actor, id string) error
}

// Datasets are the records of the catalogue, owned by an organisation.
type Datasets interface {
	CreateDataset(ctx context.Context, actor string, d portal.Dataset) (portal.Dataset, error)
	Dataset(ctx context.Context, actor, id string) (portal.Dataset, error)
	Datasets(ctx context.Context, actor string, q portal.DatasetQuery) ([]portal.Dataset, string, error)
	UpdateDataset(ctx context.Context, actor string, d portal.Dataset) (portal.Dataset, error)
	DeleteDataset(ctx context.Context, actor, id string) error
}

// Access is who may do what with a dataset: its default level, the levels
// it gives groups, and why a person may or may not.
type Access interface {
	SetDefaultLevel(ctx context.Context, actor, id string, l portal.Level) (portal.Dataset, []portal.BulkChange, error)
	PreviewDefaultLevel(ctx context.Context, actor, id string, l portal.Level) (portal.Dataset, []portal.BulkChange, error)
	AccessTable(ctx context.Context, actor, id string, f portal.AccessFilter) ([]portal.AccessRow, int, error)
	SetGroupLevel(ctx context.Context, actor, id string, g portal.GroupRef, l *portal.Level) (portal.BulkChange, error)
	BulkAccess(ctx context.Context, actor, id string, b portal.BulkAction) ([]portal.BulkChange, error)
	Explain(ctx context.Context, actor, dataset, account, permission string) (portal.Explanation, error)
}

// Catalogue filters a catalogue's search results by what its user may do.
type Catalogue interface {
	SearchableDatasets(ctx context.Context, actor, after string, limit int) ([]portal.Dataset, string, error)
	FilterDatasets(ctx context.Context, actor string, ids []string, permission string) (map[string]bool, error)
}

// AuditLog reads the entries the caller may read of the audit log.
type AuditLog interface {
	Audit(ctx context.Context, actor string, q store.AuditQuery) ([]store.AuditEntry, error)
}
