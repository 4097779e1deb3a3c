package portal

import (
	"github.com/octroi/octroi/internal/messages"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/octroi/octroi/internal/tuple"
)

// Bounds on free text, in characters.
const (
	maxName    = 200
	maxEmail   = 254
	maxMessage = 2000
)

// IDAlphabet is the one definition of the ids the portal accepts for what
// it creates (accounts, organisations, communities, groups of
// organisations, datasets): 1 to 1024 of these characters. It is the
// relationship id charset (so an id names an object in the schema) without
// "/", so that every id is one URL path segment (/datasets/{id}) and needs
// no encoding. The API documents the same alphabet (openapi.json, schema
// Id).
const IDAlphabet = "a-z A-Z 0-9 _ | - = +"

// checkID checks an object id against IDAlphabet.
func checkID(field, id string) error {
	if !tuple.ValidObjectID(id) || strings.Contains(id, "/") {
		var hint messages.Message
		if strings.Contains(id, "/") {
			hint = messages.New("invalid.id_slash")
		}
		return invalid("invalid.id", field, messages.Quote(id), tuple.MaxObjectIDLen, IDAlphabet, hint)
	}
	return nil
}

// checkAccountID also reserves the ids that mean someone else.
func checkAccountID(field, id string) error {
	if err := checkID(field, id); err != nil {
		return err
	}
	if id == anonymous || id == systemActor {
		return invalid("invalid.reserved", field, messages.Quote(id))
	}
	return nil
}

// cleanText checks a name or a title: one line. It trims s and checks it is
// non-empty (unless optional), at most max characters, and free of control
// characters, line breaks and bidirectional controls, since a name is shown
// inline among other text (lists, audit entries, e-mails) where a line
// break forges a line and a bidi override (U+202E) reverses what follows.
func cleanText(field, s string, max int, optional bool) (string, error) {
	return clean(field, s, max, optional, false)
}

// cleanMessage checks free text of several lines (a message, a reason): line
// breaks and tabs are allowed ("\r\n" becomes "\n"), other control
// characters and bidirectional controls are not.
func cleanMessage(field, s string, optional bool) (string, error) {
	return clean(field, strings.ReplaceAll(s, "\r\n", "\n"), maxMessage, optional, true)
}

func clean(field, s string, max int, optional, multiline bool) (string, error) {
	lead := utf8.RuneCountInString(s) - utf8.RuneCountInString(strings.TrimLeftFunc(s, unicode.IsSpace))
	s = strings.TrimSpace(s)
	switch {
	case s == "" && !optional:
		return "", invalid("invalid.empty", field)
	case !utf8.ValidString(s):
		return "", invalid("invalid.utf8", field)
	case utf8.RuneCountInString(s) > max:
		return "", invalid("invalid.too_long", field, utf8.RuneCountInString(s), max)
	}
	pos := lead
	for _, r := range s {
		pos++
		if what := refused(r, multiline); what != "" {
			allowed := messages.New("text.one_line")
			if multiline {
				allowed = messages.New("text.multiline")
			}
			return "", invalid("invalid.character", field, pos, r, messages.New(what), allowed)
		}
	}
	return s, nil
}

// refused names the kind of r when free text may not hold it (the key of
// its words; "" when it may).
func refused(r rune, multiline bool) messages.Key {
	switch {
	case multiline && (r == '\n' || r == '\t'):
		return ""
	case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
		return "char.line_break"
	case unicode.IsControl(r):
		return "char.control"
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return "char.bidi"
	}
	return ""
}

// cleanEmail checks a bare address (no display name) and lowercases it, so
// that uniqueness does not depend on case.
func cleanEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("invalid.empty", field)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > maxEmail {
		return "", invalid("invalid.email", field, messages.Quote(s))
	}
	return strings.ToLower(s), nil
}

func checkOrgType(field string, t OrgType) error {
	if !slices.Contains(OrgTypes, t) {
		return invalid("invalid.org_type", field, messages.Quote(t), joinEnum(OrgTypes))
	}
	return nil
}

func checkOrgRole(field string, r OrgRole) error {
	switch r {
	case RoleRegistered, RoleEditor, RoleDelegatedAdmin:
		return nil
	}
	return invalid("invalid.org_role", field, messages.Quote(r))
}

func checkPlatformRoles(field string, roles []PlatformRole) ([]PlatformRole, error) {
	out := make([]PlatformRole, 0, len(roles))
	for _, r := range roles {
		if !slices.Contains(platformRoles, r) {
			return nil, invalid("invalid.platform_role", field, messages.Quote(r))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out, nil
}

func checkLevel(field string, l Level) error {
	if l < LevelPrivate || l > LevelDownload {
		return invalid("invalid.level", field, int(l))
	}
	return nil
}

func checkGroup(field string, g GroupRef) error {
	switch g.Kind {
	case GroupOrganisation, GroupCommunity, GroupOrgGroup:
	default:
		return invalid("invalid.group_kind", field, messages.Quote(g.Kind))
	}
	return checkID(field+" id", g.ID)
}

func joinEnum[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// PlatformRoles lists the platform roles, for faces that name each one.
func PlatformRoles() []PlatformRole { return slices.Clone(platformRoles) }

// platformRoles lists the platform roles in their relation's name order.
var platformRoles = []PlatformRole{PlatformAccountManager, PlatformAdministrator, PlatformDataReader}
