package portal

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
)

// The outbox: e-mails to send, written in the transaction of the change
// that causes them (the notice's), so that a change is never committed
// without its e-mail nor an e-mail queued for a change that was rolled
// back. A sender (package mail) drains it, on any number of nodes:
//
//   - ClaimMail leases due entries to one sender, by a read-check-write in
//     one store transaction (transactions are serialised with every other
//     write, on every node: it is a compare-and-swap of the entry), so two
//     senders never hold one entry at once;
//   - the holder sends, then MailSent marks the entry sent, or MailFailed
//     schedules a retry (exponential back-off) or, for a refused address
//     or after MaxMailAttempts claims, marks it failed, audits it
//     ("mail.failed") and stops;
//   - a sender that dies holding a lease leaves the entry pending: once the
//     lease runs out another claims it. An attempt is counted when claimed,
//     so an entry that kills its sender is not retried forever either.
//
// The one window for a duplicate: a sender that dies after the SMTP
// server accepted the message and before MailSent committed. The sender
// keeps it to one store write (a few milliseconds); every other death
// loses nothing and sends nothing twice.
//
// Entries are documents of kind mail, by the notice's id (one e-mail per
// notice at most), listed by status (Parent), so that pending ones are
// found without reading the sent ones.
//
// No entry is written for a disabled account (it keeps its notices), nor
// for a kind its owner turned off (mailprefs.go) unless it is a security
// one or carries a secret.
//
// Secrets: notice data whose key is "link" or starts with "secret" (the
// single-use links of invitations and password resets) goes into the
// outbox entry only, never into the notice record (which its recipient
// lists) nor any audit entry, and is removed from the entry once it is
// sent or has failed.

// Outbox statuses, stored as the entry's Parent.
const (
	MailPending      = "pending"
	MailSentStatus   = "sent"
	MailFailedStatus = "failed"
)

// kindMail is the document kind of outbox entries.
const kindMail = "mail"

// MaxMailAttempts bounds the claims of one entry: after that many, a
// temporary failure is final too.
const MaxMailAttempts = 8

// mailedKinds are the notice kinds that are e-mailed. A notice that
// carries a secret (see secretKey) is e-mailed whatever its kind: its link
// reaches its recipient no other way.
var mailedKinds = map[string]bool{
	"account.created":              true,
	"account.password_reset":       true,
	"account.verify_email":         true,
	"join_request.created":         true,
	"join_request.accepted":        true,
	"join_request.refused":         true,
	"community.invitation.created": true,
	"access_request.created":       true,
	"access_request.accepted":      true,
	"access_request.refused":       true,
	"grant.expiring":               true,
	"grant.expired":                true,
	"grant.created":                true,
	"key.grants_expired":           true,
	"access_request.cancelled":     true, // by a deletion (accesscancel.go)
	"grant.deleted":                true, // with its last service (grantempty.go)
}

// MailedKind reports whether notices of kind are e-mailed (those with a
// secret link always are).
func MailedKind(kind string) bool { return mailedKinds[kind] }

// secretKey reports whether a notice's data key holds a secret: it is kept
// out of the notice and of every audit entry.
func secretKey(k string) bool { return k == "link" || strings.HasPrefix(k, "secret") }

// mailNameKeys are the data keys whose ids the outbox entry also names (the
// e-mail shows names, and the sender reads no record).
var mailNameKeys = map[string]string{
	"organisation": kindOrg,
	"community":    kindCommunity,
	"account":      kindAccount,
	"by":           kindAccount,
	"dataset":      kindDataset,
	"grant":        kindGrant,
	"renewal":      kindGrant,
}

// Languages of accounts (and of their e-mails); French is the default.
const (
	LanguageFrench  = "fr"
	LanguageEnglish = "en"
)

// Mail is an outbox entry: one e-mail for one notice.
type Mail struct {
	ID       string            `json:"id"`       // the notice's id
	Account  string            `json:"account"`  // recipient account
	To       string            `json:"to"`       // its e-mail when the notice was written
	Language string            `json:"language"` // fr or en
	Kind     string            `json:"kind"`     // the notice's kind
	Data     map[string]string `json:"data"`     // the notice's data, secrets included until sent
	// Names gives the display names of the ids of Data (organisation,
	// community, dataset, grant, account and by, with account_email and
	// by_email), and
	// the recipient's name (recipient), read in the notice's transaction.
	Names       map[string]string `json:"names,omitempty"`
	Created     time.Time         `json:"created"`
	Status      string            `json:"status"`
	Attempts    int               `json:"attempts"`
	NextAttempt time.Time         `json:"next_attempt"`
	LeaseOwner  string            `json:"lease_owner,omitempty"`
	LeaseUntil  time.Time         `json:"lease_until"`
	LastError   string            `json:"last_error,omitempty"`
	Done        *time.Time        `json:"done,omitempty"` // sent or failed at
}

