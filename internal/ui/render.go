package ui

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/problem"
)

// view is what every page knows of its request: the reader, the language
// and the page's own path (for the language switch to come back to).
type view struct {
	Actor string
	Lang  messages.Lang
	Path  string
	// Title is the page's title, already in Lang.
	Title string
	// Data is the screen's own data.
	Data any
	// SignInURL signs in and comes back here; CanSignIn: the platform has
	// the sign-in screens.
	SignInURL string
	CanSignIn bool
}

// pages are the parsed screens, each with the layout, by file name
// without extension.
type pages map[string]*template.Template

// funcs are the template functions. t renders a catalogue key in the
// page's language; it is bound per execution (see render), so that a
// template cannot use a language other than its reader's. Numbers and
// times shown go through num, date and datetime (locale.go), which write
// them in the reader's language; t does the same with its numeric and time
// arguments. isodate is a day as a date input holds it, isotime a moment
// as <time datetime="…"> holds it.
func funcs(lc locale) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string {
			for i, a := range args {
				args[i] = lc.arg(a)
			}
			return messages.New(messages.Key(key), args...).In(lc.lang)
		},
		"msg":      func(m messages.Text) string { return m.In(lc.lang) },
		"num":      lc.num,
		"date":     lc.date,
		"datetime": lc.datetime,
		"isodate":  lc.isoDate,
		"isotime":  isoTime,
		"dict":     dict,
	}
}

// dict is a map of its arguments taken by pairs, a key then its value:
// how a page gives a shared part several values ({{template "part" (dict
// "Path" $p "Lines" .Lines)}}). An odd count, a key that is not a
// string or a key given twice is an error, which fails the page rather
// than draw the part without what it was meant to get.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: %d arguments, not pairs of a key and its value", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %d is %T, not a string", i/2+1, kv[i])
		}
		if _, twice := m[k]; twice {
			return nil, fmt.Errorf("dict: key %q given twice", k)
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// mustParse parses every screen of fsys with the layout; it panics on a
// broken template, at start.
func mustParse(fsys fs.FS) pages {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		panic(err)
	}
	// Files whose name starts with "_" hold parts several screens share
	// (named "<file>-<part>"); every screen is parsed with them.
	parts, err := fs.Glob(fsys, "templates/_*.html")
	if err != nil {
		panic(err)
	}
	p := pages{}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		files := append([]string{"templates/layout.html", name}, parts...)
		p[base] = template.Must(template.New("layout.html").Funcs(funcs(locale{lang: messages.English})).ParseFS(fsys, files...))
	}
	return p
}

// render writes screen name with v, status 200 unless status says
// otherwise. The page is rendered into a buffer first, so that a failing
// template becomes an error page rather than half a page.
func (u *ui) render(w http.ResponseWriter, status int, name string, v *view) error {
	t, ok := u.pages[name]
	if !ok {
		return errors.New("ui: no template " + name)
	}
	t, err := t.Clone()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := t.Funcs(funcs(locale{v.Lang, u.cfg.Location})).Execute(&b, v); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(v.Lang))
	h.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, err = w.Write(b.Bytes())
	return err
}

// errNotFound is what a path that names nothing shows.
var errNotFound = problem.New(problem.CodeNotFound, messages.New("ui.page_not_found"))

// fail renders err as the error page, with the status, code and safe
// message the API would answer, and logs what it hides.
func (u *ui) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	e := problem.From(err)
	if e.Code == problem.CodeClientClosedRequest {
		return
	}
	if e.Status >= 500 {
		u.cfg.Log.Error("ui: page failed", "path", r.URL.Path, "err", e.Err)
	}
	v.Title = problem.Title(e.Code, e.Status, v.Lang)
	v.Data = struct {
		Detail, Code string
		Status       int
		SignIn       bool // an anonymous reader may sign in to see this
	}{e.Msg.In(v.Lang), e.Code, e.Status, e.Status == http.StatusUnauthorized && v.Actor == "" && v.CanSignIn}
	if rerr := u.render(w, e.Status, "error", v); rerr != nil {
		u.cfg.Log.Error("ui: error page failed", "err", rerr)
		problem.WriteHTML(w, r, err)
	}
}

// langCookie holds the language a reader chose with the switch.
const langCookie = "octroi_lang"

// language is the reader's language: the one chosen with the switch,
// else the browser's.
func language(r *http.Request) messages.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		for _, l := range messages.Langs {
			if c.Value == string(l) {
				return l
			}
		}
	}
	return messages.Negotiate(r.Header.Get("Accept-Language"))
}

// setLang is the language switch: it keeps the choice for a year and
// goes back to the page it was made on.
func (u *ui) setLang(w http.ResponseWriter, r *http.Request, v *view) error {
	to := messages.Lang(r.PostFormValue("lang"))
	known := false
	for _, l := range messages.Langs {
		known = known || to == l
	}
	if !known {
		return problem.New(problem.CodeInvalidArgument, messages.New("ui.lang_unknown"))
	}
	keepLanguage(w, r, to)
	http.Redirect(w, r, localPath(r.PostFormValue("back")), http.StatusSeeOther)
	return nil
}

// localPath returns p when it is a path of this site, else "/": a
// redirection never leaves it, whatever a form or a link carries
// ("//evil.example", "/\\evil.example", "https://…", control characters).
func localPath(p string) string {
	if len(p) == 0 || p[0] != '/' || len(p) > 2048 {
		return "/"
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "/"
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }
