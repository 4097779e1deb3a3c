package portal

import (
	"encoding/json"
	"fmt"
	"github.com/octroi/octroi/internal/messages"
	"time"
)

// Level is a dataset access level, ordered: each level includes the lower
// ones. The numbering is stored: never reorder.
type Level int

const (
	LevelPrivate Level = iota
	LevelSearch
	LevelConsult
	LevelDownload
)

var levelNames = [...]string{"private", "search", "consult", "download"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// MarshalText writes a level by its name, so that records, audit entries
// and answers all show levels the same way ("consult", never 2).
func (l Level) MarshalText() ([]byte, error) {
	if l < 0 || int(l) >= len(levelNames) {
		return nil, fmt.Errorf("level %d is not a level", int(l))
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalJSON reads a level by name, or by number: records written before
// levels were named hold numbers.
func (l *Level) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		if n < 0 || n >= len(levelNames) {
			return fmt.Errorf("level %d is not a level", n)
		}
		*l = Level(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a level is a name: private, search, consult or download")
	}
	v, err := ParseLevel(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ParseLevel reads "private", "search", "consult" or "download".
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("unknown level %q: want private, search, consult or download", s)
}

// Relation is the dataset relation that holds a level (search: searcher…);
// "" for private.
func (l Level) Relation() string {
	return [...]string{"", "searcher", "consulter", "downloader"}[l]
}

// Permission is the dataset permission a level grants ("" for private).
func (l Level) Permission() string {
	return [...]string{"", "search", "consult", "download"}[l]
}

// OrgType is the kind of an organisation, as DataSud lists them.
type OrgType string

const (
	OrgStateService        OrgType = "state_service"        // service de l'État
	OrgLocalAuthority      OrgType = "local_authority"      // collectivité territoriale
	OrgPublicEstablishment OrgType = "public_establishment" // établissement public
	OrgAssociation         OrgType = "association"          // secteur associatif
	OrgResearch            OrgType = "research"             // établissement de recherche
	OrgPrivate             OrgType = "private"              // organisme privé
	OrgOther               OrgType = "other"                // autre
)

// OrgTypes lists every organisation type, in display order.
var OrgTypes = []OrgType{OrgStateService, OrgLocalAuthority, OrgPublicEstablishment, OrgAssociation, OrgResearch, OrgPrivate, OrgOther}

// OrgRole is a role in an organisation, ordered: registered < editor <
// delegated_admin. The value is the organisation relation that holds it.
type OrgRole string

const (
	RoleRegistered     OrgRole = "registered"
	RoleEditor         OrgRole = "editor"
	RoleDelegatedAdmin OrgRole = "delegated_admin"
)

// CommunityRole is a role in a community; the value is its relation.
type CommunityRole string

const (
	CommunityParticipant   CommunityRole = "participant"
	CommunityAdministrator CommunityRole = "administrator"
	CommunitySupervisor    CommunityRole = "supervisor"
)

// PlatformRole is a platform-wide role; the value is its platform relation.
type PlatformRole string

const (
	PlatformAdministrator  PlatformRole = "administrator"   // every right everywhere
	PlatformAccountManager PlatformRole = "account_manager" // manages accounts
	PlatformDataReader     PlatformRole = "data_reader"     // sees every restricted dataset
)

// AccountStatus says whether an account may act.
type AccountStatus string

const (
	AccountActive   AccountStatus = "active"
	AccountDisabled AccountStatus = "disabled"
)

// The JSON tags of the domain's types below are read by nothing in octroi:
// documents and audit entries are written from records.go (which
// TestRecordsHoldNoDomainValue proves), the API's answers from package
// api's own types. They stay for Go programs that decode the API's answers
// into domain values, as the API's tests do; they name the wire's fields,
// not the database's.

// Account is a person's account. Its id is the subject id in the schema
// (user:ID).
type Account struct {
	ID            string         `json:"id"`
	Email         string         `json:"email"`
	Name          string         `json:"name"`
	Status        AccountStatus  `json:"status"`
	PlatformRoles []PlatformRole `json:"platform_roles,omitempty"`
	Created       time.Time      `json:"created"`
	// Language is the language of the account's e-mails: "fr" (also when
	// empty, the default) or "en".
	Language string `json:"language,omitempty"`
	// MailOff lists the notice kinds its owner chose not to receive by
	// e-mail (OptionalMailKinds); the notices are still recorded.
	MailOff []string `json:"mail_off,omitempty"`
}

// Organisation is a producer or consumer organisation.
type Organisation struct {
	ID   string  `json:"id"`
	Name string  `json:"name"`
	Type OrgType `json:"type"`
	// Contact is the e-mail address its grants' beneficiaries write to
	// (optional).
	Contact string    `json:"contact,omitempty"`
	Created time.Time `json:"created"`
}

// Member is an account's role in an organisation.
type Member struct {
	Account string  `json:"account"`
	Name    string  `json:"name,omitempty"`
	Email   string  `json:"email,omitempty"`
	Role    OrgRole `json:"role"`
}

// Community is a user group.
type Community struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Public     bool      `json:"public"` // listed for everyone
	Supervisor string    `json:"supervisor"`
	Created    time.Time `json:"created"`
}

// CommunityMember is an account's role in a community.
type CommunityMember struct {
	Account string        `json:"account"`
	Name    string        `json:"name,omitempty"`
	Role    CommunityRole `json:"role"`
}

// CommunityInvitation is a pending invitation of an account to a
// community: the account becomes a member, with Role, only when it
// accepts.
type CommunityInvitation struct {
	Community string        `json:"community"`
	Account   string        `json:"account"`
	Role      CommunityRole `json:"role"`
	InvitedBy string        `json:"invited_by"`
	Created   time.Time     `json:"created"`
}

// OrgGroup is a named set of organisations.
type OrgGroup struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Organisations []string  `json:"organisations"`
	Created       time.Time `json:"created"`
}

// Dataset is a published dataset, by its unique product id.
type Dataset struct {
	ID      string    `json:"id"` // product id, e.g. IGNF_BD-TOPO
	Title   string    `json:"title"`
	Owner   string    `json:"owner"` // organisation id
	Default Level     `json:"default_level"`
	Created time.Time `json:"created"`
}

// GroupKind is the kind of a group that can hold a dataset level.
type GroupKind string

const (
	GroupOrganisation GroupKind = "organisation"
	GroupCommunity    GroupKind = "community"
	GroupOrgGroup     GroupKind = "org_group"
)

// GroupRef names a group.
type GroupRef struct {
	Kind GroupKind `json:"kind"`
	ID   string    `json:"id"`
}

// AccessRow is one line of a dataset's access table.
type AccessRow struct {
	Group     GroupRef `json:"group"`
	Name      string   `json:"name"`
	OrgType   OrgType  `json:"org_type,omitempty"` // organisations only
	Specific  *Level   `json:"specific_level"`     // nil: no specific level
	Effective Level    `json:"effective_level"`    // what the engine grants the group's members, through every path
}

// AccessFilter selects and orders access-table rows. Zero values do not
// filter.
type AccessFilter struct {
	Kind    GroupKind
	OrgType OrgType
	Level   *Level // effective level
	Name    string // part of the group's name, ignoring case and accents
	Sort    string // "name" (default), "level", "type"
	Desc    bool
	Offset  int
	Limit   int // ≤ 0: a default page size
}

// BulkAction changes the specific levels of several groups at once.
type BulkAction struct {
	Groups []GroupRef `json:"groups"`
	// Action: "remove" (drop specific levels) or "grant" (Level).
	Action string `json:"action"`
	Level  Level  `json:"level"`
	// Mode: "merge" (default: never lowers anyone) or "replace".
	Mode   string `json:"mode"`
	DryRun bool   `json:"dry_run"`
}

// BulkChange is one group's change by a bulk action.
type BulkChange struct {
	Group  GroupRef `json:"group"`
	Name   string   `json:"name"`
	Before *Level   `json:"before"` // specific level before; nil: none
	After  *Level   `json:"after"`  // specific level after; nil: none
}

// JoinStatus is the state of a join request.
type JoinStatus string

const (
	JoinPending   JoinStatus = "pending"
	JoinAccepted  JoinStatus = "accepted"
	JoinRefused   JoinStatus = "refused"
	JoinCancelled JoinStatus = "cancelled"
)

// JoinRequest is an account's request to join an organisation, tracked
// until someone decides.
type JoinRequest struct {
	ID           string `json:"id"`
	Organisation string `json:"organisation"`
	Account      string `json:"account"`
	// Name and Email are the requester's, for those who decide (the
	// organisation's list only); never stored with the request.
	Name      string     `json:"name,omitempty"`
	Email     string     `json:"email,omitempty"`
	Message   string     `json:"message,omitempty"`
	Status    JoinStatus `json:"status"`
	Role      OrgRole    `json:"role,omitempty"` // granted, when accepted
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	Created   time.Time  `json:"created"`
}

// Token is a personal API token, without its secret (shown once, at
// creation, and stored only hashed). A token with ExpiresAt is refused from
// that instant on (an ErrUnauthenticated that says it expired) and listed as Expired until revoked.
type Token struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Account   string     `json:"account"`
	Created   time.Time  `json:"created"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Expired is computed when listed, never stored.
	Expired bool `json:"expired,omitempty"`
}

// Notice is an event to tell someone about (by e-mail, in a later
// version): recorded when it happens, sent by whoever drains them.
type Notice struct {
	ID   string            `json:"id"`
	To   string            `json:"to"`   // account id
	Kind string            `json:"kind"` // e.g. "join_request.accepted"
	Data map[string]string `json:"data"`
	// Names: the names of the records Data names (organisation,
	// community, dataset, grant, account…) when the notice was made, so
	// that it reads by name, and still does once they are deleted. Absent
	// from notices made before it existed.
	Names   map[string]string `json:"names,omitempty"`
	Created time.Time         `json:"created"`
}

// Reason is one reason why an account has (or lacks) a level, in words.
type Reason struct {
	// Via names the path: "default", "organisation", "community",
	// "org_group", "owner", "platform", "disabled".
	Via string `json:"via"`
	// Group is the organisation, community or group of organisations.
	Group *GroupRef `json:"group,omitempty"`
	// Text is the reason in words, for faces to render.
	Text messages.Message `json:"-"`
}

// Explanation says why an account has (or lacks) a permission on a dataset.
type Explanation struct {
	Dataset    string   `json:"dataset"`
	Account    string   `json:"account"`
	Permission string   `json:"permission"`
	Allowed    bool     `json:"allowed"`
	Reasons    []Reason `json:"reasons"`
	// Text is one sentence summing up, for faces to render.
	Text messages.Message `json:"-"`
}
