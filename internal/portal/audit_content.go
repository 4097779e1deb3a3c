package portal

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/octroi/octroi/internal/store"
)

// The audit log of a map or a page is read by its managers (map share,
// page manage: Audit), who may not find every dataset or service it ever
// showed: the entries name them only to whoever may find them. (A map
// shows every resource it holds now to whoever may view it, source 004;
// its log tells of what it held, and a page names no dataset its reader
// may not find: content_integrity.go.) A resource they may not find
// loses its id and layer (and says "hidden": true); a visualisation's
// dataset becomes "". Platform administrators read everything as written.

// contentAsSeen rewrites, for actor, the entries of maps and pages in es.
func (s *Service) contentAsSeen(ctx context.Context, actor string, es []store.AuditEntry) ([]store.AuditEntry, error) {
	type doc struct {
		entry int
		after bool
		v     any
	}
	var docs []doc
	for i, e := range es {
		if !strings.HasPrefix(e.Resource, "map:") && !strings.HasPrefix(e.Resource, "page:") {
			continue
		}
		for _, x := range []struct {
			after bool
			raw   []byte
		}{{false, e.Before}, {true, e.After}} {
			if x.raw == nil {
				continue
			}
			var v any
			if err := json.Unmarshal(x.raw, &v); err != nil {
				return nil, err
			}
			docs = append(docs, doc{i, x.after, v})
		}
	}
	if len(docs) == 0 || actor == "" {
		return es, nil
	}
	if admin, err := s.has(ctx, actor, s.platformRef(), "administer"); err != nil || admin {
		return es, err
	}
	// The resources the entries name, each checked once.
	var rs []MapResource
	seen := map[MapResource]int{}
	note := func(r MapResource) {
		if _, ok := seen[r]; !ok {
			seen[r] = len(rs)
			rs = append(rs, r)
		}
	}
	for _, d := range docs {
		walkContent(d.v, func(r MapResource, _ map[string]any) { note(r) })
	}
	found, err := s.findable(ctx, actor, rs)
	if err != nil {
		return nil, err
	}
	out := make([]store.AuditEntry, len(es))
	copy(out, es)
	for _, d := range docs {
		changed := false
		walkContent(d.v, func(r MapResource, o map[string]any) {
			if found[seen[r]] {
				return
			}
			changed = true
			if _, ok := o["kind"]; ok {
				delete(o, "id")
				delete(o, "layer")
				o["hidden"] = true
			} else {
				o["dataset"] = ""
			}
		})
		if !changed {
			continue
		}
		raw, err := json.Marshal(d.v)
		if err != nil {
			return nil, err
		}
		if d.after {
			out[d.entry].After = raw
		} else {
			out[d.entry].Before = raw
		}
	}
	return out, nil
}

// walkContent calls f for every resource a map's or page's record names:
// an object {"kind": "dataset"|"service", "id": …} (a map's resource) or
// an object with a "dataset" (a page's visualisation), with the object.
func walkContent(v any, f func(MapResource, map[string]any)) {
	switch x := v.(type) {
	case []any:
		for _, y := range x {
			walkContent(y, f)
		}
	case map[string]any:
		kind, _ := x["kind"].(string)
		id, _ := x["id"].(string)
		ds, isViz := x["dataset"].(string)
		switch {
		case (kind == string(ResourceDataset) || kind == string(ResourceService)) && id != "":
			f(MapResource{Kind: ResourceKind(kind), ID: id}, x)
		case isViz && ds != "":
			f(MapResource{Kind: ResourceDataset, ID: ds}, x)
		}
		for _, y := range x {
			walkContent(y, f)
		}
	}
}
