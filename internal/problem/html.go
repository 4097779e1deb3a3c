package problem

import (
	"html/template"
	"net/http"
)

// page is the error page a browser sees: the title and message in the
// reader's language, and the code, which support can search for.
var page = template.Must(template.New("problem").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Detail}}</p>
<p><small>{{.Status}} · {{.Code}}</small></p>
</main>
</body>
</html>
`))

// WriteHTML answers err as an HTML page in the client's language, for the
// web UI, and returns what it showed, for the caller to log (with its Err).
// It writes nothing when the client is already gone
// (CodeClientClosedRequest). Like the API's problem documents, it varies
// on Accept-Language.
func WriteHTML(w http.ResponseWriter, r *http.Request, err error) *Error {
	e := From(err)
	if e.Code == CodeClientClosedRequest {
		return e
	}
	l := Lang(r)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(l))
	h.Add("Vary", "Accept-Language")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(e.Status)
	_ = page.Execute(w, struct {
		Lang, Title, Detail, Code string
		Status                    int
	}{string(l), Title(e.Code, e.Status, l), e.Msg.In(l), e.Code, e.Status})
	return e
}
