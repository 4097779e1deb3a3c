package schema

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of the schema language.
type tokKind int

const (
	tEOF tokKind = iota
	tIllegal
	tIdent
	tLBrace
	tRBrace
	tLParen
	tRParen
	tPipe
	tPlus
	tMinus
	tAmp
	tSlash
	tEq
	tColon
	tSemi
	tArrow
	tHash
	tEllipsis
	tStar
	tDot
	tComma
	tLt
	tGt
)

var tokNames = [...]string{
	tEOF: "end of input", tIllegal: "illegal character", tIdent: "identifier",
	tLBrace: "`{`", tRBrace: "`}`", tLParen: "`(`", tRParen: "`)`", tPipe: "`|`",
	tPlus: "`+`", tMinus: "`-`", tAmp: "`&`", tSlash: "`/`", tEq: "`=`", tColon: "`:`",
	tSemi: "`;`", tArrow: "`->`", tHash: "`#`", tEllipsis: "`...`", tStar: "`*`",
	tDot: "`.`", tComma: "`,`", tLt: "`<`", tGt: "`>`",
}

func (k tokKind) String() string {
	if int(k) < len(tokNames) {
		return tokNames[k]
	}
	return fmt.Sprintf("token(%d)", int(k))
}

// comment is one comment as written, with where it starts.
type comment struct {
	text string
	pos  Pos
	// blankBefore: a blank line separates it from what precedes it.
	blankBefore bool
	// sameLine: it starts on the line where the previous token ends.
	sameLine bool
}

// token is one lexical token. The comments between the previous token and
// this one travel with it, so that the parser can attach them to the
// element they precede.
type token struct {
	kind tokKind
	text string
	pos  Pos
	end  Pos // position just after the token
	off  int // byte offset of the token in the source
	// nl: at least one line break separates it from the previous token.
	nl bool
	// blankBefore: a blank line separates it (or its first comment) from
	// the previous token.
	blankBefore bool
	comments    []comment
	// gapAfterComments: a blank line separates its last comment from it,
	// so that comment is not its doc comment.
	gapAfterComments bool
	msg              string // for tIllegal: what is wrong
}

// lexer turns schema source into tokens on demand; the parser drives it so
// that it can switch to raw scanning for caveat bodies, which are CEL and
// not schema tokens.
type lexer struct {
	src  string
	off  int
	line int
	col  int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, col: 1} }

func (l *lexer) pos() Pos { return Pos{l.line, l.col} }

// peekRune returns the rune at the current offset plus delta bytes (0 at the end).
func (l *lexer) peekAt(delta int) rune {
	if l.off+delta >= len(l.src) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.off+delta:])
	return r
}

// advance moves past one rune, keeping line and column up to date. A
// "\r\n" pair counts as one line break.
func (l *lexer) advance() rune {
	r, n := utf8.DecodeRuneInString(l.src[l.off:])
	l.off += n
	switch {
	case r == '\n':
		l.line++
		l.col = 1
	case r == '\r':
		if l.off < len(l.src) && l.src[l.off] == '\n' {
			l.off++
		}
		l.line++
		l.col = 1
	default:
		l.col++
	}
	return r
}

func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// next returns the next token, gathering the comments before it.
func (l *lexer) next() token {
	var t token
	newlines := 0 // line breaks since the previous token or comment
	sawAny := false
	for l.off < len(l.src) {
		r := l.peekAt(0)
		switch {
		case r == '\n' || r == '\r':
			l.advance()
			newlines++
			t.nl = true
			if newlines >= 2 {
				if sawAny {
					t.gapAfterComments = true
				} else {
					t.blankBefore = true
				}
			}
			continue
		case r == ' ' || r == '\t' || r == '\f' || r == '\v' || r == 0xFEFF:
			l.advance()
			continue
		case r == '/' && (l.peekAt(1) == '/' || l.peekAt(1) == '*'):
			c := comment{pos: l.pos(), blankBefore: newlines >= 2, sameLine: newlines == 0}
			start := l.off
			if l.peekAt(1) == '/' {
				for l.off < len(l.src) && l.src[l.off] != '\n' && l.src[l.off] != '\r' {
					l.advance()
				}
			} else {
				l.advance()
				l.advance()
				closed := false
				for l.off < len(l.src) {
					if l.src[l.off] == '*' && l.peekAt(1) == '/' {
						l.advance()
						l.advance()
						closed = true
						break
					}
					if l.src[l.off] == '\n' || l.src[l.off] == '\r' {
						t.nl = true
					}
					l.advance()
				}
				if !closed {
					return token{kind: tIllegal, pos: c.pos, end: l.pos(), off: start, msg: "unterminated comment: close it with `*/`"}
				}
			}
			c.text = l.src[start:l.off]
			t.comments = append(t.comments, c)
			sawAny = true
			newlines = 0
			t.gapAfterComments = false
			continue
		}
		break
	}
	t.pos = l.pos()
	t.off = l.off
	if l.off >= len(l.src) {
		t.kind = tEOF
		t.end = t.pos
		return t
	}
	r := l.advance()
	switch r {
	case '{':
		t.kind = tLBrace
	case '}':
		t.kind = tRBrace
	case '(':
		t.kind = tLParen
	case ')':
		t.kind = tRParen
	case '|':
		t.kind = tPipe
	case '+':
		t.kind = tPlus
	case '&':
		t.kind = tAmp
	case '/':
		t.kind = tSlash
	case '=':
		t.kind = tEq
	case ':':
		t.kind = tColon
	case ';':
		t.kind = tSemi
	case '#':
		t.kind = tHash
	case '*':
		t.kind = tStar
	case ',':
		t.kind = tComma
	case '<':
		t.kind = tLt
	case '>':
		t.kind = tGt
	case '-':
		t.kind = tMinus
		if l.peekAt(0) == '>' {
			l.advance()
			t.kind = tArrow
		}
	case '.':
		t.kind = tDot
		if l.peekAt(0) == '.' && l.peekAt(1) == '.' {
			l.advance()
			l.advance()
			t.kind = tEllipsis
		}
	default:
		if isIdentRune(r) {
			for l.off < len(l.src) && isIdentRune(l.peekAt(0)) {
				l.advance()
			}
			t.kind = tIdent
		} else {
			t.kind = tIllegal
			t.msg = fmt.Sprintf("unexpected character %q", r)
		}
	}
	t.text = l.src[t.off:l.off]
	t.end = l.pos()
	return t
}

