// Package validation reads validation files: the YAML format of
// `zed validate` and of SpiceDB's integration test configs.
//
//	schema: |-            # or schemaFile: path relative to this file's directory
//	  definition user {}
//	  definition document { relation viewer: user  permission view = viewer }
//	relationships: |-     # one relationship per line; blank lines and // comments skipped
//	  document:readme#viewer@user:tom
//	assertions:
//	  assertTrue:     ["document:readme#view@user:tom"]
//	  assertCaveated: ['document:readme#view@user:sarah with {"day": "mon"}']
//	  assertFalse:    ["document:readme#view@user:fred"]
//	validation:
//	  document:readme#view:
//	    - "[user:tom] is <document:readme#viewer>"
//
// This package is the file model only: Parse checks syntax (YAML shape,
// relationship and expected-relation grammar, duplicate relationships), not
// meaning; checking against a schema and running assertions belong to the
// caller. Everything Parse returns carries its 1-based line (and column where
// known) in the YAML file, so that later failures can be reported where the
// user wrote the offending text, block scalars (|, |-, |+, >, >-) included.
//
// Parse reports every problem it finds, as an ErrorList of *Error, each
// formatted "path:line[:column]: where: message". Columns count runes.
package validation

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/octroi/octroi/internal/tuple"
)

// File is a parsed validation file.
type File struct {
	// Path is the path the file was parsed under, as given to Parse.
	Path string

	// Schema is the schema text, from `schema` or read from `schemaFile`.
	Schema string
	// SchemaFile is the path of the file read for `schemaFile` (joined to
	// the directory of Path), or "" when the schema is inline.
	SchemaFile string
	// SchemaLine and SchemaIndent place the schema text: its line 1 starts
	// at SchemaLine in the file that holds it (Path, or SchemaFile), shifted
	// right by SchemaIndent columns. Use SchemaPos to convert positions.
	SchemaLine   int
	SchemaIndent int

	// Relationships in file order, each with its position in the file.
	Relationships []Relationship

	// Assertions in file order (assertTrue, assertCaveated and assertFalse
	// entries interleaved as written).
	Assertions []Assertion

	// Validation holds the expected relations, one entry per key of the
	// `validation` map, in file order.
	Validation []Expectation

	// Warnings are problems that zed tolerates (for example unknown keys,
	// which it ignores) but that probably are mistakes.
	Warnings ErrorList
}

// Relationship is a relationship of the `relationships` block with the
// position in the file of its first character.
type Relationship struct {
	tuple.Relationship
	Line   int
	Column int
}

// AssertionKind says what an assertion expects of its permission check.
type AssertionKind int

const (
	// AssertTrue expects the permission to be granted unconditionally.
	AssertTrue AssertionKind = iota
	// AssertCaveated expects it to depend on missing caveat context.
	AssertCaveated
	// AssertFalse expects it to be denied.
	AssertFalse
)

// String returns the YAML key of the kind, e.g. "assertTrue".
func (k AssertionKind) String() string {
	switch k {
	case AssertTrue:
		return "assertTrue"
	case AssertCaveated:
		return "assertCaveated"
	case AssertFalse:
		return "assertFalse"
	}
	return "AssertionKind(" + strconv.Itoa(int(k)) + ")"
}

// Assertion is one entry of `assertions`: a check of Relationship's
// relation (usually a permission) for its subject, with optional caveat
// context given after " with ".
type Assertion struct {
	Kind AssertionKind
	// Index is the 0-based position in its list (assertTrue[Index]).
	Index        int
	Text         string // as written, trimmed
	Relationship tuple.Relationship
	Context      map[string]any // nil without " with {...}"
	Line         int
	Column       int
}

// Where returns e.g. "assertTrue[2]", for messages.
func (a Assertion) Where() string { return fmt.Sprintf("%s[%d]", a.Kind, a.Index) }

// Expectation is one key of the `validation` map with its expected subjects.
type Expectation struct {
	Resource tuple.ObjectRelation
	Line     int
	Column   int
	Subjects []ExpectedSubject
}

