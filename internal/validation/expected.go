package validation

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/octroi/octroi/internal/tuple"
)

// CaveatedMarker follows a subject that is only conditionally found.
const CaveatedMarker = "[...]"

// ExpectedSubject is one entry of the `validation` map, in the language of
// SpiceDB's expected relations:
//
//	[user:tom] is <document:1#viewer>
//	[group:eng#member] is <document:1#viewer>/<document:1#editor>
//	[user:tom[...]] is <document:1#viewer>            caveated
//	[user:* - {user:a, user:b[...]}] is <document:1#viewer>
//
// The subject is found for the key's object and relation through every one
// of Paths (each "type:id#relation" holding it directly).
type ExpectedSubject struct {
	Subject    tuple.SubjectRef
	Caveated   bool
	Exclusions []ExcludedSubject // only for wildcard subjects
	Paths      []tuple.ObjectRelation
	// Line and Column locate the entry in its file; 0 when not from a file.
	Line   int
	Column int
}

// ExcludedSubject is a subject removed from a wildcard; Caveated when only
// conditionally removed.
type ExcludedSubject struct {
	Subject  tuple.SubjectRef
	Caveated bool
}

func (x ExcludedSubject) String() string {
	if x.Caveated {
		return x.Subject.String() + CaveatedMarker
	}
	return x.Subject.String()
}

// SubjectString returns the bracketed part without brackets, canonically:
// "user:* - {user:a, user:b[...]}" (exclusions sorted as zed sorts them).
func (e ExpectedSubject) SubjectString() string {
	s := e.Subject.String()
	if e.Caveated {
		s += CaveatedMarker
	}
	if len(e.Exclusions) > 0 {
		ex := make([]string, len(e.Exclusions))
		for i, x := range e.Exclusions {
			ex[i] = x.String()
		}
		sort.Strings(ex)
		s += " - {" + strings.Join(ex, ", ") + "}"
	}
	return s
}

// String returns the canonical form, which is what zed generates: paths
// sorted by their bracketed text and joined by "/".
func (e ExpectedSubject) String() string {
	paths := make([]string, len(e.Paths))
	for i, p := range e.Paths {
		paths[i] = "<" + p.String() + ">"
	}
	sort.Strings(paths)
	return "[" + e.SubjectString() + "] is " + strings.Join(paths, "/")
}

// exprParser reads one expected-subject string, tracking byte offsets so
// that errors carry rune columns of the original text.
type exprParser struct {
	s   string
	pos int
}

func (x *exprParser) errAt(off int, format string, args ...any) error {
	off = min(max(off, 0), len(x.s))
	return &tuple.ParseError{Column: utf8.RuneCountInString(x.s[:off]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func (x *exprParser) space() {
	for x.pos < len(x.s) && (x.s[x.pos] == ' ' || x.s[x.pos] == '\t') {
		x.pos++
	}
}

// sub re-bases an error from parsing s[off:...] onto the whole string.
func (x *exprParser) sub(off int, err error) error {
	var pe *tuple.ParseError
	if errors.As(err, &pe) {
		return &tuple.ParseError{Column: utf8.RuneCountInString(x.s[:off]) + pe.Column, Msg: pe.Msg}
	}
	return x.errAt(off, "%v", err)
}

// subject parses "type:id[#rel]" optionally followed by "[...]", the text
// being s[start:end] with surrounding spaces.
func (x *exprParser) subject(start, end int, what string) (tuple.SubjectRef, bool, error) {
	for start < end && (x.s[start] == ' ' || x.s[start] == '\t') {
		start++
	}
	for end > start && (x.s[end-1] == ' ' || x.s[end-1] == '\t') {
		end--
	}
	text := x.s[start:end]
	if text == "" {
		return tuple.SubjectRef{}, false, x.errAt(start, "missing %s", what)
	}
	caveated := false
	if t, ok := strings.CutSuffix(text, CaveatedMarker); ok {
		text, caveated = t, true
	} else if i := strings.IndexByte(text, '['); i >= 0 {
		return tuple.SubjectRef{}, false, x.errAt(start+i, "a caveated %s is marked with %q, nothing else", what, CaveatedMarker)
	}
	subj, err := tuple.ParseSubject(text)
	if err != nil {
		return tuple.SubjectRef{}, false, x.sub(start, err)
	}
	return subj, caveated, nil
}

// ParseExpectedSubject parses one expected-subject string (see
// ExpectedSubject). Errors are *tuple.ParseError with the 1-based column.
// It is stricter than zed in two ways that zed reports later anyway: a
// subject and at least one path are required, and only wildcards may have
// exclusions.
func ParseExpectedSubject(s string) (ExpectedSubject, error) {
	x := &exprParser{s: s}
	var e ExpectedSubject
	x.space()
	if x.pos >= len(s) || s[x.pos] != '[' {
		return e, x.errAt(x.pos, "expected subject must start with '[' as in \"[user:tom] is <document:1#viewer>\"")
	}
	open := x.pos
	// Find the ']' closing the subject: "[...]" markers nest inside it.
	depth, closeAt := 0, -1
	for i := open; i < len(s) && closeAt < 0; i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				closeAt = i
			}
		}
	}
	if closeAt < 0 {
		return e, x.errAt(len(s), "missing ']' closing the subject opened at column %d", utf8.RuneCountInString(s[:open])+1)
	}

	inner, innerEnd := open+1, closeAt
	subjEnd := innerEnd
	if brace := strings.IndexByte(s[inner:innerEnd], '{'); brace >= 0 {
		brace += inner
		head := strings.TrimRight(s[inner:brace], " \t")
		// Ids may contain '-', so the separator needs a space before it.
		if len(head) < 2 || head[len(head)-1] != '-' || (head[len(head)-2] != ' ' && head[len(head)-2] != '\t') {
			return e, x.errAt(brace, "exclusions must follow the wildcard as \" - {…}\"")
		}
		if s[innerEnd-1] != '}' {
			return e, x.errAt(innerEnd, "missing '}' closing the exclusions")
		}
		subjEnd = inner + len(head) - 1
		start := brace + 1
		for _, part := range strings.Split(s[brace+1:innerEnd-1], ",") {
			subj, cav, err := x.subject(start, start+len(part), "excluded subject")
			if err != nil {
				return e, err
			}
			if subj.IsWildcard() {
				return e, x.errAt(start, "an excluded subject cannot be a wildcard")
			}
			e.Exclusions = append(e.Exclusions, ExcludedSubject{Subject: subj, Caveated: cav})
			start += len(part) + 1
		}
	}
	subj, cav, err := x.subject(inner, subjEnd, "subject")
	if err != nil {
		return e, err
	}
	e.Subject, e.Caveated = subj, cav
	if len(e.Exclusions) > 0 && !subj.IsWildcard() {
		return e, x.errAt(inner, "only a wildcard subject (type:*) can have exclusions")
	}

	x.pos = closeAt + 1
	x.space()
	if !strings.HasPrefix(s[x.pos:], "is") {
		return e, x.errAt(x.pos, "expected \"is\" after the subject")
	}
	x.pos += 2
	for {
		x.space()
		if x.pos >= len(s) || s[x.pos] != '<' {
			return e, x.errAt(x.pos, "expected '<' starting a relation such as <document:1#viewer>")
		}
		end := strings.IndexByte(s[x.pos:], '>')
		if end < 0 {
			return e, x.errAt(len(s), "missing '>' closing the relation")
		}
		end += x.pos
		onr, err := tuple.ParseObjectRelation(s[x.pos+1 : end])
		if err != nil {
			return e, x.sub(x.pos+1, err)
		}
		e.Paths = append(e.Paths, onr)
		x.pos = end + 1
		x.space()
		if x.pos >= len(s) {
			break
		}
		if s[x.pos] != '/' {
			return e, x.errAt(x.pos, "unexpected %q: relations are separated by '/'", s[x.pos])
		}
		x.pos++
	}
	return e, nil
}

