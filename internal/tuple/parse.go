package tuple

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The text-form grammar and its limits are SpiceDB's (pkg/tuple/parsing.go):
// a type or caveat name is one or more slash-separated segments, every one of
// them starting with a lowercase letter, not ending with '_', 3 to 63
// characters long (64 for the last); a relation is like a last segment;
// object ids use [a-zA-Z0-9/_|\-=+], at most 1024 of them; a subject id may
// also be "*". Error messages quote the expressions below verbatim, so users
// see exactly what was expected.
const (
	typeNameExpr   = `^([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$`
	relationExpr   = `^[a-z][a-z0-9_]{1,62}[a-z0-9]$`
	objectIDExpr   = `^[a-zA-Z0-9/_|\-=+]+$`
	MaxObjectIDLen = 1024
	// Ellipsis is the subject relation that means "the subject object
	// itself". It is accepted on input and stored as an empty Relation.
	Ellipsis = "..."
)

// The expressions above are matched by hand: parsing sits on the import
// path, where regular expressions cost a tenth of the time. matchers_test.go
// holds the matchers to the expressions.

// segment reports whether s is [a-z][a-z0-9_]{1,maxMid}[a-z0-9].
func segment(s string, maxMid int) bool {
	if len(s) < 3 || len(s) > maxMid+2 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	c := s[len(s)-1]
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func matchTypeName(s string) bool {
	for {
		i := strings.IndexByte(s, '/')
		if i < 0 {
			return segment(s, 62)
		}
		if !segment(s[:i], 61) {
			return false
		}
		s = s[i+1:]
	}
}

func matchRelation(s string) bool { return segment(s, 62) }

func matchObjectID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '/', c == '_', c == '|', c == '-', c == '=', c == '+':
		default:
			return false
		}
	}
	return true
}

// ParseError is a problem in a relationship, object or subject string, at a
// 1-based column counted in runes.
type ParseError struct {
	Column int
	Msg    string
}

func (e *ParseError) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

// ValidTypeName reports whether s is a valid object type or caveat name.
func ValidTypeName(s string) bool { return matchTypeName(s) }

// ValidRelationName reports whether s is a valid relation or permission name.
func ValidRelationName(s string) bool { return matchRelation(s) }

// ValidObjectID reports whether s is a valid object id (never "*").
func ValidObjectID(s string) bool { return len(s) <= MaxObjectIDLen && matchObjectID(s) }

// scanner walks one input string, keeping byte offsets so that errors can be
// reported at rune columns of the original text.
type scanner struct {
	s   string
	pos int
}

func (sc *scanner) errAt(off int, format string, args ...any) *ParseError {
	if off > len(sc.s) {
		off = len(sc.s)
	}
	return &ParseError{Column: utf8.RuneCountInString(sc.s[:off]) + 1, Msg: fmt.Sprintf(format, args...)}
}

// until returns the text from the current position up to (not including) the
// first byte of stops, or to the end, and moves past it.
func (sc *scanner) until(stops string) (string, int) {
	start := sc.pos
	i := strings.IndexAny(sc.s[start:], stops)
	if i < 0 {
		sc.pos = len(sc.s)
	} else {
		sc.pos = start + i
	}
	return sc.s[start:sc.pos], start
}

func (sc *scanner) peek() byte {
	if sc.pos < len(sc.s) {
		return sc.s[sc.pos]
	}
	return 0
}

// cur returns the rune at the current position, for messages.
func (sc *scanner) cur() rune {
	r, _ := utf8.DecodeRuneInString(sc.s[sc.pos:])
	return r
}

func (sc *scanner) expect(c byte, what string) *ParseError {
	if sc.pos >= len(sc.s) {
		return sc.errAt(sc.pos, "unexpected end of input: expected %q %s", c, what)
	}
	if sc.s[sc.pos] != c {
		return sc.errAt(sc.pos, "unexpected %q: expected %q %s", sc.cur(), c, what)
	}
	sc.pos++
	return nil
}

func (sc *scanner) typeName(role string) (string, *ParseError) {
	name, at := sc.until(":#@[]")
	if name == "" {
		return "", sc.errAt(at, "missing %s type", role)
	}
	if !matchTypeName(name) {
		return "", sc.errAt(at, "invalid %s type %q: must match %s", role, name, typeNameExpr)
	}
	return name, nil
}

