package gateway

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// capDoc is what a test reads back from a rewritten document: the names
// of the listed layers (WMS Layer/Name, WMTS Layer/ows:Identifier, WFS
// FeatureType/Name), the number of Layer or FeatureType elements, and
// every URL (href, template, schemaLocation).
type capDoc struct {
	names  []string
	layers int
	urls   []string
}

func readCapDoc(t *testing.T, doc []byte) capDoc {
	t.Helper()
	var c capDoc
	d := xml.NewDecoder(bytes.NewReader(doc))
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the rewritten document is not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "Layer" || tok.Name.Local == "FeatureType" {
				c.layers++
			}
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "href", "template":
					c.urls = append(c.urls, a.Value)
				case "schemaLocation":
					// Pairs of namespace and location: the locations.
					for i, f := range strings.Fields(a.Value) {
						if i%2 == 1 {
							c.urls = append(c.urls, f)
						}
					}
				}
			}
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			n := len(stack)
			if u := strings.TrimSpace(string(tok)); strings.HasPrefix(u, "http") {
				c.urls = append(c.urls, u)
			}
			if n >= 2 && (stack[n-1] == "Name" || stack[n-1] == "Identifier") && (stack[n-2] == "Layer" || stack[n-2] == "FeatureType") {
				c.names = append(c.names, strings.TrimSpace(string(tok)))
			}
		}
	}
	return c
}

func allow(names ...string) func(string) bool {
	return func(l string) bool { return slices.Contains(names, l) }
}

func rewriteFile(t *testing.T, rw Rewrite, file string) []byte {
	t.Helper()
	src, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out bytes.Buffer
	if err := rw.Capabilities(&out, src); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return out.Bytes()
}

// TestCapabilitiesMapServer rewrites the documents the real mapserv wrote
// (testdata, see TestMapServerFixtures) for a key that may use roads and
// rivers (rivers is inside the group hydro, in the root layer octroi).
func TestCapabilitiesMapServer(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.file, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", f.file))
			if err != nil {
				t.Fatal(err)
			}
			checkMapServerRewrite(t, f.file, doc)
		})
	}
}

// mapServerWant is what the rewriting of each MapServer document for a
// key that may use roads and rivers lists: names, and Layer elements
// (WMS keeps the root and hydro as categories).
var mapServerWant = map[string]struct {
	names  []string
	layers int
}{
	"wms-1.1.1.xml": {[]string{"roads", "rivers"}, 4},
	"wms-1.3.0.xml": {[]string{"roads", "rivers"}, 4},
	"wfs-2.0.0.xml": {[]string{"ms:roads", "ms:rivers"}, 2},
	"wfs-1.1.0.xml": {[]string{"roads", "rivers"}, 2},
}

// checkMapServerRewrite rewrites doc, a document mapserv wrote for
// fixtureUpstream, and checks the result.
func checkMapServerRewrite(t *testing.T, file string, doc []byte) {
	t.Helper()
	const public = "https://maps.example/wms/topo"
	rw := Rewrite{Public: public, Upstream: fixtureUpstream + "?map=octroi.map", Key: "s3cr&t", Usable: allow("roads", "rivers")}
	want := mapServerWant[file]
	var buf bytes.Buffer
	if err := rw.Capabilities(&buf, bytes.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	c := readCapDoc(t, out)
	if !slices.Equal(c.names, want.names) {
		t.Errorf("listed %q, want %q", c.names, want.names)
	}
	if c.layers != want.layers {
		t.Errorf("got %d layer elements, want %d", c.layers, want.layers)
	}
	for _, hidden := range []string{"parcels", "lakes", "Parcels", "Lakes", "<Name>octroi</Name>", "<Name>hydro</Name>"} {
		if bytes.Contains(out, []byte(hidden)) {
			t.Errorf("the document still says %q", hidden)
		}
	}
	if bytes.Contains(out, []byte("127.0.0.1")) || bytes.Contains(out, []byte("map=")) {
		t.Errorf("the document still points at the upstream:\n%s", out)
	}
	dcp := 0
	for _, u := range c.urls {
		if strings.HasPrefix(u, "http://schemas.opengis.net/") || u == "" || !strings.HasPrefix(u, "http") {
			continue
		}
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatalf("URL %q: %v", u, err)
		}
		if !strings.HasPrefix(u, public+"?") {
			t.Errorf("URL %q is not under %s", u, public)
		}
		if got := pu.Query()["apikey"]; !slices.Equal(got, []string{"s3cr&t"}) {
			t.Errorf("URL %q: apikey %q, want the key once", u, got)
		}
		if pu.RawQuery == "apikey=s3cr%26t&" {
			dcp++
		}
	}
	if dcp < 6 {
		t.Errorf("got %d service URLs ending in apikey=...&, want at least 6 (Get and Post of 3 operations)", dcp)
	}
}

