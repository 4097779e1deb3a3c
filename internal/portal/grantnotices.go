package portal

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/octroi/octroi/internal/store"
)

// Two notices of grants besides their expiry windows (expiry.go):
//
//   - "grant.created": to each new beneficiary of a grant, in the
//     transaction that makes them one (a grant created, beneficiaries
//     added to one, an access request accepted): its personal
//     beneficiaries and the members of its beneficiary communities, but
//     not whoever made the change, nor the author of an accepted request
//     (told by "access_request.accepted"), nor an account that held the
//     grant already;
//   - "key.grants_expired": to the owner of an active access key that no
//     longer opens anything because the grants of all its accesses have
//     expired (or are gone). The expiry job records it in the transaction
//     of the "grant.expired" notices of the grant that expired last, with
//     a marker by key and that expiry: transactions are serialised, so one
//     node records it, once; grants extended and expired again make a new
//     expiry and a new notice.
//
// Both are e-mailed (outbox.go), and each person may turn them off.

// kindKeyNotice marks the key notices already recorded.
const kindKeyNotice = "key_expiry_notice"

type keyNoticeMark struct {
	recordHead
	Key     string    `json:"key"`
	Expires time.Time `json:"expires"`
	At      time.Time `json:"at"`
}

// beneficiaryAccounts lists, in id order, the existing accounts among
// users and the members of communities.
func (t *txn) beneficiaryAccounts(users, communities []string) ([]string, error) {
	set := map[string]bool{}
	for _, u := range users {
		set[u] = true
	}
	for _, c := range communities {
		members, err := t.communityMembers(t.ctx, c, "")
		if err != nil {
			return nil, err
		}
		for acc := range members {
			set[acc] = true
		}
	}
	out := make([]string, 0, len(set))
	for acc := range set {
		if ok, err := t.exists(t.ctx, kindAccount, acc); err != nil {
			return nil, err
		} else if ok {
			out = append(out, acc)
		}
	}
	slices.Sort(out)
	return out, nil
}

// tellGranted records "grant.created" for the accounts g reaches that
// before (nil: none, a new grant) did not, but skip and the actor.
func (t *txn) tellGranted(before *Grant, g Grant, skip string) error {
	var users, comms []string
	var old Grant
	if before != nil {
		old = *before
	}
	for _, u := range g.Users {
		if !slices.Contains(old.Users, u) {
			users = append(users, u)
		}
	}
	for _, c := range g.Communities {
		if !slices.Contains(old.Communities, c) {
			comms = append(comms, c)
		}
	}
	if len(users) == 0 && len(comms) == 0 {
		return nil
	}
	to, err := t.beneficiaryAccounts(users, comms)
	if err != nil {
		return err
	}
	var had []string
	if before != nil {
		if had, err = t.beneficiaryAccounts(old.Users, old.Communities); err != nil {
			return err
		}
	}
	// The community through which each account is reached, when not in
	// person (the first, in the grant's order).
	through := map[string]string{}
	for _, c := range comms {
		members, err := t.communityMembers(t.ctx, c, "")
		if err != nil {
			return err
		}
		for acc := range members {
			if _, ok := through[acc]; !ok {
				through[acc] = c
			}
		}
	}
	for _, acc := range to {
		if acc == skip || acc == t.actor || slices.Contains(had, acc) {
			continue
		}
		data := map[string]string{"grant": g.ID, "organisation": g.Grantor}
		if g.Expires != nil {
			data["expires"] = g.Expires.UTC().Format(time.RFC3339)
		}
		if slices.Contains(users, acc) {
			data["beneficiary"] = "true"
		} else {
			data["community"] = through[acc]
		}
		if err := t.notify(acc, "grant.created", data); err != nil {
			return err
		}
	}
	return nil
}

// tellKeysClosed records "key.grants_expired" for the active keys with an
// access through g (which has expired) whose every access's grant has
// expired by now; the notice names the grant that expired last.
func (t *txn) tellKeysClosed(g Grant) error {
	accs, err := t.rels(t.ctx, store.Filter{ResourceType: "access", Relation: "grant", SubjectType: "grant", SubjectID: g.ID})
	if err != nil {
		return err
	}
	owners := map[string]bool{}
	for _, a := range accs {
		rs, err := t.rels(t.ctx, store.Filter{ResourceType: "access", ResourceID: a.Resource.ID, Relation: "owner"})
		if err != nil {
			return err
		}
		for _, r := range rs {
			owners[r.Subject.ID] = true
		}
	}
	for _, owner := range slices.Sorted(maps.Keys(owners)) {
		docs, err := t.docs.ListDocs(t.ctx, KindAccessKey, owner, "", 0)
		if err != nil {
			return err
		}
		for _, d := range docs {
			var r keyRec
			if err := decodeRecord(d, &r); err != nil {
				return err
			}
			if r.Status != KeyActive || !slices.ContainsFunc(r.Accesses, func(a KeyAccess) bool { return a.Grant == g.ID }) {
				continue
			}
			last, closed, err := t.keyClosedSince(r.Accesses)
			if err != nil {
				return err
			}
			if !closed {
				continue
			}
			end := last.Expires.UTC()
			mark := r.ID + "/" + strconv.FormatInt(end.Unix(), 10)
			if ok, err := t.exists(t.ctx, kindKeyNotice, mark); err != nil {
				return err
			} else if ok {
				continue
			}
			if err := t.notify(r.Owner, "key.grants_expired", map[string]string{"key": r.ID, "name": r.Name, "grant": last.ID,
				"organisation": last.Grantor, "expires": end.Format(time.RFC3339)}); err != nil {
				return err
			}
			if err := t.put(kindKeyNotice, mark, "", r.ID, &keyNoticeMark{Key: r.ID, Expires: end, At: t.at}); err != nil {
				return err
			}
		}
	}
	return nil
}

// keyClosedSince reports whether none of accesses' grants is live at the
// transaction's time (each has expired or is gone, one at least
// expired), and the one that expired last.
func (t *txn) keyClosedSince(accesses []KeyAccess) (Grant, bool, error) {
	var last Grant
	for _, a := range accesses {
		var ag Grant
		if err := t.get(t.ctx, kindGrant, a.Grant, &ag); err != nil {
			if isPortalNotFound(err) {
				continue
			}
			return Grant{}, false, err
		}
		if ag.Expires == nil || ag.Expires.After(t.at) {
			return Grant{}, false, nil
		}
		if last.Expires == nil || ag.Expires.After(*last.Expires) {
			last = ag
		}
	}
	return last, last.Expires != nil, nil
}
