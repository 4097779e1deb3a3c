package ui

import (
	"cmp"

	"github.com/octroi/octroi/internal/portal"
)

// memberLine is one line of the member table the screens of an
// organisation, a community and a group of organisations share
// (templates/_members.html, "members-table"), whatever they list.
type memberLine struct {
	Name  string // as shown, and in the buttons' labels
	Key   string // what the line's forms post to name it
	ID    string // shown beside the name; "" for none
	Email string // for the organisation's managers
	Role  string // "" where the table has no role
	Fixed bool   // its role is not changed here, nor is it removed (a community's supervisor)
}

// Lines is the organisation's members, as the member table shows them.
func (d membersView) Lines() []memberLine {
	out := make([]memberLine, len(d.Members))
	for i, m := range d.Members {
		out[i] = memberLine{Name: cmp.Or(m.Name, m.Account), Key: m.Account, Email: m.Email, Role: string(m.Role)}
	}
	return out
}

// Lines is the community's members, as the member table shows them: the
// supervisor's role is the community's own, not a manager's to change.
func (d communityView) Lines() []memberLine {
	out := make([]memberLine, len(d.Members))
	for i, m := range d.Members {
		out[i] = memberLine{Name: cmp.Or(m.Name, m.Account), Key: m.Account, ID: m.Account, Role: string(m.Role),
			Fixed: m.Role == portal.CommunitySupervisor}
	}
	return out
}

// Lines is the group's organisations, as the member table shows them.
func (d orgGroupView) Lines() []memberLine { return orgLines(d.Orgs) }

// orgLines are organisations as the member table and the found list show
// them: by name, and their id.
func orgLines(os []portal.Organisation) []memberLine {
	out := make([]memberLine, len(os))
	for i, o := range os {
		out[i] = memberLine{Name: o.Name, Key: o.ID, ID: o.ID}
	}
	return out
}

// accountLines are accounts a search found, as the found list shows them
// (members-found).
func accountLines(as []portal.Account) []memberLine {
	out := make([]memberLine, len(as))
	for i, a := range as {
		out[i] = memberLine{Name: a.Name, Key: a.ID, Email: a.Email}
	}
	return out
}

// FoundLines is the accounts found to add to the organisation.
func (d membersView) FoundLines() []memberLine { return accountLines(d.Found) }

// FoundLines is the accounts found to invite to the community.
func (d communityView) FoundLines() []memberLine { return accountLines(d.Found) }

// FoundLines is the organisations found to add to the group.
func (d orgGroupView) FoundLines() []memberLine { return orgLines(d.Found) }
