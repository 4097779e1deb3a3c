package portal

import (
	"context"
	"errors"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/store"
)

// Passwords and account links.
//
// An account's password is a document of kind "password" (id: the
// account's), holding a hash that package signin makes and checks: the
// portal stores it as an opaque string and never sees a password.
//
// An account link is a single-use secret that lets the owner of an
// account's e-mail address set its password: sent when an account
// manager or a delegated administrator creates the account (an
// invitation), when someone asks to reset the password, and when someone
// registers (e-mail verification). A link is a document of kind
// account_link whose alternate key is the secret's hash (the secret is
// never stored); it expires (LinkTTL), is deleted when used, and using any
// link of an account deletes its other links too and ends its sessions.
//
// The secret reaches the account's owner only through its notice (kinds
// NoticeAccountCreated, NoticePasswordReset, NoticeVerifyEmail), whose
// data key NoticeSecret ("link") holds the link's path under the
// platform's public URL, LinkPath?token=<secret>, with "expires": the
// e-mail made from the notice, in the same transaction, carries the link
// (the outbox keeps "link" out of the notice record). It is in no audit
// entry, and the notices API (Notices) leaves it out, even for the
// account's owner: a personal token must not be enough to take over a
// password (and with it the browser sessions), and a notice list is shown
// on screens. The page at LinkPath (the web UI's) asks for a password and
// posts it with the token to the API (POST /api/v1/auth/password/set).

const (
	kindPassword    = "password"
	kindAccountLink = "account_link"
)

// Notice kinds that carry an account link, and the data key of its secret.
const (
	NoticeAccountCreated = "account.created"
	NoticePasswordReset  = "account.password_reset"
	NoticeVerifyEmail    = "account.verify_email"
	NoticeSecret         = "link"
)

// LinkPath is the path, under the platform's public URL, of the page that
// takes an account link's secret (as the query parameter "token") and
// asks for a new password.
const LinkPath = "/auth/set-password"

// noticeCarriesSecret lists the notice kinds whose data holds an account
// link's secret.
var noticeCarriesSecret = map[string]bool{NoticeAccountCreated: true, NoticePasswordReset: true, NoticeVerifyEmail: true}

// LinkPurpose says why an account link was sent.
type LinkPurpose string

const (
	LinkInvitation LinkPurpose = "invitation"
	LinkReset      LinkPurpose = "password_reset"
	LinkVerify     LinkPurpose = "verify_email"
)

// LinkTTL is how long a link of each purpose stays usable: an invitation
// waits for its owner to read their mail for a week, a reset is asked by
// someone at their screen.
var LinkTTL = map[LinkPurpose]time.Duration{LinkInvitation: 7 * 24 * time.Hour, LinkReset: time.Hour, LinkVerify: 24 * time.Hour}

// linkEvery bounds how often one account is sent a new link of one
// purpose, so that nobody can flood someone's mailbox by asking for
// resets of their address.
const linkEvery = time.Minute

type passwordRec struct {
	recordHead
	Hash string    `json:"hash"`
	Set  time.Time `json:"set"`
}

type linkRec struct {
	recordHead
	ID      string      `json:"id"`
	Account string      `json:"account"`
	Purpose LinkPurpose `json:"purpose"`
	Created time.Time   `json:"created"`
	Expires time.Time   `json:"expires"`
}

// sendLink makes a link of purpose for account and its notice of kind,
// with data (which gets the secret and its expiry). Nothing is sent when a
// link of the same purpose went out less than linkEvery ago.
func (t *txn) sendLink(account string, purpose LinkPurpose, kind string, data map[string]string) error {
	links, err := list[linkRec](t.ctx, t.view, kindAccountLink, account, "", 0)
	if err != nil {
		return err
	}
	for _, l := range links {
		if l.Purpose == purpose && t.at.Sub(l.Created) < linkEvery {
			return nil
		}
	}
	l := linkRec{ID: t.s.newID(), Account: account, Purpose: purpose, Created: t.at, Expires: t.at.Add(LinkTTL[purpose])}
	entry := l // audit entries hold no version (put sets l's)
	secret := bearer.NewSecret("")
	if err := t.put(kindAccountLink, l.ID, bearer.Hash(secret), account, &l); err != nil {
		return err
	}
	if data == nil {
		data = map[string]string{}
	}
	data[NoticeSecret] = LinkPath + "?token=" + secret
	data["expires"] = l.Expires.Format(time.RFC3339)
	if err := t.notify(account, kind, data); err != nil {
		return err
	}
	return t.audit("account.link.send", "account:"+account, nil, &entry)
}