// Error is a problem in a validation file.
type Error struct {
	Path   string
	Line   int    // 1-based; 0 when the problem is not at a line
	Column int    // 1-based, in runes; 0 when unknown
	Where  string // the part of the file, e.g. "assertTrue[2]"; may be ""
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found, in file order. Parse never returns an
// empty one as an error.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// SchemaPos converts a position in the schema text (1-based line and
// column, as the schema parser reports them) to the file holding the text
// and the position there.
func (f *File) SchemaPos(line, col int) (path string, fileLine, fileCol int) {
	path = f.Path
	if f.SchemaFile != "" {
		path = f.SchemaFile
	}
	if line < 1 {
		return path, 0, 0
	}
	fileLine = f.SchemaLine + line - 1
	if col > 0 {
		fileCol = col + f.SchemaIndent
	}
	return path, fileLine, fileCol
}

// SchemaError makes an *Error for a problem at line:col of the schema text.
func (f *File) SchemaError(line, col int, msg string) *Error {
	path, l, c := f.SchemaPos(line, col)
	return &Error{Path: path, Line: l, Column: c, Where: "schema", Msg: msg}
}

// ReadFile reads and parses the validation file at path.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{Path: path, Msg: err.Error()}}
	}
	return Parse(data, path)
}

// parser holds the state of one Parse call.
type parser struct {
	path string
	src  []string // the file's lines, for mapping block scalars
	file *File
	errs ErrorList
}

func (p *parser) errorf(line, col int, where, format string, args ...any) {
	p.errs = append(p.errs, &Error{Path: p.path, Line: line, Column: col, Where: where, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) warnf(line, col int, where, format string, args ...any) {
	p.file.Warnings = append(p.file.Warnings, &Error{Path: p.path, Line: line, Column: col, Where: where, Msg: fmt.Sprintf(format, args...)})
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse parses the validation file data, read from path. path names the
// file in errors, and the directory of path is where `schemaFile` is looked
// for (it must be a local path: relative, and not escaping that directory).
// On failure the error is an ErrorList and the *File is nil.
func Parse(data []byte, path string) (*File, error) {
	p := &parser{path: path, file: &File{Path: path}}
	p.src = strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		p.errorf(line, 0, "", "invalid YAML: %s", msg)
		return nil, p.errs
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.errorf(0, 0, "", "empty validation file: it needs at least a schema or schemaFile")
		return nil, p.errs
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.errorf(root.Line, root.Column, "", "a validation file must be a YAML mapping (schema:, relationships:, …), not %s", kindName(root))
		return nil, p.errs
	}

	seen := map[string]int{}
	var schemaNode, schemaFileNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolve(root.Content[i+1])
		if prev, dup := seen[k.Value]; dup {
			p.errorf(k.Line, k.Column, k.Value, "duplicate key (first at line %d)", prev)
			continue
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "schema":
			schemaNode = v
		case "schemaFile":
			schemaFileNode = v
		case "relationships":
			p.relationships(v)
		case "assertions":
			p.assertions(v)
		case "validation":
			p.validation(v)
		case "namespace_configs", "validation_tuples":
			// SpiceDB refuses these pre-schema sections rather than ignore them.
			p.errorf(k.Line, k.Column, k.Value, "legacy section no longer supported: use schema and relationships")
		default:
			p.warnf(k.Line, k.Column, k.Value, "unknown key, ignored")
		}
	}
	p.schema(root, schemaNode, schemaFileNode)
	p.duplicates()

	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return p.file, nil
}

// resolve follows YAML aliases to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "an unexpected node"
}