// mailRec is the stored outbox entry (see records.go for the rules).
type mailRec struct {
	recordHead
	ID          string            `json:"id"`
	Account     string            `json:"account"`
	To          string            `json:"to"`
	Language    string            `json:"language"`
	Kind        string            `json:"kind"`
	Data        map[string]string `json:"data"`
	Names       map[string]string `json:"names,omitempty"`
	Created     time.Time         `json:"created"`
	Status      string            `json:"status"`
	Attempts    int               `json:"attempts"`
	NextAttempt time.Time         `json:"next_attempt"`
	LeaseOwner  string            `json:"lease_owner,omitempty"`
	LeaseUntil  time.Time         `json:"lease_until"`
	LastError   string            `json:"last_error,omitempty"`
	Done        *time.Time        `json:"done,omitempty"`
}

func putMail(ctx context.Context, tx store.DocTx, m Mail) error {
	data, err := encodeRecord(&mailRec{ID: m.ID, Account: m.Account, To: m.To, Language: m.Language, Kind: m.Kind, Data: m.Data, Names: m.Names,
		Created: m.Created, Status: m.Status, Attempts: m.Attempts, NextAttempt: m.NextAttempt, LeaseOwner: m.LeaseOwner, LeaseUntil: m.LeaseUntil,
		LastError: m.LastError, Done: m.Done})
	if err != nil {
		return err
	}
	return tx.PutDoc(ctx, store.Doc{Kind: kindMail, ID: m.ID, Parent: m.Status, Data: data})
}

func decodeMail(d store.Doc) (Mail, error) {
	var r mailRec
	if err := decodeRecord(d, &r); err != nil {
		return Mail{}, err
	}
	return Mail{ID: r.ID, Account: r.Account, To: r.To, Language: r.Language, Kind: r.Kind, Data: r.Data, Names: r.Names,
		Created: r.Created, Status: r.Status, Attempts: r.Attempts, NextAttempt: r.NextAttempt, LeaseOwner: r.LeaseOwner, LeaseUntil: r.LeaseUntil,
		LastError: r.LastError, Done: r.Done}, nil
}

// splitSecrets returns data without its secrets, and whether it had any.
func splitSecrets(data map[string]string) (map[string]string, bool) {
	public, secret := data, false
	for k := range data {
		if secretKey(k) {
			if !secret {
				public, secret = maps.Clone(data), true
			}
			delete(public, k)
		}
	}
	return public, secret
}

// queueMail writes the outbox entry of notice n (whose Data still holds
// its secrets) when its kind is e-mailed, addressed to the recipient's
// e-mail in its language, in the notice's transaction; names are those of
// its data (dataNames).
func (t *txn) queueMail(n Notice, secret bool, names map[string]string) error {
	if !secret && !mailedKinds[n.Kind] {
		return nil
	}
	var a Account
	if err := t.get(t.ctx, kindAccount, n.To, &a); err != nil {
		return fmt.Errorf("e-mail of notice %s: %w", n.ID, err)
	}
	if !secret && !securityKinds[n.Kind] && slices.Contains(a.MailOff, n.Kind) {
		return nil // its owner turned these e-mails off
	}
	// A disabled account keeps its notices (it may be enabled again) but
	// gets no e-mail: it may act on nothing, and its address may no
	// longer be its owner's.
	p := t.s.platformRef()
	switch off, err := t.rels(t.ctx, store.Filter{ResourceType: p.Type, ResourceID: p.ID, Relation: "disabled", SubjectType: "user", SubjectID: n.To, SubjectRelation: new("")}); {
	case err != nil:
		return err
	case len(off) > 0:
		return nil
	}
	names = maps.Clone(names)
	if names == nil {
		names = map[string]string{}
	}
	names["recipient"] = a.Name
	m := Mail{ID: n.ID, Account: n.To, To: a.Email, Language: accountLanguage(a), Kind: n.Kind, Data: n.Data, Names: names,
		Created: n.Created, Status: MailPending, NextAttempt: n.Created}
	t.dirty = true
	return putMail(t.ctx, t.tx, m)
}

