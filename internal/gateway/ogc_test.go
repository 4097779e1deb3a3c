package gateway

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
)

func TestParseOGC(t *testing.T) {
	for _, tt := range []struct {
		name, method, rest, query, protocol string
		want                                Request
	}{
		{"wms capabilities", "GET", "", "SERVICE=WMS&REQUEST=GetCapabilities", "wms",
			Request{Protocol: "WMS", Operation: "GetCapabilities"}},
		{"names and values any case", "GET", "/", "service=wms&Request=getmap&version=1.3.0&layers=roads,rivers&styles=,", "WMS",
			Request{Protocol: "WMS", Operation: "GetMap", Version: "1.3.0", Layers: []string{"roads", "rivers"}}},
		{"getfeatureinfo query_layers", "GET", "", "SERVICE=WMS&REQUEST=GetFeatureInfo&LAYERS=a&QUERY_LAYERS=b,a", "wms",
			Request{Protocol: "WMS", Operation: "GetFeatureInfo", Layers: []string{"a", "b"}}},
		{"a name given twice in two cases counts twice", "GET", "", "SERVICE=WMS&REQUEST=GetMap&LAYERS=a&layers=secret", "wms",
			Request{Protocol: "WMS", Operation: "GetMap", Layers: []string{"a", "secret"}}},
		{"wms 1.0 names", "GET", "", "WMTVER=1.0.0&REQUEST=map&LAYERS=a", "wms",
			Request{Protocol: "WMS", Operation: "GetMap", Version: "1.0.0", Layers: []string{"a"}}},
		{"no SERVICE: the hint", "GET", "", "REQUEST=GetLegendGraphic&LAYER=a&FORMAT=image/png", "wms",
			Request{Protocol: "WMS", Operation: "GetLegendGraphic", Layers: []string{"a"}}},
		{"every layer parameter whatever the protocol", "GET", "", "SERVICE=wms&REQUEST=GetMap&LAYERS=a&TYPENAME=b", "wms",
			Request{Protocol: "WMS", Operation: "GetMap", Layers: []string{"a", "b"}}},
		{"wfs 2 typenames with joins and prefixes", "HEAD", "", "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=(ms:a,ms:b)(c)", "wfs",
			Request{Protocol: "WFS", Operation: "GetFeature", Version: "2.0.0", Layers: []string{"a", "b", "c"}}},
		{"wfs 1.1 typename", "GET", "", "SERVICE=WFS&VERSION=1.1.0&REQUEST=DescribeFeatureType&TYPENAME=a", "wfs",
			Request{Protocol: "WFS", Operation: "DescribeFeatureType", Version: "1.1.0", Layers: []string{"a"}}},
		{"wfs resourceid names its type", "GET", "", "SERVICE=WFS&REQUEST=GetFeature&RESOURCEID=roads.12,ms:rivers.3", "wfs",
			Request{Protocol: "WFS", Operation: "GetFeature", Layers: []string{"roads", "rivers"}}},
		{"wfs GetFeatureById", "GET", "", "SERVICE=WFS&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById&ID=roads.1", "wfs",
			Request{Protocol: "WFS", Operation: "GetFeature", Layers: []string{"roads"}}},
		{"wfs capabilities", "GET", "", "SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0", "wfs",
			Request{Protocol: "WFS", Operation: "GetCapabilities"}},
		{"wmts kvp", "GET", "", "SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=ortho&STYLE=default&TILEMATRIXSET=GoogleMapsCompatible&TILEMATRIX=3&TILEROW=1&TILECOL=2&FORMAT=image/png", "wmts",
			Request{Protocol: "WMTS", Operation: "GetTile", Version: "1.0.0", Layers: []string{"ortho"}}},
		{"wmts rest capabilities", "GET", "/1.0.0/WMTSCapabilities.xml", "", "wmts",
			Request{Protocol: "WMTS", Operation: "GetCapabilities", Version: "1.0.0"}},
		{"wmts rest tile", "GET", "/ortho/default/GoogleMapsCompatible/3/1/2.png", "", "wmts",
			Request{Protocol: "WMTS", Operation: "GetTile", Layers: []string{"ortho"}}},
		{"wmts rest tile with a layer parameter too", "GET", "/ortho/default/g/3/1/2.png", "layer=secret", "wmts",
			Request{Protocol: "WMTS", Operation: "GetTile", Layers: []string{"ortho", "secret"}}},
		{"wmts rest featureinfo", "GET", "/ortho/default/g/3/1/2/10/20.xml", "", "wmts",
			Request{Protocol: "WMTS", Operation: "GetFeatureInfo", Layers: []string{"ortho"}}},
		{"tms tile", "GET", "/1.0.0/ortho/3/2/1.png", "", "tms",
			Request{Protocol: "TMS", Operation: "GetTile", Version: "1.0.0", Layers: []string{"ortho"}}},
		{"tms tilemap", "GET", "/1.0.0/ortho/", "", "tms",
			Request{Protocol: "TMS", Operation: "GetCapabilities", Version: "1.0.0", Layers: []string{"ortho"}}},
		{"tms tile with a grid", "GET", "/1.0.0/ortho/webmercator/3/2/1.png", "", "tms",
			Request{Protocol: "TMS", Operation: "GetTile", Version: "1.0.0", Layers: []string{"ortho"}}},
		{"tms tileset", "GET", "/1.0.0/ortho/webmercator/3", "", "tms",
			Request{Protocol: "TMS", Operation: "GetCapabilities", Version: "1.0.0", Layers: []string{"ortho"}}},
		{"mapserver getmetadata", "GET", "", "request=GetMetadata&layer=roads", "wms",
			Request{Protocol: "WMS", Operation: "GetMetadata", Layers: []string{"roads"}}},
		{"tms service", "GET", "/1.0.0", "", "TMS",
			Request{Protocol: "TMS", Operation: "GetCapabilities", Version: "1.0.0"}},
		{"download", "POST", "/any/file.zip", "x=1", "download", Request{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseOGC(tt.method, tt.rest, q, tt.protocol)
			if err != nil {
				t.Fatalf("got error %v, want %+v", err, tt.want)
			}
			if got.Protocol != tt.want.Protocol || got.Operation != tt.want.Operation || got.Version != tt.want.Version || !slices.Equal(got.Layers, tt.want.Layers) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseOGCRefuses(t *testing.T) {
	for _, tt := range []struct {
		name, method, rest, query, protocol string
		want                                string // in the English message
		wantFR                              string // in the French one
	}{
		{"post", "POST", "", "SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=a", "wfs", `"POST" requests are not read`, "ne lit pas les requêtes « POST »"},
		{"unknown type", "GET", "", "", "wcs", `service type "wcs"`, "type de service « wcs »"},
		{"unknown service", "GET", "", "SERVICE=WCS&REQUEST=GetCoverage&COVERAGEID=secret", "wms", `SERVICE="WCS" is not served here: want WMS`, "SERVICE=« WCS » n'est pas servi"},
		{"another protocol than the service's", "GET", "", "SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=ms:a", "wms", `SERVICE="WFS" is not served here: want WMS`, "SERVICE=« WFS » n'est pas servi ici : il faut WMS"},
		{"two requests", "GET", "", "SERVICE=WMS&REQUEST=GetCapabilities&request=GetMap&LAYERS=a", "wms", `REQUEST is given more than once`, "REQUEST est donné plusieurs fois"},
		{"two services", "GET", "", "SERVICE=WMS&service=WFS&REQUEST=GetCapabilities", "wms", `SERVICE is given more than once`, "SERVICE est donné"},
		{"no request", "GET", "", "SERVICE=WMS&layer=secret", "wms", "REQUEST is missing: name the WMS operation", "REQUEST manque"},
		{"unknown request", "GET", "", "SERVICE=WMS&REQUEST=GetEverything", "wms", `REQUEST="GetEverything" is not a WMS operation: want one of`, "n'est pas une opération WMS"},
		{"transaction", "GET", "", "SERVICE=WFS&REQUEST=Transaction&TYPENAMES=a", "wfs", "REQUEST=Transaction is not allowed", "REQUEST=Transaction n'est pas permis"},
		{"getmap without layers", "GET", "", "SERVICE=WMS&REQUEST=GetMap&LAYERS=", "wms", "LAYERS is missing or empty: name the layers of the GetMap request", "LAYERS manque ou est vide"},
		{"describe every type", "GET", "", "SERVICE=WFS&REQUEST=DescribeFeatureType", "wfs", "TYPENAME is missing or empty", "TYPENAME manque"},
		{"wmts gettile without layer", "GET", "", "SERVICE=WMTS&REQUEST=GetTile", "wmts", "LAYER is missing", "LAYER manque"},
		{"mapserver cgi mode", "GET", "", "REQUEST=GetCapabilities&mode=map", "wms", "MODE belongs to MapServer's own interface", "MODE appartient à l'interface propre de MapServer"},
		{"sld", "GET", "", "SERVICE=WMS&REQUEST=GetMap&LAYERS=a&SLD=http://evil/x.sld", "wms", "SLD is not allowed through the gateway", "SLD n'est pas permis"},
		{"sld_body", "GET", "", "SERVICE=WMS&REQUEST=GetMap&LAYERS=a&sld_body=<x/>", "wms", "SLD_BODY is not allowed", "SLD_BODY n'est pas permis"},
		{"other stored query", "GET", "", "SERVICE=WFS&REQUEST=GetFeature&STOREDQUERY_ID=urn:x:all", "wfs", `STOREDQUERY_ID="urn:x:all" is not allowed`, "STOREDQUERY_ID=« urn:x:all »"},
		{"feature id without type", "GET", "", "SERVICE=WFS&REQUEST=GetFeature&FEATUREID=12", "wfs", `FEATUREID "12" does not name its feature type`, "ne nomme pas son type"},
		{"kvp with a path", "GET", "/ogcapi/collections/secret/items", "SERVICE=WMS&REQUEST=GetCapabilities", "wms", `"/ogcapi/collections/secret/items": a WMS request has no path`, "une requête WMS n'a pas de chemin"},
		{"wmts kvp with a path", "GET", "/secret/default/g/1/1/1.png", "REQUEST=GetCapabilities", "wmts", "a WMTS request has no path", "n'a pas de chemin"},
		{"wmts short path", "GET", "/ortho/1.png", "", "wmts", `"/ortho/1.png" is not a WMTS path`, "n'est pas un chemin WMTS"},
		{"wmts dotdot", "GET", "/ortho/../secret/g/1/1/1.png", "", "wmts", "is not a WMTS path", "chemin WMTS"},
		{"tms without version", "GET", "/ortho/1/2/3.png", "", "tms", "is not a TMS path", "n'est pas un chemin TMS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			got, err := ParseOGC(tt.method, tt.rest, q, tt.protocol)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %+v, %v, want a *ParseError", got, err)
			}
			if en := pe.Msg.In(messages.English); !strings.Contains(en, tt.want) {
				t.Errorf("got %q, want it to contain %q", en, tt.want)
			}
			if fr := pe.Msg.In(messages.French); !strings.Contains(fr, tt.wantFR) {
				t.Errorf("got %q, want it to contain %q", fr, tt.wantFR)
			}
		})
	}
}

// FuzzParseOGC checks ParseOGC never panics and keeps its promises on any
// input: a request it accepts names each layer once, never an empty one,
// and every name any layer parameter carries is among them.
func FuzzParseOGC(f *testing.F) {
	for _, s := range []struct{ method, rest, query, protocol string }{
		{"GET", "", "SERVICE=WMS&REQUEST=GetMap&LAYERS=a,b", "wms"},
		{"GET", "", "service=WFS&request=GetFeature&typenames=(ms:a,b)(c)&resourceid=d.1", "wfs"},
		{"GET", "/a/default/g/1/2/3.png", "", "wmts"},
		{"GET", "/1.0.0/a/1/2/3.png", "layer=b", "tms"},
		{"HEAD", "", "SERVICE=WFS&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById&ID=x.1", "wfs"},
	} {
		f.Add(s.method, s.rest, s.query, s.protocol)
	}
	f.Fuzz(func(t *testing.T, method, rest, query, protocol string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		before := maps.Clone(q)
		checkFolded(t, q)
		r, err := ParseOGC(method, rest, q, protocol)
		if !maps.EqualFunc(before, q, slices.Equal) {
			t.Fatalf("ParseOGC changed its query: %q, was %q", q, before)
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Msg.In(messages.English) == "" || pe.Msg.In(messages.French) == "" {
				t.Fatalf("got %v, want a *ParseError with a message", err)
			}
			return
		}
		for i, l := range r.Layers {
			if l == "" || slices.Contains(r.Layers[:i], l) {
				t.Fatalf("layers %q: empty or repeated %q", r.Layers, l)
			}
		}
		if strings.EqualFold(protocol, "download") {
			return
		}
		for name, vs := range q {
			up := strings.ToUpper(name)
			if up != "LAYERS" && up != "LAYER" && up != "QUERY_LAYERS" {
				continue
			}
			for _, v := range vs {
				for l := range strings.SplitSeq(v, ",") {
					if l != "" && !slices.Contains(r.Layers, l) {
						t.Fatalf("%s=%q: layer %q is not in %q", name, v, l, r.Layers)
					}
				}
			}
		}
	})
}

// foldNames is the folding folded does without a copy, done the plain
// way: a map of upper-cased names, the values of a name spelt several
// ways put together in the order of the sorted spellings.
func foldNames(query url.Values) map[string][]string {
	q := map[string][]string{}
	names := slices.Sorted(maps.Keys(query))
	for _, name := range names {
		up := strings.ToUpper(name)
		q[up] = append(q[up], query[name]...)
	}
	return q
}

// checkFolded: folded reads query as foldNames folds it, for every name
// the query has and for the names ParseOGC reads.
func checkFolded(t *testing.T, query url.Values) {
	t.Helper()
	want := foldNames(query)
	q, err := foldQuery(query)
	if err != nil {
		return
	}
	if q.upper && !maps.EqualFunc(want, query, slices.Equal) {
		t.Fatalf("%q: upper %v, folded %q", query, q.upper, want)
	}
	names := slices.Collect(maps.Keys(want))
	names = append(names, "SERVICE", "REQUEST", "VERSION", "LAYERS", "LAYER", "MODE", "ID", "ß", "")
	for _, name := range names {
		vs, ok := want[name]
		if got := q.get(name); !slices.Equal(got, vs) || q.has(name) != ok {
			t.Fatalf("%q: %q reads %q (has %v), want %q (%v)", query, name, got, q.has(name), vs, ok)
		}
	}
}

func FuzzFolded(f *testing.F) {
	for _, s := range []string{"SERVICE=WMS&layers=a&LAYERS=b&Layers=c", "apikey=x&REQUEST=GetMap", "layerſ=x&LAYERS=y",
		"%C3%9F=1&SS=2", "%ff=1&%EF%BF%BD=2", "mode=map", "k=1&%E2%84%AA=2&K=3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		query, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		checkFolded(t, query)
	})
}

