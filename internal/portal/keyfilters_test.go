package portal

import (
	"net/netip"
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, value string
		want           bool
	}{
		{"https://*.example.org/*", "https://maps.example.org/carte", true},
		{"https://*.example.org/*", "HTTPS://A.B.EXAMPLE.ORG/", true},
		{"https://*.example.org/*", "https://example.org.evil.com/x", false},
		{"https://*.example.org/*", "https://.example.org/", true},
		{"QGIS*", "QGIS/3.34", true},
		{"QGIS*", "xQGIS", false},
		{"*GDAL*", "curl GDAL/3.8", true},
		{"*", "", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
		{"ab*ba", "aba", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	} {
		if got := compileGlob(c.pattern).match(c.value); got != c.want {
			t.Errorf("%q ~ %q: %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
}

// matchNaive is the definition: "*" any run, the rest literal,
// case-insensitive, over the whole value.
func matchNaive(p, v string) bool {
	p, v = strings.ToLower(p), strings.ToLower(v)
	if p == "" {
		return v == ""
	}
	if p[0] == '*' {
		for i := 0; i <= len(v); i++ {
			if matchNaive(p[1:], v[i:]) {
				return true
			}
		}
		return false
	}
	return v != "" && p[0] == v[0] && matchNaive(p[1:], v[1:])
}

func FuzzGlob(f *testing.F) {
	f.Add("https://*.example.org/*", "https://a.example.org/x")
	f.Add("a*b*c", "axxbyyc")
	f.Add("*a*", "")
	f.Fuzz(func(t *testing.T, p, v string) {
		if len(p) > 12 || len(v) > 24 || strings.Count(p, "*") > 4 {
			return // the naive matcher is exponential
		}
		if got, want := compileGlob(p).match(v), matchNaive(p, v); got != want {
			t.Fatalf("%q ~ %q: %v, want %v", p, v, got, want)
		}
	})
}

// TestUnreadableAddressFailsClosed: an address the gateway could not read
// (invalid) passes only a key without IP filters; a deny-list refuses it
// as an allow-list does.
func TestUnreadableAddressFailsClosed(t *testing.T) {
	for _, c := range []struct {
		name    string
		filters KeyFilters
		want    bool
	}{
		{"no filter", KeyFilters{}, true},
		{"no IP filter", KeyFilters{Referers: []string{"*"}}, true},
		{"allow-list", KeyFilters{IPAllow: []string{"192.0.2.0/24"}}, false},
		{"deny-list", KeyFilters{IPDeny: []string{"192.0.2.66"}}, false},
		{"both", KeyFilters{IPAllow: []string{"0.0.0.0/0"}, IPDeny: []string{"192.0.2.66"}}, false},
	} {
		fs, err := cleanFilters(c.filters)
		if err != nil {
			t.Fatal(err)
		}
		k := LiveKey{filters: compileFilters(fs)}
		if got := k.IPAllowed(netip.Addr{}); got != c.want {
			t.Errorf("%s, unreadable address: %v, want %v", c.name, got, c.want)
		}
		if c.name == "deny-list" && !k.IPAllowed(netip.MustParseAddr("198.51.100.1")) {
			t.Errorf("deny-list refuses an address it does not list")
		}
	}
}

func FuzzFilters(f *testing.F) {
	f.Add("192.0.2.0/24", "192.0.2.7")
	f.Add("2001:db8::/32", "::ffff:192.0.2.1")
	f.Add("::ffff:192.0.2.0/120", "192.0.2.9")
	f.Fuzz(func(t *testing.T, prefix, addr string) {
		fs, err := cleanFilters(KeyFilters{IPAllow: []string{prefix}})
		if err != nil {
			return
		}
		// What is stored reads back the same.
		again, err := cleanFilters(fs)
		if err != nil || again.IPAllow[0] != fs.IPAllow[0] {
			t.Fatalf("%q normalised to %q, which reads as %v %v", prefix, fs.IPAllow[0], again, err)
		}
		c := compileFilters(fs)
		a, err := netip.ParseAddr(addr)
		if err != nil {
			a = netip.Addr{}
		}
		p, _ := parsePrefix(fs.IPAllow[0])
		if got, want := c.IPAllowed(a), a.IsValid() && p.Contains(a.Unmap()); got != want {
			t.Fatalf("%s in %s: %v, want %v", a, p, got, want)
		}
		// The same prefix as a deny-list: outside it passes, inside or
		// unreadable does not.
		d := compileFilters(KeyFilters{IPDeny: fs.IPAllow})
		if got, want := d.IPAllowed(a), a.IsValid() && !p.Contains(a.Unmap()); got != want {
			t.Fatalf("%s denied by %s: %v, want %v", a, p, got, want)
		}
	})
}
