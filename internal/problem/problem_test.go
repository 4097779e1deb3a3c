package problem_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
	"github.com/octroi/octroi/internal/store"
)

func TestFrom(t *testing.T) {
	lastAdmin := &portal.Error{Kind: portal.ErrConflict, Msg: messages.New("conflict.last_platform_admin", "ada")}
	own := problem.New(problem.CodeForbidden, messages.Verbatim("a face's own refusal"))
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
		en, fr string
	}{
		{"portal refusal, wrapped", fmt.Errorf("doing it: %w", lastAdmin), 409, problem.CodeConflict,
			"ada is the last active platform administrator: the platform always keeps one; make someone else administrator first",
			"ada est le dernier administrateur actif de la plateforme : la plateforme en garde toujours un ; nommez d'abord quelqu'un d'autre administrateur"},
		{"portal sentinel alone", fmt.Errorf("%w: no account \"x\"", portal.ErrUnauthenticated), 401, problem.CodeUnauthenticated,
			"invalid or revoked token", "jeton invalide ou révoqué"},
		{"portal kind without a message of its own", fmt.Errorf("%w: bad thing", portal.ErrInvalid), 400, problem.CodeInvalidArgument,
			"invalid: bad thing", "invalid: bad thing"},
		{"store not found", store.ErrNotFound, 404, problem.CodeNotFound, "no such resource", "ressource introuvable"},
		{"no schema", engine.ErrNoSchema, 409, problem.CodeNoSchema,
			"no schema: write a schema first (PUT /api/v1/schema)", "aucun schéma : écrivez d'abord un schéma (PUT /api/v1/schema)"},
		{"busy", fmt.Errorf("write: %w", store.ErrBusy), 503, problem.CodeUnavailable,
			"the server is busy or shutting down: retry later", "le serveur est occupé ou s'arrête : réessayez plus tard"},
		{"deadline", context.DeadlineExceeded, 504, problem.CodeTimeout,
			"the request took longer than the server allows", "la requête a pris plus de temps que le serveur ne le permet"},
		{"client gone", context.Canceled, problem.StatusClientClosed, problem.CodeClientClosedRequest, "request canceled", "requête annulée"},
		{"unknown: never shown", errors.New("open /var/lib/octroi/db: permission denied"), 500, problem.CodeInternal,
			"internal error; the server log has the details", "erreur interne ; le journal du serveur en donne le détail"},
		{"a face's own error passes", fmt.Errorf("x: %w", own), 403, problem.CodeForbidden, "a face's own refusal", "a face's own refusal"},
	} {
		e := problem.From(tt.err)
		en, fr := e.Msg.In(messages.English), e.Msg.In(messages.French)
		if e.Status != tt.status || e.Code != tt.code || en != tt.en || fr != tt.fr {
			t.Errorf("%s: got %d %s %q / %q, want %d %s %q / %q", tt.name, e.Status, e.Code, en, fr, tt.status, tt.code, tt.en, tt.fr)
		}
		if e != own && !errors.Is(e, tt.err) {
			t.Errorf("%s: got Err %v, want the cause kept for the log", tt.name, e.Err)
		}
	}
}

func TestEveryCodeHasStatusAndTitles(t *testing.T) {
	for _, c := range problem.Codes() {
		st := problem.Status(c)
		en, fr := problem.Title(c, st, messages.English), problem.Title(c, st, messages.French)
		if st < 400 || en == "" || fr == "" || en == fr {
			t.Errorf("code %s: got %d %q %q, want a status and a title in each language", c, st, en, fr)
		}
	}
	if got := problem.Title("no_such_code", http.StatusTeapot, messages.French); got != http.StatusText(http.StatusTeapot) {
		t.Errorf("unknown code: got %q, want the status text", got)
	}
}

// TestWriteHTML: the page a web UI shows for an error, in the reader's
// language, with the message escaped (it may quote what the reader typed).
func TestWriteHTML(t *testing.T) {
	refusal := &portal.Error{Kind: portal.ErrInvalid, Msg: messages.New("invalid.reserved", "id", messages.Quote("<script>"))}
	for _, tt := range []struct {
		accept string
		err    error
		status int
		lang   string
		want   []string
	}{
		{"fr-FR", refusal, 400, "fr", []string{`<html lang="fr">`, "<h1>Argument invalide</h1>", "id « &lt;script&gt; » est réservé", "400 · invalid_argument"}},
		{"", refusal, 400, "en", []string{`<html lang="en">`, "<h1>Invalid argument</h1>", "id &#34;&lt;script&gt;&#34; is reserved"}},
		{"fr", errors.New("pq: relation \"docs\" does not exist"), 500, "fr", []string{"<h1>Erreur interne</h1>", "erreur interne ; le journal du serveur en donne le détail"}},
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/datasets", nil)
		r.Header.Set("Accept-Language", tt.accept)
		e := problem.WriteHTML(w, r, tt.err)
		body := w.Body.String()
		if w.Code != tt.status || e.Status != tt.status || w.Header().Get("Content-Language") != tt.lang ||
			!strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%v: got %d (%d) %q %q, want %d text/html %s", tt.err, w.Code, e.Status, w.Header().Get("Content-Type"), w.Header().Get("Content-Language"), tt.status, tt.lang)
		}
		for _, s := range tt.want {
			if !strings.Contains(body, s) {
				t.Errorf("%v: page lacks %q:\n%s", tt.err, s, body)
			}
		}
		if strings.Contains(body, "docs") || strings.Contains(body, "<script>") {
			t.Errorf("%v: page shows what it must not:\n%s", tt.err, body)
		}
	}
	// The client is gone: nothing is written.
	w := httptest.NewRecorder()
	if e := problem.WriteHTML(w, httptest.NewRequest("GET", "/", nil), context.Canceled); e.Code != problem.CodeClientClosedRequest || w.Body.Len() != 0 {
		t.Errorf("canceled: got %s and %d bytes, want client_closed_request and nothing written", e.Code, w.Body.Len())
	}
}