// scanCEL reads a caveat body: everything up to the brace that closes the
// one just consumed, skipping braces inside CEL string literals and
// comments. It returns the raw text (without the closing brace) and where
// it starts, leaving the lexer just after that brace; or, when msg is not
// empty, what went wrong and where.
func (l *lexer) scanCEL() (text string, start Pos, errPos Pos, msg string) {
	start = l.pos()
	startOff := l.off
	depth := 0
	for l.off < len(l.src) {
		r := l.peekAt(0)
		switch {
		case r == '{':
			depth++
			l.advance()
		case r == '}':
			if depth == 0 {
				text = l.src[startOff:l.off]
				l.advance()
				return text, start, Pos{}, ""
			}
			depth--
			l.advance()
		case r == '/' && l.peekAt(1) == '/':
			for l.off < len(l.src) && l.src[l.off] != '\n' && l.src[l.off] != '\r' {
				l.advance()
			}
		case r == '"' || r == '\'':
			if p, bad := l.skipCELString(false); bad {
				return "", start, p, "unterminated string in caveat expression"
			}
		case (r == 'r' || r == 'R' || r == 'b' || r == 'B') && !l.prevIsIdent(startOff):
			// A string prefix (r"…", b'…', rb"…") only when it starts a token.
			raw := r == 'r' || r == 'R'
			n := 1
			if q := l.peekAt(1); (q == 'r' || q == 'R' || q == 'b' || q == 'B') && q != r {
				raw = raw || q == 'r' || q == 'R'
				n = 2
			}
			if q := l.peekAt(n); q == '"' || q == '\'' {
				for range n {
					l.advance()
				}
				if p, bad := l.skipCELString(raw); bad {
					return "", start, p, "unterminated string in caveat expression"
				}
				continue
			}
			for l.off < len(l.src) && isIdentRune(l.peekAt(0)) {
				l.advance()
			}
		default:
			l.advance()
		}
	}
	return "", start, start, "caveat body is not closed: missing `}`"
}

// prevIsIdent reports whether the byte before the current offset continues
// an identifier (so that `r` in `attr"` is not a raw-string prefix).
func (l *lexer) prevIsIdent(floor int) bool {
	if l.off <= floor {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(l.src[floor:l.off])
	return isIdentRune(r)
}

// skipCELString skips a CEL string literal starting at the current quote:
// single- or double-quoted, or the triple-quoted forms of either, which may
// span lines; backslash escapes apply unless raw. On failure it returns
// where the literal starts and true.
func (l *lexer) skipCELString(raw bool) (Pos, bool) {
	startPos := l.pos()
	q := l.advance()
	triple := l.peekAt(0) == q && l.peekAt(1) == q
	if triple {
		l.advance()
		l.advance()
	}
	for l.off < len(l.src) {
		r := l.peekAt(0)
		switch {
		case r == '\\' && !raw:
			l.advance()
			if l.off < len(l.src) {
				l.advance()
			}
		case r == q:
			if !triple {
				l.advance()
				return Pos{}, false
			}
			if l.peekAt(1) == q && l.peekAt(2) == q {
				l.advance()
				l.advance()
				l.advance()
				return Pos{}, false
			}
			l.advance()
		case (r == '\n' || r == '\r') && !triple:
			return startPos, true
		default:
			l.advance()
		}
	}
	return startPos, true
}
