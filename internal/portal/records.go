package portal

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/octroi/octroi/internal/store"
)

// Stored records. The portal's documents and the before and after of its
// audit entries are written from the types of this file, never from the
// domain's values: renaming a field of the domain changes neither the
// database nor the audit log. The JSON names here are the stored format;
// change them only with a new recordVersion and a reader for the old one.
//
// A document carries its format version in "v". Documents written before
// records were versioned have none and read as version 1; a version above
// recordVersion was written by a newer octroi and is refused rather than
// misread. Audit entries hold the same shapes without "v": an entry is
// never rewritten, its action says what it holds.
//
// Records hold names and metadata only: roles, memberships, levels,
// platform roles and disabled accounts are relationships. The fields that
// say them (an account's status and platform roles, a dataset's default
// level) are filled in audit entries, which show what a change did.

// recordVersion is the format version of the documents this octroi
// writes, and the highest it reads.
const recordVersion = 1

// recordHead starts every stored record.
type recordHead struct {
	V int `json:"v,omitempty"`
}

func (h *recordHead) head() *recordHead { return h }

type accountRec struct {
	recordHead
	ID            string         `json:"id"`
	Email         string         `json:"email"`
	Name          string         `json:"name"`
	Status        AccountStatus  `json:"status,omitempty"`
	PlatformRoles []PlatformRole `json:"platform_roles,omitempty"`
	Created       time.Time      `json:"created"`
	Language      string         `json:"language,omitempty"`
	MailOff       []string       `json:"mail_off,omitempty"`
}

type tokenRec struct {
	recordHead
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Account   string     `json:"account"`
	Created   time.Time  `json:"created"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

type organisationRec struct {
	recordHead
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Type    OrgType   `json:"type"`
	Contact string    `json:"contact,omitempty"`
	Created time.Time `json:"created"`
}

type communityRec struct {
	recordHead
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Public     bool      `json:"public"`
	Supervisor string    `json:"supervisor"`
	Created    time.Time `json:"created"`
}

type orgGroupRec struct {
	recordHead
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Organisations []string  `json:"organisations"`
	Created       time.Time `json:"created"`
}

type datasetRec struct {
	recordHead
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Owner   string    `json:"owner"`
	Default Level     `json:"default_level"`
	Created time.Time `json:"created"`
}

type joinRequestRec struct {
	recordHead
	ID           string     `json:"id"`
	Organisation string     `json:"organisation"`
	Account      string     `json:"account"`
	Message      string     `json:"message,omitempty"`
	Status       JoinStatus `json:"status"`
	Role         OrgRole    `json:"role,omitempty"`
	DecidedBy    string     `json:"decided_by,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	Created      time.Time  `json:"created"`
}

type noticeRec struct {
	recordHead
	ID      string            `json:"id"`
	To      string            `json:"to"`
	Kind    string            `json:"kind"`
	Data    map[string]string `json:"data"`
	Names   map[string]string `json:"names,omitempty"`
	Created time.Time         `json:"created"`
}

type invitationRec struct {
	recordHead
	Community string        `json:"community"`
	Account   string        `json:"account"`
	Role      CommunityRole `json:"role"`
	InvitedBy string        `json:"invited_by"`
	Created   time.Time     `json:"created"`
}

// serviceRec stores a MapService, grantRec a Grant, accessRequestRec an
// AccessRequest: their fields are the domain types', so that converting
// fails to build when a field is added to one and not the other.
type serviceRec struct {
	recordHead
	serviceFields
}

type serviceFields struct {
	ID           string      `json:"id"`
	Dataset      string      `json:"dataset"`
	Organisation string      `json:"organisation"`
	Title        string      `json:"title"`
	Type         ServiceType `json:"type"`
	Path         string      `json:"path"`
	Upstream     string      `json:"upstream"`
	Layers       []string    `json:"layers"`
	Open         bool        `json:"open"`
	Available    bool        `json:"available"`
	Created      time.Time   `json:"created"`
}

type grantRec struct {
	recordHead
	grantFields
}

type grantFields struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Grantor     string     `json:"grantor"`
	Services    []string   `json:"services"`
	Users       []string   `json:"users"`
	Communities []string   `json:"communities"`
	Expires     *time.Time `json:"expires,omitempty"`
	OnlyOAuth   bool       `json:"only_oauth,omitempty"`
	Created     time.Time  `json:"created"`
	CreatedBy   string     `json:"created_by"`
}

type accessRequestRec struct {
	recordHead
	accessRequestFields
}

