package signin

import (
	"maps"
	"slices"
	"testing"
)

func TestParseGroupCommunities(t *testing.T) {
	got, err := ParseGroupCommunities(" geo=c1, geo=c2 ,/org/a=b=c3,geo=c1,")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"geo": {"c1", "c2"}, "/org/a=b": {"c3"}}
	if !maps.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("got %v, want %v", got, want)
	}
	if m, err := ParseGroupCommunities(""); err != nil || len(m) != 0 {
		t.Errorf("empty: %v %v", m, err)
	}
	for _, bad := range []string{"geo", "=c1", "geo=", "geo=c 1", "a=b,c"} {
		if _, err := ParseGroupCommunities(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestGroupsIn(t *testing.T) {
	claims := map[string]any{"groups": []any{"a", 3.0, "b"}, "one": "x", "realm_access": map[string]any{"roles": []any{"r"}}, "odd": 4.0}
	for _, c := range []struct {
		name  string
		want  []string
		found bool
	}{
		{"groups", []string{"a", "b"}, true},
		{"one", []string{"x"}, true},
		{"realm_access.roles", []string{"r"}, true},
		{"odd", nil, true},
		{"missing", nil, false},
		{"realm_access.missing", nil, false},
		{"one.deeper", nil, false},
	} {
		got, found := groupsIn(claims, c.name)
		if !slices.Equal(got, c.want) || found != c.found {
			t.Errorf("%s: %v %v, want %v %v", c.name, got, found, c.want, c.found)
		}
	}
}
