package portal

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// ServiceType is the protocol of a map or download service.
type ServiceType string

const (
	ServiceWMS      ServiceType = "wms"
	ServiceWMTS     ServiceType = "wmts"
	ServiceWFS      ServiceType = "wfs"
	ServiceTMS      ServiceType = "tms"
	ServiceDownload ServiceType = "download"
)

// ServiceTypes lists the service types, in the order forms show them.
var ServiceTypes = []ServiceType{ServiceWMS, ServiceWMTS, ServiceWFS, ServiceTMS, ServiceDownload}

// MapService is a service of a dataset ("offering" in the Géoplateforme's
// API): what the gateway serves at Path, from Upstream, exposing Layers.
// Several services may share a path (one WMS endpoint serving layers of
// several datasets), each with its own layers: no two services at one path
// expose the same layer, and they share the type. A service without layers
// (a download) is alone at its path. Open: anyone may use it without a
// key; Available: the kill switch (false: nobody may use it). Both are also
// relationships (service#open, service#available @ user:*), written with
// the record in the same transaction, so the engine and the gateway's
// in-memory copy agree.
type MapService struct {
	ID      string `json:"id"`
	Dataset string `json:"dataset"`
	// Organisation is the dataset's owner, which manages the service.
	Organisation string      `json:"organisation"`
	Title        string      `json:"title"`
	Type         ServiceType `json:"type"`
	Path         string      `json:"path"`
	Upstream     string      `json:"upstream"`
	Layers       []string    `json:"layers"`
	Open         bool        `json:"open"`
	Available    bool        `json:"available"`
	Created      time.Time   `json:"created"`
}

// kindService and kindGrant are kept in memory (memKinds), with indexes
// (memindex.go).
const (
	kindService = "service"
	kindGrant   = "grant"
)

func serviceRef(id string) tuple.ObjectRef { return obj("service", id) }

// serviceGuard needs perm on the service; to whoever may not even view
// it, the service does not exist.
func serviceGuard(id, perm string) guard {
	return guard{rights: []right{{serviceRef(id), perm}}, hide: &right{serviceRef(id), "view"}, exists: &docRef{kindService, id}}
}

// Bounds of a service's fields.
const (
	maxPath     = 200
	maxUpstream = 2000
	maxLayers   = 1000
	maxLayer    = 200
)

// reservedPaths are octroi's own: a service there would hide them.
var reservedPaths = []string{"/api", "/gateway", "/metrics", "/portal", "/ui", "/static", "/auth", "/login", "/logout"}

// checkServicePath checks the public path clients call on the gateway:
// absolute, clean (no "." or ".." segment, no empty segment, no trailing
// slash), of unreserved URL characters, so that it matches the request
// path byte for byte.
func checkServicePath(field, p string) error {
	bad := func() error { return invalid("invalid.service_path", field, messages.Quote(p), maxPath) }
	if len(p) < 2 || len(p) > maxPath || p[0] != '/' || strings.HasSuffix(p, "/") {
		return bad()
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return bad()
		}
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/-._~", c)) {
			return bad()
		}
	}
	for _, r := range reservedPaths {
		if p == r || strings.HasPrefix(p, r+"/") {
			return invalid("invalid.service_path_reserved", field, messages.Quote(p), r)
		}
	}
	return nil
}

// checkUpstream checks the URL the service is served from: http or https,
// with a host, without credentials (they would be stored and shown in
// clear) nor fragment.
func checkUpstream(field, u string) (string, error) {
	u = strings.TrimSpace(u)
	x, err := url.Parse(u)
	if u == "" || len(u) > maxUpstream || err != nil || (x.Scheme != "http" && x.Scheme != "https") || x.Host == "" || x.Fragment != "" || strings.ContainsAny(u, " \t\r\n") {
		return "", invalid("invalid.upstream", field, messages.Quote(u), maxUpstream)
	}
	if x.User != nil {
		return "", invalid("invalid.upstream_credentials", field)
	}
	return u, nil
}