// text returns a scalar's text, or reports that the node is not text.
func (p *parser) text(n *yaml.Node, where string) (string, bool) {
	if isNull(n) {
		return "", true
	}
	if n.Kind != yaml.ScalarNode {
		p.errorf(n.Line, n.Column, where, "must be text, not %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) schema(root, schema, schemaFile *yaml.Node) {
	f := p.file
	var inline, file string
	if schema != nil {
		inline, _ = p.text(schema, "schema")
	}
	if schemaFile != nil {
		file, _ = p.text(schemaFile, "schemaFile")
	}
	switch {
	case inline != "" && file != "":
		p.errorf(schemaFile.Line, schemaFile.Column, "schemaFile", "only one of schema or schemaFile can be given")
	case file != "":
		// zed forbids schema files outside the validation file's directory.
		if !filepath.IsLocal(file) {
			p.errorf(schemaFile.Line, schemaFile.Column, "schemaFile", "schema file %q is not local: it must be a relative path inside the validation file's directory", file)
			return
		}
		full := filepath.Join(filepath.Dir(p.path), file)
		data, err := os.ReadFile(full)
		if err != nil {
			p.errorf(schemaFile.Line, schemaFile.Column, "schemaFile", "cannot read schema file: %v", err)
			return
		}
		f.Schema, f.SchemaFile, f.SchemaLine = string(data), full, 1
	case inline != "":
		f.Schema = inline
		f.SchemaLine, f.SchemaIndent = p.scalarStart(schema)
		f.SchemaIndent--
	default:
		p.errorf(root.Line, root.Column, "", "no schema: give schema or schemaFile")
	}
}

// scalarStart returns where the first character of a scalar's value is in
// the file (1-based line and column): for block scalars the first content
// line at the block's indentation, for quoted ones just past the quote.
func (p *parser) scalarStart(n *yaml.Node) (line, col int) {
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		// The content starts on the line after the indicator; its
		// indentation is that of the first non-blank line.
		for i := n.Line; i < len(p.src); i++ {
			if t := strings.TrimLeft(p.src[i], " "); t != "" {
				return n.Line + 1, len(p.src[i]) - len(t) + 1
			}
		}
		return n.Line + 1, 1
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		return n.Line, n.Column + 1
	}
	return n.Line, n.Column
}

// srcLine is one line of the file that may hold part of a scalar's value.
type srcLine struct {
	line int    // 1-based
	text string // the part of the line that belongs to the scalar
	col  int    // 1-based rune column of text's first byte
}

// valueLines maps every "\n"-separated line of a scalar's value to the
// position of its first non-blank character in the file; positions are 0
// for blank value lines. Literal blocks map one to one. Folded blocks and
// flow scalars join source lines, so each value line is matched to the
// source lines it was folded from; if that fails (escapes in quoted
// scalars) the scalar's own line is used, with column 0 (unknown).
func (p *parser) valueLines(n *yaml.Node) [][2]int {
	parts := strings.Split(n.Value, "\n")
	pos := make([][2]int, len(parts))
	var cand []srcLine
	if n.Style == yaml.LiteralStyle || n.Style == yaml.FoldedStyle {
		for i := n.Line; i < len(p.src); i++ {
			cand = append(cand, srcLine{line: i + 1, text: p.src[i], col: 1})
		}
	} else if n.Line >= 1 && n.Line <= len(p.src) {
		first := p.src[n.Line-1]
		skip := byteOffset(first, n.Column-1)
		text := first[skip:]
		col := n.Column
		if n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle {
			text, col = text[1:], col+1
		}
		cand = append(cand, srcLine{line: n.Line, text: text, col: col})
		for i := n.Line; i < len(p.src); i++ {
			cand = append(cand, srcLine{line: i + 1, text: p.src[i], col: 1})
		}
	}
	trimQuote := func(s string) string {
		if n.Style == yaml.DoubleQuotedStyle {
			return strings.TrimSuffix(s, `"`)
		}
		if n.Style == yaml.SingleQuotedStyle {
			return strings.TrimSuffix(s, `'`)
		}
		return s
	}
	if n.Style == yaml.LiteralStyle {
		for i, part := range parts {
			if strings.TrimSpace(part) == "" || i >= len(cand) {
				continue
			}
			c := cand[i]
			lead := len(c.text) - len(strings.TrimLeft(c.text, " \t"))
			pos[i] = [2]int{c.line, c.col + utf8.RuneCountInString(c.text[:lead])}
		}
		return pos
	}
	cur := 0
	for i, part := range parts {
		want := strings.TrimSpace(part)
		if want == "" {
			continue
		}
		pos[i] = [2]int{n.Line, 0}
		for cur < len(cand) && strings.TrimSpace(trimQuote(cand[cur].text)) == "" {
			cur++
		}
		if cur >= len(cand) {
			continue
		}
		c := cand[cur]
		got := strings.TrimSpace(trimQuote(c.text))
		if !strings.HasPrefix(want, got) {
			continue
		}
		lead := len(c.text) - len(strings.TrimLeft(c.text, " \t"))
		pos[i] = [2]int{c.line, c.col + utf8.RuneCountInString(c.text[:lead])}
		// Consume the further source lines folded into this value line.
		rest := strings.TrimSpace(want[len(got):])
		cur++
		for rest != "" && cur < len(cand) {
			next := strings.TrimSpace(trimQuote(cand[cur].text))
			if next == "" || !strings.HasPrefix(rest, next) {
				break
			}
			rest = strings.TrimSpace(rest[len(next):])
			cur++
		}
	}
	return pos
}

// byteOffset returns the byte offset of the rune at index runes in s.
func byteOffset(s string, runes int) int {
	for i := range s {
		if runes == 0 {
			return i
		}
		runes--
	}
	return len(s)
}

func (p *parser) relationships(n *yaml.Node) {
	text, ok := p.text(n, "relationships")
	if !ok || text == "" {
		return
	}
	pos := p.valueLines(n)
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "//") {
			continue
		}
		at := pos[i]
		r, err := tuple.Parse(trimmed)
		if err != nil {
			var pe *tuple.ParseError
			if errors.As(err, &pe) && at[1] > 0 {
				p.errorf(at[0], at[1]+pe.Column-1, "relationships", "%s in %q", pe.Msg, trimmed)
			} else if pe != nil {
				p.errorf(at[0], 0, "relationships", "column %d: %s in %q", pe.Column, pe.Msg, trimmed)
			} else {
				p.errorf(at[0], at[1], "relationships", "%v", err)
			}
			continue
		}
		p.file.Relationships = append(p.file.Relationships, Relationship{Relationship: r, Line: at[0], Column: at[1]})
	}
}

