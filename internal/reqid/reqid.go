// Package reqid carries a request's id through a context, from the face
// that received the request (the API's request log) down to the domain
// (the audit log), so that an audit entry and the log line of the request
// that made it can be matched. It is its own package so that the domain
// need not import HTTP, nor the faces the domain's internals.
//
// Contract: an id is 1 to MaxLen characters of [A-Za-z0-9._-]; From
// returns "" when the context carries none.
package reqid

import (
	"context"

	"github.com/octroi/octroi/internal/bearer"
)

// MaxLen bounds an id, so that one taken from a client's header cannot
// bloat the log or the audit entry.
const MaxLen = 64

type key struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the id ctx carries, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// New returns a fresh random id (16 hex digits).
func New() string { return bearer.NewID() }

// Valid reports whether id may be used as is: a client's X-Request-ID is
// kept only when it is short and plain, so that it can neither forge log
// lines nor carry a secret of unbounded size.
func Valid(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
