package portal

import (
	"context"
	"strings"
)

// Every key of the platform, for its administrators: the list they revoke
// from. A key's owner sees their own keys with Keys; this list is the
// platform's, so it needs platform#administer (the right that key#manage
// gives administrators on every key), checked by the engine.

// KeyQuery filters the platform's keys. Owner is an account id (exact);
// Search is a piece of text found, ignoring case, in the key's name or in
// its owner's name or e-mail. After is the id the page starts after;
// Limit ≤ 0 gets the default page, larger ones are capped.
type KeyQuery struct {
	Owner  string
	Search string
	After  string
	Limit  int
}

// PlatformKey is a key as the administrators' list shows it: the key
// (never its secret, which is not stored) and who owns it.
type PlatformKey struct {
	AccessKey
	OwnerName  string
	OwnerEmail string
}

// maxKeySearch bounds the search text.
const maxKeySearch = 200

// PlatformKeys lists the platform's keys in id order, filtered by q, to a
// platform administrator. It returns the page and the id the next page
// starts after ("" at the end).
func (s *Service) PlatformKeys(ctx context.Context, actor string, q KeyQuery) ([]PlatformKey, string, error) {
	if q.Owner != "" {
		if err := checkID("owner", q.Owner); err != nil {
			return nil, "", err
		}
	}
	search, err := cleanText("search", q.Search, maxKeySearch, true)
	if err != nil {
		return nil, "", err
	}
	if q.After != "" {
		if err := checkID("after", q.After); err != nil {
			return nil, "", err
		}
	}
	if err := s.authorize(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}); err != nil {
		return nil, "", err
	}
	v := s.read()
	limit := pageSize(q.Limit)
	// Owners are read once each, whether the search needs them or not:
	// the page shows them.
	owners := map[string]Account{}
	owner := func(id string) Account {
		a, ok := owners[id]
		if !ok {
			a, _ = v.account(ctx, id) // a deleted owner shows as its id
			owners[id] = a
		}
		return a
	}
	needle := strings.ToLower(search)
	keep := func(r keyRec) bool {
		if needle == "" {
			return true
		}
		a := owner(r.Owner)
		return strings.Contains(strings.ToLower(r.Name), needle) || strings.Contains(strings.ToLower(a.Name), needle) ||
			strings.Contains(strings.ToLower(a.Email), needle)
	}
	recs, err := filtered(ctx, v, KindAccessKey, q.Owner, q.After, limit+1, func(r keyRec) string { return r.ID }, keep)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(recs) > limit {
		recs, next = recs[:limit], recs[limit-1].ID
	}
	out := make([]PlatformKey, len(recs))
	for i := range recs {
		a := owner(recs[i].Owner)
		out[i] = PlatformKey{AccessKey: recs[i].key(), OwnerName: a.Name, OwnerEmail: a.Email}
	}
	return out, next, nil
}

// OAuth2KeysAvailable reports whether keys of type OAUTH2 may be made:
// only when the platform has an identity provider (CreateKey refuses
// them otherwise), so that forms can say so before anyone tries.
func (s *Service) OAuth2KeysAvailable() bool { return s.identityProvider != "" }