// checkLayers checks layer names: one line, no comma (OGC lists layers
// with commas), no space; duplicates are dropped, order kept.
func checkLayers(field string, layers []string, typ ServiceType) ([]string, error) {
	if len(layers) > maxLayers {
		return nil, invalid("invalid.too_many", field, len(layers), maxLayers)
	}
	out := make([]string, 0, len(layers))
	for i, l := range layers {
		f := field + "[" + strconv.Itoa(i) + "]"
		if l == "" || utf8.RuneCountInString(l) > maxLayer || strings.ContainsAny(l, ", \t") {
			return nil, invalid("invalid.layer", f, messages.Quote(l), maxLayer)
		}
		if _, err := cleanText(f, l, maxLayer, false); err != nil {
			return nil, err
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 && typ != ServiceDownload {
		return nil, invalid("invalid.layers_needed", field, string(typ))
	}
	return out, nil
}

// checkService checks and cleans a service's fields (not its id nor its
// dataset, which the caller checks).
func checkService(m MapService) (MapService, error) {
	var err error
	if m.Title, err = cleanText("title", m.Title, maxName, false); err != nil {
		return m, err
	}
	if !slices.Contains(ServiceTypes, m.Type) {
		return m, invalid("invalid.service_type", "type", messages.Quote(m.Type), joinEnum(ServiceTypes))
	}
	if err := checkServicePath("path", m.Path); err != nil {
		return m, err
	}
	if m.Upstream, err = checkUpstream("upstream", m.Upstream); err != nil {
		return m, err
	}
	if m.Layers, err = checkLayers("layers", m.Layers, m.Type); err != nil {
		return m, err
	}
	return m, nil
}

// checkPathFree refuses m when another service at its path has another
// type, or exposes one of its layers, or when either has no layer (a
// download is alone at its path). It reads every service inside the
// transaction: at most a few thousand exist, and the rule must hold at
// commit, so they are read from the database rather than from memory.
func (t *txn) checkPathFree(m MapService) error {
	all, err := list[MapService](t.ctx, t.view, kindService, "", "", 0)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID == m.ID || o.Path != m.Path {
			continue
		}
		switch {
		case o.Type != m.Type:
			return conflict("conflict.path_type", messages.Quote(m.Path), o.ID, string(o.Type))
		case len(o.Layers) == 0 || len(m.Layers) == 0:
			return conflict("conflict.path_taken", messages.Quote(m.Path), o.ID)
		}
		for _, l := range m.Layers {
			if slices.Contains(o.Layers, l) {
				return conflict("conflict.layer_taken", messages.Quote(l), messages.Quote(m.Path), o.ID)
			}
		}
	}
	return nil
}

// serviceRels are the relationships a service's record implies.
func (s *Service) serviceRels(m MapService) []tuple.Relationship {
	return []tuple.Relationship{
		s.platformLink(serviceRef(m.ID)),
		rel(serviceRef(m.ID), "dataset", tuple.SubjectRef{Type: "dataset", ID: m.Dataset}),
	}
}

// setSwitch writes service#relation@user:* when on, removes it when off.
func (t *txn) setSwitch(id, relation string, on bool) {
	r := rel(serviceRef(id), relation, wildcard)
	if on {
		t.touch(r)
	} else {
		t.remove(r)
	}
}

func (t *txn) putService(m MapService) error {
	return t.put(kindService, m.ID, "", m.Dataset, m)
}

// CreateService adds a service to a dataset (edit on the dataset: its
// organisation's editors and delegated administrators). m.ID may be
// chosen (an id of IDAlphabet) or left empty for a generated one.
func (s *Service) CreateService(ctx context.Context, actor string, m MapService) (MapService, error) {
	if m.ID != "" {
		if err := checkID("id", m.ID); err != nil {
			return MapService{}, err
		}
	}
	if err := checkID("dataset", m.Dataset); err != nil {
		return MapService{}, err
	}
	m, err := checkService(m)
	if err != nil {
		return MapService{}, err
	}
	err = s.do(ctx, actor, datasetGuard(m.Dataset, "edit"), func(t *txn) error {
		d, _, err := t.dataset(ctx, m.Dataset)
		if err != nil {
			return err
		}
		if m.ID == "" {
			m.ID = t.s.newID()
		} else if ok, err := t.exists(ctx, kindService, m.ID); err != nil {
			return err
		} else if ok {
			return conflict("conflict.service_id_taken", messages.Quote(m.ID))
		}
		m.Organisation, m.Created = d.Owner, t.at
		if err := t.checkPathFree(m); err != nil {
			return err
		}
		if err := t.putService(m); err != nil {
			return err
		}
		for _, r := range t.s.serviceRels(m) {
			t.touch(r)
		}
		t.setSwitch(m.ID, "open", m.Open)
		t.setSwitch(m.ID, "available", m.Available)
		return t.audit("service.create", "service:"+m.ID, nil, m)
	})
	return m, err
}

// MapServiceOf returns a service to whoever may view it (its dataset's
// searchers, the holders of a grant on it); to others it does not exist.
func (s *Service) MapServiceOf(ctx context.Context, actor, id string) (MapService, error) {
	if err := s.authorize(ctx, actor, serviceGuard(id, "view")); err != nil {
		return MapService{}, err
	}
	m, ok, err := indexedOne[MapService](ctx, s.mem, kindService, id)
	if err != nil || !ok {
		return MapService{}, notFoundOr(err, kindService, id)
	}
	return m, nil
}

// ServiceQuery selects services: those of Dataset when set, in id order
// after After.
type ServiceQuery struct {
	Dataset string
	After   string
	Limit   int // ≤ 0: a default page size
}

// MapServices lists the services the actor may view (of one dataset, which
// must be searchable by the actor, when q.Dataset is set): a page, and the
// cursor of the next ("" after the last).
func (s *Service) MapServices(ctx context.Context, actor string, q ServiceQuery) ([]MapService, string, error) {
	limit := pageSize(q.Limit)
	key := ""
	if q.Dataset != "" {
		if err := checkID("dataset", q.Dataset); err != nil {
			return nil, "", err
		}
		if err := s.authorize(ctx, actor, datasetGuard(q.Dataset, "search")); err != nil {
			return nil, "", err
		}
		key = "dataset:" + q.Dataset
	} else if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, "", err
	}
	all, err := indexed[MapService](ctx, s.mem, kindService, key, q.After)
	if err != nil {
		return nil, "", err
	}
	out, more, err := checkPageOf(ctx, s, actor, all, limit, func(m MapService) right { return right{serviceRef(m.ID), "view"} })
	if err != nil || !more {
		return out, "", err
	}
	return out, out[len(out)-1].ID, nil
}

