package portal

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Access keys: what a consumer presents to the gateway to use restricted
// map services. A key belongs to one account (its owner) and opens
// (grant × service) pairs, its accesses, which the owner picks among the
// grants they hold and the services each grant covers; one key may group
// grants of several producers. Each access is an access object of the
// schema (owner, grant, service relationships, written in the key's
// transaction), and the gateway asks access#open for the key's owner: a
// key never opens more than its owner may use, at the moment of the
// request (a grant expired or removed, a community left, a service
// switched off, an owner disabled: closed at once).
//
// A key's record is a credential (package credentials) of kind
// KindAccessKey: Alt is the hash of what the client presents (see
// keyAlt), Parent the owner, so every node keeps every key in memory and
// follows their changes. The secret is shown once, at creation and at
// each regeneration; it is never stored.

// KindAccessKey is the document kind of access keys.
const KindAccessKey = "access_key"

// keySecretPrefix marks octroi's access key secrets (HASH and HEADER
// secrets, BASIC passwords), so that secret scanners and people recognise
// a leaked one, and so that the gateway finds a HEADER key's secret among
// a request's headers without knowing every key's header name.
const keySecretPrefix = "okey_"

// KeySecretPrefix is keySecretPrefix, for the gateway.
const KeySecretPrefix = keySecretPrefix

// KeyType says how a key travels.
type KeyType string

const (
	// KeyHash: the secret as the apikey query parameter or apikey header.
	KeyHash KeyType = "HASH"
	// KeyBasic: HTTP Basic with the key's user name and its password.
	KeyBasic KeyType = "BASIC"
	// KeyHeader: the secret in a header whose name the key sets.
	KeyHeader KeyType = "HEADER"
	// KeyOAuth2: a bearer token of the platform's identity provider,
	// issued to the key's owner for the key's client.
	KeyOAuth2 KeyType = "OAUTH2"
)

// KeyStatus is a key's state: only an active key opens anything.
type KeyStatus string

const (
	KeyActive   KeyStatus = "active"
	KeyDisabled KeyStatus = "disabled" // by its owner, who may enable it again
	KeyRevoked  KeyStatus = "revoked"  // by a platform administrator (or its owner): for good
)

// OAuth2Binding is what an OAUTH2 key accepts: bearer tokens of Issuer
// (the platform's identity provider) whose subject is Subject, the
// subject of the owner's identity at the provider (the issuer+subject
// link single sign-on made: see identities.go), and whose client (azp, or
// client_id) is ClientID. The gateway verifies the token against the
// provider's published keys, then finds the key by these three.
type OAuth2Binding struct {
	Issuer   string `json:"issuer"`
	ClientID string `json:"client_id"`
	Subject  string `json:"subject"`
}

// KeyAccess is one access of a key: Service opened through Grant. ID is
// the access object's id in the schema.
type KeyAccess struct {
	ID      string `json:"id"`
	Grant   string `json:"grant"`
	Service string `json:"service"`
}

// AccessKey is an access key, without its secret.
type AccessKey struct {
	ID       string
	Name     string
	Owner    string
	Type     KeyType
	Status   KeyStatus
	UserName string         // BASIC
	Header   string         // HEADER, canonical form
	OAuth2   *OAuth2Binding // OAUTH2
	Filters  KeyFilters
	Accesses []KeyAccess
	Created  time.Time
	Updated  time.Time
	LastUsed *time.Time
	// RevokedBy, RevokedAt: who revoked it, when (status revoked).
	RevokedBy string
	RevokedAt *time.Time
}

