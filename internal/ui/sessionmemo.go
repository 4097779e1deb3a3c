package ui

import (
	"context"
	"net/http"
)

// A request's session is authenticated once: SessionActor notes the id of
// the session it found in the request's memo, where the screens that need
// it (this browser's session on the sessions screen, the one "end the
// others" keeps) read it rather than authenticate the cookie again.

type sessionMemoKey struct{}

// sessionMemo is the session a request's reader was authenticated with.
type sessionMemo struct {
	id    string
	noted bool
}

// withSessionMemo gives r an empty memo, before its reader is known.
func withSessionMemo(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), sessionMemoKey{}, &sessionMemo{}))
}

// noteSession notes that r's reader was authenticated with session id.
func noteSession(r *http.Request, id string) {
	if m, ok := r.Context().Value(sessionMemoKey{}).(*sessionMemo); ok {
		m.id, m.noted = id, true
	}
}

// notedSession is the session noted for r, if any was.
func notedSession(r *http.Request) (string, bool) {
	m, ok := r.Context().Value(sessionMemoKey{}).(*sessionMemo)
	if !ok || !m.noted {
		return "", false
	}
	return m.id, true
}
