package gateway

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"golang.org/x/text/encoding/ianaindex"
)

// Rewrite says how a capabilities document is rewritten for one client:
// which layers it lists and where its URLs point.
type Rewrite struct {
	// Public is the service's public URL as the client reaches it
	// (scheme://host/path, no query).
	Public string
	// Upstream is the service's upstream URL. URLs of the document at or
	// under it are moved under Public; the names of its query parameters
	// (MapServer's map=...) are removed from them, so that the upstream's
	// own settings never reach the client.
	Upstream string
	// Key is the secret added to every rewritten URL as the apikey query
	// parameter, "" for none (a key sent in a header or with Basic is not
	// written into URLs: the client keeps sending it its way).
	Key string
	// Usable says whether a layer is listed. Nil lists none.
	Usable func(layer string) bool
	// MaxBuffer bounds the bytes held while the fate of a layer is not
	// known yet (its name comes after its start); 0 means 8 MiB.
	MaxBuffer int
}

// ErrTooLarge is returned by Capabilities when a layer whose fate is not
// known yet holds more than MaxBuffer bytes.
var ErrTooLarge = errors.New("gateway: capabilities: a layer is too large to filter")

// Capabilities copies the capabilities document src to dst, rewritten: a
// WMS (1.1.1, 1.3.0) Layer, WMTS (1.0.0) Contents/Layer or WFS (1.1.0,
// 2.0) FeatureType is listed only when rw.Usable allows its name (WMS and
// WFS Name, WMTS ows:Identifier; WFS names without their namespace
// prefix), and a layer is kept without its Name (as a category, which
// cannot be requested) when it is not usable itself but has a usable
// layer inside; WMTS Themes' LayerRef to layers that are not listed go
// too, and so do the TileMaps of a TMS TileMapService whose layer (the
// path element after 1.0.0 in its href) is not usable. Every service URL (DCP Get and Post hrefs, whatever their value)
// and every URL at or under rw.Upstream (OnlineResource, LegendURL,
// MetadataURL, ResourceURL templates, schemaLocation, an element's text
// that is a URL) points under
// rw.Public and carries rw.Key. Comments are dropped: MapServer's say
// which version and drivers it runs.
//
// The document is read as a stream of tokens and written as it is read;
// only the start of a layer whose name is not known yet is held, up to
// rw.MaxBuffer. A document in another encoding than UTF-8 is written in
// UTF-8, its declaration saying so. On error, dst has part of the
// document. Capabilities is safe for concurrent use with distinct dst.
func (rw Rewrite) Capabilities(dst io.Writer, src io.Reader) error {
	up, err := url.Parse(rw.Upstream)
	if err != nil {
		return fmt.Errorf("gateway: capabilities: upstream %q: %w", rw.Upstream, err)
	}
	w := bufio.NewWriter(dst)
	c := &capWriter{rw: rw, up: up, out: w, max: rw.MaxBuffer}
	if c.max <= 0 {
		c.max = 8 << 20
	}
	c.upstreamNames = map[string]bool{"APIKEY": true}
	for name := range up.Query() {
		c.upstreamNames[strings.ToUpper(name)] = true
	}
	d := xml.NewDecoder(src)
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		e, err := ianaindex.IANA.Encoding(label)
		if err != nil || e == nil {
			return nil, fmt.Errorf("gateway: capabilities: encoding %q is not supported", label)
		}
		return e.NewDecoder().Reader(in), nil
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("gateway: capabilities: %w", err)
		}
		if err := c.token(tok); err != nil {
			return err
		}
	}
	if len(c.stack) != 0 {
		return fmt.Errorf("gateway: capabilities: the document ends inside <%s>", c.stack[len(c.stack)-1].name)
	}
	return w.Flush()
}

// frame is an open element.
type frame struct {
	name  string // qualified, as written
	local string
	// layer frames: whether the element is kept (its output goes on) or
	// pending (held in buf until a name or a kept child decides).
	layer bool
	kept  bool
	buf   bytes.Buffer
	// id frames: the identifying child of a layer, its text.
	id    bool
	mixed bool // an identifying child with elements inside: never usable
	text  strings.Builder
	// layerRef frames: a WMTS Themes LayerRef.
	layerRef bool
	// drop frames: a TMS TileMap of a layer that is not usable.
	drop bool
}

type capWriter struct {
	rw            Rewrite
	up            *url.URL
	upstreamNames map[string]bool
	out           *bufio.Writer
	stack         []*frame
	held          int // bytes held in pending frames
	max           int
}