func (sc *scanner) objectID(role string, wildcardOK bool) (string, *ParseError) {
	id, at := sc.until(":#@[]")
	switch {
	case id == "":
		return "", sc.errAt(at, "missing %s id", role)
	case id == Wildcard && wildcardOK:
		return id, nil
	case id == Wildcard:
		return "", sc.errAt(at, "invalid %s id \"*\": a wildcard is only allowed as a subject id", role)
	case len(id) > MaxObjectIDLen:
		return "", sc.errAt(at, "invalid %s id: %d characters long, at most %d are allowed", role, len(id), MaxObjectIDLen)
	case !matchObjectID(id):
		return "", sc.errAt(at, "invalid %s id %q: must match %s", role, id, objectIDExpr)
	}
	return id, nil
}

func (sc *scanner) relation(role string, ellipsisOK bool) (string, *ParseError) {
	rel, at := sc.until(":#@[]")
	switch {
	case rel == "":
		return "", sc.errAt(at, "missing %s", role)
	case rel == Ellipsis && ellipsisOK:
		return "", nil
	case !matchRelation(rel):
		return "", sc.errAt(at, "invalid %s %q: must match %s", role, rel, relationExpr)
	}
	return rel, nil
}

func (sc *scanner) object(role string) (ObjectRef, *ParseError) {
	t, err := sc.typeName(role)
	if err != nil {
		return ObjectRef{}, err
	}
	if err := sc.expect(':', "after the "+role+" type"); err != nil {
		return ObjectRef{}, err
	}
	id, err := sc.objectID(role, false)
	if err != nil {
		return ObjectRef{}, err
	}
	return ObjectRef{Type: t, ID: id}, nil
}

func (sc *scanner) subject() (SubjectRef, *ParseError) {
	t, err := sc.typeName("subject")
	if err != nil {
		return SubjectRef{}, err
	}
	if err := sc.expect(':', "after the subject type"); err != nil {
		return SubjectRef{}, err
	}
	id, err := sc.objectID("subject", true)
	if err != nil {
		return SubjectRef{}, err
	}
	subj := SubjectRef{Type: t, ID: id}
	if sc.peek() == '#' {
		sc.pos++
		relAt := sc.pos
		rel, err := sc.relation("subject relation", true)
		if err != nil {
			return SubjectRef{}, err
		}
		if rel != "" && id == Wildcard {
			return SubjectRef{}, sc.errAt(relAt, "a wildcard subject cannot have a relation (%q)", rel)
		}
		subj.Relation = rel
	}
	return subj, nil
}

func (sc *scanner) end(what string) *ParseError {
	if sc.pos < len(sc.s) {
		return sc.errAt(sc.pos, "unexpected %q after the %s", sc.cur(), what)
	}
	return nil
}

// ParseObject parses "type:id". The id cannot be a wildcard.
func ParseObject(s string) (ObjectRef, error) {
	sc := &scanner{s: s}
	o, err := sc.object("object")
	if err != nil {
		return ObjectRef{}, err
	}
	if err := sc.end("object"); err != nil {
		return ObjectRef{}, err
	}
	return o, nil
}

// ParseSubject parses "type:id", "type:id#relation" or "type:*". A relation
// of "..." is the same as no relation.
func ParseSubject(s string) (SubjectRef, error) {
	sc := &scanner{s: s}
	subj, err := sc.subject()
	if err != nil {
		return SubjectRef{}, err
	}
	if err := sc.end("subject"); err != nil {
		return SubjectRef{}, err
	}
	return subj, nil
}

// ObjectRelation is a relation or permission of one object, as in
// "document:readme#view": the keys of a validation file's expected relations
// and the paths through which a subject was found.
type ObjectRelation struct {
	Object   ObjectRef
	Relation string
}

// String formats "type:id#relation".
func (o ObjectRelation) String() string { return o.Object.String() + "#" + o.Relation }