// UpdateService changes a service's title, type, path, upstream, layers,
// open and available (manage). Its id and dataset never change.
func (s *Service) UpdateService(ctx context.Context, actor string, m MapService) (MapService, error) {
	m, err := checkService(m)
	if err != nil {
		return MapService{}, err
	}
	var out MapService
	err = s.do(ctx, actor, serviceGuard(m.ID, "manage"), func(t *txn) error {
		var before MapService
		if err := t.get(ctx, kindService, m.ID, &before); err != nil {
			return err
		}
		if m.Dataset != "" && m.Dataset != before.Dataset {
			return invalid("invalid.dataset_fixed", messages.Quote(m.Dataset), before.Dataset)
		}
		out = m
		out.Dataset, out.Organisation, out.Created = before.Dataset, before.Organisation, before.Created
		if out.Path != before.Path || out.Type != before.Type || !slices.Equal(out.Layers, before.Layers) {
			if err := t.checkPathFree(out); err != nil {
				return err
			}
		}
		if sameService(out, before) {
			return nil
		}
		if err := t.putService(out); err != nil {
			return err
		}
		t.setSwitch(out.ID, "open", out.Open)
		t.setSwitch(out.ID, "available", out.Available)
		if err := t.forget(goneLayers(before, out)); err != nil { // content_integrity.go
			return err
		}
		return t.audit("service.update", "service:"+out.ID, before, out)
	})
	return out, err
}

func sameService(a, b MapService) bool {
	return a.Title == b.Title && a.Type == b.Type && a.Path == b.Path && a.Upstream == b.Upstream &&
		slices.Equal(a.Layers, b.Layers) && a.Open == b.Open && a.Available == b.Available
}