type accessRequestFields struct {
	ID           string              `json:"id"`
	Dataset      string              `json:"dataset"`
	Organisation string              `json:"organisation"`
	Account      string              `json:"account"`
	Community    string              `json:"community,omitempty"`
	Services     []string            `json:"services"`
	Message      string              `json:"message,omitempty"`
	Renewal      string              `json:"renewal,omitempty"`
	Status       AccessRequestStatus `json:"status"`
	DecidedBy    string              `json:"decided_by,omitempty"`
	DecidedAt    *time.Time          `json:"decided_at,omitempty"`
	Reason       string              `json:"reason,omitempty"`
	Grant        string              `json:"grant,omitempty"`
	Expires      *time.Time          `json:"expires,omitempty"`
	Created      time.Time           `json:"created"`
	Cause        string              `json:"cause,omitempty"`
}

// Audit entries also hold values that are no document. They have the
// fields of their domain types, so they are converted, not copied field by
// field: a field added to the domain must be added here, or the build
// fails.

type memberEntry struct {
	Account string  `json:"account"`
	Name    string  `json:"name,omitempty"`
	Email   string  `json:"email,omitempty"`
	Role    OrgRole `json:"role"`
}

type communityMemberEntry struct {
	Account string        `json:"account"`
	Name    string        `json:"name,omitempty"`
	Role    CommunityRole `json:"role"`
}

type groupEntry struct {
	Kind GroupKind `json:"kind"`
	ID   string    `json:"id"`
}

type changeEntry struct {
	Group  groupEntry `json:"group"`
	Name   string     `json:"name"`
	Before *Level     `json:"before"`
	After  *Level     `json:"after"`
}

// recordOf returns the record that stores v, a domain value; anything
// else (a record, a map of them) is returned as it is. Maps and lists of
// domain values, which audit entries hold, are converted element by
// element.
func recordOf(v any) any {
	switch v := v.(type) {
	case Account:
		return &accountRec{ID: v.ID, Email: v.Email, Name: v.Name, Status: v.Status, PlatformRoles: v.PlatformRoles, Created: v.Created, Language: v.Language, MailOff: v.MailOff}
	case Token:
		return &tokenRec{ID: v.ID, Name: v.Name, Account: v.Account, Created: v.Created, LastUsed: v.LastUsed, ExpiresAt: v.ExpiresAt}
	case Organisation:
		return &organisationRec{ID: v.ID, Name: v.Name, Type: v.Type, Contact: v.Contact, Created: v.Created}
	case Community:
		return &communityRec{ID: v.ID, Name: v.Name, Public: v.Public, Supervisor: v.Supervisor, Created: v.Created}
	case OrgGroup:
		return &orgGroupRec{ID: v.ID, Name: v.Name, Organisations: v.Organisations, Created: v.Created}
	case Dataset:
		return &datasetRec{ID: v.ID, Title: v.Title, Owner: v.Owner, Default: v.Default, Created: v.Created}
	case JoinRequest:
		return &joinRequestRec{ID: v.ID, Organisation: v.Organisation, Account: v.Account, Message: v.Message, Status: v.Status,
			Role: v.Role, DecidedBy: v.DecidedBy, DecidedAt: v.DecidedAt, Reason: v.Reason, Created: v.Created}
	case Notice:
		return &noticeRec{ID: v.ID, To: v.To, Kind: v.Kind, Data: v.Data, Names: v.Names, Created: v.Created}
	case CommunityInvitation:
		return &invitationRec{Community: v.Community, Account: v.Account, Role: v.Role, InvitedBy: v.InvitedBy, Created: v.Created}
	case MapService:
		return &serviceRec{serviceFields: serviceFields(v)}
	case Grant:
		return &grantRec{grantFields: grantFields(v)}
	case AccessRequest:
		return &accessRequestRec{accessRequestFields: accessRequestFields(v)}
	case joinIndex:
		return &v
	case Member:
		return memberEntry(v)
	case CommunityMember:
		return communityMemberEntry(v)
	case GroupRef:
		return groupEntry(v)
	case BulkChange:
		return changeEntry{Group: groupEntry(v.Group), Name: v.Name, Before: v.Before, After: v.After}
	case []BulkChange:
		out := make([]any, len(v))
		for i, c := range v {
			out[i] = recordOf(c)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = recordOf(x)
		}
		return out
	}
	return v
}

