package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// The expiry lifecycle: a periodic job (GrantExpiryNotices, which the
// server runs on every node) tells the people concerned by a grant that
// it expires soon, and then that it expired:
//
//   - "grant.expiring" when the grant enters a notice window (by default
//     30 and 7 days before its expiry), once per window: a grant that is
//     created (or extended) already inside several windows gets the notice
//     of the nearest one only;
//   - "grant.expired" once it has expired (grants that expired more than
//     ExpiredNoticeHorizon ago are left alone, so that a first run does
//     not tell of ancient history).
//
// The recipients are its personal beneficiaries, the administrators and
// supervisor of its beneficiary communities (they ask for its renewal),
// and its grantor's editors and delegated administrators (who renew it).
// Each notice goes in the outbox like any other (outbox.go).
//
// Exactly once, on any number of nodes: each (grant, window, expiry)
// writes a marker document in the transaction of its notices, and the
// transaction first reads whether the marker exists; transactions are
// serialised, so a second node running the job at the same moment finds
// it and writes nothing. Changing the expiry changes the markers' ids:
// an extended grant is told of again.

// kindGrantNotice marks the expiry notices already recorded.
const kindGrantNotice = "grant_expiry_notice"

// DefaultExpiryWindows are the notice windows before a grant's expiry.
var DefaultExpiryWindows = []time.Duration{30 * 24 * time.Hour, 7 * 24 * time.Hour}

// ExpiredNoticeHorizon bounds how long after its expiry a grant's
// "grant.expired" notice is still recorded.
const ExpiredNoticeHorizon = 7 * 24 * time.Hour

// grantNoticeMark is the marker record.
type grantNoticeMark struct {
	recordHead
	Grant   string    `json:"grant"`
	Window  string    `json:"window"` // hours before expiry, or "expired"
	Expires time.Time `json:"expires"`
	At      time.Time `json:"at"`
}

// GrantExpiryNotices records the expiry notices due at now (the service's
// clock) for windows (nil: DefaultExpiryWindows), and returns how many
// grants it told about. It is safe to run on several nodes at once.
func (s *Service) GrantExpiryNotices(ctx context.Context, windows []time.Duration) (int, error) {
	if windows == nil {
		windows = DefaultExpiryWindows
	}
	windows = slices.Clone(windows)
	slices.Sort(windows) // nearest first
	now := s.now().UTC()
	grants, err := list[Grant](ctx, s.read(), kindGrant, "", "", 0)
	if err != nil {
		return 0, err
	}
	told := 0
	var errs []error
	for _, g := range grants {
		if g.Expires == nil {
			continue
		}
		exp := g.Expires.UTC()
		window := ""
		switch {
		case !exp.After(now):
			if now.Sub(exp) <= ExpiredNoticeHorizon {
				window = "expired"
			}
		default:
			for _, w := range windows {
				if !now.Before(exp.Add(-w)) {
					window = strconv.Itoa(int(w.Hours()))
					break
				}
			}
		}
		if window == "" {
			continue
		}
		ok, err := s.tellExpiry(ctx, g.ID, window, exp)
		if err != nil {
			errs = append(errs, fmt.Errorf("grant %s: %w", g.ID, err))
			continue
		}
		if ok {
			told++
		}
	}
	return told, errors.Join(errs...)
}

// tellExpiry records the notices of one grant's window, unless another
// run did; it reports whether this one did.
func (s *Service) tellExpiry(ctx context.Context, id, window string, exp time.Time) (bool, error) {
	mark := id + "/" + window + "/" + strconv.FormatInt(exp.Unix(), 10)
	told := false
	err := s.transact(ctx, systemActor, func(t *txn) error {
		told = false
		if ok, err := t.exists(ctx, kindGrantNotice, mark); err != nil || ok {
			return err
		}
		var g Grant
		if err := t.get(ctx, kindGrant, id, &g); err != nil {
			if isPortalNotFound(err) {
				return nil // deleted meanwhile
			}
			return err
		}
		if g.Expires == nil || !g.Expires.Equal(exp) {
			return nil // changed meanwhile: the next run sees the new expiry
		}
		to, err := t.grantConcerned(g)
		if err != nil {
			return err
		}
		kind := "grant.expiring"
		if window == "expired" {
			kind = "grant.expired"
		}
		for _, acc := range to {
			data := map[string]string{"grant": g.ID, "organisation": g.Grantor, "expires": exp.Format(time.RFC3339)}
			if slices.Contains(g.Users, acc) {
				data["beneficiary"] = "true"
			}
			if err := t.notify(acc, kind, data); err != nil {
				return err
			}
		}
		if window == "expired" {
			if err := t.tellKeysClosed(g); err != nil {
				return err
			}
		}
		told = true
		return t.put(kindGrantNotice, mark, "", id, &grantNoticeMark{Grant: id, Window: window, Expires: exp, At: t.at})
	})
	return told, err
}

// grantConcerned lists, in id order, the accounts to tell about g: its
// personal beneficiaries, the administrators and supervisors of its
// beneficiary communities, the editors and delegated administrators of
// its grantor.
func (t *txn) grantConcerned(g Grant) ([]string, error) {
	set := map[string]bool{}
	for _, u := range g.Users {
		set[u] = true
	}
	for _, c := range g.Communities {
		members, err := t.communityMembers(t.ctx, c, "")
		if err != nil {
			return nil, err
		}
		for acc, role := range members {
			if role == CommunityAdministrator || role == CommunitySupervisor {
				set[acc] = true
			}
		}
	}
	members, err := t.orgMembers(t.ctx, g.Grantor)
	if err != nil {
		return nil, err
	}
	for acc, role := range members {
		if role == RoleEditor || role == RoleDelegatedAdmin {
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