// FuzzUpperIs: upperIs(s, up) is strings.ToUpper(s) == up.
func FuzzUpperIs(f *testing.F) {
	for _, s := range [][2]string{{"layers", "LAYERS"}, {"layerſ", "LAYERS"}, {"ß", "SS"}, {"ß", "ß"}, {"\xff", "\uFFFD"}, {"é", "É"}, {"", ""}, {"a", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, up string) {
		if !upperIs(s, strings.ToUpper(s)) {
			t.Fatalf("%q: not read as %q", s, strings.ToUpper(s))
		}
		if got, want := upperIs(s, up), strings.ToUpper(s) == up; got != want {
			t.Fatalf("upperIs(%q, %q) = %v, want %v", s, up, got, want)
		}
	})
}

// TestParseOGCAllocs: a GetMap whose key rides in a lower-case apikey
// costs its layer list alone (no folded copy of the query).
func TestParseOGCAllocs(t *testing.T) {
	q, _ := url.ParseQuery("SERVICE=WMS&REQUEST=GetMap&LAYERS=a&BBOX=1,2,3,4&apikey=x")
	n := testing.AllocsPerRun(100, func() {
		if _, err := ParseOGC("GET", "", q, "Wms"); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Errorf("%v allocations, want 1", n)
	}
}

// FuzzLookupUpper: lookupUpper(m, key) is m[strings.ToUpper(key)].
func FuzzLookupUpper(f *testing.F) {
	for _, s := range []string{"GetMap", "getmap", "GETMAP", "wms", "ſ", "K", "", strings.Repeat("a", 40)} {
		f.Add(s)
	}
	m := map[string]int{"GETMAP": 1, "WMS": 2, "S": 3, "K": 4, "": 5, strings.Repeat("A", 40): 6}
	f.Fuzz(func(t *testing.T, key string) {
		v, ok := lookupUpper(m, key)
		w, wok := m[strings.ToUpper(key)]
		if v != w || ok != wok {
			t.Fatalf("%q: %v %v, want %v %v", key, v, ok, w, wok)
		}
	})
}