// TestCapabilitiesNothingUsable: a key that may use none of the layers
// sees an empty list, never the layers.
func TestCapabilitiesNothingUsable(t *testing.T) {
	for _, f := range fixtures {
		out := rewriteFile(t, Rewrite{Public: "http://p/x", Upstream: fixtureUpstream}, f.file)
		if c := readCapDoc(t, out); len(c.names) != 0 || c.layers != 0 {
			t.Errorf("%s: listed %q (%d layer elements), want none", f.file, c.names, c.layers)
		}
	}
}

// TestCapabilitiesParentUsable: a usable group keeps its name; its
// children that are not usable go.
func TestCapabilitiesParentUsable(t *testing.T) {
	out := rewriteFile(t, Rewrite{Public: "http://p/x", Upstream: fixtureUpstream, Usable: allow("hydro")}, "wms-1.3.0.xml")
	c := readCapDoc(t, out)
	if want := []string{"hydro"}; !slices.Equal(c.names, want) || c.layers != 2 {
		t.Errorf("listed %q in %d layer elements, want %q in 2 (the root as a category)", c.names, c.layers, want)
	}
}

// TestCapabilitiesWMTS rewrites a WMTS document: Contents/Layer by
// ows:Identifier, Themes' LayerRef, ResourceURL templates and the
// operations' hrefs.
func TestCapabilitiesWMTS(t *testing.T) {
	const public = "https://maps.example/wmts/ortho"
	rw := Rewrite{Public: public, Upstream: wmtsUpstream, Key: "k", Usable: allow("ortho")}
	out := rewriteFile(t, rw, "wmts-1.0.0.xml")
	c := readCapDoc(t, out)
	if want := []string{"ortho"}; !slices.Equal(c.names, want) || c.layers != 1 {
		t.Errorf("listed %q in %d layer elements, want %q in 1", c.names, c.layers, want)
	}
	if bytes.Contains(out, []byte("secret")) {
		t.Errorf("the document still names the hidden layer:\n%s", out)
	}
	templates := 0
	for _, u := range c.urls {
		if strings.Contains(u, "{TileMatrix}") {
			templates++
			if !strings.HasPrefix(u, public+"/ortho/") || !strings.HasSuffix(u, "?apikey=k") {
				t.Errorf("template %q, want it under %s/ortho/ with the key", u, public)
			}
		}
		if strings.HasPrefix(u, "http") && !strings.HasPrefix(u, public) && !strings.HasPrefix(u, "http://schemas.opengis.net") && !strings.HasPrefix(u, "http://www.opengis.net") {
			t.Errorf("URL %q is not under %s", u, public)
		}
	}
	if templates == 0 {
		t.Errorf("no ResourceURL template left:\n%s", out)
	}
}

