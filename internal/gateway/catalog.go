package gateway

import (
	"strings"

	"github.com/octroi/octroi/internal/portal"
)

// PortalServices is what the catalog needs of the portal: the services at
// exactly one path, from memory (*portal.Service).
type PortalServices interface {
	ServicesAt(path string) []portal.MapService
}

// PortalCatalog is the Catalog of the portal's services: a request path
// reaches the services of its longest prefix (at a "/") that is a
// service path, so that /wmts/1.0.0/layer/... reaches the WMTS at /wmts.
type PortalCatalog struct {
	Services PortalServices
}

// maxPathDepth bounds the prefixes tried for one request path: service
// paths are short, and a client's long path must not cost one lookup per
// segment.
const maxPathDepth = 12

// ServicesAt implements Catalog.
func (c PortalCatalog) ServicesAt(path string) ([]Service, string) {
	p := strings.TrimSuffix(path, "/")
	for range maxPathDepth {
		if p == "" {
			return nil, ""
		}
		if ms := c.Services.ServicesAt(p); len(ms) > 0 {
			out := make([]Service, len(ms))
			for i, m := range ms {
				out[i] = Service{ID: m.ID, Path: m.Path, Protocol: string(m.Type), Upstream: m.Upstream, Layers: m.Layers}
			}
			return out, path[len(p):]
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return nil, ""
		}
		p = p[:i]
	}
	return nil, ""
}
