package portal

import (
	"context"
	"slices"

	"github.com/octroi/octroi/internal/messages"
)

// askable are the permissions a face may ask about its reader with
// MyRights, by type of object: those that decide which actions a screen
// offers.
var askable = map[string][]string{
	"platform":  {"administer", "manage_accounts", "read_all_data"},
	"community": {"view", "member", "manage", "delete"},
	"org_group": {"manage"},
}

// MyRights reports which of perms the actor holds on object typ:id (the
// platform itself when typ is "platform"), as the engine answers now, so
// that a face offers the actions its reader may take (each action still
// authorizes itself). It tells the actor only about their own rights, and
// nothing about whether the object exists: a missing object gives no
// right. Any active account may ask; a permission outside askable is
// ErrInvalid.
func (s *Service) MyRights(ctx context.Context, actor, typ, id string, perms ...string) (map[string]bool, error) {
	known, ok := askable[typ]
	if !ok {
		return nil, invalid("invalid.rights_type", messages.Quote(typ))
	}
	for _, p := range perms {
		if !slices.Contains(known, p) {
			return nil, invalid("invalid.rights_permission", messages.Quote(p), typ)
		}
	}
	if typ == "platform" {
		id = s.platform
	} else if err := checkID(typ+" id", id); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(perms))
	for _, p := range perms {
		ok, err := s.has(ctx, actor, obj(typ, id), p)
		if err != nil {
			return nil, err
		}
		out[p] = ok
	}
	return out, nil
}
