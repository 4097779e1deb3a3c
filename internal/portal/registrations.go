package portal

import (
	"context"
	"time"

	"github.com/octroi/octroi/internal/bearer"
)

// Pending self-registrations.
//
// Someone who signs up alone (Register) gets no account yet: a
// registration (a document of kind registration, alternate key the
// e-mail) reserves the account's id, name and e-mail, and a verification
// link goes to the address. Only using the link (UseLink, with the new
// password) creates the account, active and with its password, in one
// transaction: an address nobody verified never becomes an account that
// others could find, add to an organisation, grant or invite, nor one
// without a password.
//
// Registering the same address again, while the registration is pending,
// sends a new link (at most one per linkEvery) and extends the
// registration; the answer is the same as for a new address, and as for
// an address that has an account (whose owner gets a reset link instead).
// A registration nobody verified expires with its link (LinkTTL of
// LinkVerify) and is deleted, with its links, by PurgeRegistrations, which
// the server's scheduler runs.

const kindRegistration = "registration"

type registrationRec struct {
	recordHead
	ID       string    `json:"id"` // the account's id, once verified
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Language string    `json:"language,omitempty"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
}

// register records (or renews) the registration of a, which has no
// account, and sends its verification link.
func (t *txn) register(a Account) error {
	reg := registrationRec{ID: a.ID, Email: a.Email, Name: a.Name, Language: a.Language, Created: t.at}
	d, err := t.docs.DocByAlt(t.ctx, kindRegistration, a.Email)
	switch {
	case err == nil:
		var old registrationRec
		if err := decodeRecord(d, &old); err != nil {
			return err
		}
		// The id and the first registration's date stay; the name is the
		// latest asked for (whoever verifies owns the address).
		reg.ID, reg.Created = old.ID, old.Created
	case !isNotFound(err):
		return err
	}
	links, err := list[linkRec](t.ctx, t.view, kindAccountLink, reg.ID, "", 0)
	if err != nil {
		return err
	}
	for _, l := range links {
		if t.at.Sub(l.Created) < linkEvery {
			return nil // one was just sent
		}
	}
	l := linkRec{ID: t.s.newID(), Account: reg.ID, Purpose: LinkVerify, Created: t.at, Expires: t.at.Add(LinkTTL[LinkVerify])}
	entry := l
	secret := bearer.NewSecret("")
	if err := t.put(kindAccountLink, l.ID, bearer.Hash(secret), reg.ID, &l); err != nil {
		return err
	}
	reg.Expires = l.Expires
	if err := t.put(kindRegistration, reg.ID, reg.Email, "", &reg); err != nil {
		return err
	}
	// No account, so no notice: the e-mail goes straight to the address.
	lang := reg.Language
	if lang == "" {
		lang = LanguageFrench
	}
	m := Mail{ID: t.s.newID(), To: reg.Email, Language: lang, Kind: NoticeVerifyEmail,
		Data:  map[string]string{NoticeSecret: LinkPath + "?token=" + secret, "expires": l.Expires.Format(time.RFC3339)},
		Names: map[string]string{"recipient": reg.Name}, Created: t.at, Status: MailPending, NextAttempt: t.at}
	t.dirty = true
	if err := putMail(t.ctx, t.tx, m); err != nil {
		return err
	}
	return t.audit("registration.link.send", "registration:"+reg.ID, nil, &entry)
}

// registration reads the pending registration of id (the account id it
// reserves), if any.
func (v view) registration(ctx context.Context, id string) (*registrationRec, error) {
	var r registrationRec
	switch err := v.get(ctx, kindRegistration, id, &r); {
	case isPortalNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &r, nil
}

// completeRegistration creates the account of a registration whose link
// is being used, and deletes the registration. An address that got an
// account meanwhile (made by an account manager) voids the registration.
func (t *txn) completeRegistration(r *registrationRec) (Account, error) {
	if err := t.deleteDoc(kindRegistration, r.ID); err != nil {
		return Account{}, err
	}
	if _, err := t.docs.DocByAlt(t.ctx, kindAccount, r.Email); err == nil {
		return Account{}, errLinkInvalid()
	} else if !isNotFound(err) {
		return Account{}, err
	}
	t.actor = r.ID // the address's owner creates their own account
	return t.createAccount(Account{ID: r.ID, Email: r.Email, Name: r.Name, Language: r.Language, Status: AccountActive})
}

// PurgeRegistrations deletes the registrations whose verification
// expired, with their links, and returns how many. It is safe to run on
// several nodes at once: each deletion re-reads the registration in its
// transaction.
func (s *Service) PurgeRegistrations(ctx context.Context) (int, error) {
	regs, err := list[registrationRec](ctx, view{s: s, docs: s.docs}, kindRegistration, "", "", 0)
	if err != nil {
		return 0, err
	}
	now := s.now()
	n := 0
	for _, r := range regs {
		if now.Before(r.Expires) {
			continue
		}
		purged := false
		err := s.transact(ctx, systemActor, func(t *txn) error {
			purged = false
			cur, err := t.registration(t.ctx, r.ID)
			if err != nil || cur == nil || t.at.Before(cur.Expires) {
				return err // gone, or renewed meanwhile
			}
			if err := t.deleteLinks(r.ID); err != nil {
				return err
			}
			if err := t.deleteDoc(kindRegistration, r.ID); err != nil {
				return err
			}
			purged = true
			cur.V = 0
			return t.audit("registration.expire", "registration:"+r.ID, cur, nil)
		})
		if err != nil {
			return n, err
		}
		if purged {
			n++
		}
	}
	return n, nil
}

// deleteLinks deletes every link (verification, reset, invitation) of
// account, or of the pending registration of that id: one use ends them
// all, and a purge leaves none behind.
func (t *txn) deleteLinks(account string) error {
	links, err := list[linkRec](t.ctx, t.view, kindAccountLink, account, "", 0)
	if err != nil {
		return err
	}
	for _, l := range links {
		if err := t.deleteDoc(kindAccountLink, l.ID); err != nil {
			return err
		}
	}
	return nil
}