// duplicates reports relationships stating the same fact twice, as zed
// does: even with different caveats or expirations one of them would be
// silently lost.
func (p *parser) duplicates() {
	first := map[tuple.Key]int{}
	for _, r := range p.file.Relationships {
		k := r.Key()
		if line, dup := first[k]; dup {
			p.errorf(r.Line, r.Column, "relationships", "duplicate relationship %s (first at line %d)", k, line)
			continue
		}
		first[k] = r.Line
	}
}

func (p *parser) assertions(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, n.Column, "assertions", "must be a mapping of assertTrue, assertCaveated and assertFalse, not %s", kindName(n))
		return
	}
	kinds := map[string]AssertionKind{"assertTrue": AssertTrue, "assertCaveated": AssertCaveated, "assertFalse": AssertFalse}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		kind, known := kinds[k.Value]
		if !known {
			p.warnf(k.Line, k.Column, "assertions", "unknown key %q, ignored (want assertTrue, assertCaveated or assertFalse)", k.Value)
			continue
		}
		if seen[k.Value] {
			p.errorf(k.Line, k.Column, "assertions", "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		if isNull(v) {
			continue
		}
		if v.Kind != yaml.SequenceNode {
			p.errorf(v.Line, v.Column, k.Value, "must be a list of relationship strings, not %s", kindName(v))
			continue
		}
		for idx, item := range v.Content {
			item = resolve(item)
			where := fmt.Sprintf("%s[%d]", kind, idx)
			if item.Kind != yaml.ScalarNode || isNull(item) {
				p.errorf(item.Line, item.Column, where, "must be a relationship string, not %s", kindName(item))
				continue
			}
			if a, ok := p.assertion(item, kind, idx, where); ok {
				p.file.Assertions = append(p.file.Assertions, a)
			}
		}
	}
}