// ParseObjectRelation parses "type:id#relation"; the relation is required.
func ParseObjectRelation(s string) (ObjectRelation, error) {
	sc := &scanner{s: s}
	o, err := sc.object("resource")
	if err != nil {
		return ObjectRelation{}, err
	}
	if err := sc.expect('#', "before the relation"); err != nil {
		return ObjectRelation{}, err
	}
	rel, err := sc.relation("relation", false)
	if err != nil {
		return ObjectRelation{}, err
	}
	if err := sc.end("relation"); err != nil {
		return ObjectRelation{}, err
	}
	return ObjectRelation{Object: o, Relation: rel}, nil
}

// Parse parses the text form of one relationship (see the package
// documentation). It does not trim spaces: the whole string must be the
// relationship. On failure the error is a *ParseError.
func Parse(s string) (Relationship, error) {
	r, err := parse(s)
	if err != nil {
		return Relationship{}, err
	}
	return r, nil
}

func parse(s string) (Relationship, *ParseError) {
	sc := &scanner{s: s}
	var r Relationship
	var err *ParseError
	if r.Resource, err = sc.object("resource"); err != nil {
		return r, err
	}
	if err = sc.expect('#', "before the relation"); err != nil {
		return r, err
	}
	if r.Relation, err = sc.relation("relation", false); err != nil {
		return r, err
	}
	if err = sc.expect('@', "before the subject"); err != nil {
		return r, err
	}
	if r.Subject, err = sc.subject(); err != nil {
		return r, err
	}
	for sc.pos < len(sc.s) {
		open := sc.pos
		if err = sc.expect('[', "to open a caveat or expiration"); err != nil {
			return r, err
		}
		if exp, ok := strings.CutPrefix(sc.s[sc.pos:], "expiration:"); ok && !strings.HasPrefix(exp, "{") {
			if r.Expiration != nil {
				return r, sc.errAt(open, "a relationship has at most one expiration")
			}
			sc.pos += len("expiration:")
			t, err := sc.expiration()
			if err != nil {
				return r, err
			}
			r.Expiration = &t
			continue
		}
		if r.Expiration != nil {
			return r, sc.errAt(open, "the caveat must come before the expiration")
		}
		if r.Caveat != nil {
			return r, sc.errAt(open, "a relationship has at most one caveat")
		}
		c, err := sc.caveat()
		if err != nil {
			return r, err
		}
		r.Caveat = c
	}
	return r, nil
}

func (sc *scanner) expiration() (time.Time, *ParseError) {
	text, at := sc.until("]")
	if err := sc.expect(']', "to close the expiration"); err != nil {
		return time.Time{}, err
	}
	t, perr := time.Parse(time.RFC3339Nano, text)
	if perr != nil {
		return time.Time{}, sc.errAt(at, "invalid expiration %q: must be an RFC 3339 date and time such as 2030-01-02T15:04:05Z", text)
	}
	t = t.UTC()
	// An offset can push a year-9999 instant past what RFC 3339 can write;
	// rejecting it keeps Format's output parseable.
	if t.Year() < 0 || t.Year() > 9999 {
		return time.Time{}, sc.errAt(at, "invalid expiration %q: out of range once converted to UTC", text)
	}
	return t, nil
}

func (sc *scanner) caveat() (*Caveat, *ParseError) {
	name, at := sc.until(":]")
	if name == "" {
		return nil, sc.errAt(at, "missing caveat name")
	}
	if !matchTypeName(name) {
		return nil, sc.errAt(at, "invalid caveat name %q: must match %s", name, typeNameExpr)
	}
	c := &Caveat{Name: name}
	if sc.peek() == ':' {
		sc.pos++
		ctx, err := sc.context()
		if err != nil {
			return nil, err
		}
		if len(ctx) > 0 {
			c.Context = ctx
		}
	}
	if err := sc.expect(']', "to close the caveat"); err != nil {
		return nil, err
	}
	return c, nil
}

