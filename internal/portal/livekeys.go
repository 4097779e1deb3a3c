package portal

import (
	"encoding/json"
	"errors"
	"net/netip"
	"time"

	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/store"
)

// LiveKey is an access key as the gateway reads it at every request: its
// record decoded once per change by the credential cache (see
// DecodeCredential), with its filters compiled and its accesses by
// service. It is read-only, shared by every request.
type LiveKey struct {
	ID, Owner, Name string
	Type            KeyType
	Status          KeyStatus
	Header          string // HEADER: the header it travels in
	Accesses        []KeyAccess
	byService       map[string][]KeyAccess
	filters         compiledFilters
}

// To returns the key's accesses to service.
func (k *LiveKey) To(service string) []KeyAccess { return k.byService[service] }

// IPAllowed reports whether the key's IP filters accept a client at addr
// (invalid: an address that could not be read, refused by any IP filter,
// allow-list or deny-list, and accepted only by a key without one).
func (k *LiveKey) IPAllowed(addr netip.Addr) bool { return k.filters.IPAllowed(addr) }

// RefererAllowed reports whether the key's referer patterns accept this
// Referer ("" when absent).
func (k *LiveKey) RefererAllowed(v string) bool { return k.filters.RefererAllowed(v) }

// UserAgentAllowed reports whether the key's user-agent patterns accept
// this User-Agent ("" when absent).
func (k *LiveKey) UserAgentAllowed(v string) bool { return k.filters.UserAgentAllowed(v) }

// DecodeCredential is the credential cache's Decoder (credentials.Decoder)
// for the portal's kinds: an access key becomes a *LiveKey; other kinds
// need none.
func DecodeCredential(kind string, data json.RawMessage) (any, error) {
	if kind != KindAccessKey {
		return nil, nil
	}
	var r keyRec
	if err := decodeRecord(store.Doc{Kind: kind, Data: data}, &r); err != nil {
		return nil, err
	}
	k := &LiveKey{ID: r.ID, Owner: r.Owner, Name: r.Name, Type: r.Type, Status: r.Status, Header: r.Header,
		Accesses: r.Accesses, byService: map[string][]KeyAccess{}, filters: compileFilters(r.Filters)}
	for _, a := range r.Accesses {
		k.byService[a.Service] = append(k.byService[a.Service], a)
	}
	return k, nil
}

// ErrUnknownKey: no key for what the client presented (or a deleted one).
var ErrUnknownKey = errors.New("unknown access key")

// LookupKey finds the access key of what a client presented (see
// keyAlt: a secret, BasicLookup, OAuth2Lookup), in memory. Its status,
// filters and rights are the caller's to check.
func (s *Service) LookupKey(presented string, now time.Time) (*LiveKey, error) {
	e, err := s.creds.Lookup(KindAccessKey, presented, now)
	if err != nil {
		return nil, ErrUnknownKey
	}
	k, ok := e.Value.(*LiveKey)
	if !ok {
		return nil, ErrUnknownKey // unreadable record: logged by the cache
	}
	return k, nil
}

var _ credentials.Decoder = DecodeCredential

// GrantInfo tells the gateway, from memory, a grant's end (nil: none) and
// whether only OAUTH2 keys may use it; ok is false for an unknown grant.
func (s *Service) GrantInfo(id string) (end *time.Time, onlyOAuth bool, ok bool) {
	g, ok := s.GrantByID(id)
	return g.Expires, g.OnlyOAuth, ok
}