// keyRec is the stored record of an access key. Besides its own fields
// it has those the credential cache reads: name and last_used.
type keyRec struct {
	recordHead
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Owner     string         `json:"owner"`
	Type      KeyType        `json:"type"`
	Status    KeyStatus      `json:"status"`
	UserName  string         `json:"user_name,omitempty"`
	Header    string         `json:"header,omitempty"`
	OAuth2    *OAuth2Binding `json:"oauth2,omitempty"`
	Filters   KeyFilters     `json:"filters"`
	Accesses  []KeyAccess    `json:"accesses"`
	Created   time.Time      `json:"created"`
	Updated   time.Time      `json:"updated"`
	LastUsed  *time.Time     `json:"last_used,omitempty"`
	RevokedBy string         `json:"revoked_by,omitempty"`
	RevokedAt *time.Time     `json:"revoked_at,omitempty"`
}

func (k AccessKey) rec() *keyRec {
	return &keyRec{ID: k.ID, Name: k.Name, Owner: k.Owner, Type: k.Type, Status: k.Status, UserName: k.UserName,
		Header: k.Header, OAuth2: k.OAuth2, Filters: k.Filters, Accesses: k.Accesses, Created: k.Created,
		Updated: k.Updated, LastUsed: k.LastUsed, RevokedBy: k.RevokedBy, RevokedAt: k.RevokedAt}
}

func (r *keyRec) key() AccessKey {
	return AccessKey{ID: r.ID, Name: r.Name, Owner: r.Owner, Type: r.Type, Status: r.Status, UserName: r.UserName,
		Header: r.Header, OAuth2: r.OAuth2, Filters: r.Filters, Accesses: nonNilAccesses(r.Accesses), Created: r.Created,
		Updated: r.Updated, LastUsed: r.LastUsed, RevokedBy: r.RevokedBy, RevokedAt: r.RevokedAt}
}

func nonNilAccesses(a []KeyAccess) []KeyAccess {
	if a == nil {
		return []KeyAccess{}
	}
	return a
}

// KeySpec is what an owner sets on a new key.
type KeySpec struct {
	Name     string
	Type     KeyType
	UserName string // BASIC: the user name (the password is generated)
	Header   string // HEADER: the header's name
	// OAuth2ClientID: OAUTH2: the identity provider's client the key's
	// tokens are issued to.
	OAuth2ClientID string
	Filters        KeyFilters
	Accesses       []AccessPair
}

// AccessPair is an access an owner asks for: a grant they hold and a
// service it covers.
type AccessPair struct {
	Grant   string `json:"grant"`
	Service string `json:"service"`
}

// KeyChange is what an owner changes on a key; nil fields stay.
type KeyChange struct {
	Name     *string
	Status   *KeyStatus // active or disabled
	Filters  *KeyFilters
	Accesses *[]AccessPair
}

// Bounds.
const (
	maxKeysPerOwner  = 100
	maxKeyAccesses   = 500
	maxHeaderNameLen = 64
	maxUserNameLen   = 64
)

// forbiddenHeaders are header names a HEADER key may not use: those that
// carry credentials or cookies of their own, route or frame the request
// (hop-by-hop headers are removed by proxies), or that octroi and the
// proxies in front of it read or set. Prefixes end in "-".
var forbiddenHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "Host", "Apikey",
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
	"Content-Length", "Content-Type", "Content-Encoding", "Expect", "Forwarded", "Via", "X-Real-Ip",
	"Referer", "User-Agent", "Origin", "Accept", "Accept-Encoding", "Accept-Language", "Range", "If-None-Match", "If-Modified-Since",
	"X-Forwarded-", "X-Original-", "X-Octroi-", "Sec-", "Cf-",
}

// checkHeaderName checks a HEADER key's header name and returns its
// canonical form.
func checkHeaderName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", invalid("invalid.empty", "header")
	}
	if len(name) > maxHeaderNameLen {
		return "", invalid("invalid.too_long", "header", len(name), maxHeaderNameLen)
	}
	for _, r := range name {
		if !isTokenChar(r) {
			return "", invalid("invalid.header_name", messages.Quote(name))
		}
	}
	c := http.CanonicalHeaderKey(name)
	for _, f := range forbiddenHeaders {
		if c == f || (strings.HasSuffix(f, "-") && strings.HasPrefix(c, f)) {
			return "", invalid("invalid.header_reserved", messages.Quote(c))
		}
	}
	return c, nil
}

