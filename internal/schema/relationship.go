package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/caveat"
	"github.com/octroi/octroi/internal/tuple"
)

// CheckRelationship reports whether r may be written under s, as SpiceDB
// checks writes: the resource type is defined; the relation exists and is
// a relation, not a permission; the subject's type, subject relation or
// wildcard, caveat name and the presence of an expiration match exactly one
// of the relation's allowed subject types (a relation allowing both `user`
// and `user with c` accepts a user with or without caveat c); and the
// caveat context, if any, names only the caveat's parameters with values
// of their types. IDs are not checked here: that is the tuple package's
// job.
func (s *Schema) CheckRelationship(r tuple.Relationship) error {
	d := s.Definition(r.Resource.Type)
	if d == nil {
		return fmt.Errorf("unknown resource type `%s`: the schema has no definition of that name", r.Resource.Type)
	}
	rel := d.Relation(r.Relation)
	if rel == nil {
		if d.Permission(r.Relation) != nil {
			return fmt.Errorf("`%s#%s` is a permission, not a relation: relationships can only be written to relations (%s)", d.Name, r.Relation, relationNames(d))
		}
		return fmt.Errorf("definition `%s` has no relation `%s` (%s)", d.Name, r.Relation, relationNames(d))
	}

	subjRel := r.Subject.Relation
	if subjRel == "..." {
		subjRel = ""
	}
	wildcard := r.Subject.IsWildcard()
	var sameSubject []*AllowedType
	for _, t := range rel.Types {
		if t.Type == r.Subject.Type && t.Wildcard == wildcard && (t.Wildcard && subjRel == "" || !t.Wildcard && t.Relation == subjRel) {
			sameSubject = append(sameSubject, t)
		}
	}
	subject := subjectForm(r.Subject.Type, subjRel, wildcard)
	if len(sameSubject) == 0 {
		return fmt.Errorf("subjects of type `%s` are not allowed on `%s#%s`; it allows %s", subject, d.Name, rel.Name, typeList(rel.Types))
	}

	want := &AllowedType{Type: r.Subject.Type, Relation: subjRel, Wildcard: wildcard, Expiration: r.Expiration != nil}
	if r.Caveat != nil {
		want.Caveat = r.Caveat.Name
	}
	wantSrc := allowedTypeSource(want)
	if !slices.ContainsFunc(sameSubject, func(t *AllowedType) bool { return allowedTypeSource(t) == wantSrc }) {
		return fmt.Errorf("`%s` is not allowed on `%s#%s`: %s subjects must be written as %s", wantSrc, d.Name, rel.Name, subject, typeList(sameSubject))
	}

	if r.Caveat == nil || len(r.Caveat.Context) == 0 {
		return nil
	}
	cv := s.Caveat(r.Caveat.Name)
	if cv == nil { // a schema that was not built by Parse
		return fmt.Errorf("caveat `%s` is not declared in the schema", r.Caveat.Name)
	}
	if cv.Program != nil {
		if err := cv.Program.ValidateContext(r.Caveat.Context); err != nil {
			return fmt.Errorf("context of caveat `%s`: %w", cv.Name, err)
		}
		return nil
	}
	keys := make([]string, 0, len(r.Caveat.Context))
	for k := range r.Caveat.Context {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.ContainsFunc(cv.Params, func(p caveat.Param) bool { return p.Name == k }) {
			return fmt.Errorf("context of caveat `%s`: `%s` is not one of its parameters", cv.Name, k)
		}
	}
	return nil
}

func subjectForm(typ, rel string, wildcard bool) string {
	switch {
	case wildcard:
		return typ + ":*"
	case rel != "":
		return typ + "#" + rel
	}
	return typ
}

// relationNames lists d's relations for an error message.
func relationNames(d *Definition) string {
	if len(d.Relations) == 0 {
		return "it has no relations"
	}
	names := make([]string, len(d.Relations))
	for i, r := range d.Relations {
		names[i] = "`" + r.Name + "`"
	}
	return "its relations: " + strings.Join(names, ", ")
}
