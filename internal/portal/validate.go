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

// checkID checks an object id: the relationship id charset, so that it can
// name an object in the schema.
func checkID(field, id string) error {
	if !tuple.ValidObjectID(id) {
		return invalidf("%s %q: want 1 to 1024 of the characters a-z A-Z 0-9 / _ | - = +", field, id)
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

// cleanText trims s and checks it is non-empty (unless optional), at most
// max characters and free of control characters.
func cleanText(field, s string, max int, optional bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && !optional:
		return "", invalidf("%s is empty", field)
	case !utf8.ValidString(s):
		return "", invalidf("%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		return "", invalidf("%s is %d characters long, the limit is %d", field, utf8.RuneCountInString(s), max)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return "", invalidf("%s contains control characters", field)
	}
	return s, nil
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
