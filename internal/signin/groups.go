package signin

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/octroi/octroi/internal/portal"
)

// Group claims mapped to communities.
//
// With OIDCConfig.GroupsClaim set, each sign-in through the provider
// reads the groups the provider says the person belongs to (from the ID
// token, or from the user info when the ID token has no such claim), and
// the portal brings the account's membership of the communities
// OIDCConfig.GroupCommunities maps groups to in line with them
// (portal.SyncGroupCommunities: added and removed, only in mapped
// communities, never touching memberships given by hand). A provider that
// sends no groups claim at all says the person is in no group: the
// memberships it gave are taken back, which is the safe side of a
// misconfigured claim.

// GroupSyncer is what the mapping needs of the portal; *portal.Service
// implements it.
type GroupSyncer interface {
	SyncGroupCommunities(ctx context.Context, account, issuer string, groups []string, mapping map[string][]string) (portal.GroupSync, error)
}

// ParseGroupCommunities reads a mapping of groups to communities, as the
// --oidc-group-communities flag gives it: comma-separated
// group=community pairs (a group may appear several times, mapped to
// several communities; a group's name may hold "=", cut at the last one).
func ParseGroupCommunities(s string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		i := strings.LastIndex(pair, "=")
		if i <= 0 || i == len(pair)-1 {
			return nil, fmt.Errorf("%q: want group=community", pair)
		}
		g, c := strings.TrimSpace(pair[:i]), strings.TrimSpace(pair[i+1:])
		if g == "" || c == "" || strings.ContainsAny(c, " \t=") {
			return nil, fmt.Errorf("%q: want group=community (a community id)", pair)
		}
		if !slices.Contains(out[g], c) {
			out[g] = append(out[g], c)
		}
	}
	return out, nil
}

// groupsIn reads the groups of claim name in claims: a list of strings or
// one string; a dotted name walks objects (Keycloak's
// "realm_access.roles"). found is false when the claim is absent.
func groupsIn(claims map[string]any, name string) (groups []string, found bool) {
	v, ok := claims[name]
	if !ok && strings.Contains(name, ".") {
		var cur any = claims
		for _, part := range strings.Split(name, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				return nil, false
			}
			if cur, ok = m[part]; !ok {
				return nil, false
			}
		}
		v = cur
	}
	if !ok {
		return nil, false
	}
	switch v := v.(type) {
	case string:
		return []string{v}, true
	case []any:
		for _, x := range v {
			if s, isString := x.(string); isString {
				groups = append(groups, s)
			}
		}
		return groups, true
	}
	return nil, true
}

// syncGroups reads the groups of an ID token (or of the user info, with
// tok) and brings the account's communities in line.
func (o *OIDC) syncGroups(ctx context.Context, account string, idt *oidc.IDToken, tok *oauth2.Token) error {
	if o.cfg.GroupsClaim == "" || o.groups == nil {
		return nil
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return err
	}
	groups, found := groupsIn(claims, o.cfg.GroupsClaim)
	if !found {
		ui, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return fmt.Errorf("user info: %w", err)
		}
		if ui.Subject != idt.Subject {
			return fmt.Errorf("user info of subject %q, not %q", ui.Subject, idt.Subject)
		}
		claims = nil
		if err := ui.Claims(&claims); err != nil {
			return err
		}
		groups, _ = groupsIn(claims, o.cfg.GroupsClaim)
	}
	_, err := o.groups.SyncGroupCommunities(ctx, account, idt.Issuer, groups, o.cfg.GroupCommunities)
	return err
}