// context decodes the JSON object that starts at the current position. The
// object may itself contain ']' (in strings or arrays), so its end is found
// by decoding, not by searching.
func (sc *scanner) context() (map[string]any, *ParseError) {
	at := sc.pos
	if sc.peek() != '{' {
		return nil, sc.errAt(at, "invalid caveat context: must be a JSON object starting with '{'")
	}
	dec := json.NewDecoder(strings.NewReader(sc.s[at:]))
	var v any
	if err := dec.Decode(&v); err != nil {
		off := at
		// A SyntaxError's offset is just past the offending byte.
		if se, ok := err.(*json.SyntaxError); ok && se.Offset > 0 {
			off = at + int(se.Offset) - 1
		}
		return nil, sc.errAt(off, "invalid caveat context JSON: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, sc.errAt(at, "invalid caveat context: must be a JSON object")
	}
	sc.pos = at + int(dec.InputOffset())
	return m, nil
}

// Format returns the canonical text form of r, which Parse reads back to an
// equal relationship: "#..." is left out, context keys are sorted and the
// expiration is written in UTC with RFC 3339 (fractional seconds only when
// present). An empty caveat context is left out.
func Format(r Relationship) string {
	var b strings.Builder
	b.WriteString(r.Resource.String())
	b.WriteByte('#')
	b.WriteString(r.Relation)
	b.WriteByte('@')
	b.WriteString(r.Subject.String())
	if r.Caveat != nil {
		b.WriteByte('[')
		b.WriteString(r.Caveat.Name)
		if len(r.Caveat.Context) > 0 {
			b.WriteByte(':')
			b.WriteString(FormatContext(r.Caveat.Context))
		}
		b.WriteByte(']')
	}
	if r.Expiration != nil {
		b.WriteString("[expiration:")
		b.WriteString(r.Expiration.UTC().Format(time.RFC3339Nano))
		b.WriteByte(']')
	}
	return b.String()
}

// FormatContext returns the compact JSON of a caveat context with its keys
// sorted (encoding/json sorts map keys). Values that JSON cannot represent
// are written as null rather than failing, since Format has no error.
func FormatContext(ctx map[string]any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ctx); err != nil {
		return "{}"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// String returns Format(r).
func (r Relationship) String() string { return Format(r) }

// Key is the identity of a relationship: two relationships state the same
// fact iff their keys are equal. Caveat and expiration are attributes of a
// fact, not part of its identity. Key is comparable and usable as a map key.
type Key struct {
	Resource ObjectRef
	Relation string
	Subject  SubjectRef
}

// Key returns the relationship's identity.
func (r Relationship) Key() Key {
	return Key{Resource: r.Resource, Relation: r.Relation, Subject: r.Subject}
}

// String formats the key like a relationship without caveat or expiration.
func (k Key) String() string {
	return k.Resource.String() + "#" + k.Relation + "@" + k.Subject.String()
}

// Equal reports whether a and b are the same fact with the same caveat
// (name and context) and the same expiration instant.
func Equal(a, b Relationship) bool {
	if a.Key() != b.Key() {
		return false
	}
	if (a.Caveat == nil) != (b.Caveat == nil) || (a.Expiration == nil) != (b.Expiration == nil) {
		return false
	}
	if a.Caveat != nil {
		if a.Caveat.Name != b.Caveat.Name || FormatContext(a.Caveat.Context) != FormatContext(b.Caveat.Context) {
			return false
		}
	}
	return a.Expiration == nil || a.Expiration.Equal(*b.Expiration)
}

// LineError is a relationship that ParseLines could not parse: its 1-based
// line and the column in that line (runes, leading spaces included).
type LineError struct {
	Line   int
	Column int
	Text   string // the offending line, trimmed
	Msg    string
}

func (e LineError) Error() string {
	return fmt.Sprintf("line %d: column %d: %s", e.Line, e.Column, e.Msg)
}

// LineRelationship is a relationship parsed by ParseLines with its 1-based
// line number.
type LineRelationship struct {
	Relationship
	Line int
}

// ParseLines parses one relationship per line, skipping blank lines and
// lines starting with "//" (after leading spaces). Surrounding spaces of
// each line are ignored. It returns every relationship it could parse and
// one LineError per line it could not; duplicates are not its concern.
func ParseLines(text string) ([]LineRelationship, []LineError) {
	var rels []LineRelationship
	var errs []LineError
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "//") {
			continue
		}
		r, err := parse(trimmed)
		if err != nil {
			lead := utf8.RuneCountInString(line[:strings.Index(line, trimmed)])
			errs = append(errs, LineError{Line: i + 1, Column: err.Column + lead, Text: trimmed, Msg: err.Msg})
			continue
		}
		rels = append(rels, LineRelationship{Relationship: r, Line: i + 1})
	}
	return rels, errs
}
