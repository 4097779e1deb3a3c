package portal

import (
	"context"
	"slices"
	"time"
)

// Communities from an identity provider's groups.
//
// A platform may map the groups its OpenID Connect provider puts in a
// claim to communities (package signin reads the claim; the server's
// configuration holds the mapping). At each sign-in through the provider,
// SyncGroupCommunities brings the account's membership of the mapped
// communities in line with its groups: a participant of each community
// one of its groups maps to, and of no other mapped community.
//
// Only what the provider gave is ever taken back. Each membership the
// sync adds is recorded (a document of kind sso_membership, keyed by
// community and account: its origin); the sync removes only memberships
// with that record, and only while the role is still the participant it
// gave. A membership given by hand (an invitation accepted, a role set by
// a community manager) is never touched, neither added to nor removed;
// a member the sync added whose role a manager then changed becomes a
// member by hand (the record goes). Communities that are not mapped are
// never read. The community's supervisor is never touched.
//
// A mapped community that does not exist (yet) is skipped. The changes
// are made as the system, each audited (community.member.sso_add,
// community.member.sso_remove) with the groups that caused it.

const kindSSOMembership = "sso_membership"

// ssoMembershipRec is the origin of a membership the provider's groups
// gave.
type ssoMembershipRec struct {
	recordHead
	ID        string    `json:"id"`
	Community string    `json:"community"`
	Account   string    `json:"account"`
	Issuer    string    `json:"issuer"`
	Groups    []string  `json:"groups,omitempty"`
	Since     time.Time `json:"since"`
}

func ssoMembershipKey(community, account string) string { return community + " " + account }

// GroupSync is what a sync changed: the communities the account joined
// and left.
type GroupSync struct {
	Added, Removed []string
}

// SyncGroupCommunities brings account's membership of the mapped
// communities in line with groups, the groups the provider issuer says
// the account belongs to: want maps each group to its communities (the
// platform's mapping, every mapped community a key's value). It is no
// one's action but the sign-in's: the caller (package signin) has
// verified the provider's token.
func (s *Service) SyncGroupCommunities(ctx context.Context, account, issuer string, groups []string, mapping map[string][]string) (GroupSync, error) {
	var out GroupSync
	if len(mapping) == 0 {
		return out, nil
	}
	// community → the account's groups that map to it.
	byCommunity := map[string][]string{}
	for g, cs := range mapping {
		for _, c := range cs {
			if _, ok := byCommunity[c]; !ok {
				byCommunity[c] = nil
			}
			if slices.Contains(groups, g) {
				byCommunity[c] = append(byCommunity[c], g)
			}
		}
	}
	communities := make([]string, 0, len(byCommunity))
	for c := range byCommunity {
		communities = append(communities, c)
	}
	slices.Sort(communities)
	err := s.transact(ctx, systemActor, func(t *txn) error {
		out = GroupSync{}
		if err := t.mustExist(kindAccount, account); err != nil {
			return err
		}
		for _, c := range communities {
			gs := byCommunity[c]
			slices.Sort(gs)
			if ok, err := t.exists(t.ctx, kindCommunity, c); err != nil {
				return err
			} else if !ok {
				continue
			}
			roles, err := t.communityMembers(t.ctx, c, account)
			if err != nil {
				return err
			}
			role := roles[account]
			var origin *ssoMembershipRec
			d, err := t.docs.DocByAlt(t.ctx, kindSSOMembership, ssoMembershipKey(c, account))
			switch {
			case err == nil:
				origin = &ssoMembershipRec{}
				if err := decodeRecord(d, origin); err != nil {
					return err
				}
			case !isNotFound(err):
				return err
			}
			entry := CommunityMember{Account: account, Role: CommunityParticipant}
			switch {
			case origin != nil && role != "" && role != CommunityParticipant:
				// A manager changed the role given: a membership by
				// hand from now on.
				if err := t.deleteDoc(kindSSOMembership, origin.ID); err != nil {
					return err
				}
			case len(gs) > 0 && role == "":
				t.setCommunityRole(c, account, CommunityParticipant)
				rec := ssoMembershipRec{ID: t.s.newID(), Community: c, Account: account, Issuer: issuer, Groups: gs, Since: t.at}
				if origin != nil { // removed by hand meanwhile: the groups say again
					rec.ID = origin.ID
					if err := t.deleteDoc(kindSSOMembership, origin.ID); err != nil {
						return err
					}
				}
				if err := t.put(kindSSOMembership, rec.ID, ssoMembershipKey(c, account), account, &rec); err != nil {
					return err
				}
				if err := t.audit("community.member.sso_add", "community:"+c, nil, ssoAudit{entry, issuer, gs}); err != nil {
					return err
				}
				out.Added = append(out.Added, c)
			case len(gs) == 0 && origin != nil:
				if err := t.deleteDoc(kindSSOMembership, origin.ID); err != nil {
					return err
				}
				if role == CommunityParticipant {
					t.setCommunityRole(c, account, "")
					if err := t.audit("community.member.sso_remove", "community:"+c, ssoAudit{entry, issuer, origin.Groups}, nil); err != nil {
						return err
					}
					out.Removed = append(out.Removed, c)
				}
			}
		}
		return nil
	})
	return out, err
}

// ssoAudit is the audit entry of a membership the groups gave or took.
type ssoAudit struct {
	CommunityMember
	Issuer string   `json:"issuer"`
	Groups []string `json:"groups,omitempty"`
}