// isTokenChar: RFC 9110 tchar, letters, digits and "-" only (the others
// are legal but every proxy in the field mangles or drops some of them).
func isTokenChar(r rune) bool {
	return r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

// checkUserName checks a BASIC key's user name: it travels in HTTP Basic,
// where ":" ends it.
func checkUserName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", invalid("invalid.empty", "user_name")
	}
	if len(name) > maxUserNameLen {
		return "", invalid("invalid.too_long", "user_name", len(name), maxUserNameLen)
	}
	for _, r := range name {
		if !(isTokenChar(r) || r == '.' || r == '_' || r == '@') {
			return "", invalid("invalid.user_name", messages.Quote(name))
		}
	}
	return name, nil
}

// keyAlt is the hash a key is found by: of what the client presents.
// HASH and HEADER: the secret. BASIC: "user:password" as HTTP Basic
// carries them. OAUTH2: issuer, client and subject, which the gateway
// reads from a verified token.
func keyAlt(k AccessKey, secret string) string {
	switch k.Type {
	case KeyBasic:
		return bearer.Hash(k.UserName + ":" + secret)
	case KeyOAuth2:
		return bearer.Hash(OAuth2Lookup(k.OAuth2.Issuer, k.OAuth2.ClientID, k.OAuth2.Subject))
	}
	return bearer.Hash(secret)
}

// OAuth2Lookup is the "secret" the gateway looks an OAUTH2 key up by,
// once it has verified a bearer token: its issuer, client and subject.
func OAuth2Lookup(issuer, clientID, subject string) string {
	return "oauth2\x00" + issuer + "\x00" + clientID + "\x00" + subject
}

// BasicLookup is the "secret" the gateway looks a BASIC key up by.
func BasicLookup(user, password string) string { return user + ":" + password }

// newKeySecret returns a fresh secret for k ("" for OAUTH2, which has none).
func newKeySecret(k AccessKey) string {
	if k.Type == KeyOAuth2 {
		return ""
	}
	return bearer.NewSecret(keySecretPrefix)
}

func keyRef(id string) tuple.ObjectRef    { return obj("key", id) }
func accessRef(id string) tuple.ObjectRef { return obj("access", id) }

// keyGuard: the key's manage permission (its owner, or a platform
// administrator), hiding the key from whoever lacks it.
func keyGuard(id string) guard {
	r := right{keyRef(id), "manage"}
	return guard{rights: []right{r}, hide: &r}
}

