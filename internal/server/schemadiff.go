package server

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// diffSchemas lists what changes from old (nil: no schema yet) to new.
func diffSchemas(old, new *schema.Schema) api.SchemaDiff {
	var d api.SchemaDiff
	if old == nil {
		old = &schema.Schema{}
	}
	for _, nd := range new.Definitions {
		od := old.Definition(nd.Name)
		if od == nil {
			d.AddedDefinitions = append(d.AddedDefinitions, nd.Name)
			continue
		}
		for _, r := range nd.Relations {
			name := nd.Name + "#" + r.Name
			switch or := od.Relation(r.Name); {
			case or == nil && od.Permission(r.Name) != nil:
				d.RemovedPermissions = append(d.RemovedPermissions, name)
				d.AddedRelations = append(d.AddedRelations, name)
			case or == nil:
				d.AddedRelations = append(d.AddedRelations, name)
			case typesOf(or) != typesOf(r):
				d.ChangedRelations = append(d.ChangedRelations, fmt.Sprintf("%s: %s → %s", name, typesOf(or), typesOf(r)))
			}
		}
		for _, p := range nd.Permissions {
			name := nd.Name + "#" + p.Name
			switch op := od.Permission(p.Name); {
			case op == nil && od.Relation(p.Name) != nil:
				d.RemovedRelations = append(d.RemovedRelations, name)
				d.AddedPermissions = append(d.AddedPermissions, name)
			case op == nil:
				d.AddedPermissions = append(d.AddedPermissions, name)
			case schema.FormatExpr(op.Expr) != schema.FormatExpr(p.Expr):
				d.ChangedPermissions = append(d.ChangedPermissions, fmt.Sprintf("%s: %s → %s", name, schema.FormatExpr(op.Expr), schema.FormatExpr(p.Expr)))
			}
		}
		for _, m := range od.Members() {
			if nd.HasMember(m.MemberName()) {
				continue
			}
			name := nd.Name + "#" + m.MemberName()
			if _, ok := m.(*schema.Relation); ok {
				d.RemovedRelations = append(d.RemovedRelations, name)
			} else {
				d.RemovedPermissions = append(d.RemovedPermissions, name)
			}
		}
	}
	for _, od := range old.Definitions {
		if new.Definition(od.Name) == nil {
			d.RemovedDefinitions = append(d.RemovedDefinitions, od.Name)
		}
	}
	for _, nc := range new.Caveats {
		switch oc := old.Caveat(nc.Name); {
		case oc == nil:
			d.AddedCaveats = append(d.AddedCaveats, nc.Name)
		case caveatSig(oc) != caveatSig(nc):
			d.ChangedCaveats = append(d.ChangedCaveats, nc.Name)
		}
	}
	for _, oc := range old.Caveats {
		if new.Caveat(oc.Name) == nil {
			d.RemovedCaveats = append(d.RemovedCaveats, oc.Name)
		}
	}
	return d
}

func typesOf(r *schema.Relation) string {
	s := make([]string, len(r.Types))
	for i, t := range r.Types {
		s[i] = t.String()
	}
	slices.Sort(s)
	return strings.Join(s, " | ")
}

func caveatSig(c *schema.Caveat) string {
	var b strings.Builder
	for _, p := range c.Params {
		fmt.Fprintf(&b, "%v;", p)
	}
	b.WriteString(c.Expression)
	return b.String()
}

// orphans lists the stored relationship shapes that s would refuse: it
// asks s.CheckRelationship about a relationship of each shape, so that a
// schema is refused exactly when a write of what is stored would be.
func orphans(s *schema.Schema, uses []store.TypeUse) []api.SchemaUse {
	var out []api.SchemaUse
	for _, u := range uses {
		r := tuple.Relationship{
			Resource: tuple.ObjectRef{Type: u.ResourceType, ID: "x"},
			Relation: u.Relation,
			Subject:  tuple.SubjectRef{Type: u.SubjectType, ID: "x", Relation: u.SubjectRelation},
		}
		if u.Wildcard {
			r.Subject.ID = tuple.Wildcard
		}
		if u.Caveat != "" {
			r.Caveat = &tuple.Caveat{Name: u.Caveat}
		}
		if u.Expiring {
			t := time.Unix(0, 0)
			r.Expiration = &t
		}
		if err := s.CheckRelationship(r); err != nil {
			out = append(out, api.SchemaUse{Shape: shapeOf(u), Count: u.Count, Problem: err.Error()})
		}
	}
	return out
}

// shapeOf formats a TypeUse like a relationship with placeholders:
// document#viewer@user:*[with on_network][with expiration].
func shapeOf(u store.TypeUse) string {
	s := u.ResourceType + "#" + u.Relation + "@" + u.SubjectType
	switch {
	case u.Wildcard:
		s += ":*"
	case u.SubjectRelation != "":
		s += "#" + u.SubjectRelation
	}
	if u.Caveat != "" {
		s += " with " + u.Caveat
	}
	if u.Expiring {
		s += " with expiration"
	}
	return s
}
