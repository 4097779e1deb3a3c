package schema

// Member is a relation or a permission of a definition: *Relation or
// *Permission.
type Member interface {
	MemberName() string
	isMember()
}

// MemberName returns the relation's name.
func (r *Relation) MemberName() string { return r.Name }

// MemberName returns the permission's name.
func (p *Permission) MemberName() string { return p.Name }

func (*Relation) isMember()   {}
func (*Permission) isMember() {}

// Member returns the relation or permission of d named name, or nil.
func (d *Definition) Member(name string) Member {
	switch m := d.members[name].(type) {
	case *Relation:
		return m
	case *Permission:
		return m
	}
	return nil
}

// Members returns d's relations and permissions in source order.
func (d *Definition) Members() []Member {
	out := make([]Member, 0, len(d.Relations)+len(d.Permissions))
	ri, pi := 0, 0
	for ri < len(d.Relations) || pi < len(d.Permissions) {
		if pi >= len(d.Permissions) || (ri < len(d.Relations) && !posLess(d.Permissions[pi].Pos, d.Relations[ri].Pos)) {
			out = append(out, d.Relations[ri])
			ri++
		} else {
			out = append(out, d.Permissions[pi])
			pi++
		}
	}
	return out
}

// AllowedTypes returns the subject types allowed on relation rel of the
// definition named typ, or nil when there is no such relation (a
// permission has none). The slice is the schema's own: do not modify it.
func (s *Schema) AllowedTypes(typ, rel string) []*AllowedType {
	d := s.Definition(typ)
	if d == nil {
		return nil
	}
	if r := d.Relation(rel); r != nil {
		return r.Types
	}
	return nil
}

// String returns t as written in a schema: `user`, `user:*`,
// `group#member`, `user with caveat`, `user with caveat and expiration`.
func (t *AllowedType) String() string { return allowedTypeSource(t) }
