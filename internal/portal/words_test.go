package portal

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
)

// TestWordsOfDataAreInTheCatalogue: keys built from data (a right, a kind
// of record, a level, a role) are not literals the messages package can
// find in the code; each must still have its entry, or people would read
// the bare value or "!(key)".
func TestWordsOfDataAreInTheCatalogue(t *testing.T) {
	var keys []string
	for k := range rightNamesObject {
		keys = append(keys, "right."+k)
	}
	for _, k := range []string{kindAccount, kindToken, kindOrg, kindCommunity, kindOrgGroup, kindDataset, kindJoinRequest, kindNotice, kindInvitation} {
		keys = append(keys, "noun."+k)
	}
	for l := LevelPrivate; l <= LevelDownload; l++ {
		keys = append(keys, "level."+l.String())
	}
	for _, r := range []string{string(RoleRegistered), string(RoleEditor), string(RoleDelegatedAdmin), string(CommunityParticipant), string(CommunityAdministrator), string(CommunitySupervisor)} {
		keys = append(keys, "role."+r)
	}
	for _, r := range platformRoles {
		keys = append(keys, "platform_role."+string(r))
	}
	for _, p := range []string{"search", "consult", "download", "edit", "manage_access"} {
		keys = append(keys, "perm."+p)
	}
	for _, s := range []JoinStatus{JoinPending, JoinAccepted, JoinRefused, JoinCancelled} {
		keys = append(keys, "join."+string(s))
	}
	for _, k := range keys {
		if !messages.Has(messages.Key(k)) {
			t.Errorf("got no entry %q in the catalogue, want one", k)
		}
	}
}

func TestLacksNamesTheObjectWhenItsWordsDo(t *testing.T) {
	for _, tt := range []struct {
		r    right
		want string
	}{
		{right{datasetRef("X"), "edit"}, "You may not edit dataset X (editors and delegated administrators of its organisation)."},
		{right{obj("platform", "p"), "administer"}, "You may not administer the platform (platform administrators only)."},
		{right{datasetRef("X"), "teleport"}, "You may not hold teleport on dataset X."},
	} {
		e := lacks(tt.r).(*Error)
		if e.Msg.In(messages.English) != tt.want || strings.Contains(e.Msg.In(messages.French), "!(") {
			t.Errorf("lacks %v: got %q / %q, want %q", tt.r, e.Msg.In(messages.English), e.Msg.In(messages.French), tt.want)
		}
	}
}
