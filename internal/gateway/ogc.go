package gateway

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/octroi/octroi/internal/messages"
)

// ParseError is a request ParseOGC cannot read, or reads as one the
// gateway does not let through. Msg says what is wrong, naming the
// parameter or the path, in French and English; the faces answer it with
// 400 and Msg.
type ParseError struct {
	Msg messages.Message
}

// Error is Msg in English, for logs.
func (e *ParseError) Error() string { return e.Msg.In(messages.English) }

func parseErr(m messages.Message) error { return &ParseError{Msg: m} }

// ParseOGC reads an OGC (WMS, WMTS, WFS), TMS or download request: method,
// the path after the service's public path (rest: "" or "/..."), the query
// and the service's type (protocol: wms, wmts, wfs, tms or download, any
// case), which says how to read a request that does not name its SERVICE.
//
// It is the gate of both faces: whatever layer the upstream map server
// could read from the request must be in Request.Layers, so it errs on the
// side of reading more, and refuses (with a *ParseError) what it cannot
// bound:
//   - KVP parameter names are case-insensitive, as the map servers read
//     them; a parameter given twice (in any case) is read in full: every
//     layer of every occurrence counts, and SERVICE, REQUEST or VERSION
//     with two different values is refused.
//   - SERVICE, when given, must be the service's type: a map server often
//     answers several protocols on one URL, and a grant on a WMS must not
//     open its WFS.
//   - Layers come from every layer-bearing parameter whatever the
//     protocol (LAYERS, QUERY_LAYERS, LAYER, TYPENAMES, TYPENAME, and the
//     type name prefixing a WFS RESOURCEID/FEATUREID or GetFeatureById's
//     ID), so a WMS request that also says TYPENAME=x touches x. WFS type
//     names lose their namespace prefix (ms:roads is roads: services name
//     their layers without it, as MapServer does); WMS and WMTS names are
//     kept whole.
//   - An operation that reads layers but names none (GetMap without
//     LAYERS, DescribeFeatureType without TYPENAMES, which would describe
//     every type) is refused, as are SLD and SLD_BODY (they name layers, or
//     make the upstream fetch a URL), stored queries other than
//     GetFeatureById, WFS transactions and locks, and methods other than
//     GET and HEAD: XML POST bodies are not read (a forward-auth request
//     never carries the body anyway). So is MODE: MapServer's own CGI
//     interface, to which mapserv falls back with a REQUEST it does not
//     take for OGC, and which draws whatever layers are on.
//   - A KVP request (WMS, WFS, WMTS with REQUEST) has no path after the
//     service's: a map server could route a path around the parameters.
//   - WMTS REST paths give the layer as their first element (the layout of
//     MapServer, MapProxy and GeoWebCache templates); TMS paths are
//     /1.0.0/{layer}/... .
//
// Layers unknown to the service must be refused by the caller, never
// ignored: names are compared exactly, and an upstream that matches names
// case-insensitively (MapServer does) must not be given a way around a
// grant. ParseOGC is safe for concurrent use.
func ParseOGC(method, rest string, query url.Values, protocol string) (Request, error) {
	hint, _ := lookupUpper(protocols, protocol) // "" for another
	switch hint {
	case "WMS", "WMTS", "WFS", "TMS":
	case "DOWNLOAD":
		return Request{}, nil
	default:
		return Request{}, parseErr(messages.New("ogc.protocol_unknown", messages.Quote(protocol)))
	}
	if method != http.MethodGet && method != http.MethodHead {
		return Request{}, parseErr(messages.New("ogc.method", messages.Quote(method)))
	}
	q, err := foldQuery(query)
	if err != nil {
		return Request{}, err
	}
	restPath := strings.Trim(rest, "/") != ""
	if hint == "TMS" {
		return parseTMS(rest, q)
	}
	if hint == "WMTS" && restPath && q.single("REQUEST") == "" {
		return parseWMTSREST(rest, q)
	}
	if restPath {
		// A KVP request has nothing after the service's path; a map server
		// may route one (MapServer's OGC API under mapserv/...) around
		// the parameters read here.
		return Request{}, parseErr(messages.New("ogc.kvp_path", messages.Quote(rest), hint))
	}
	return parseKVP(hint, q)
}

// protocols are the service types ParseOGC reads, by their upper-cased
// names.
var protocols = map[string]string{"WMS": "WMS", "WMTS": "WMTS", "WFS": "WFS", "TMS": "TMS", "DOWNLOAD": "DOWNLOAD"}