// CreateKey creates an access key for the actor (an active account) and
// returns it with its secret, shown only here (none for OAUTH2, whose
// tokens come from the identity provider).
func (s *Service) CreateKey(ctx context.Context, actor string, spec KeySpec) (AccessKey, string, error) {
	name, err := cleanText("name", spec.Name, maxName, false)
	if err != nil {
		return AccessKey{}, "", err
	}
	k := AccessKey{Name: name, Owner: actor, Type: spec.Type, Status: KeyActive}
	switch spec.Type {
	case KeyHash:
	case KeyBasic:
		if k.UserName, err = checkUserName(spec.UserName); err != nil {
			return AccessKey{}, "", err
		}
	case KeyHeader:
		if k.Header, err = checkHeaderName(spec.Header); err != nil {
			return AccessKey{}, "", err
		}
	case KeyOAuth2:
		if s.identityProvider == "" {
			return AccessKey{}, "", invalid("invalid.oauth2_unavailable")
		}
		client, err := cleanText("oauth2_client_id", spec.OAuth2ClientID, maxName, false)
		if err != nil {
			return AccessKey{}, "", err
		}
		subject, err := s.identitySubject(ctx, actor, s.identityProvider)
		if err != nil {
			return AccessKey{}, "", err
		}
		k.OAuth2 = &OAuth2Binding{Issuer: s.identityProvider, ClientID: client, Subject: subject}
	default:
		return AccessKey{}, "", invalid("invalid.key_type", messages.Quote(spec.Type))
	}
	if spec.Type != KeyBasic && spec.UserName != "" {
		return AccessKey{}, "", invalid("invalid.key_field_type", "user_name", KeyBasic)
	}
	if spec.Type != KeyHeader && spec.Header != "" {
		return AccessKey{}, "", invalid("invalid.key_field_type", "header", KeyHeader)
	}
	if spec.Type != KeyOAuth2 && spec.OAuth2ClientID != "" {
		return AccessKey{}, "", invalid("invalid.key_field_type", "oauth2_client_id", KeyOAuth2)
	}
	if k.Filters, err = cleanFilters(spec.Filters); err != nil {
		return AccessKey{}, "", err
	}
	pairs, err := cleanPairs(spec.Accesses)
	if err != nil {
		return AccessKey{}, "", err
	}
	var secret string
	err = s.do(ctx, actor, guard{active: true}, func(t *txn) error {
		n, err := t.countUnder(KindAccessKey, actor, maxKeysPerOwner+1)
		if err != nil {
			return err
		}
		if n >= maxKeysPerOwner {
			return conflict("conflict.too_many_keys", maxKeysPerOwner)
		}
		k.ID, k.Created, k.Updated = t.s.newID(), t.at, t.at
		t.touch(t.s.platformLink(keyRef(k.ID)))
		t.touch(rel(keyRef(k.ID), "owner", user(actor)))
		if k.Accesses, err = t.setAccesses(k, pairs); err != nil {
			return err
		}
		secret = newKeySecret(k)
		if err := t.putKey(k, keyAlt(k, secret)); err != nil {
			return err
		}
		return t.audit("key.create", "key:"+k.ID, nil, k.rec())
	})
	if err != nil {
		return AccessKey{}, "", err
	}
	return k, secret, nil
}

func (t *txn) putKey(k AccessKey, alt string) error {
	if err := t.put(KindAccessKey, k.ID, alt, k.Owner, k.rec()); err != nil {
		return err
	}
	return t.credentialsChanged(KindAccessKey, k.ID)
}