// DeleteService deletes a service (manage) with its relationships: the
// grants that covered it stop covering it (their records forget it), the
// accesses of keys that opened it are deleted, and the maps that showed it
// stop showing it, so that nothing dangles.
func (s *Service) DeleteService(ctx context.Context, actor, id string) error {
	return s.do(ctx, actor, serviceGuard(id, "manage"), func(t *txn) error {
		var m MapService
		if err := t.get(t.ctx, kindService, id, &m); err != nil {
			return err
		}
		if err := t.deleteService(id); err != nil {
			return err
		}
		if err := t.forget(gone{services: map[string]bool{id: true}}); err != nil { // content_integrity.go
			return err
		}
		return t.forgetServiceRequests(m.Organisation, id) // integrity.go
	})
}

func (t *txn) deleteService(id string) error {
	var before MapService
	if err := t.get(t.ctx, kindService, id, &before); err != nil {
		return err
	}
	grants, err := t.rels(t.ctx, store.Filter{ResourceType: "service", ResourceID: id, Relation: "grant"})
	if err != nil {
		return err
	}
	for _, r := range grants {
		var g Grant
		if err := t.get(t.ctx, kindGrant, r.Subject.ID, &g); err != nil {
			if isPortalNotFound(err) {
				continue
			}
			return err
		}
		gb := g
		g.Services = slices.DeleteFunc(slices.Clone(g.Services), func(s string) bool { return s == id })
		if len(g.Services) == 0 {
			// A grant covers a service or is no grant (grantempty.go).
			if err := t.deleteEmptyGrant(gb); err != nil {
				return err
			}
			continue
		}
		if err := t.putGrant(g); err != nil {
			return err
		}
		if err := t.audit("grant.update", "grant:"+g.ID, gb, g); err != nil {
			return err
		}
	}
	if err := t.deleteAccesses(store.Filter{ResourceType: "access", Relation: "service", SubjectType: "service", SubjectID: id}, nil); err != nil {
		return err
	}
	if err := t.removeObject(serviceRef(id)); err != nil {
		return err
	}
	if err := t.deleteDoc(kindService, id); err != nil {
		return err
	}
	return t.audit("service.delete", "service:"+id, before, nil)
}

// deleteAccesses deletes every access object found by f (relationships
// access:*#…) for which keep, when set, says false of the access's
// relationships: all its relationships go, so that no key keeps half an
// access. It then tells Service.accessesDeleted (when the access keys'
// code set it, in New) which ones, once each, so that the key records that
// list them forget them in the same transaction.
func (t *txn) deleteAccesses(f store.Filter, keep func([]tuple.Relationship) bool) error {
	found, err := t.rels(t.ctx, f)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var deleted []string
	for _, r := range found {
		if seen[r.Resource.ID] {
			continue
		}
		seen[r.Resource.ID] = true
		rs, err := t.rels(t.ctx, store.Filter{ResourceType: "access", ResourceID: r.Resource.ID})
		if err != nil {
			return err
		}
		if (keep != nil && keep(rs)) || t.removing(rs) {
			continue
		}
		for _, x := range rs {
			t.remove(x)
		}
		deleted = append(deleted, r.Resource.ID)
	}
	if len(deleted) > 0 && t.s.accessesDeleted != nil {
		return t.s.accessesDeleted(t, deleted)
	}
	return nil
}

// removing reports whether this transaction already deletes every one of
// rs (an access found twice, by its grant and by its service).
func (t *txn) removing(rs []tuple.Relationship) bool {
	for _, r := range rs {
		i, ok := t.pending[r.Key()]
		if !ok || t.updates[i].Op != store.Delete {
			return false
		}
	}
	return len(rs) > 0
}

// ServicesAt returns the services whose path is exactly path, for the
// gateway: no actor, from memory (an index by path kept with the records,
// which follow the store like every other read of the portal). The values
// are shared: callers must not modify their Layers.
func (s *Service) ServicesAt(path string) []MapService {
	out, err := indexed[MapService](context.Background(), s.mem, kindService, "path:"+path, "")
	if err != nil {
		// The store could not be read: answer from the copy as it is
		// (the next call tries again).
		out = indexedAsIs[MapService](s.mem, kindService, "path:"+path, "")
	}
	return out
}

// MapServiceByID returns a service, for the gateway (no actor, from
// memory).
func (s *Service) MapServiceByID(id string) (MapService, bool) {
	m, ok, err := indexedOne[MapService](context.Background(), s.mem, kindService, id)
	if err != nil {
		m, ok = indexedOneAsIs[MapService](s.mem, kindService, id)
	}
	return m, ok
}
