package portal

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/octroi/octroi/internal/store"
)

// SearchAccounts returns up to limit accounts with a word of their name,
// their whole name or their e-mail starting with q, ignoring case and
// accents ("elo" finds Élodie, "lefe" Lefèvre, "jean.d" the e-mail
// jean.dupont@…), in the order of the words matched. It is for account
// managers (manage_accounts) and for delegated administrators of any
// organisation (manage_members on one), who look for the person to add;
// these find people by name or by their whole e-mail only, and see their
// id and name (and the e-mail they typed), nothing else. The search runs on the records in memory,
// on an index of those words built at the first search.
func (s *Service) SearchAccounts(ctx context.Context, actor, q string, limit int) ([]Account, error) {
	as, _, err := s.SearchAccountsPage(ctx, actor, q, "", limit)
	return as, err
}

// SearchAccountsPage is SearchAccounts page by page: after is the cursor
// a previous page returned ("" for the first), and the cursor returned is
// "" after the last page. A cursor is a position in the matches, so a
// page may repeat or skip an account whose name changed meanwhile.
func (s *Service) SearchAccountsPage(ctx context.Context, actor, q, after string, limit int) ([]Account, string, error) {
	prefix := fold(strings.TrimSpace(q))
	if prefix == "" {
		return nil, "", invalid("invalid.search_query")
	}
	pos := 0
	if after != "" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 0 {
			return nil, "", invalid("invalid.search_cursor")
		}
		pos = n
	}
	limit = pageSize(limit)
	manager := true
	if err := s.authorize(ctx, actor, guard{rights: []right{{s.platformRef(), "manage_accounts"}}}); err != nil {
		if !errors.Is(err, ErrForbidden) {
			return nil, "", err
		}
		switch orgs, lerr := s.lookup(ctx, actor, "organisation", "manage_members", "", 1); {
		case lerr != nil:
			return nil, "", lerr
		case len(orgs) == 0:
			return nil, "", err
		}
		manager = false
	}
	return s.searchAccountsFrom(ctx, prefix, pos, limit, manager)
}

// searchAccountsFrom runs an authorized search of prefix from position
// pos and returns up to limit accounts and the cursor of the next page (""
// after the last): a manager sees every match whole, anyone else finds
// people by name or whole e-mail and sees their id and name
// (searchResult).
func (s *Service) searchAccountsFrom(ctx context.Context, prefix string, pos, limit int, manager bool) ([]Account, string, error) {
	// Matches are read a page at a time from pos until limit accounts
	// pass (a delegated administrator sees fewer than match).
	v := s.read()
	out := make([]Account, 0, limit)
	for {
		want := pos + limit
		ids, err := s.mem.searchAccounts(ctx, prefix, want)
		if err != nil {
			return nil, "", err
		}
		for _, id := range ids[min(pos, len(ids)):] {
			pos++
			a, ok, err := s.searchResult(ctx, v, id, prefix, manager)
			if err != nil {
				return nil, "", err
			}
			if ok {
				if out = append(out, a); len(out) == limit {
					return out, strconv.Itoa(pos), nil
				}
			}
		}
		if len(ids) < want {
			return out, "", nil // no more matches
		}
	}
}

// searchResult is account id as the search shows it to its actor, and
// whether it is shown at all.
func (s *Service) searchResult(ctx context.Context, v view, id, prefix string, manager bool) (Account, bool, error) {
	a, err := v.account(ctx, id)
	if isPortalNotFound(err) {
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, err
	}
	if !manager {
		// A delegated administrator looks for someone to add: by
		// name, or by the whole e-mail they were given. An e-mail
		// prefix would let them list the platform's addresses, so it
		// finds nothing for them, and they see an address only when
		// they typed it whole; status and roles are not theirs to see.
		email := strings.ToLower(a.Email) == prefix
		if !email && !slices.ContainsFunc(nameKeys(a.Name), func(k string) bool { return strings.HasPrefix(k, prefix) }) {
			return Account{}, false, nil
		}
		a = Account{ID: a.ID, Name: a.Name}
		if email {
			a.Email = prefix
		}
	}
	return a, true, nil
}

// searchKey is one word an account is found by.
type searchKey struct{ key, id string }

// accountKeys are the words account a is found by: its folded name, each
// word of it, its e-mail.
func accountKeys(a Account) []string {
	keys := append(nameKeys(a.Name), strings.ToLower(a.Email))
	slices.Sort(keys)
	return slices.Compact(keys)
}

// nameKeys are the words a name is found by: the whole folded name and
// each of its words but the first (which starts the name).
func nameKeys(name string) []string { return foldedKeys(fold(name)) }

// foldedKeys are the keys of a name already folded (fold(name)).
func foldedKeys(name string) []string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return append([]string{name}, words[min(1, len(words)):]...)
}

// searchAccounts returns up to limit ids of accounts with a key starting
// with prefix, in key order.
func (r *records) searchAccounts(ctx context.Context, prefix string, limit int) ([]string, error) {
	if err := r.fresh(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	mk := r.kinds[kindAccount]
	if mk.keys == nil {
		// The key index is built at the first search, under the read lock
		// (seconds for 246k accounts: other reads go on), then installed
		// unless the records changed meanwhile (the next search builds it
		// again then).
		rev, keys := r.rev, []searchKey{}
		for _, d := range mk.docs {
			keys = append(keys, docKeys(d)...)
		}
		r.mu.RUnlock()
		slices.SortFunc(keys, cmpKey)
		r.mu.Lock()
		if mk.keys == nil && r.rev == rev {
			mk.keys = keys
		}
		r.mu.Unlock()
		r.mu.RLock()
		if mk.keys == nil {
			mk = &memKind{keys: keys} // this search, on what was built
		}
	}
	defer r.mu.RUnlock()
	i, _ := slices.BinarySearchFunc(mk.keys, searchKey{key: prefix}, cmpKey)
	var ids []string
	for ; i < len(mk.keys) && strings.HasPrefix(mk.keys[i].key, prefix) && len(ids) < limit; i++ {
		if !slices.Contains(ids, mk.keys[i].id) {
			ids = append(ids, mk.keys[i].id)
		}
	}
	return ids, nil
}

func cmpKey(a, b searchKey) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

func docKeys(d store.Doc) []searchKey {
	var a Account
	if json.Unmarshal(d.Data, &a) != nil {
		return nil
	}
	var out []searchKey
	for _, k := range accountKeys(a) {
		out = append(out, searchKey{k, d.ID})
	}
	return out
}

// updateKeys replaces the search keys of old (if any) by those of d (if
// any) in a built key index.
func (mk *memKind) updateKeys(old, d *store.Doc) {
	if mk.keys == nil {
		return
	}
	if old != nil {
		for _, k := range docKeys(*old) {
			if i, ok := slices.BinarySearchFunc(mk.keys, k, cmpKey); ok {
				mk.keys = slices.Delete(mk.keys, i, i+1)
			}
		}
	}
	if d != nil {
		for _, k := range docKeys(*d) {
			if i, ok := slices.BinarySearchFunc(mk.keys, k, cmpKey); !ok {
				mk.keys = slices.Insert(mk.keys, i, k)
			}
		}
	}
}
