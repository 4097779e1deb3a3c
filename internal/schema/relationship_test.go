package schema

import (
	"testing"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

func TestCheckRelationship(t *testing.T) {
	s, err := Parse(`use expiration

caveat on_day(day string) { day == "mon" }
caveat other(n int) { n > 1 }

definition user {}

definition group {
    relation member: user | group#member
}

definition doc {
    relation viewer: user | user with on_day | user:* | group#member
    relation editor: user with on_day
    relation temp: user with expiration | group#member with on_day and expiration
    permission view = viewer + editor
}
`)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	rel := func(resType, relation, subjType, subjID, subjRel string) tuple.Relationship {
		return tuple.Relationship{
			Resource: tuple.ObjectRef{Type: resType, ID: "r1"},
			Relation: relation,
			Subject:  tuple.SubjectRef{Type: subjType, ID: subjID, Relation: subjRel},
		}
	}
	with := func(r tuple.Relationship, cav string, ctx map[string]any, expires bool) tuple.Relationship {
		if cav != "" {
			r.Caveat = &tuple.Caveat{Name: cav, Context: ctx}
		}
		if expires {
			r.Expiration = &exp
		}
		return r
	}
	tests := []struct {
		name string
		r    tuple.Relationship
		want string // "" for no error
	}{
		{"plain user", rel("doc", "viewer", "user", "tom", ""), ""},
		{"user with caveat", with(rel("doc", "viewer", "user", "tom", ""), "on_day", nil, false), ""},
		{"caveat with context", with(rel("doc", "viewer", "user", "tom", ""), "on_day", map[string]any{"day": "tue"}, false), ""},
		{"wildcard", rel("doc", "viewer", "user", "*", ""), ""},
		{"subject set", rel("doc", "viewer", "group", "eng", "member"), ""},
		{"ellipsis is the plain object", rel("group", "member", "user", "tom", "..."), ""},
		{"expiration", with(rel("doc", "temp", "user", "tom", ""), "", nil, true), ""},
		{"caveat and expiration", with(rel("doc", "temp", "group", "eng", "member"), "on_day", nil, true), ""},

		{"unknown resource type", rel("folder", "viewer", "user", "tom", ""),
			"unknown resource type `folder`: the schema has no definition of that name"},
		{"permission", rel("doc", "view", "user", "tom", ""),
			"`doc#view` is a permission, not a relation: relationships can only be written to relations (its relations: `viewer`, `editor`, `temp`)"},
		{"unknown relation", rel("doc", "owner", "user", "tom", ""),
			"definition `doc` has no relation `owner` (its relations: `viewer`, `editor`, `temp`)"},
		{"subject type not allowed", rel("doc", "editor", "group", "eng", "member"),
			"subjects of type `group#member` are not allowed on `doc#editor`; it allows `user with on_day`"},
		{"subject relation not allowed", rel("doc", "viewer", "group", "eng", ""),
			"subjects of type `group` are not allowed on `doc#viewer`; it allows `user`, `user with on_day`, `user:*`, `group#member`"},
		{"wildcard not allowed", rel("doc", "editor", "user", "*", ""),
			"subjects of type `user:*` are not allowed on `doc#editor`; it allows `user with on_day`"},
		{"missing required caveat", rel("doc", "editor", "user", "tom", ""),
			"`user` is not allowed on `doc#editor`: user subjects must be written as `user with on_day`"},
		{"wrong caveat", with(rel("doc", "editor", "user", "tom", ""), "other", nil, false),
			"`user with other` is not allowed on `doc#editor`: user subjects must be written as `user with on_day`"},
		{"caveat where none allowed", with(rel("doc", "viewer", "user", "*", ""), "on_day", nil, false),
			"`user:* with on_day` is not allowed on `doc#viewer`: user:* subjects must be written as `user:*`"},
		{"expiration not allowed", with(rel("doc", "viewer", "user", "tom", ""), "", nil, true),
			"`user with expiration` is not allowed on `doc#viewer`: user subjects must be written as `user`, `user with on_day`"},
		{"expiration required", rel("doc", "temp", "user", "tom", ""),
			"`user` is not allowed on `doc#temp`: user subjects must be written as `user with expiration`"},
		{"unknown context key", with(rel("doc", "editor", "user", "tom", ""), "on_day", map[string]any{"hour": 3.0}, false),
			"context of caveat `on_day`: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CheckRelationship(tt.r)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got error %q, want none", err)
			case tt.want != "" && err == nil:
				t.Errorf("got no error, want %q", tt.want)
			case tt.want != "" && tt.want[len(tt.want)-2:] == ": " && (len(err.Error()) <= len(tt.want) || err.Error()[:len(tt.want)] != tt.want):
				t.Errorf("got %q, want it to start with %q", err, tt.want)
			case tt.want != "" && tt.want[len(tt.want)-2:] != ": " && err.Error() != tt.want:
				t.Errorf("got %q, want %q", err, tt.want)
			}
		})
	}
}
