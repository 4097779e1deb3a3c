package mail

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Message is a rendered e-mail.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Renderer turns outbox entries into messages: plain text and HTML, in the
// entry's language, with links under the platform's public URL. Safe for
// concurrent use.
type Renderer struct {
	public   *url.URL
	platform string
	text     *texttemplate.Template
	html     *htmltemplate.Template
}

// Languages are the languages of the templates; every kind in Kinds has
// a subject, a text and an HTML body in each (a test proves it).
var Languages = []string{portal.LanguageFrench, portal.LanguageEnglish}

// Kinds are the notice kinds that have messages of their own; any other
// kind gets the generic notice message (with its link, when it has one).
var Kinds = []string{"account.created", "account.password_reset", "account.verify_email", "join_request.created", "join_request.accepted", "join_request.refused", "community.invitation.created",
	"access_request.created", "access_request.accepted", "access_request.refused", "grant.expiring", "grant.expired",
	"grant.created", "key.grants_expired",
	"access_request.cancelled", "grant.deleted"}

// genericKind names the templates of kinds without their own.
const genericKind = "notice"

// view is what the templates see of an entry.
type view struct {
	public    string
	Lang      string
	Kind      string
	Platform  string // the platform's name (its public URL's host)
	Recipient string // the recipient's name
	Data      map[string]string
	Names     map[string]string
	// Link is the absolute URL of the entry's single-use link ("" when it
	// has none).
	Link    string
	Subject string
	Body    htmltemplate.HTML // the layout's: the body template's own output
	Footer  htmltemplate.HTML
}

// button is what the HTML "button" template takes.
type button struct{ URL, Label string }

// NewRenderer parses the embedded templates for a platform served at
// publicURL (an absolute http or https URL).
func NewRenderer(publicURL string) (*Renderer, error) {
	u, err := parsePublicURL(publicURL)
	if err != nil {
		return nil, err
	}
	r := &Renderer{public: u, platform: u.Host}
	r.text, err = texttemplate.New("text").Funcs(texttemplate.FuncMap(funcs)).ParseFS(templateFS, "templates/*.txt.tmpl")
	if err != nil {
		return nil, err
	}
	r.html, err = htmltemplate.New("html").Funcs(htmltemplate.FuncMap(funcs)).ParseFS(templateFS, "templates/*.html.tmpl")
	if err != nil {
		return nil, err
	}
	return r, nil
}

func parsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("public URL %q: want the absolute http(s) URL people reach the platform at, such as https://data.example.org", s)
	}
	return u, nil
}

// funcs are the templates' functions; what depends on the entry is a
// method of view ($.Name, $.URL, $.Role, $.Date), so that the parsed
// templates serve every message as they are (html/template escapes a set
// once, not once per message).
var funcs = map[string]any{
	"btn": func(u, label string) button { return button{u, label} },
}

// URL joins path parts (the odd ones are ids, escaped) under the public
// URL.
func (v *view) URL(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			p = url.PathEscape(p)
		}
		b.WriteString(p)
	}
	return v.public + b.String()
}

// Name is the display name of the id under data key k, or the id.
func (v *view) Name(k string) string {
	if n := v.Names[k]; n != "" {
		return n
	}
	return v.Data[k]
}

// Role is the entry's role (data key "role") in words.
func (v *view) Role() string {
	key := messages.Key("role." + v.Data["role"])
	if !messages.Has(key) {
		return v.Data["role"]
	}
	return messages.New(key).In(messages.Lang(v.Lang))
}

// Date writes an RFC 3339 instant as a date and time in words, in UTC
// (the platform does not know its readers' time zones).
func (v *view) Date(s string) string { return formatDate(s, v.Lang) }

// Render renders an outbox entry.
func (r *Renderer) Render(m portal.Mail) (Message, error) {
	lang := m.Language
	if lang != portal.LanguageEnglish {
		lang = portal.LanguageFrench
	}
	kind := m.Kind
	if r.text.Lookup(lang+"/"+kind+"/text") == nil {
		kind = genericKind
	}
	link, err := r.link(m.Data["link"])
	if err != nil {
		return Message{}, err
	}
	v := &view{public: r.public.String(), Lang: lang, Kind: m.Kind, Platform: r.platform, Recipient: cmp.Or(m.Names["recipient"], m.To), Data: m.Data, Names: m.Names, Link: link}
	if v.Data == nil {
		v.Data = map[string]string{}
	}
	if v.Names == nil {
		v.Names = map[string]string{}
	}
	text, html := r.text, r.html
	var subject, body, footer bytes.Buffer
	if err := text.ExecuteTemplate(&subject, lang+"/"+kind+"/subject", v); err != nil {
		return Message{}, err
	}
	// A subject is one line: names come from people.
	v.Subject = strings.Join(strings.Fields(subject.String()), " ")
	if err := text.ExecuteTemplate(&body, lang+"/"+kind+"/text", v); err != nil {
		return Message{}, err
	}
	if err := text.ExecuteTemplate(&body, lang+"/footer", v); err != nil {
		return Message{}, err
	}
	var hbody, page bytes.Buffer
	if err := html.ExecuteTemplate(&hbody, lang+"/"+kind+"/html", v); err != nil {
		return Message{}, err
	}
	if err := html.ExecuteTemplate(&footer, lang+"/footer", v); err != nil {
		return Message{}, err
	}
	// Both were escaped by html/template itself.
	v.Body, v.Footer = htmltemplate.HTML(hbody.String()), htmltemplate.HTML(footer.String())
	if err := html.ExecuteTemplate(&page, "layout", v); err != nil {
		return Message{}, err
	}
	return Message{Subject: v.Subject, Text: tidy(body.String()), HTML: page.String()}, nil
}

// link makes an entry's link absolute: a path is under the public URL; an
// absolute URL must be under it too (a link elsewhere is refused rather
// than mailed).
func (r *Renderer) link(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return r.public.String() + s, nil
	}
	base := r.public.String() + "/"
	if strings.HasPrefix(s, base) {
		return s, nil
	}
	return "", fmt.Errorf("the link of the notice is outside the public URL %s", r.public)
}

// tidy collapses the blank lines that template actions leave.
func tidy(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		if l == "--" {
			l = "-- " // the signature separator keeps its space
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n") + "\n"
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// formatDate writes an RFC 3339 instant in words, in UTC; anything else
// as it is.
func formatDate(s, lang string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	t = t.UTC()
	if lang == portal.LanguageEnglish {
		return t.Format("2 January 2006, 15:04 UTC")
	}
	return fmt.Sprintf("%d %s %d à %s (UTC)", t.Day(), frenchMonths[t.Month()-1], t.Year(), t.Format("15:04"))
}
