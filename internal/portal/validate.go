package portal

import (
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
		hint := ""
		if strings.Contains(id, "/") {
			hint = " (no \"/\": an id must fit in one URL path segment)"
		}
		return invalidf("%s %q: want 1 to %d of the characters %s%s", field, id, tuple.MaxObjectIDLen, IDAlphabet, hint)
	}
	return nil
}

// checkAccountID also reserves the ids that mean someone else.
func checkAccountID(field, id string) error {
	if err := checkID(field, id); err != nil {
		return err
	}
	if id == anonymous || id == systemActor {
		return invalidf("%s %q is reserved", field, id)
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
		return "", invalidf("%s is empty", field)
	case !utf8.ValidString(s):
		return "", invalidf("%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		return "", invalidf("%s is %d characters long, the limit is %d", field, utf8.RuneCountInString(s), max)
	}
	pos := lead
	for _, r := range s {
		pos++
		if what := refused(r, multiline); what != "" {
			allowed := "one line of text"
			if multiline {
				allowed = "text with line breaks but"
			}
			return "", invalidf("%s: character %d is %U (%s), which is not allowed: want %s without control characters or bidirectional controls", field, pos, r, what, allowed)
		}
	}
	return s, nil
}

// refused names the kind of r when free text may not hold it ("" when it
// may).
func refused(r rune, multiline bool) string {
	switch {
	case multiline && (r == '\n' || r == '\t'):
		return ""
	case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
		return "a line break"
	case unicode.IsControl(r):
		return "a control character"
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return "a bidirectional control"
	}
	return ""
}

// cleanEmail checks a bare address (no display name) and lowercases it, so
// that uniqueness does not depend on case.
func cleanEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalidf("%s is empty", field)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > maxEmail {
		return "", invalidf("%s %q is not an e-mail address like name@example.org", field, s)
	}
	return strings.ToLower(s), nil
}

func checkOrgType(field string, t OrgType) error {
	if !slices.Contains(OrgTypes, t) {
		return invalidf("%s %q: want one of %s", field, t, joinEnum(OrgTypes))
	}
	return nil
}

func checkOrgRole(field string, r OrgRole) error {
	switch r {
	case RoleRegistered, RoleEditor, RoleDelegatedAdmin:
		return nil
	}
	return invalidf("%s %q: want registered, editor or delegated_admin", field, r)
}

func checkPlatformRoles(field string, roles []PlatformRole) ([]PlatformRole, error) {
	out := make([]PlatformRole, 0, len(roles))
	for _, r := range roles {
		if !slices.Contains(platformRoles, r) {
			return nil, invalidf("%s %q: want administrator, account_manager or data_reader", field, r)
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
		return invalidf("%s %d: want private, search, consult or download", field, int(l))
	}
	return nil
}

func checkGroup(field string, g GroupRef) error {
	switch g.Kind {
	case GroupOrganisation, GroupCommunity, GroupOrgGroup:
	default:
		return invalidf("%s kind %q: want organisation, community or org_group", field, g.Kind)
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

// platformRoles lists the platform roles in their relation's name order.
var platformRoles = []PlatformRole{PlatformAccountManager, PlatformAdministrator, PlatformDataReader}