// cleanPairs checks the ids of the accesses asked for and drops repeats.
func cleanPairs(in []AccessPair) ([]AccessPair, error) {
	if len(in) > maxKeyAccesses {
		return nil, invalid("invalid.too_many", "accesses", len(in), maxKeyAccesses)
	}
	var out []AccessPair
	for _, p := range in {
		if err := checkID("accesses.grant", p.Grant); err != nil {
			return nil, err
		}
		if err := checkID("accesses.service", p.Service); err != nil {
			return nil, err
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// setAccesses makes k's accesses exactly pairs: it keeps the access
// objects of pairs k already has, writes new ones (after checking that
// the owner holds the grant and the grant covers the service), and
// deletes the others' relationships. It returns the new list.
func (t *txn) setAccesses(k AccessKey, pairs []AccessPair) ([]KeyAccess, error) {
	have := map[AccessPair]KeyAccess{}
	for _, a := range k.Accesses {
		have[AccessPair{a.Grant, a.Service}] = a
	}
	var fresh []AccessPair
	for _, p := range pairs {
		if _, ok := have[p]; !ok {
			fresh = append(fresh, p)
		}
	}
	if err := t.s.checkPairs(t.ctx, k.Owner, fresh); err != nil {
		return nil, err
	}
	if k.Type != KeyOAuth2 {
		for _, p := range fresh {
			if _, onlyOAuth, ok := t.s.GrantInfo(p.Grant); ok && onlyOAuth {
				return nil, invalid("key.only_oauth", messages.Quote(p.Grant), k.Type)
			}
		}
	}
	out := []KeyAccess{}
	keep := map[string]bool{}
	for _, p := range pairs {
		a, ok := have[p]
		if !ok {
			a = KeyAccess{ID: t.s.newID(), Grant: p.Grant, Service: p.Service}
			r := accessRef(a.ID)
			t.touch(rel(r, "owner", user(k.Owner)))
			t.touch(rel(r, "grant", tuple.SubjectRef{Type: "grant", ID: a.Grant}))
			t.touch(rel(r, "service", tuple.SubjectRef{Type: "service", ID: a.Service}))
		}
		keep[a.ID] = true
		out = append(out, a)
	}
	for _, a := range k.Accesses {
		if !keep[a.ID] {
			t.removeAccess(k.Owner, a)
		}
	}
	return out, nil
}

func (t *txn) removeAccess(owner string, a KeyAccess) {
	r := accessRef(a.ID)
	t.remove(rel(r, "owner", user(owner)))
	t.remove(rel(r, "grant", tuple.SubjectRef{Type: "grant", ID: a.Grant}))
	t.remove(rel(r, "service", tuple.SubjectRef{Type: "service", ID: a.Service}))
}

// checkPairs refuses an access whose grant the owner does not hold (now:
// an expired grant is held no more) or whose service the grant does not
// cover, naming the first such pair. Both come from the engine, in one
// snapshot.
func (s *Service) checkPairs(ctx context.Context, owner string, pairs []AccessPair) error {
	if len(pairs) == 0 {
		return nil
	}
	reqs := make([]engine.CheckRequest, 0, 2*len(pairs))
	for _, p := range pairs {
		reqs = append(reqs,
			engine.CheckRequest{Resource: obj("grant", p.Grant), Permission: "holder", Subject: user(owner)},
			engine.CheckRequest{Resource: obj("service", p.Service), Permission: "grant", Subject: tuple.SubjectRef{Type: "grant", ID: p.Grant}})
	}
	res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		return err
	}
	for i, p := range pairs {
		if errs[2*i] != nil || res[2*i].Result != engine.HasPermission {
			return refuse(ErrForbidden, "key.grant_not_held", messages.Quote(p.Grant))
		}
		if errs[2*i+1] != nil || res[2*i+1].Result != engine.HasPermission {
			return invalid("key.service_not_covered", messages.Quote(p.Service), messages.Quote(p.Grant))
		}
	}
	return nil
}

// Keys lists the actor's own keys, oldest first, with the uses this node
// noted but had not yet recorded.
func (s *Service) Keys(ctx context.Context, actor string) ([]AccessKey, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	_ = s.creds.Refresh(ctx) // a failure is logged by the cache
	recs, err := list[keyRec](ctx, s.read(), KindAccessKey, actor, "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]AccessKey, len(recs))
	for i := range recs {
		out[i] = recs[i].key()
	}
	return out, nil
}

// Key returns one key to whoever manages it (its owner, a platform
// administrator); to others it does not exist.
func (s *Service) Key(ctx context.Context, actor, id string) (AccessKey, error) {
	if err := checkID("id", id); err != nil {
		return AccessKey{}, err
	}
	if err := s.authorize(ctx, actor, keyGuard(id)); err != nil {
		return AccessKey{}, err
	}
	var r keyRec
	if err := s.read().get(ctx, KindAccessKey, id, &r); err != nil {
		return AccessKey{}, err
	}
	return r.key(), nil
}

// ownKey runs fn on the actor's own key id in a transaction, after the
// engine's key#manage check. A key of someone else is not found, even by
// a platform administrator: the /me paths act on one's own keys only
// (administrators revoke with RevokeKey).
func (s *Service) ownKey(ctx context.Context, actor, id string, fn func(t *txn, k *AccessKey) error) (AccessKey, error) {
	if err := checkID("id", id); err != nil {
		return AccessKey{}, err
	}
	var k AccessKey
	err := s.do(ctx, actor, keyGuard(id), func(t *txn) error {
		var r keyRec
		if err := t.get(t.ctx, KindAccessKey, id, &r); err != nil {
			return err
		}
		if r.Owner != actor {
			return noSuch(KindAccessKey, id)
		}
		k = r.key()
		return fn(t, &k)
	})
	return k, err
}

// UpdateKey renames, disables or enables a key, changes its filters or
// its accesses (each only when set), for its owner. A revoked key changes
// no more.
func (s *Service) UpdateKey(ctx context.Context, actor, id string, ch KeyChange) (AccessKey, error) {
	var name string
	var filters KeyFilters
	var pairs []AccessPair
	var err error
	if ch.Name != nil {
		if name, err = cleanText("name", *ch.Name, maxName, false); err != nil {
			return AccessKey{}, err
		}
	}
	if ch.Status != nil && *ch.Status != KeyActive && *ch.Status != KeyDisabled {
		return AccessKey{}, invalid("invalid.key_status", messages.Quote(*ch.Status))
	}
	if ch.Filters != nil {
		if filters, err = cleanFilters(*ch.Filters); err != nil {
			return AccessKey{}, err
		}
	}
	if ch.Accesses != nil {
		if pairs, err = cleanPairs(*ch.Accesses); err != nil {
			return AccessKey{}, err
		}
	}
	return s.ownKey(ctx, actor, id, func(t *txn, k *AccessKey) error {
		if k.Status == KeyRevoked {
			return conflict("conflict.key_revoked", id)
		}
		before := *k
		if ch.Name != nil {
			k.Name = name
		}
		if ch.Status != nil {
			k.Status = *ch.Status
		}
		if ch.Filters != nil {
			k.Filters = filters
		}
		if ch.Accesses != nil {
			if k.Accesses, err = t.setAccesses(*k, pairs); err != nil {
				return err
			}
		}
		if sameKey(before, *k) {
			return nil // nothing to write: no revision
		}
		k.Updated = t.at
		d, err := t.docs.GetDoc(t.ctx, KindAccessKey, id)
		if err != nil {
			return err
		}
		if err := t.putKey(*k, d.Alt); err != nil {
			return err
		}
		return t.audit("key.update", "key:"+id, before.rec(), k.rec())
	})
}

func sameKey(a, b AccessKey) bool {
	return a.Name == b.Name && a.Status == b.Status && slices.Equal(a.Accesses, b.Accesses) &&
		slices.Equal(a.Filters.IPAllow, b.Filters.IPAllow) && slices.Equal(a.Filters.IPDeny, b.Filters.IPDeny) &&
		slices.Equal(a.Filters.Referers, b.Filters.Referers) && slices.Equal(a.Filters.UserAgents, b.Filters.UserAgents)
}

// RegenerateKey gives a key a new secret (BASIC: a new password), shown
// only here; the old one is refused from now on, on every node within
// the credential cache's delay. OAUTH2 keys have none.
func (s *Service) RegenerateKey(ctx context.Context, actor, id string) (AccessKey, string, error) {
	var secret string
	k, err := s.ownKey(ctx, actor, id, func(t *txn, k *AccessKey) error {
		switch {
		case k.Status == KeyRevoked:
			return conflict("conflict.key_revoked", id)
		case k.Type == KeyOAuth2:
			return invalid("invalid.oauth2_no_secret")
		}
		k.Updated = t.at
		secret = newKeySecret(*k)
		if err := t.putKey(*k, keyAlt(*k, secret)); err != nil {
			return err
		}
		return t.audit("key.regenerate", "key:"+id, nil, k.rec())
	})
	if err != nil {
		return AccessKey{}, "", err
	}
	return k, secret, nil
}

// DeleteKey deletes one's own key and its accesses. The audit log keeps
// its history.
func (s *Service) DeleteKey(ctx context.Context, actor, id string) error {
	_, err := s.ownKey(ctx, actor, id, func(t *txn, k *AccessKey) error {
		t.deleteKeyRels(*k)
		if err := t.deleteDoc(KindAccessKey, id); err != nil {
			return err
		}
		if err := t.credentialsChanged(KindAccessKey, id); err != nil {
			return err
		}
		return t.audit("key.delete", "key:"+id, k.rec(), nil)
	})
	return err
}

func (t *txn) deleteKeyRels(k AccessKey) {
	for _, a := range k.Accesses {
		t.removeAccess(k.Owner, a)
	}
	t.remove(t.s.platformLink(keyRef(k.ID)))
	t.remove(rel(keyRef(k.ID), "owner", user(k.Owner)))
}

// RevokeKey revokes a key for good (key#manage: a platform administrator
// on any key, or its owner): it opens nothing any more, and its accesses
// are removed, while its record stays for its owner to see and delete.
func (s *Service) RevokeKey(ctx context.Context, actor, id string) (AccessKey, error) {
	if err := checkID("id", id); err != nil {
		return AccessKey{}, err
	}
	var k AccessKey
	err := s.do(ctx, actor, keyGuard(id), func(t *txn) error {
		var r keyRec
		if err := t.get(t.ctx, KindAccessKey, id, &r); err != nil {
			return err
		}
		k = r.key()
		if k.Status == KeyRevoked {
			return nil // already: nothing to write
		}
		before := k
		for _, a := range k.Accesses {
			t.removeAccess(k.Owner, a)
		}
		at := t.at
		k.Status, k.RevokedBy, k.RevokedAt, k.Accesses, k.Updated = KeyRevoked, actor, &at, []KeyAccess{}, at
		d, err := t.docs.GetDoc(t.ctx, KindAccessKey, id)
		if err != nil {
			return err
		}
		if err := t.putKey(k, d.Alt); err != nil {
			return err
		}
		if k.Owner != actor {
			if err := t.notify(k.Owner, "key.revoked", map[string]string{"key": k.ID, "name": k.Name, "by": actor}); err != nil {
				return err
			}
		}
		return t.audit("key.revoke", "key:"+id, before.rec(), k.rec())
	})
	return k, err
}

// forgetAccesses is Service.accessesDeleted: a change of services or
// grants that deletes access objects (a grant deleted, or no longer
// covering a service) tells the keys' code, in its transaction, so that no
// key lists an access that no longer exists. It removes the accesses ids from the records of the keys
// that list them, in t. An access's owner names the account whose keys
// to read (at most maxKeysPerOwner), from the relationships t has not
// deleted yet.
func forgetAccesses(t *txn, ids []string) error {
	gone := map[string]bool{}
	owners := map[string]bool{}
	for _, id := range ids {
		gone[id] = true
		rs, err := t.rels(t.ctx, store.Filter{ResourceType: "access", ResourceID: id, Relation: "owner"})
		if err != nil {
			return err
		}
		for _, r := range rs {
			owners[r.Subject.ID] = true
		}
	}
	for owner := range owners {
		docs, err := t.docs.ListDocs(t.ctx, KindAccessKey, owner, "", 0)
		if err != nil {
			return err
		}
		for _, d := range docs {
			var r keyRec
			if err := decodeRecord(d, &r); err != nil {
				return err
			}
			k := r.key()
			kept := slices.DeleteFunc(slices.Clone(k.Accesses), func(a KeyAccess) bool { return gone[a.ID] })
			if len(kept) == len(k.Accesses) {
				continue
			}
			before := k
			k.Accesses, k.Updated = kept, t.at
			if err := t.putKey(k, d.Alt); err != nil {
				return err
			}
			if err := t.audit("key.accesses_removed", "key:"+k.ID, before.rec(), k.rec()); err != nil {
				return err
			}
		}
	}
	return nil
}