// dataNames is the names of the records a notice's data names (its keys
// of mailNameKeys), as they are now: name, and for an account its e-mail
// too under key + "_email". A record that cannot be read has none.
func (t *txn) dataNames(data map[string]string) map[string]string {
	var names map[string]string
	set := func(k, v string) {
		if names == nil {
			names = map[string]string{}
		}
		names[k] = v
	}
	for k, id := range data {
		kind, ok := mailNameKeys[k]
		if !ok || id == "" {
			continue
		}
		if kind == kindAccount {
			var x Account
			if err := t.get(t.ctx, kind, id, &x); err == nil {
				set(k, x.Name)
				set(k+"_email", x.Email)
			}
			continue
		}
		if name, ok := recordName(t, kind, id); ok {
			set(k, name)
		}
	}
	return names
}

// recordName is the name a person reads for record (kind, id): an
// organisation's, a community's or a grant's name, a dataset's title.
func recordName(t *txn, kind, id string) (string, bool) {
	name := func(v any, f func() string) (string, bool) {
		if err := t.get(t.ctx, kind, id, v); err != nil {
			return "", false
		}
		return f(), true
	}
	switch kind {
	case kindOrg:
		var o Organisation
		return name(&o, func() string { return o.Name })
	case kindCommunity:
		var c Community
		return name(&c, func() string { return c.Name })
	case kindDataset:
		var d Dataset
		return name(&d, func() string { return d.Title })
	case kindGrant:
		var g Grant
		return name(&g, func() string { return g.Name })
	}
	return "", false
}

func accountLanguage(a Account) string {
	if a.Language == LanguageEnglish {
		return LanguageEnglish
	}
	return LanguageFrench
}

// checkLanguage validates an account's language ("" keeps the default).
func checkLanguage(field, lang string) (string, error) {
	switch lang {
	case "", LanguageFrench, LanguageEnglish:
		return lang, nil
	}
	return "", invalid("invalid.language", field, messages.Quote(lang))
}

// SetLanguage sets the language of an account's e-mails (fr or en), by the
// account itself (active) or an account manager.
func (s *Service) SetLanguage(ctx context.Context, actor, id, lang string) (Account, error) {
	lang, err := checkLanguage("language", lang)
	if err != nil {
		return Account{}, err
	}
	if lang == "" {
		lang = LanguageFrench
	}
	var a Account
	err = s.do(ctx, actor, guard{self: id, rights: []right{{s.platformRef(), "manage_accounts"}}}, func(t *txn) error {
		if err := t.get(ctx, kindAccount, id, &a); err != nil {
			return err
		}
		if accountLanguage(a) == lang && a.Language != "" {
			return nil
		}
		before := a
		a.Language = lang
		if err := t.put(kindAccount, a.ID, a.Email, "", accountRecord(a)); err != nil {
			return err
		}
		return t.audit("account.language", "account:"+id, before, a)
	})
	if err != nil {
		return Account{}, err
	}
	return s.read().account(ctx, id)
}

// Outbox is the outbox as a sender uses it. Its methods take the sender's
// owner id (unique per running sender) and run without an acting account:
// only the server's own sender calls them.
type Outbox struct{ s *Service }

// Outbox returns the service's outbox.
func (s *Service) Outbox() Outbox { return Outbox{s} }