// holds reports whether f holds its output rather than passing it on: a
// layer whose fate is not known yet, an identifying child (Name,
// Identifier: written only when its layer is usable, so that a layer kept
// for its children cannot be requested by name), a LayerRef.
func (f *frame) holds() bool { return (f.layer && !f.kept) || f.id || f.layerRef || f.drop }

// sinkBelow is where the output of the frame at i goes: the innermost
// frame outside it that holds its output, or out.
func (c *capWriter) sinkBelow(i int) io.Writer {
	for j := i - 1; j >= 0; j-- {
		if f := c.stack[j]; f.holds() {
			return &f.buf
		}
	}
	return c.out
}

// sink is where output goes now.
func (c *capWriter) sink() io.Writer { return c.sinkBelow(len(c.stack)) }

func (c *capWriter) write(s string) error {
	return c.emit(c.sink(), []byte(s))
}

// emit writes b to sink, counting what pending frames hold.
func (c *capWriter) emit(sink io.Writer, b []byte) error {
	if sink != io.Writer(c.out) {
		c.held += len(b)
		if c.held > c.max {
			return ErrTooLarge
		}
	}
	_, err := sink.Write(b)
	return err
}

// release hands what f held to sink.
func (c *capWriter) release(f *frame, sink io.Writer) error {
	c.held -= f.buf.Len()
	err := c.emit(sink, f.buf.Bytes())
	f.buf.Reset()
	return err
}

// keep marks the layer frame at i and every layer frame around it as
// kept, outermost first, each handing what it held to the frame around it
// that still holds (or out).
func (c *capWriter) keep(i int) error {
	for j := 0; j <= i; j++ {
		f := c.stack[j]
		if !f.layer || f.kept {
			continue
		}
		f.kept = true
		if err := c.release(f, c.sinkBelow(j)); err != nil {
			return err
		}
	}
	return nil
}

func (c *capWriter) usable(name string) bool {
	return c.rw.Usable != nil && c.rw.Usable(name)
}

func (c *capWriter) parent() *frame {
	if len(c.stack) == 0 {
		return nil
	}
	return c.stack[len(c.stack)-1]
}

func (c *capWriter) inside(local string) bool {
	for _, f := range c.stack {
		if f.local == local {
			return true
		}
	}
	return false
}

func (c *capWriter) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		return c.start(t)
	case xml.EndElement:
		return c.end(t)
	case xml.CharData:
		if p := c.parent(); p != nil && (p.id || p.layerRef) {
			p.text.Write(t)
		}
		text := string(t)
		// A URL as an element's text (WFS 1.1's MetadataURL).
		if u := strings.TrimSpace(text); (strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) && !strings.ContainsAny(u, " \t\r\n") {
			text = strings.Replace(text, u, c.rewriteURL(u, false), 1)
		}
		return c.write(escapeText(text))
	case xml.ProcInst:
		inst := string(t.Inst)
		if t.Target == "xml" {
			// The output is UTF-8 whatever the input was.
			inst = "version=\"1.0\" encoding=\"UTF-8\""
		}
		return c.write("<?" + t.Target + " " + inst + "?>")
	case xml.Directive:
		return c.write("<!" + string(t) + ">")
	case xml.Comment:
		return nil
	}
	return nil
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func (c *capWriter) start(t xml.StartElement) error {
	p := c.parent()
	if p != nil && (p.id || p.layerRef) {
		p.mixed = true
	}
	f := &frame{name: qname(t.Name), local: t.Name.Local}
	switch {
	case f.local == "Layer" || f.local == "FeatureType":
		f.layer = true
	case p != nil && p.layer && (f.local == "Name" || f.local == "Identifier"):
		f.id = true
	case f.local == "LayerRef" && c.inside("Themes"):
		f.layerRef = true
	case f.local == "TileMap" && p != nil && p.local == "TileMaps":
		f.drop = true
		for _, a := range t.Attr {
			if a.Name.Local == "href" {
				f.drop = !c.usable(tmsLayer(a.Value))
			}
		}
	}
	c.stack = append(c.stack, f)
	var b strings.Builder
	b.WriteString("<" + f.name)
	dcp := (f.local == "OnlineResource" && c.inside("DCPType")) ||
		((f.local == "Get" || f.local == "Post") && p != nil && p.local == "HTTP")
	for _, a := range t.Attr {
		v := a.Value
		switch {
		case a.Name.Local == "href":
			v = c.rewriteURL(v, dcp)
		case a.Name.Local == "template" && f.local == "ResourceURL":
			v = c.rewriteURL(v, false)
		case a.Name.Local == "schemaLocation":
			fields := strings.Fields(v)
			for i := range fields {
				fields[i] = c.rewriteURL(fields[i], false)
			}
			v = strings.Join(fields, " ")
		}
		b.WriteString(" " + qname(a.Name) + "=\"" + escapeAttr(v) + "\"")
	}
	b.WriteString(">")
	return c.write(b.String())
}