// PasswordHash returns the active account of e-mail with its stored
// password hash, for package signin to check a sign-in. It is no action of
// anyone: the caller is the sign-in itself. ErrNotFound (always the same)
// when there is no such account, or it has no password yet, or it is
// disabled: the caller must not tell these apart to whoever signs in.
func (s *Service) PasswordHash(ctx context.Context, email string) (Account, string, error) {
	none := notFound("notfound.object", noun(kindPassword), "")
	d, err := s.docs.DocByAlt(ctx, kindAccount, normEmail(email))
	if errors.Is(err, store.ErrNotFound) {
		return Account{}, "", none
	}
	if err != nil {
		return Account{}, "", err
	}
	v := view{s: s, docs: s.docs, rels: s.readAllRels}
	a, err := v.account(ctx, d.ID)
	if err != nil {
		return Account{}, "", err
	}
	var p passwordRec
	switch err := v.get(ctx, kindPassword, a.ID, &p); {
	case isPortalNotFound(err):
		return Account{}, "", none
	case err != nil:
		return Account{}, "", err
	}
	if a.Status != AccountActive {
		return Account{}, "", none
	}
	return a, p.Hash, nil
}

// normEmail is how e-mails are keyed (see cleanEmail), for lookups of
// what someone typed: a malformed one finds nothing.
func normEmail(email string) string {
	e, err := cleanEmail("email", email)
	if err != nil {
		return ""
	}
	return e
}

// RehashPassword replaces account's password hash old by new (the same
// password hashed with the current parameters), unless it changed
// meanwhile. Bookkeeping, not anyone's action: no audit entry.
func (s *Service) RehashPassword(ctx context.Context, account, old, new string) error {
	return s.transact(ctx, account, func(t *txn) error {
		var p passwordRec
		if err := t.get(t.ctx, kindPassword, account, &p); err != nil {
			return err
		}
		if p.Hash != old {
			return nil
		}
		return t.put(kindPassword, account, "", "", &passwordRec{Hash: new, Set: p.Set})
	})
}

// ChangePassword sets the actor's own password hash (package signin has
// checked the current password and the new one's strength) and ends the
// actor's other sessions (all but keep).
func (s *Service) ChangePassword(ctx context.Context, actor, hash, keep string) error {
	return s.do(ctx, actor, guard{active: true}, func(t *txn) error {
		if err := t.setPassword(actor, hash); err != nil {
			return err
		}
		_, err := t.endSessions(actor, func(r sessionRec) bool { return r.ID != keep })
		return err
	})
}

func (t *txn) setPassword(account, hash string) error {
	if hash == "" {
		return invalid("invalid.empty", "password")
	}
	if err := t.put(kindPassword, account, "", "", &passwordRec{Hash: hash, Set: t.at}); err != nil {
		return err
	}
	return t.audit("account.password.set", "account:"+account, nil, nil)
}

// LinkAccount returns the account a link's secret is for, while the link
// is usable (so that package signin can check a new password against the
// account's e-mail before hashing it); ErrInvalid "this link is invalid or
// has expired" otherwise, whatever the reason.
func (s *Service) LinkAccount(ctx context.Context, secret string) (Account, error) {
	l, err := s.link(ctx, view{s: s, docs: s.docs}, secret)
	if err != nil {
		return Account{}, err
	}
	v := view{s: s, docs: s.docs, rels: s.readAllRels}
	a, err := v.account(ctx, l.Account)
	if isPortalNotFound(err) {
		// A pending registration's: the account it will be.
		r, err := v.registration(ctx, l.Account)
		if err != nil {
			return Account{}, err
		}
		if r == nil || l.Purpose != LinkVerify || !s.now().Before(r.Expires) {
			return Account{}, errLinkInvalid()
		}
		return Account{ID: r.ID, Email: r.Email, Name: r.Name, Language: r.Language, Status: AccountActive}, nil
	}
	if err == nil && a.Status != AccountActive {
		return Account{}, errLinkInvalid()
	}
	return a, err
}

func errLinkInvalid() error { return invalid("portal.link_invalid") }