// FormatValidation returns the YAML of a `validation` map (without the
// `validation:` key itself): keys sorted, each key's entries in canonical
// form and sorted, so that the output is deterministic and zed reads it
// back. An empty map gives "{}\n".
func FormatValidation(m map[string][]ExpectedSubject) []byte {
	node := validationNode(m)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	// Encoding a tree of plain string nodes cannot fail.
	_ = enc.Encode(node)
	_ = enc.Close()
	return buf.Bytes()
}

func validationNode(m map[string][]ExpectedSubject) *yaml.Node {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	node := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, k := range keys {
		entries := make([]string, len(m[k]))
		for i, e := range m[k] {
			entries[i] = e.String()
		}
		sort.Strings(entries)
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range entries {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e, Style: yaml.DoubleQuotedStyle})
		}
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, seq)
	}
	return node
}

// ReplaceValidation returns data, a validation file, with its top-level
// `validation` section replaced by m (formatted as by FormatValidation), or
// with one appended if it has none. The rest of the file is kept byte for
// byte, comments included; comments indented inside the old section are
// lost.
func ReplaceValidation(data []byte, m map[string][]ExpectedSubject) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	section := []byte("validation:\n")
	for _, line := range strings.SplitAfter(string(FormatValidation(m)), "\n") {
		if line != "" {
			section = append(section, "  "+line...)
		}
	}
	if len(m) == 0 {
		section = []byte("validation: {}\n")
	}
	lines := strings.SplitAfter(string(data), "\n")
	start, end := -1, len(lines)
	if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "validation" {
				continue
			}
			start = root.Content[i].Line - 1
			if i+2 < len(root.Content) {
				end = root.Content[i+2].Line - 1
			} else {
				// Stop before a document end marker, if any.
				for j := start + 1; j < len(lines); j++ {
					if t := strings.TrimRight(lines[j], "\r\n"); t == "..." || t == "---" {
						end = j
						break
					}
				}
			}
		}
	} else if len(doc.Content) > 0 {
		return nil, errors.New("not a validation file: the top level is not a mapping")
	}
	// Blank lines and top-level comments just before the next key belong
	// to what follows, not to the old section.
	for end > start+1 {
		t := strings.TrimRight(lines[end-1], "\r\n")
		if t != "" && !strings.HasPrefix(t, "#") {
			break
		}
		end--
	}
	var out bytes.Buffer
	if start < 0 {
		out.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			out.WriteByte('\n')
		}
		out.Write(section)
		return out.Bytes(), nil
	}
	for _, l := range lines[:start] {
		out.WriteString(l)
	}
	out.Write(section)
	for _, l := range lines[end:] {
		out.WriteString(l)
	}
	return out.Bytes(), nil
}