func (p *parser) assertion(n *yaml.Node, kind AssertionKind, idx int, where string) (Assertion, bool) {
	line, col := p.scalarStart(n)
	lead := len(n.Value) - len(strings.TrimLeft(n.Value, " \t\n"))
	col += utf8.RuneCountInString(n.Value[:lead])
	text := strings.TrimSpace(n.Value)
	a := Assertion{Kind: kind, Index: idx, Text: text, Line: line, Column: col}
	if strings.Contains(text, "\n") {
		p.errorf(line, col, where, "an assertion must be on one line")
		return a, false
	}
	relText, ctxText, hasCtx := strings.Cut(text, " with ")
	relText = strings.TrimRight(relText, " ")
	r, err := tuple.Parse(relText)
	if err != nil {
		var pe *tuple.ParseError
		if errors.As(err, &pe) {
			p.errorf(line, col+pe.Column-1, where, "%s in %q", pe.Msg, relText)
		} else {
			p.errorf(line, col, where, "%v", err)
		}
		return a, false
	}
	a.Relationship = r
	if hasCtx {
		ctxCol := col + utf8.RuneCountInString(text[:len(text)-len(ctxText)])
		ctxText = strings.TrimSpace(ctxText)
		var v any
		if err := json.Unmarshal([]byte(ctxText), &v); err != nil {
			p.errorf(line, ctxCol, where, "invalid caveat context after \"with\": %v", err)
			return a, false
		}
		m, ok := v.(map[string]any)
		if !ok {
			p.errorf(line, ctxCol, where, "invalid caveat context after \"with\": must be a JSON object")
			return a, false
		}
		a.Context = m
	}
	return a, true
}

func (p *parser) validation(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, n.Column, "validation", "must be a mapping from \"type:id#relation\" to expected subjects, not %s", kindName(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		where := "validation[" + k.Value + "]"
		onr, err := tuple.ParseObjectRelation(k.Value)
		if err != nil {
			col := k.Column
			var pe *tuple.ParseError
			if errors.As(err, &pe) {
				_, col = p.scalarStart(k)
				col += pe.Column - 1
				err = errors.New(pe.Msg)
			}
			p.errorf(k.Line, col, where, "invalid key: %v", err)
			continue
		}
		if prev, dup := seen[onr.String()]; dup {
			p.errorf(k.Line, k.Column, where, "duplicate key (first at line %d)", prev)
			continue
		}
		seen[onr.String()] = k.Line
		exp := Expectation{Resource: onr, Line: k.Line, Column: k.Column}
		switch {
		case isNull(v):
		case v.Kind != yaml.SequenceNode:
			p.errorf(v.Line, v.Column, where, "must be a list of expected subjects such as \"[user:tom] is <%s>\", not %s", onr, kindName(v))
			continue
		default:
			for idx, item := range v.Content {
				item = resolve(item)
				iwhere := fmt.Sprintf("%s[%d]", where, idx)
				if item.Kind != yaml.ScalarNode || isNull(item) {
					p.errorf(item.Line, item.Column, iwhere, "must be an expected subject string, not %s", kindName(item))
					continue
				}
				line, col := p.scalarStart(item)
				es, err := ParseExpectedSubject(item.Value)
				if err != nil {
					var pe *tuple.ParseError
					if errors.As(err, &pe) {
						p.errorf(line, col+pe.Column-1, iwhere, "%s", pe.Msg)
					} else {
						p.errorf(line, col, iwhere, "%v", err)
					}
					continue
				}
				es.Line, es.Column = line, col
				exp.Subjects = append(exp.Subjects, es)
			}
		}
		p.file.Validation = append(p.file.Validation, exp)
	}
}

// ValidationMap returns the expected relations keyed by "type:id#relation",
// the form FormatValidation takes.
func (f *File) ValidationMap() map[string][]ExpectedSubject {
	m := make(map[string][]ExpectedSubject, len(f.Validation))
	for _, e := range f.Validation {
		m[e.Resource.String()] = e.Subjects
	}
	return m
}