// encodeRecord is the document that stores v, a domain value or a record,
// at the current version.
func encodeRecord(v any) ([]byte, error) {
	r := recordOf(v)
	h, ok := r.(interface{ head() *recordHead })
	if !ok {
		return nil, fmt.Errorf("portal: %T is not a stored record", v)
	}
	h.head().V = recordVersion
	return json.Marshal(r)
}

// encodeEntry is the JSON of an audit entry's before or after (nil: none).
func encodeEntry(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(recordOf(v))
}

// decodeRecord reads d's data into into: a domain value or a view of a
// record that declares the record's JSON names (joinIndex, the name of a
// group). It is the one place where stored documents are read, so that
// every read checks the version; its errors name the document.
func decodeRecord(d store.Doc, into any) error {
	var err error
	switch into := into.(type) {
	case *Account:
		err = decodeAs(d.Data, into, func(r accountRec) Account {
			return Account{ID: r.ID, Email: r.Email, Name: r.Name, Status: r.Status, PlatformRoles: r.PlatformRoles, Created: r.Created, Language: r.Language, MailOff: r.MailOff}
		})
	case *Token:
		err = decodeAs(d.Data, into, func(r tokenRec) Token {
			return Token{ID: r.ID, Name: r.Name, Account: r.Account, Created: r.Created, LastUsed: r.LastUsed, ExpiresAt: r.ExpiresAt}
		})
	case *Organisation:
		err = decodeAs(d.Data, into, func(r organisationRec) Organisation {
			return Organisation{ID: r.ID, Name: r.Name, Type: r.Type, Contact: r.Contact, Created: r.Created}
		})
	case *Community:
		err = decodeAs(d.Data, into, func(r communityRec) Community {
			return Community{ID: r.ID, Name: r.Name, Public: r.Public, Supervisor: r.Supervisor, Created: r.Created}
		})
	case *OrgGroup:
		err = decodeAs(d.Data, into, func(r orgGroupRec) OrgGroup {
			return OrgGroup{ID: r.ID, Name: r.Name, Organisations: r.Organisations, Created: r.Created}
		})
	case *Dataset:
		err = decodeAs(d.Data, into, func(r datasetRec) Dataset {
			return Dataset{ID: r.ID, Title: r.Title, Owner: r.Owner, Default: r.Default, Created: r.Created}
		})
	case *JoinRequest:
		err = decodeAs(d.Data, into, func(r joinRequestRec) JoinRequest {
			return JoinRequest{ID: r.ID, Organisation: r.Organisation, Account: r.Account, Message: r.Message, Status: r.Status,
				Role: r.Role, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, Reason: r.Reason, Created: r.Created}
		})
	case *Notice:
		err = decodeAs(d.Data, into, func(r noticeRec) Notice {
			return Notice{ID: r.ID, To: r.To, Kind: r.Kind, Data: r.Data, Names: r.Names, Created: r.Created}
		})
	case *CommunityInvitation:
		err = decodeAs(d.Data, into, func(r invitationRec) CommunityInvitation {
			return CommunityInvitation{Community: r.Community, Account: r.Account, Role: r.Role, InvitedBy: r.InvitedBy, Created: r.Created}
		})
	case *MapService:
		err = decodeAs(d.Data, into, func(r serviceRec) MapService { return MapService(r.serviceFields) })
	case *Grant:
		err = decodeAs(d.Data, into, func(r grantRec) Grant { return Grant(r.grantFields) })
	case *AccessRequest:
		err = decodeAs(d.Data, into, func(r accessRequestRec) AccessRequest { return AccessRequest(r.accessRequestFields) })
	default:
		var h recordHead
		if err = json.Unmarshal(d.Data, &h); err == nil {
			if err = h.check(); err == nil {
				err = json.Unmarshal(d.Data, into)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("%s %q: %w", d.Kind, d.ID, err)
	}
	return nil
}

// decodeAs decodes data as the record R, checks its version and converts
// it into *into.
func decodeAs[R any, PR interface {
	*R
	head() *recordHead
}, T any](data []byte, into *T, conv func(R) T) error {
	var r R
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	if err := PR(&r).head().check(); err != nil {
		return err
	}
	*into = conv(r)
	return nil
}

// check refuses a version this octroi does not know. Version 0 (no "v")
// is version 1: the documents written before records were versioned have
// its shape.
func (h *recordHead) check() error {
	if h.V > recordVersion {
		return fmt.Errorf("format version %d was written by a newer octroi (this one reads up to version %d): upgrade octroi", h.V, recordVersion)
	}
	return nil
}
