// Package tuple holds relationships — the facts the engine reasons over — and
// their text form, which is SpiceDB's:
//
//	resource_type:resource_id#relation@subject_type:subject_id[#subject_relation]
//
// optionally followed by a caveat and/or an expiration, in that order:
//
//	document:readme#viewer@user:tom[only_on_weekdays:{"day":"mon"}]
//	document:readme#viewer@user:tom[only_on_weekdays]
//	document:readme#viewer@user:tom[expiration:2030-01-02T15:04:05Z]
//	document:readme#viewer@user:tom[only_on_weekdays][expiration:2030-01-02T15:04:05Z]
//
// Parse enforces SpiceDB's character sets and lengths: type and caveat
// names are slash-separated segments of lowercase letters, digits and '_'
// (starting with a letter, not ending with '_', 3 to 63 characters, 64 for
// the last); relations are like a last segment; object ids are 1 to 1024 of
// [a-zA-Z0-9/_|\-=+]. A subject relation of "..." means none and is stored
// as "". It is slightly more lenient than SpiceDB in two harmless ways: an
// empty context "[name:{}]" is read as no context, and an expiration may use
// any RFC 3339 offset (SpiceDB's pattern has no '+'); Format writes neither.
// Errors are *ParseError with the 1-based column (in runes) of the problem.
// Format is canonical and Parse(Format(r)) equals r for every parsed r.
//
// A subject id of "*" is a wildcard: every subject of that type; it never
// has a subject relation and is never a resource id. Values of
// this package are plain data; they are safe to share between goroutines as
// long as nobody mutates them.
package tuple

import "time"

// ObjectRef names one object: a type and an id.
type ObjectRef struct {
	Type string
	ID   string
}

// SubjectRef names a subject: an object, or a subject set (object#relation)
// when Relation is not empty. ID "*" is the wildcard.
type SubjectRef struct {
	Type     string
	ID       string
	Relation string
}

// Wildcard is the subject id that stands for every subject of a type.
const Wildcard = "*"

// Caveat is a caveat attached to a relationship, with the part of its context
// that the relationship itself supplies. Context values are JSON-shaped
// (float64, string, bool, []any, map[string]any, nil).
type Caveat struct {
	Name    string
	Context map[string]any
}

// Relationship is one fact: Subject has Relation on Resource, optionally
// subject to a caveat, optionally until an expiration instant.
type Relationship struct {
	Resource   ObjectRef
	Relation   string
	Subject    SubjectRef
	Caveat     *Caveat    // nil when uncaveated
	Expiration *time.Time // nil when it never expires
}

// IsWildcard reports whether the subject is type:*.
func (s SubjectRef) IsWildcard() bool { return s.ID == Wildcard }

// Object returns the subject's object, without its relation.
func (s SubjectRef) Object() ObjectRef { return ObjectRef{Type: s.Type, ID: s.ID} }

// String formats "type:id".
func (o ObjectRef) String() string { return o.Type + ":" + o.ID }

// String formats "type:id" or "type:id#relation".
func (s SubjectRef) String() string {
	if s.Relation == "" {
		return s.Type + ":" + s.ID
	}
	return s.Type + ":" + s.ID + "#" + s.Relation
}