func (c *capWriter) end(t xml.EndElement) error {
	n := len(c.stack)
	if n == 0 || c.stack[n-1].name != qname(t.Name) {
		return fmt.Errorf("gateway: capabilities: unexpected </%s>", qname(t.Name))
	}
	f := c.stack[n-1]
	if err := c.write("</" + f.name + ">"); err != nil {
		return err
	}
	c.stack = c.stack[:n-1]
	switch {
	case f.id:
		name := strings.TrimSpace(f.text.String())
		if c.stack[n-2].local == "FeatureType" {
			name = localName(name)
		}
		if f.mixed || !c.usable(name) {
			c.held -= f.buf.Len()
			return nil
		}
		if err := c.keep(n - 2); err != nil {
			return err
		}
		return c.release(f, c.sink())
	case f.layer && !f.kept, f.drop:
		// Neither usable nor holding a usable layer: dropped.
		c.held -= f.buf.Len()
	case f.layerRef:
		if f.mixed || !c.usable(strings.TrimSpace(f.text.String())) {
			c.held -= f.buf.Len()
			return nil
		}
		return c.release(f, c.sink())
	}
	return nil
}

// tmsLayer is the layer of a TMS TileMap URL: the path element after
// 1.0.0, "" when there is none.
func tmsLayer(href string) string {
	_, after, ok := strings.Cut(href, "/1.0.0/")
	if !ok {
		return ""
	}
	layer, _, _ := strings.Cut(after, "/")
	layer, _, _ = strings.Cut(layer, "?")
	return layer
}

// rewriteURL moves u under the public URL when it is at or under the
// upstream URL, or always when force (a DCP href: the service's own
// endpoint, whatever host the upstream wrote in it). The query loses the
// upstream's own parameters and any apikey, and gains the key.
func (c *capWriter) rewriteURL(u string, force bool) string {
	base, query, hasQuery := strings.Cut(u, "?")
	suffix, ok := c.under(base)
	if !ok && !force {
		return u
	}
	var pairs []string
	for pair := range strings.SplitSeq(query, "&") {
		name, _, _ := strings.Cut(pair, "=")
		if n, err := url.QueryUnescape(name); pair == "" || err != nil || c.upstreamNames[strings.ToUpper(n)] {
			continue
		}
		pairs = append(pairs, pair)
	}
	if c.rw.Key != "" {
		pairs = append(pairs, "apikey="+url.QueryEscape(c.rw.Key))
	}
	out := strings.TrimSuffix(c.rw.Public, "/") + suffix
	if len(pairs) > 0 || hasQuery {
		out += "?" + strings.Join(pairs, "&")
		// OGC URL prefixes end with ? or &, ready for parameters.
		if hasQuery && (query == "" || strings.HasSuffix(query, "&")) && len(pairs) > 0 {
			out += "&"
		}
	}
	return out
}

// under reports whether base (a URL without its query) is the upstream
// URL or under it, and what follows it.
func (c *capWriter) under(base string) (string, bool) {
	b, err := url.Parse(base)
	if err != nil || !strings.EqualFold(b.Host, c.up.Host) || b.Host == "" {
		return "", false
	}
	upPath := strings.TrimSuffix(c.up.EscapedPath(), "/")
	// Templates carry {Layer}...: compare the path as written.
	path := base[strings.Index(base, b.Host)+len(b.Host):]
	if path == upPath || path == upPath+"/" {
		return "", true
	}
	if strings.HasPrefix(path, upPath+"/") {
		return path[len(upPath):], true
	}
	return "", false
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;",
		"\n", "&#xA;", "\r", "&#xD;", "\t", "&#x9;")
)

func escapeText(s string) string { return textEscaper.Replace(s) }
func escapeAttr(s string) string { return attrEscaper.Replace(s) }
