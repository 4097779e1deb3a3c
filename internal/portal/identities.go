package portal

import (
	"context"
	"strings"
	"time"
)

// Identities from OpenID Connect providers.
//
// An account may be reached through identities at OpenID Connect
// providers (single sign-on): each is a document of kind identity whose
// alternate key is the issuer and the subject, the pair a provider
// promises never to reuse, listed by account. Package signin checks what
// the provider says; the portal keeps which account an identity is.

const kindIdentity = "identity"

// Identity is an account's identity at an OpenID Connect provider.
type Identity struct {
	ID      string    `json:"id"`
	Account string    `json:"account"`
	Issuer  string    `json:"issuer"`
	Subject string    `json:"subject"`
	Created time.Time `json:"created"`
}

type identityRec struct {
	recordHead
	ID      string    `json:"id"`
	Account string    `json:"account"`
	Issuer  string    `json:"issuer"`
	Subject string    `json:"subject"`
	Created time.Time `json:"created"`
}

// identityKey is the alternate key of an identity: issuer and subject,
// which a provider pairs for good (space is in neither: an issuer is a
// URL, and a subject is printable ASCII without spaces for the providers
// that matter; one with a space is refused, not mistaken).
func identityKey(issuer, subject string) string { return issuer + " " + subject }

// SignInWithIdentity returns the active account of the identity (issuer,
// subject) a provider vouched for. On the first sign-in of an identity,
// when byEmail (the platform trusts its provider's verified e-mails) and
// the provider said email is verified, the active account with that e-mail
// is linked to the identity (audited) and returned. Otherwise ErrNotFound:
// nobody gets an account by signing in with a provider.
func (s *Service) SignInWithIdentity(ctx context.Context, issuer, subject, email string, verified, byEmail bool) (Account, error) {
	if issuer == "" || subject == "" || strings.ContainsAny(issuer+subject, " \t\n") {
		return Account{}, invalid("invalid.identity")
	}
	none := notFound("notfound.object", noun(kindIdentity), "")
	var a Account
	err := s.transact(ctx, systemActor, func(t *txn) error {
		d, err := t.docs.DocByAlt(t.ctx, kindIdentity, identityKey(issuer, subject))
		switch {
		case err == nil:
			var id identityRec
			if err := decodeRecord(d, &id); err != nil {
				return err
			}
			if a, err = t.account(t.ctx, id.Account); err != nil {
				return err
			}
		case !isNotFound(err):
			return err
		case !byEmail || !verified || normEmail(email) == "":
			return none
		default:
			ad, err := t.docs.DocByAlt(t.ctx, kindAccount, normEmail(email))
			if isNotFound(err) {
				return none
			}
			if err != nil {
				return err
			}
			if a, err = t.account(t.ctx, ad.ID); err != nil {
				return err
			}
			if a.Status != AccountActive {
				return none
			}
			t.actor = a.ID
			rec := identityRec{ID: t.s.newID(), Account: a.ID, Issuer: issuer, Subject: subject, Created: t.at}
			entry := rec
			if err := t.put(kindIdentity, rec.ID, identityKey(issuer, subject), a.ID, &rec); err != nil {
				return err
			}
			if err := t.audit("account.identity.link", "account:"+a.ID, nil, &entry); err != nil {
				return err
			}
		}
		if a.Status != AccountActive {
			return none
		}
		return nil
	})
	return a, err
}

// Identities lists an account's identities: one's own, or anyone's with
// manage_accounts.
func (s *Service) Identities(ctx context.Context, actor, account string) ([]Identity, error) {
	if err := s.authorize(ctx, actor, guard{self: account, rights: []right{{s.platformRef(), "manage_accounts"}}}); err != nil {
		return nil, err
	}
	recs, err := list[identityRec](ctx, view{s: s, docs: s.docs}, kindIdentity, account, "", 0)
	out := make([]Identity, 0, len(recs))
	for _, r := range recs {
		out = append(out, Identity{ID: r.ID, Account: r.Account, Issuer: r.Issuer, Subject: r.Subject, Created: r.Created})
	}
	return out, err
}

// identitySubject is the subject of account's identity at issuer, which
// an OAUTH2 key is bound to; an account that never signed in through the
// provider has none (ErrInvalid, saying to sign in through it first).
func (s *Service) identitySubject(ctx context.Context, account, issuer string) (string, error) {
	recs, err := list[identityRec](ctx, view{s: s, docs: s.docs}, kindIdentity, account, "", 0)
	if err != nil {
		return "", err
	}
	for _, r := range recs {
		if r.Issuer == issuer {
			return r.Subject, nil
		}
	}
	return "", invalid("invalid.oauth2_no_identity", issuer)
}