// lookupUpper is m[strings.ToUpper(key)], without making the
// upper-cased key when key is short ASCII (a protocol, an operation).
func lookupUpper[V any](m map[string]V, key string) (V, bool) {
	var buf [32]byte
	if len(key) > len(buf) {
		v, ok := m[strings.ToUpper(key)]
		return v, ok
	}
	b := buf[:len(key)]
	for i := range len(key) {
		c := key[i]
		if c >= utf8.RuneSelf {
			v, ok := m[strings.ToUpper(key)]
			return v, ok
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b[i] = c
	}
	v, ok := m[string(b)] // no allocation: a map index by a converted byte slice
	return v, ok
}

// folded reads a query by upper-cased names: the values of every
// spelling of a name (every name whose strings.ToUpper is it), the
// spellings in sorted order, as if the names had been upper-cased (a
// url.Values has forgotten the query's order). It makes no folded copy:
// a query whose names are their own upper case (most clients', but for
// a lower-case apikey) is read as it is, and otherwise a read looks
// through the query's few names, comparing without allocating.
type folded struct {
	query url.Values
	upper bool // every name of query is its own upper case
}

// foldQuery folds query's names and refuses SERVICE, REQUEST or VERSION
// given twice with different values: the map server behind reads one of
// them, and which one is its business.
func foldQuery(query url.Values) (folded, error) {
	q := folded{query: query, upper: upperNames(query)}
	for _, name := range []string{"SERVICE", "REQUEST", "VERSION", "WMTVER", "STOREDQUERY_ID"} {
		vs := q.get(name)
		for _, v := range vs[min(1, len(vs)):] {
			if !strings.EqualFold(v, vs[0]) {
				return folded{}, parseErr(messages.New("ogc.param_conflict", name, messages.Quote(vs[0]), messages.Quote(v)))
			}
		}
	}
	return q, nil
}

// upperNames: every name of query is its own upper case.
func upperNames(query url.Values) bool {
	for name := range query {
		if !upperIs(name, name) {
			return false
		}
	}
	return true
}

// upperIs reports whether strings.ToUpper(s) == up, without making the
// upper-cased string: ASCII letters are upper-cased as bytes, the rest
// rune by rune with unicode.ToUpper (an invalid byte reads as U+FFFD, as
// strings.ToUpper writes it).
func upperIs(s, up string) bool {
	j := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			if j == len(up) || up[j] != c {
				return false
			}
			i, j = i+1, j+1
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], unicode.ToUpper(r))
		if len(up)-j < n || up[j:j+n] != string(buf[:n]) {
			return false
		}
		j += n
	}
	return j == len(up)
}

// get is the values of name (upper case), nil when absent. The slice is
// the query's own when one spelling carries it (not to be appended to).
func (q folded) get(name string) []string {
	if q.upper {
		return q.query[name]
	}
	n, only := 0, ""
	var spellings []string // when more than one
	for k := range q.query {
		if !upperIs(k, name) {
			continue
		}
		n++
		switch n {
		case 1:
			only = k
			continue
		case 2:
			spellings = append(spellings, only)
		}
		spellings = append(spellings, k)
	}
	switch n {
	case 0:
		return nil
	case 1:
		return slices.Clip(q.query[only])
	}
	slices.Sort(spellings)
	var vs []string
	for _, k := range spellings {
		vs = append(vs, q.query[k]...)
	}
	return vs
}

// has reports whether the query names name (upper case), in any spelling.
func (q folded) has(name string) bool {
	if q.upper {
		_, ok := q.query[name]
		return ok
	}
	for k := range q.query {
		if upperIs(k, name) {
			return true
		}
	}
	return false
}