func (s *Service) link(ctx context.Context, v view, secret string) (linkRec, error) {
	if secret == "" {
		return linkRec{}, errLinkInvalid()
	}
	d, err := v.docs.DocByAlt(ctx, kindAccountLink, bearer.Hash(secret))
	if errors.Is(err, store.ErrNotFound) {
		return linkRec{}, errLinkInvalid()
	}
	if err != nil {
		return linkRec{}, err
	}
	var l linkRec
	if err := decodeRecord(d, &l); err != nil {
		return linkRec{}, err
	}
	if !s.now().Before(l.Expires) {
		return linkRec{}, errLinkInvalid()
	}
	return l, nil
}

// UseLink sets the password hash of the account a link is for, deletes
// the account's links and ends its sessions, in one transaction: whoever
// holds the link owns the account's e-mail, and whoever had a session
// (with the old password, perhaps stolen) loses it. A used, expired or
// unknown link, or one of a disabled account, is ErrInvalid.
func (s *Service) UseLink(ctx context.Context, secret, hash string) (Account, error) {
	var a Account
	err := s.transact(ctx, systemActor, func(t *txn) error {
		l, err := s.link(t.ctx, t.view, secret)
		if err != nil {
			return err
		}
		switch a, err = t.account(t.ctx, l.Account); {
		case isPortalNotFound(err):
			// A pending registration's link: its account is made now
			// (registrations.go).
			r, err := t.registration(t.ctx, l.Account)
			if err != nil {
				return err
			}
			if r == nil || l.Purpose != LinkVerify || !t.at.Before(r.Expires) {
				return errLinkInvalid()
			}
			if a, err = t.completeRegistration(r); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if a.Status != AccountActive {
			return errLinkInvalid()
		}
		t.actor = a.ID // the link's holder acts as the account from here on
		if err := t.deleteLinks(a.ID); err != nil {
			return err
		}
		l.V = 0 // audit entries hold no version
		if err := t.audit("account.link.use", "account:"+a.ID, &l, nil); err != nil {
			return err
		}
		if err := t.setPassword(a.ID, hash); err != nil {
			return err
		}
		_, err = t.endSessions(a.ID, func(sessionRec) bool { return true })
		return err
	})
	return a, err
}

// RequestPasswordReset sends the active account of email a reset link. It
// reports nothing about the account: an unknown or disabled e-mail, a
// malformed one, and one sent a link within the last minute all return
// nil, so that the answer never tells whether an e-mail has an account.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	e := normEmail(email)
	if e == "" {
		return nil
	}
	return s.transact(ctx, systemActor, func(t *txn) error {
		d, err := t.docs.DocByAlt(t.ctx, kindAccount, e)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		a, err := t.account(t.ctx, d.ID)
		if err != nil || a.Status != AccountActive {
			return err
		}
		return t.sendLink(a.ID, LinkReset, NoticePasswordReset, nil)
	})
}

// Register signs someone up alone, when the platform allows it
// (Config.SelfRegistration; else ErrForbidden): a pending registration
// and a link sent to the e-mail, which proves the address is theirs; the
// account is made, with its password, when the link is used (see
// registrations.go). Registering again re-sends the link. For an e-mail
// that already has an account, it sends that account a reset link
// instead; the answer is the same success in every case, so that it never
// tells whether an e-mail is taken or pending.
func (s *Service) Register(ctx context.Context, email, name string) error {
	if !s.selfRegistration {
		return refuse(ErrForbidden, "portal.registration_closed")
	}
	a, err := s.checkNewAccount(Account{Email: email, Name: name})
	if err != nil {
		return err
	}
	return s.transact(ctx, systemActor, func(t *txn) error {
		d, err := t.docs.DocByAlt(t.ctx, kindAccount, a.Email)
		switch {
		case err == nil:
			old, err := t.account(t.ctx, d.ID)
			if err != nil || old.Status != AccountActive {
				return err
			}
			return t.sendLink(old.ID, LinkReset, NoticePasswordReset, nil)
		case !isNotFound(err):
			return err
		}
		return t.register(a)
	})
}

// SetPasswordHash sets an account's password hash as the system, for
// what no person does through the API (`octroi serve --demo` gives its
// people a password; an operator's command may), and ends the account's
// sessions. The audit log records it as the system's.
func (s *Service) SetPasswordHash(ctx context.Context, account, hash string) error {
	return s.transact(ctx, systemActor, func(t *txn) error {
		if err := t.mustExist(kindAccount, account); err != nil {
			return err
		}
		if err := t.setPassword(account, hash); err != nil {
			return err
		}
		_, err := t.endSessions(account, func(sessionRec) bool { return true })
		return err
	})
}
