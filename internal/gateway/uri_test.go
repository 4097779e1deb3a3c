package gateway

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// uriSeeds are URIs of every kind the reader meets: usual, escaped, with
// '+', bad escapes, semicolons, control bytes, empty names and values,
// repeated names, a fragment, a trailing '?', many parameters.
var uriSeeds = []string{
	"/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=topo_routes&BBOX=1",
	"/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=a,b&apikey=ok_x%2By%3D",
	"/w%20s/x?a+b=c+d&e=%41%42&f=%e9",
	"/a?x=1&x=2&y=3&x=4&&=5&z&z=",
	"/a?x=%zz", "/a?x=%4", "/a?%=1", "/a%2?x=1", "/a%zz", "/a%2F%2f",
	"/a?x=1;y=2", "/a;b?x=1", "/a?b\x00=1", "/a\x7f", "/a?\t",
	"/a?", "/a??b=c", "/a?b=c?d", "/a#frag?x=1", "/a?x=1#frag",
	"/a?layers=a&LAYERS=b&Layers=c", "/a?LAYERſ=x",
	"/a?" + strings.Repeat("x=1&", maxFastParams-1) + "y=2",
	"/a?" + strings.Repeat("x=1&", maxFastParams) + "y=2",
	"/", "/%", "/+?+=+",
}

// FuzzURIReader: the reader reads every URI as url.ParseRequestURI and
// url.ParseQuery read it, and a reused reader as a new one.
func FuzzURIReader(f *testing.F) {
	for _, s := range uriSeeds {
		f.Add(s)
	}
	var reused uriReader
	f.Fuzz(func(t *testing.T, uri string) {
		if !strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "//") {
			return // refused before the reader (inputFromURI)
		}
		wantPath, wantQuery, wantOK := "", url.Values(nil), false
		if u, err := url.ParseRequestURI(uri); err == nil {
			if q, err := url.ParseQuery(u.RawQuery); err == nil {
				wantPath, wantQuery, wantOK = u.Path, q, true
			}
		}
		for _, r := range []*uriReader{new(uriReader), &reused} {
			path, query, ok := r.read(uri)
			if ok != wantOK || path != wantPath || !reflect.DeepEqual(query, wantQuery) {
				t.Fatalf("%q: read %q %v %v, net/url %q %v %v", uri, path, query, ok, wantPath, wantQuery, wantOK)
			}
			for name, vs := range query {
				if len(vs) == 1 && cap(vs) != 1 {
					t.Fatalf("%q: the value of %q is not clipped", uri, name)
				}
			}
		}
	})
}

// TestURIReaderReuse: a reader's second read forgets the first, and
// reading a usual URI again allocates nothing.
func TestURIReaderReuse(t *testing.T) {
	var r uriReader
	if _, q, _ := r.read("/a?x=1&y=2"); len(q) != 2 {
		t.Fatalf("first read: %v", q)
	}
	if _, q, _ := r.read("/a?z=3"); !reflect.DeepEqual(q, url.Values{"z": {"3"}}) {
		t.Fatalf("second read: %v, want z=3 alone", q)
	}
	// One read after another, the names the same or not, sent once or
	// twice (a reader that keeps the map for the same names in the same
	// order, see uriReader.sameNames).
	for _, c := range []struct {
		uri  string
		want url.Values
	}{
		{"/a?x=1&y=2", url.Values{"x": {"1"}, "y": {"2"}}},
		{"/a?x=3&y=4", url.Values{"x": {"3"}, "y": {"4"}}},
		{"/a?y=5&x=6", url.Values{"x": {"6"}, "y": {"5"}}},
		{"/a?x=1&x=2", url.Values{"x": {"1", "2"}}},
		{"/a?x=3&x=4", url.Values{"x": {"3", "4"}}},
		{"/a?x=5", url.Values{"x": {"5"}}},
		{"/a", url.Values{}},
		{"/b", url.Values{}},
		{"/a?%78=7", url.Values{"x": {"7"}}},
		{"/a?x=8", url.Values{"x": {"8"}}},
	} {
		if _, q, _ := r.read(c.uri); !reflect.DeepEqual(q, c.want) {
			t.Fatalf("%s after the others: %v, want %v", c.uri, q, c.want)
		}
	}
	const uri = "/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=topo_routes&BBOX=1"
	if n := testing.AllocsPerRun(100, func() { r.read(uri) }); n != 0 {
		t.Errorf("%v allocations per read of %q, want 0", n, uri)
	}
}
