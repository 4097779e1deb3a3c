package portal

import (
	"errors"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/octroi/octroi/internal/messages"
)

// KeyFilters restrict where an access key may be used from. Every list is
// optional; an empty one restricts nothing.
//
//   - IPAllow: when set, the client's address must lie in one of these
//     prefixes (CIDR, IPv4 or IPv6; a bare address is a /32 or /128).
//   - IPDeny: the client's address must lie in none of them (deny wins
//     over allow).
//   - Referers, UserAgents: when set, the request's Referer (User-Agent)
//     header must match one of these patterns; a request without the
//     header is refused.
//
// Pattern syntax: a glob where "*" stands for any run of characters
// (none included) and every other character stands for itself; matching
// is on the whole header value, ASCII case-insensitive. So
// "https://*.example.org/*" matches every page of every subdomain of
// example.org, and "QGIS*" every QGIS user agent. There is no other
// metacharacter (no "?", no classes, no escapes): a header value holds no
// "*" worth matching literally.
type KeyFilters struct {
	IPAllow    []string `json:"ip_allow,omitempty"`
	IPDeny     []string `json:"ip_deny,omitempty"`
	Referers   []string `json:"referers,omitempty"`
	UserAgents []string `json:"user_agents,omitempty"`
}

// Bounds on filters: a key's filters are checked at every request, in
// memory; they stay short.
const (
	maxFilterItems = 64
	maxPatternLen  = 256
)

// cleanFilters checks f and returns it normalised (prefixes masked and in
// canonical form, patterns trimmed), or an ErrInvalid naming the field and
// the item.
func cleanFilters(f KeyFilters) (KeyFilters, error) {
	var out KeyFilters
	var err error
	if out.IPAllow, err = cleanPrefixes("filters.ip_allow", f.IPAllow); err != nil {
		return KeyFilters{}, err
	}
	if out.IPDeny, err = cleanPrefixes("filters.ip_deny", f.IPDeny); err != nil {
		return KeyFilters{}, err
	}
	if out.Referers, err = cleanPatterns("filters.referers", f.Referers); err != nil {
		return KeyFilters{}, err
	}
	if out.UserAgents, err = cleanPatterns("filters.user_agents", f.UserAgents); err != nil {
		return KeyFilters{}, err
	}
	return out, nil
}

func cleanPrefixes(field string, in []string) ([]string, error) {
	if len(in) > maxFilterItems {
		return nil, invalid("invalid.too_many", field, len(in), maxFilterItems)
	}
	var out []string
	for _, s := range in {
		p, err := parsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, invalid("invalid.cidr", field, messages.Quote(s))
		}
		out = append(out, p.String())
	}
	return out, nil
}

// parsePrefix reads a CIDR prefix or a bare address, masked. An IPv4
// address mapped into IPv6 is unmapped, so that it matches the IPv4
// clients it names.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a.Zone() != "" {
			return netip.Prefix{}, errZone
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// errZone refuses an address with a zone (fe80::1%eth0): no client
// address read from a connection or a header carries one.
var errZone = errors.New("an address with a zone")

func cleanPatterns(field string, in []string) ([]string, error) {
	if len(in) > maxFilterItems {
		return nil, invalid("invalid.too_many", field, len(in), maxFilterItems)
	}
	var out []string
	for _, s := range in {
		p, err := cleanText(field, s, maxPatternLen, false)
		if err != nil {
			return nil, err
		}
		for i, r := range p {
			// Header values are visible ASCII and spaces (RFC 9110
			// field-vchar; obs-text aside): a pattern with anything
			// else could never match.
			if r > '~' || (r < ' ' && r != '\t') {
				return nil, invalid("invalid.pattern", field, messages.Quote(p), utf8.RuneCountInString(p[:i])+1)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// compiledFilters are KeyFilters ready to be checked at every request.
type compiledFilters struct {
	allow, deny []netip.Prefix
	referers    []globPattern
	userAgents  []globPattern
}

func compileFilters(f KeyFilters) compiledFilters {
	var c compiledFilters
	for _, s := range f.IPAllow {
		if p, err := parsePrefix(s); err == nil {
			c.allow = append(c.allow, p)
		}
	}
	for _, s := range f.IPDeny {
		if p, err := parsePrefix(s); err == nil {
			c.deny = append(c.deny, p)
		}
	}
	for _, s := range f.Referers {
		c.referers = append(c.referers, compileGlob(s))
	}
	for _, s := range f.UserAgents {
		c.userAgents = append(c.userAgents, compileGlob(s))
	}
	return c
}

// IPAllowed reports whether the filters accept a client at addr. An
// invalid addr (a client address the gateway could not read) is refused by
// any IP filter, allow-list or deny-list: a deny-list is there to keep some
// clients out, and an address that cannot be read might be one of them
// (fail closed). Only a key without IP filters accepts it.
func (c *compiledFilters) IPAllowed(addr netip.Addr) bool {
	if !addr.IsValid() {
		return len(c.allow) == 0 && len(c.deny) == 0
	}
	addr = addr.Unmap()
	for _, p := range c.deny {
		if p.Contains(addr) {
			return false
		}
	}
	if len(c.allow) == 0 {
		return true
	}
	for _, p := range c.allow {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// RefererAllowed reports whether the filters accept this Referer header
// value ("" when absent).
func (c *compiledFilters) RefererAllowed(v string) bool { return anyGlob(c.referers, v) }

// UserAgentAllowed reports whether the filters accept this User-Agent.
func (c *compiledFilters) UserAgentAllowed(v string) bool { return anyGlob(c.userAgents, v) }

func anyGlob(ps []globPattern, v string) bool {
	if len(ps) == 0 {
		return true
	}
	if v == "" {
		return false
	}
	for _, p := range ps {
		if p.match(v) {
			return true
		}
	}
	return false
}

// globPattern is a pattern of the KeyFilters syntax: the literal parts
// between its "*"s, lower-cased.
type globPattern struct {
	parts []string // len ≥ 1; parts[0] is a prefix, the last a suffix
}

func compileGlob(s string) globPattern {
	return globPattern{parts: strings.Split(strings.ToLower(s), "*")}
}

// match reports whether v matches the whole pattern, ASCII
// case-insensitively. Greedy-free: each middle part is found at its
// earliest place, which is enough for "*" (any run) alone.
func (g globPattern) match(v string) bool {
	v = strings.ToLower(v)
	ps := g.parts
	if len(ps) == 1 {
		return v == ps[0]
	}
	first, last := ps[0], ps[len(ps)-1]
	if len(v) < len(first)+len(last) || !strings.HasPrefix(v, first) || !strings.HasSuffix(v, last) {
		return false
	}
	v = v[len(first) : len(v)-len(last)]
	for _, p := range ps[1 : len(ps)-1] {
		i := strings.Index(v, p)
		if i < 0 {
			return false
		}
		v = v[i+len(p):]
	}
	return true
}