// single is the (only) value of name, "" when absent.
func (q folded) single(name string) string {
	if vs := q.get(name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// names appends to layers every comma-separated name of every value of
// param, once each; WFS type names (wfs) lose parentheses (joins) and
// their namespace prefix.
func (q folded) names(layers []string, param string, wfs bool) []string {
	for _, v := range q.get(param) {
		if wfs {
			v = strings.NewReplacer("(", ",", ")", ",").Replace(v)
		}
		for name := range strings.SplitSeq(v, ",") {
			if wfs {
				name = localName(strings.TrimSpace(name))
			}
			layers = addLayer(layers, name)
		}
	}
	return layers
}

func addLayer(layers []string, name string) []string {
	if name == "" || slices.Contains(layers, name) {
		return layers
	}
	return append(layers, name)
}

// localName is a qualified XML name without its prefix.
func localName(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// The operations of each protocol, by their upper-cased names: the
// standard's name, whether it needs layers, and whether the gateway lets it
// through. WMS 1.0's names (map, feature_info, capabilities) are read as
// the later ones, as MapServer does.
type operation struct {
	name        string
	needsLayers bool
	refused     bool
}

var operations = map[string]map[string]operation{
	"WMS": {
		"GETCAPABILITIES":    {name: "GetCapabilities"},
		"CAPABILITIES":       {name: "GetCapabilities"},
		"GETMAP":             {name: "GetMap", needsLayers: true},
		"MAP":                {name: "GetMap", needsLayers: true},
		"GETFEATUREINFO":     {name: "GetFeatureInfo", needsLayers: true},
		"FEATURE_INFO":       {name: "GetFeatureInfo", needsLayers: true},
		"GETLEGENDGRAPHIC":   {name: "GetLegendGraphic", needsLayers: true},
		"GETSTYLES":          {name: "GetStyles", needsLayers: true},
		"DESCRIBELAYER":      {name: "DescribeLayer", needsLayers: true},
		"GETSCHEMAEXTENSION": {name: "GetSchemaExtension"},
		// MapServer's own: the metadata of one layer (LAYER).
		"GETMETADATA": {name: "GetMetadata", needsLayers: true},
	},
	"WMTS": {
		"GETCAPABILITIES": {name: "GetCapabilities"},
		"GETTILE":         {name: "GetTile", needsLayers: true},
		"GETFEATUREINFO":  {name: "GetFeatureInfo", needsLayers: true},
	},
	"WFS": {
		"GETCAPABILITIES":       {name: "GetCapabilities"},
		"DESCRIBEFEATURETYPE":   {name: "DescribeFeatureType", needsLayers: true},
		"GETFEATURE":            {name: "GetFeature", needsLayers: true},
		"GETPROPERTYVALUE":      {name: "GetPropertyValue", needsLayers: true},
		"LISTSTOREDQUERIES":     {name: "ListStoredQueries"},
		"DESCRIBESTOREDQUERIES": {name: "DescribeStoredQueries"},
		"GETFEATUREWITHLOCK":    {name: "GetFeatureWithLock", refused: true},
		"LOCKFEATURE":           {name: "LockFeature", refused: true},
		"TRANSACTION":           {name: "Transaction", refused: true},
		"CREATESTOREDQUERY":     {name: "CreateStoredQuery", refused: true},
		"DROPSTOREDQUERY":       {name: "DropStoredQuery", refused: true},
	},
}

// operationList is the standard names of protocol's operations, for
// messages.
func operationList(protocol string) string {
	var names []string
	for _, op := range operations[protocol] {
		if !slices.Contains(names, op.name) {
			names = append(names, op.name)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// getFeatureByID is WFS 2.0's one mandatory stored query.
const getFeatureByID = "urn:ogc:def:query:OGC-WFS::GetFeatureById"

func parseKVP(hint string, q folded) (Request, error) {
	// A service answers its own protocol only: a grant on a WMS (images)
	// must not open the features a WFS on the same map server would give.
	protocol := hint
	if s := q.single("SERVICE"); s != "" && !strings.EqualFold(s, hint) {
		return Request{}, parseErr(messages.New("ogc.service_unknown", messages.Quote(s), hint))
	}
	for _, p := range []string{"SLD", "SLD_BODY"} {
		if q.has(p) {
			return Request{}, parseErr(messages.New("ogc.param_unsupported", p, "LAYERS"))
		}
	}
	// mapserv falls back to its own CGI interface (MODE=map draws every
	// layer that is on) when it does not take a request for OGC, even
	// with a REQUEST the gateway allowed: checked with the real one.
	if q.has("MODE") {
		return Request{}, parseErr(messages.New("ogc.param_mapserver", "MODE"))
	}
	r := Request{Protocol: protocol, Version: q.single("VERSION")}
	if r.Version == "" {
		r.Version = q.single("WMTVER")
	}
	name := q.single("REQUEST")
	if name == "" {
		return Request{}, parseErr(messages.New("ogc.request_missing", protocol))
	}
	op, ok := lookupUpper(operations[protocol], name)
	if !ok {
		return Request{}, parseErr(messages.New("ogc.request_unknown", messages.Quote(name), protocol, operationList(protocol)))
	}
	if op.refused {
		return Request{}, parseErr(messages.New("ogc.request_unsupported", op.name))
	}
	r.Operation = op.name

	// Every layer-bearing parameter, whatever the protocol: reading more
	// than the upstream does only refuses more.
	r.Layers = q.names(r.Layers, "LAYERS", false)
	r.Layers = q.names(r.Layers, "QUERY_LAYERS", false)
	r.Layers = q.names(r.Layers, "LAYER", false)
	r.Layers = q.names(r.Layers, "TYPENAMES", true)
	r.Layers = q.names(r.Layers, "TYPENAME", true)
	var err error
	for _, p := range []string{"RESOURCEID", "FEATUREID"} {
		if r.Layers, err = q.featureTypes(r.Layers, p, q.get(p)); err != nil {
			return Request{}, err
		}
	}
	if sq := q.single("STOREDQUERY_ID"); sq != "" {
		if !strings.EqualFold(sq, getFeatureByID) {
			return Request{}, parseErr(messages.New("ogc.stored_query", messages.Quote(sq)))
		}
		if r.Layers, err = q.featureTypes(r.Layers, "ID", q.get("ID")); err != nil {
			return Request{}, err
		}
	}
	if op.needsLayers && len(r.Layers) == 0 {
		return Request{}, parseErr(messages.New("ogc.layers_missing", layersParam(protocol, op.name), op.name))
	}
	return r, nil
}

// featureTypes adds the feature types of feature ids (typename.id, as
// MapServer and GeoServer write them) to layers; an id without a type
// is refused, since the upstream would look for it in every type.
func (q folded) featureTypes(layers []string, param string, values []string) ([]string, error) {
	for _, v := range values {
		for id := range strings.SplitSeq(v, ",") {
			id = strings.Trim(id, "() ")
			if id == "" {
				continue
			}
			i := strings.LastIndexByte(id, '.')
			if i <= 0 {
				return nil, parseErr(messages.New("ogc.feature_id", param, messages.Quote(id)))
			}
			layers = addLayer(layers, localName(id[:i]))
		}
	}
	return layers, nil
}

// layersParam names the parameter that carries the layers of an operation,
// for messages.
func layersParam(protocol, op string) string {
	switch {
	case protocol == "WFS" && op == "DescribeFeatureType":
		return "TYPENAME"
	case protocol == "WFS":
		return "TYPENAMES"
	case protocol == "WMTS", op == "GetLegendGraphic":
		return "LAYER"
	case op == "GetFeatureInfo":
		return "QUERY_LAYERS"
	}
	return "LAYERS"
}

// parseWMTSREST reads a WMTS RESTful path: the capabilities document, or a
// resource whose first path element is the layer. Any KVP layer parameter
// sent along counts too.
func parseWMTSREST(rest string, q folded) (Request, error) {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	r := Request{Protocol: "WMTS"}
	switch {
	case len(parts) <= 2 && strings.EqualFold(parts[len(parts)-1], "WMTSCapabilities.xml"):
		r.Operation = "GetCapabilities"
		if len(parts) == 2 {
			r.Version = parts[0]
		}
	case len(parts) >= 5 && parts[0] != "" && !slices.Contains(parts, "") && !slices.Contains(parts, ".."):
		r.Operation = "GetTile"
		if len(parts) >= 8 {
			r.Operation = "GetFeatureInfo"
		}
		r.Layers = []string{parts[0]}
	default:
		return Request{}, parseErr(messages.New("ogc.wmts_path", messages.Quote(rest)))
	}
	r.Layers = q.names(r.Layers, "LAYER", false)
	r.Layers = q.names(r.Layers, "LAYERS", false)
	return r, nil
}

// parseTMS reads a TMS path: /1.0.0 (the TileMapService document),
// /1.0.0/{layer}[/...] (its TileMap, TileSet) or
// /1.0.0/{layer}[/{grid}]/{z}/{x}/{y}.{ext} (a tile). Any KVP layer
// parameter sent along counts too.
func parseTMS(rest string, q folded) (Request, error) {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if parts[0] != "1.0.0" || slices.Contains(parts, "") || slices.Contains(parts, "..") {
		return Request{}, parseErr(messages.New("ogc.tms_path", messages.Quote(rest)))
	}
	r := Request{Protocol: "TMS", Version: parts[0], Operation: "GetCapabilities"}
	if len(parts) >= 2 {
		// /1.0.0/{layer}[/{grid}...]: a TileMap (or TileSet) document,
		// or a tile when the last element has an extension.
		r.Layers = []string{parts[1]}
		if len(parts) >= 5 && strings.Contains(parts[len(parts)-1], ".") {
			r.Operation = "GetTile"
		}
	}
	r.Layers = q.names(r.Layers, "LAYER", false)
	r.Layers = q.names(r.Layers, "LAYERS", false)
	return r, nil
}
