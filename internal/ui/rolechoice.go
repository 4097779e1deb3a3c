package ui

import (
	"strings"

	"github.com/octroi/octroi/internal/portal"
)

// A choice among the reader's own roles (the communities and
// organisations they belong to, or manage), for a form that acts for one
// of them: the map creation's owner, the access request's beneficiary
// community. A person may belong to thousands (the administrator of the
// demo supervises 5,000 communities): the form shows at most
// roleChoiceLimit of them, those whose name or id holds the words searched
// (folded as the portal's searches are), and a search field, a plain GET
// form that works without JavaScript, when there are more than it shows.
// The portal still decides whether the one chosen is allowed.

// roleChoiceLimit bounds the roles a form offers at once.
const roleChoiceLimit = 20

// roleChoice is what a form shows of the reader's roles.
type roleChoice struct {
	Query  string          // the search typed, "" for none
	Shown  []portal.Holder // at most roleChoiceLimit, in the reader's order
	Total  int             // the reader's roles, searched or not
	Search bool            // the search field is offered (too many to show, or a search typed)
}

// chooseRoles narrows all to those matching query (every word, folded, in
// the name or the id), at most roleChoiceLimit, always keeping keep (the
// "kind:id" chosen in a refused form) when it is one of them.
func chooseRoles(all []portal.Holder, query, keep string) roleChoice {
	c := roleChoice{Query: strings.TrimSpace(query), Total: len(all)}
	words := strings.Fields(portal.FoldName(c.Query))
	for _, h := range all {
		hay := portal.FoldName(h.Name + " " + h.ID)
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(hay, w)
		}
		if ok && len(c.Shown) < roleChoiceLimit {
			c.Shown = append(c.Shown, h)
		}
	}
	if keep != "" {
		for _, h := range all {
			if string(h.Kind)+":"+h.ID == keep && !containsHolder(c.Shown, h) {
				c.Shown = append(c.Shown, h)
			}
		}
	}
	c.Search = len(all) > roleChoiceLimit || c.Query != ""
	return c
}

func containsHolder(hs []portal.Holder, h portal.Holder) bool {
	for _, x := range hs {
		if x.Kind == h.Kind && x.ID == h.ID {
			return true
		}
	}
	return false
}