func TestCapabilitiesRefuses(t *testing.T) {
	for _, tt := range []struct{ name, doc string }{
		{"not XML", "<this is not XML"},
		{"unclosed", "<WMS_Capabilities><Capability><Layer><Name>a</Name>"},
		{"mismatched", "<a><b></a></b>"},
		{"unknown encoding", `<?xml version="1.0" encoding="x-nothing"?><a/>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Rewrite{Public: "http://p", Upstream: "http://u", Usable: allow("a")}.Capabilities(io.Discard, strings.NewReader(tt.doc))
			if err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
	// A pending layer larger than MaxBuffer (its name never comes).
	big := "<WMS_Capabilities><Capability><Layer><Title>" + strings.Repeat("x", 4096) + "</Title></Layer></Capability></WMS_Capabilities>"
	err := Rewrite{Public: "http://p", Upstream: "http://u", MaxBuffer: 1024}.Capabilities(io.Discard, strings.NewReader(big))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
}

// TestCapabilitiesLatin1: a document in ISO-8859-1 comes out in UTF-8
// and says so.
func TestCapabilitiesLatin1(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><WMS_Capabilities><Capability><Layer><Name>a</Name><Title>R\xe9seau</Title></Layer></Capability></WMS_Capabilities>"
	var out bytes.Buffer
	if err := (Rewrite{Public: "http://p", Upstream: "http://u", Usable: allow("a")}).Capabilities(&out, strings.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	if want := `<?xml version="1.0" encoding="UTF-8"?><WMS_Capabilities><Capability><Layer><Name>a</Name><Title>Réseau</Title></Layer></Capability></WMS_Capabilities>`; out.String() != want {
		t.Errorf("got %s, want %s", &out, want)
	}
}

// FuzzCapabilities: on any document the rewriter either fails or writes
// well-formed XML (when the input was) in which no layer outside the
// usable one is listed.
func FuzzCapabilities(f *testing.F) {
	for _, fx := range append(fixtures, struct{ file, query string }{"wmts-1.0.0.xml", ""}) {
		b, err := os.ReadFile(filepath.Join("testdata", fx.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<a><Layer><Layer><Name>roads</Name></Layer><Name>x</Name></Layer></a>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		if err := xml.Unmarshal(doc, new(struct{})); err != nil {
			return
		}
		var out bytes.Buffer
		rw := Rewrite{Public: "http://p/x", Upstream: fixtureUpstream, Key: "k", Usable: allow("roads"), MaxBuffer: 1 << 16}
		if err := rw.Capabilities(&out, bytes.NewReader(doc)); err != nil {
			return
		}
		d := xml.NewDecoder(&out)
		var stack []string
		var name strings.Builder
		for {
			tok, err := d.Token()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("output is not well-formed: %v\n%s", err, out.String())
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				stack = append(stack, tok.Name.Local)
				name.Reset()
			case xml.EndElement:
				n := len(stack)
				if n >= 2 && stack[n-1] == "Name" && stack[n-2] == "Layer" {
					if got := strings.TrimSpace(name.String()); got != "roads" && got != "" {
						t.Fatalf("layer %q is listed:\n%s", got, out.String())
					}
				}
				stack = stack[:n-1]
				name.Reset()
			case xml.CharData:
				name.Write(tok)
			}
		}
	})
}

// TestCapabilitiesWMTSKVP: the operations' ows:Get hrefs of MapProxy's
// KVP document point at the public URL with the key.
func TestCapabilitiesWMTSKVP(t *testing.T) {
	const public = "https://maps.example/wmts/ortho"
	out := rewriteFile(t, Rewrite{Public: public, Upstream: wmtsKVPUpstream, Key: "k", Usable: allow("secret")}, "wmts-kvp-1.0.0.xml")
	c := readCapDoc(t, out)
	if want := []string{"secret"}; !slices.Equal(c.names, want) {
		t.Errorf("listed %q, want %q", c.names, want)
	}
	gets := 0
	for _, u := range c.urls {
		if u == public+"?apikey=k&" {
			gets++
		}
	}
	if gets != 3 {
		t.Errorf("got %d operation URLs %s?apikey=k&, want 3 (GetCapabilities, GetTile, GetFeatureInfo):\n%s", gets, public, out)
	}
}

// TestCapabilitiesTMS: a TileMapService lists only the TileMaps of usable
// layers, their hrefs under the public URL with the key.
func TestCapabilitiesTMS(t *testing.T) {
	const public = "https://maps.example/tms"
	out := rewriteFile(t, Rewrite{Public: public, Upstream: tmsUpstream, Key: "k", Usable: allow("ortho")}, "tms-1.0.0.xml")
	if bytes.Contains(out, []byte("secret")) || bytes.Contains(out, []byte("127.0.0.1")) {
		t.Errorf("the document still names the hidden layer or the upstream:\n%s", out)
	}
	if want := `href="` + public + `/1.0.0/ortho/webmercator?apikey=k"`; !bytes.Contains(out, []byte(want)) {
		t.Errorf("no %s in:\n%s", want, out)
	}
}

// BenchmarkCapabilities: the rewriting's throughput on the documents
// mapserv wrote (bytes of input per second):
//
//	go test ./internal/gateway -run '^$' -bench Capabilities -count 3
func BenchmarkCapabilities(b *testing.B) {
	for _, f := range fixtures {
		doc, err := os.ReadFile(filepath.Join("testdata", f.file))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.file, func(b *testing.B) {
			rw := Rewrite{Public: "https://maps.example/wms", Upstream: fixtureUpstream, Key: "k", Usable: allow("roads", "rivers")}
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if err := rw.Capabilities(io.Discard, bytes.NewReader(doc)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
