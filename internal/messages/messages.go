// Package messages is the one catalogue of the French and English text that
// people read: refusals, explanations, the titles of error codes. The domain
// and the faces never build a sentence themselves: they name a message by
// its key with its arguments (a Message), and whoever shows it renders it
// in the reader's language with In. A face picks that language with
// Negotiate (HTTP Accept-Language), an e-mail with the account's preference.
//
// The catalogue is a typed table, one entry per key holding both languages
// side by side, rendered with fmt, rather than golang.org/x/text/message's
// catalog. Three reasons: an entry cannot have one language without the
// other (the test checks neither is empty and that both use the same
// verbs for the same arguments); x/text's printer localises numbers
// ("1,000", "1 000") and would change the counts, limits and ids of
// messages that clients already read; and catalog.Builder cannot list its
// keys, which the completeness test needs. Plurals and gender are avoided
// by wording (« %s introuvable ») rather than selected: when a message
// needs them, its entry can move to x/text/message/catalog without any
// caller changing, since callers only hold keys.
//
// Arguments that are themselves text to translate (a Message, a List, a
// Quote) implement Text and are rendered in the same language: a refusal
// names a right ("You may not %s.") whose words are another message.
//
// Everything here is read-only after init and safe for concurrent use.
package messages

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language messages are written in.
type Lang string

// The languages of the catalogue; English is the default.
const (
	English Lang = "en"
	French  Lang = "fr"
)

// Langs lists the catalogue's languages, the default first.
var Langs = []Lang{English, French}

var matcher = language.NewMatcher([]language.Tag{language.English, language.French})

// Negotiate picks the language for an Accept-Language header: French when
// the caller prefers it to English, else English (also for an empty or
// malformed header).
func Negotiate(acceptLanguage string) Lang {
	if acceptLanguage == "" {
		return English // most callers of the gateway send none
	}
	tag, _ := language.MatchStrings(matcher, acceptLanguage)
	if base, _ := tag.Base(); base.String() == "fr" {
		return French
	}
	return English
}

// Text is anything that renders in a language.
type Text interface {
	In(Lang) string
}

// Key names an entry of the catalogue.
type Key string

// Message is an entry of the catalogue with its arguments: what the domain
// returns instead of a sentence. The zero Message renders as "".
type Message struct {
	Key  Key
	Args []any
}

// New returns the message key with args, for the format verbs of its
// entry. Args that implement Text are rendered in the reader's language.
func New(key Key, args ...any) Message { return Message{Key: key, Args: args} }

// Verbatim is text that has no translation (a message from a library, a
// store's refusal): it renders as s in every language.
func Verbatim(s string) Message { return New("verbatim", s) }

// IsZero reports whether m is the zero Message.
func (m Message) IsZero() bool { return m.Key == "" && m.Args == nil }

// In renders m in l (English when l is not a catalogue language). A key
// missing from the catalogue renders as the key and its arguments, so that
// the mistake shows rather than an empty text; the catalogue test finds
// such keys in the code first.
func (m Message) In(l Lang) string {
	if m.IsZero() {
		return ""
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if t, ok := a.(Text); ok {
			a = t.In(l)
		}
		args[i] = a
	}
	e, ok := catalogue[m.Key]
	if !ok {
		return fmt.Sprint(append([]any{"!(" + string(m.Key) + ")"}, args...)...)
	}
	format := e.EN
	if l == French {
		format = e.FR
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// List is items joined by the separator that is the entry Sep ("; " in
// English, " ; " in French).
type List struct {
	Sep   Key
	Items []Message
}

// In renders the items in l, joined.
func (ls List) In(l Lang) string {
	s := make([]string, len(ls.Items))
	for i, m := range ls.Items {
		s[i] = m.In(l)
	}
	return strings.Join(s, New(ls.Sep).In(l))
}

// Quote is a value shown between quotes, with control characters escaped:
// "x" in English (as %q prints it), « x » in French.
type Quote string

// In renders q in l.
func (q Quote) In(l Lang) string {
	s := strconv.Quote(string(q))
	if l == French {
		return "« " + s[1:len(s)-1] + " »"
	}
	return s
}

// merge adds the entries of a catalogue file (the nouns' own, kept apart
// so that they merge without touching the others) to the catalogue; a
// key defined twice stops the program.
func merge(m map[Key]entry) {
	for k, e := range m {
		if _, dup := catalogue[k]; dup {
			panic("messages: key " + string(k) + " defined twice")
		}
		catalogue[k] = e
	}
}
