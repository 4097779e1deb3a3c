package portal

import (
	"context"
	"time"

	"github.com/octroi/octroi/internal/bearer"
)

// Browser sessions.
//
// A session is a credential (see package credentials) of kind KindSession:
// its secret travels in a cookie, its hash is the document's alternate
// key, its account the document's parent, its absolute expiry the
// credential's "expires_at" and its last use "last_used", which the
// credentials cache records. Package signin decides when to open one (a
// good password) and checks the idle timeout; the portal keeps the records,
// the audit and the rules: a session is its account's own, listed and
// revoked by it (and by account managers, like tokens), and every session
// of an account ends when the account is disabled or its password is set
// through a link.

// KindSession is the document kind of browser sessions.
const KindSession = "session"

// sessionPrefix marks session secrets, so that a leaked one is recognised
// (and never taken for a personal token).
const sessionPrefix = "ocs_"

// Session is a browser session, without its secret.
type Session struct {
	ID        string     `json:"id"`
	Account   string     `json:"account"`
	Created   time.Time  `json:"created"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	// Address and UserAgent are the sign-in's, to help its owner tell
	// sessions apart.
	Address   string `json:"address,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

type sessionRec struct {
	recordHead
	ID        string     `json:"id"`
	Account   string     `json:"account"`
	Created   time.Time  `json:"created"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	Address   string     `json:"address,omitempty"`
	UserAgent string     `json:"user_agent,omitempty"`
}

func (s Session) rec() *sessionRec {
	return &sessionRec{ID: s.ID, Account: s.Account, Created: s.Created, LastUsed: s.LastUsed, ExpiresAt: s.ExpiresAt, Address: s.Address, UserAgent: s.UserAgent}
}

func (r sessionRec) session() Session {
	return Session{ID: r.ID, Account: r.Account, Created: r.Created, LastUsed: r.LastUsed, ExpiresAt: r.ExpiresAt, Address: r.Address, UserAgent: r.UserAgent}
}

// maxUserAgent bounds the user agent kept with a session.
const maxUserAgent = 200

// OpenSession opens a session for account, which has just proved who it
// is (package signin checked its password): the account itself is the
// actor, and must be active. The session ends at expires at the latest;
// its secret is returned only here. The audit log records the sign-in
// (never the secret).
func (s *Service) OpenSession(ctx context.Context, account string, expires time.Time, address, userAgent string) (Session, string, error) {
	if len(userAgent) > maxUserAgent {
		userAgent = userAgent[:maxUserAgent]
	}
	var ses Session
	var secret string
	err := s.do(ctx, account, guard{active: true}, func(t *txn) error {
		if !expires.After(t.at) {
			return invalid("invalid.expiry_past", expires.UTC().Format(time.RFC3339))
		}
		ses = Session{ID: t.s.newID(), Account: account, Created: t.at, ExpiresAt: expires.UTC(), Address: address, UserAgent: userAgent}
		secret = bearer.NewSecret(sessionPrefix)
		if err := t.put(KindSession, ses.ID, bearer.Hash(secret), account, ses.rec()); err != nil {
			return err
		}
		if err := t.credentialsChanged(KindSession, ses.ID); err != nil {
			return err
		}
		return t.audit("account.session.open", "account:"+account, nil, ses.rec())
	})
	if err != nil {
		return Session{}, "", err
	}
	return ses, secret, nil
}

// Sessions lists an account's open sessions, oldest first: one's own, or
// anyone's with manage_accounts. Sessions past their absolute expiry are
// left out (the next sign-out or sign-in of the account deletes them).
func (s *Service) Sessions(ctx context.Context, actor, account string) ([]Session, error) {
	if err := s.authorize(ctx, actor, guard{self: account, rights: []right{{s.platformRef(), "manage_accounts"}}}); err != nil {
		return nil, err
	}
	_ = s.creds.Refresh(ctx) // records the uses this node noted; a failure is logged by the cache
	recs, err := list[sessionRec](ctx, view{s: s, docs: s.docs}, KindSession, account, "", 0)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []Session{}
	for _, r := range recs {
		if now.Before(r.ExpiresAt) {
			out = append(out, r.session())
		}
	}
	return out, nil
}

// SessionLastUsed returns when session id was last used as recorded in the
// database (nil: never since it opened; ErrNotFound: no such session). The
// idle check asks it when this node's memory says a session has been idle
// too long, since another node may have seen it used since.
func (s *Service) SessionLastUsed(ctx context.Context, id string) (*time.Time, error) {
	var r sessionRec
	if err := (view{s: s, docs: s.docs}).get(ctx, KindSession, id, &r); err != nil {
		return nil, err
	}
	if r.LastUsed == nil {
		return &r.Created, nil
	}
	return r.LastUsed, nil
}

// CloseSession ends session id: one's own (signing out, or revoking a
// session listed), or anyone's with manage_accounts (a platform
// administrator's only with administer: see actOnAccount).
func (s *Service) CloseSession(ctx context.Context, actor, id string) error {
	var r sessionRec
	if err := (view{s: s, docs: s.docs}).get(ctx, KindSession, id, &r); err != nil {
		return err
	}
	return s.do(ctx, actor, guard{self: r.Account, rights: []right{{s.platformRef(), "manage_accounts"}}}, func(t *txn) error {
		if r.Account != actor {
			if err := t.actOnAccount(r.Account, "act.revoke_tokens"); err != nil {
				return err
			}
		}
		n, err := t.endSessions(r.Account, func(x sessionRec) bool { return x.ID == id })
		if err == nil && n == 0 {
			return noSuch(KindSession, id)
		}
		return err
	})
}

// CloseSessions ends every session of account but except ("" : all of
// them): "sign out everywhere". One's own, or anyone's with
// manage_accounts (see CloseSession). It returns how many it ended.
func (s *Service) CloseSessions(ctx context.Context, actor, account, except string) (int, error) {
	var n int
	err := s.do(ctx, actor, guard{self: account, rights: []right{{s.platformRef(), "manage_accounts"}}}, func(t *txn) error {
		if err := t.mustExist(kindAccount, account); err != nil {
			return err
		}
		if account != actor {
			if err := t.actOnAccount(account, "act.revoke_tokens"); err != nil {
				return err
			}
		}
		var err error
		n, err = t.endSessions(account, func(x sessionRec) bool { return x.ID != except })
		return err
	})
	return n, err
}

// endSessions deletes the sessions of account that end accepts, telling
// every node's credentials cache, and audits each; it returns how many.
func (t *txn) endSessions(account string, end func(sessionRec) bool) (int, error) {
	recs, err := list[sessionRec](t.ctx, t.view, KindSession, account, "", 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range recs {
		if !end(r) {
			continue
		}
		if err := t.deleteDoc(KindSession, r.ID); err != nil {
			return n, err
		}
		if err := t.credentialsChanged(KindSession, r.ID); err != nil {
			return n, err
		}
		r.V = 0 // audit entries hold no version
		if err := t.audit("account.session.close", "account:"+account, &r, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ActiveAccount returns account id when it exists and is active, as this
// node's memory knows it (the records and the engine's index, which follow
// the store): ErrUnauthenticated for no such account, ErrAccountDisabled
// for a disabled one. Package signin asks it at every request made with a
// session, so it never waits for the database.
func (s *Service) ActiveAccount(ctx context.Context, id string) (Account, error) {
	a, err := s.read().account(ctx, id)
	switch {
	case isPortalNotFound(err):
		return Account{}, unauthenticated()
	case err != nil:
		return Account{}, err
	case a.Status != AccountActive:
		return Account{}, ErrAccountDisabled
	}
	return a, nil
}
