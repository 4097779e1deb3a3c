package engine

import (
	"slices"

	"github.com/octroi/octroi/internal/caveat"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/schema"
)

// plan is a schema compiled against an index's member ids: what evaluation
// walks. It is immutable once built.
type plan struct {
	s       *schema.Schema
	members []*member // by index member id; nil where the id is not in the schema
	byName  map[string]map[string]*member
	typeIDs map[string]uint16
	caveats map[string]*caveat.Program
}

// member is a relation or a permission of one type.
type member struct {
	id       uint16
	typ      string
	typeID   uint16
	name     string
	rel      *schema.Relation // nil for a permission
	perm     *schema.Permission
	expr     *enode // for a permission
	hasSets  bool   // a relation that allows subject sets (type#relation)
	setTypes []*member
}

type opKind uint8

const (
	opRef opKind = iota
	opUnion
	opInter
	opExcl
	opArrow
	opNil
)

// enode is a compiled permission expression.
type enode struct {
	op   opKind
	kids []*enode // union, intersection; exclusion: [base, subtracted]
	ref  *member  // opRef
	// opArrow
	tupleset *member
	computed string
	all      bool
	targets  map[uint16]*member  // subject type id → its member named computed
	srels    map[uint16][]uint16 // subject type id → subject relations the tupleset allows with it
	src      schema.Expr
}

func compile(s *schema.Schema, x *index.Index) *plan {
	p := &plan{
		s:       s,
		byName:  map[string]map[string]*member{},
		typeIDs: map[string]uint16{},
		caveats: map[string]*caveat.Program{},
	}
	for _, c := range s.Caveats {
		p.caveats[c.Name] = c.Program
	}
	add := func(d *schema.Definition, name string) *member {
		m := &member{id: x.Member(d.Name, name), typ: d.Name, typeID: x.Type(d.Name), name: name}
		p.typeIDs[d.Name] = m.typeID
		if p.byName[d.Name] == nil {
			p.byName[d.Name] = map[string]*member{}
		}
		p.byName[d.Name][name] = m
		for int(m.id) >= len(p.members) {
			p.members = append(p.members, nil)
		}
		p.members[m.id] = m
		return m
	}
	for _, d := range s.Definitions {
		p.typeIDs[d.Name] = x.Type(d.Name)
		if p.byName[d.Name] == nil {
			p.byName[d.Name] = map[string]*member{}
		}
		for _, r := range d.Relations {
			add(d, r.Name).rel = r
		}
		for _, pr := range d.Permissions {
			add(d, pr.Name).perm = pr
		}
	}
	for _, d := range s.Definitions {
		for _, r := range d.Relations {
			m := p.byName[d.Name][r.Name]
			for _, a := range r.Types {
				if a.Relation != "" {
					m.hasSets = true
					if sm := p.lookup(a.Type, a.Relation); sm != nil {
						m.setTypes = append(m.setTypes, sm)
					}
				}
			}
		}
		for _, pr := range d.Permissions {
			p.byName[d.Name][pr.Name].expr = p.compileExpr(d, pr.Expr)
		}
	}
	return p
}

func (p *plan) lookup(typ, name string) *member {
	return p.byName[typ][name]
}

func (p *plan) compileExpr(d *schema.Definition, e schema.Expr) *enode {
	switch e := e.(type) {
	case *schema.RelRef:
		return &enode{op: opRef, ref: p.lookup(d.Name, e.Name), src: e}
	case *schema.Union:
		n := &enode{op: opUnion, src: e}
		for _, k := range e.Children {
			n.kids = append(n.kids, p.compileExpr(d, k))
		}
		return n
	case *schema.Intersection:
		n := &enode{op: opInter, src: e}
		for _, k := range e.Children {
			n.kids = append(n.kids, p.compileExpr(d, k))
		}
		return n
	case *schema.Exclusion:
		return &enode{op: opExcl, src: e, kids: []*enode{p.compileExpr(d, e.Base), p.compileExpr(d, e.Subtracted)}}
	case *schema.Arrow:
		n := &enode{op: opArrow, src: e, tupleset: p.lookup(d.Name, e.Tupleset), computed: e.Computed,
			all: e.Func == schema.ArrowAll, targets: map[uint16]*member{}, srels: map[uint16][]uint16{}}
		if n.tupleset != nil && n.tupleset.rel != nil {
			for _, a := range n.tupleset.rel.Types {
				t := p.lookup(a.Type, e.Computed)
				if t == nil {
					continue
				}
				n.targets[t.typeID] = t
				var srel uint16
				if a.Relation != "" {
					if sm := p.lookup(a.Type, a.Relation); sm != nil {
						srel = sm.id
					}
				}
				if !slices.Contains(n.srels[t.typeID], srel) {
					n.srels[t.typeID] = append(n.srels[t.typeID], srel)
				}
			}
		}
		return n
	default: // *schema.Nil
		return &enode{op: opNil, src: e}
	}
}