// ClaimMail leases up to n due pending entries to owner until now+lease,
// counting an attempt for each, and returns them (nil when none is due:
// then no transaction is made). An entry leased to another owner whose
// lease has not run out is not due.
func (o Outbox) ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]Mail, error) {
	due := func(m Mail) bool {
		return m.Status == MailPending && !m.NextAttempt.After(now) && (m.LeaseOwner == "" || !m.LeaseUntil.After(now))
	}
	var ids []string
	after := ""
	for len(ids) < n {
		docs, err := o.s.docs.ListDocs(ctx, kindMail, MailPending, after, 500)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			m, err := decodeMail(d)
			if err != nil {
				return nil, err
			}
			if due(m) && len(ids) < n {
				ids = append(ids, m.ID)
			}
		}
		if len(docs) < 500 {
			break
		}
		after = docs[len(docs)-1].ID
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var out []Mail
	_, err := o.s.docs.Transact(ctx, func(tx store.DocTx) error {
		out = out[:0]
		for _, id := range ids {
			d, err := tx.GetDoc(ctx, kindMail, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			m, err := decodeMail(d)
			if err != nil {
				return err
			}
			if !due(m) { // another sender took it, or it was sent, since the list
				continue
			}
			m.LeaseOwner, m.LeaseUntil = owner, now.Add(lease)
			m.Attempts++
			if err := putMail(ctx, tx, m); err != nil {
				return err
			}
			out = append(out, m)
		}
		if len(out) == 0 {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return nil, nil
	}
	return out, err
}

// MailSent marks an entry sent at `at` and drops its secrets. It is marked
// whoever holds its lease now: the message went out, and a sender that
// took the entry over after this one's lease ran out then finds it sent
// (MailSent and MailFailed on a sent entry change nothing).
func (o Outbox) MailSent(ctx context.Context, owner, id string, at time.Time) error {
	return o.update(ctx, id, func(m *Mail) (bool, error) {
		if m.Status != MailPending {
			return false, nil
		}
		m.Status, m.Done, m.LeaseOwner, m.LeaseUntil, m.LastError = MailSentStatus, &at, "", time.Time{}, ""
		m.Data, _ = splitSecrets(m.Data)
		return true, nil
	}, nil)
}

// MailFailed records a failed attempt of owner's: a permanent failure (the
// server refused the address or the message), or the last allowed attempt,
// marks the entry failed (without its secrets) and writes the audit entry
// "mail.failed" on its recipient account, which administrators read; else
// the entry is retried from next on. It reports whether the entry failed
// for good. An entry no longer leased to owner is left alone.
func (o Outbox) MailFailed(ctx context.Context, owner, id, reason string, permanent bool, now, next time.Time) (bool, error) {
	final := false
	err := o.update(ctx, id, func(m *Mail) (bool, error) {
		if m.Status != MailPending || m.LeaseOwner != owner {
			return false, nil
		}
		m.LastError, m.LeaseOwner, m.LeaseUntil = reason, "", time.Time{}
		if !permanent && m.Attempts < MaxMailAttempts {
			m.NextAttempt = next
			return true, nil
		}
		final = true
		m.Status, m.Done = MailFailedStatus, &now
		m.Data, _ = splitSecrets(m.Data)
		return true, nil
	}, func(tx store.DocTx, m Mail) error {
		if !final {
			return nil
		}
		after, err := encodeEntry(mailFailureEntry{ID: m.ID, Kind: m.Kind, To: m.To, Attempts: m.Attempts, Error: m.LastError})
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEntry{At: now, Actor: systemActor, Action: "mail.failed", Resource: "account:" + m.Account, After: after})
	})
	return final, err
}

// mailFailureEntry is the audit entry of an e-mail that failed for good:
// never its data (which may have held a secret).
type mailFailureEntry struct {
	ID       string `json:"mail"`
	Kind     string `json:"kind"`
	To       string `json:"to"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error"`
}

// update changes the entry id in one transaction: change reports whether
// it changed anything (nothing is committed otherwise); also runs after it.
func (o Outbox) update(ctx context.Context, id string, change func(*Mail) (bool, error), also func(store.DocTx, Mail) error) error {
	_, err := o.s.docs.Transact(ctx, func(tx store.DocTx) error {
		d, err := tx.GetDoc(ctx, kindMail, id)
		if errors.Is(err, store.ErrNotFound) {
			return errRollback
		}
		if err != nil {
			return err
		}
		m, err := decodeMail(d)
		if err != nil {
			return err
		}
		switch ok, err := change(&m); {
		case err != nil:
			return err
		case !ok:
			return errRollback
		}
		if err := putMail(ctx, tx, m); err != nil {
			return err
		}
		if also != nil {
			return also(tx, m)
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// Mails lists outbox entries of a status (MailPending, MailSentStatus,
// MailFailedStatus) in id order after `after`, up to limit (≤ 0: all),
// for the sender's reports and tests; it reads the database.
func (o Outbox) Mails(ctx context.Context, status, after string, limit int) ([]Mail, error) {
	docs, err := o.s.docs.ListDocs(ctx, kindMail, status, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Mail, 0, len(docs))
	for _, d := range docs {
		m, err := decodeMail(d)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
