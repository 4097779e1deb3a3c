// Package problem is the one mapping from errors to what a face shows:
// an HTTP status, a stable code and a message safe to show, in French and
// English. Handlers of every face (the JSON API, the web UI, the gateway)
// return errors; the face calls From once, logs Err for the operator, and
// shows only Code, Title and Msg to the client: the text of an error that
// From does not recognise (a driver's, a file path, SQL) never leaves the
// server.
//
// From knows the errors of the layers below the faces (portal, store,
// engine, index, tuple, context). A face maps its own errors first (the
// API's invalid relationships, schema in use, consistency tokens) and
// falls back to From. The API writes the result as application/problem+json;
// WriteHTML writes it as a page for a browser.
//
// Everything here is stateless and safe for concurrent use.
package problem

import (
	"context"
	"errors"
	"net/http"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Error is an error as a face shows it: status, stable code, the message
// for the client (rendered in the client's language), and the cause, for
// the log only.
type Error struct {
	Status int
	Code   string
	Msg    messages.Message
	Err    error
}

// Error is for logs: the message in English and the cause.
func (e *Error) Error() string {
	msg := e.Msg.In(messages.English)
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of code (its status from the table) with msg.
func New(code string, msg messages.Message) *Error {
	return &Error{Status: Status(code), Code: code, Msg: msg}
}

// Lang is the language the client reads, from its Accept-Language.
func Lang(r *http.Request) messages.Lang {
	return messages.Negotiate(r.Header.Get("Accept-Language"))
}

// From maps err to what the client is shown; an *Error in err's chain is
// returned as is. Messages of the recognised errors are written for the
// client; anything else becomes internal (500) with a message that says
// only that, and err is kept in Err for the log.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	e = from(err)
	e.Status, e.Err = Status(e.Code), err
	return e
}

func from(err error) *Error {
	// Portal errors first: their messages are written for the acting
	// person, in both languages, and name only what that person may see.
	var perr *portal.Error
	if errors.As(err, &perr) {
		if code := portalCode(perr.Kind); code != "" {
			return &Error{Code: code, Msg: perr.Msg}
		}
	}
	switch {
	case errors.Is(err, portal.ErrUnauthenticated):
		return &Error{Code: CodeUnauthenticated, Msg: messages.New("error.invalid_token")}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Code: CodeNotFound, Msg: messages.New("error.no_resource")}
	}
	if code := portalCode(err); code != "" {
		return &Error{Code: code, Msg: messages.Verbatim(err.Error())}
	}
	var (
		ae *store.AlreadyExistsError
		pf *store.PreconditionFailedError
		pe *tuple.ParseError
	)
	// The engine's and the store's refusals below are worded for the
	// client that sent the request (ids it gave, a caveat it wrote).
	verbatim := func(code string) *Error { return &Error{Code: code, Msg: messages.Verbatim(err.Error())} }
	say := func(code string, key messages.Key) *Error { return &Error{Code: code, Msg: messages.New(key)} }
	switch {
	case errors.As(err, &ae):
		return &Error{Code: CodeAlreadyExists, Msg: messages.Verbatim(ae.Error())}
	case errors.As(err, &pf):
		return &Error{Code: CodePreconditionFailed, Msg: messages.Verbatim(pf.Error())}
	case errors.Is(err, store.ErrInvalid), errors.As(err, &pe):
		return verbatim(CodeInvalidArgument)
	case errors.Is(err, store.ErrNoSchema), errors.Is(err, engine.ErrNoSchema):
		return say(CodeNoSchema, "error.no_schema")
	case errors.Is(err, engine.ErrUnknownType):
		return verbatim(CodeUnknownType)
	case errors.Is(err, engine.ErrUnknownMember):
		return verbatim(CodeUnknownRelation)
	case errors.Is(err, engine.ErrCursor):
		return say(CodeInvalidCursor, "error.cursor")
	case errors.Is(err, engine.ErrCaveat):
		return verbatim(CodeCaveatError)
	case errors.Is(err, engine.ErrDepth):
		return say(CodeDepthExceeded, "error.depth")
	case errors.Is(err, index.ErrRevisionUnavailable):
		return say(CodeRevisionUnavailable, "error.revision_unavailable")
	case errors.Is(err, store.ErrRevisionTooOld):
		return say(CodeRevisionTooOld, "error.revision_too_old")
	case errors.Is(err, store.ErrBusy), errors.Is(err, store.ErrClosed):
		return say(CodeUnavailable, "error.busy")
	case errors.Is(err, context.DeadlineExceeded):
		return say(CodeTimeout, "error.timeout")
	case errors.Is(err, context.Canceled):
		return say(CodeClientClosedRequest, "error.canceled")
	}
	return say(CodeInternal, "error.internal")
}

// portalCode maps the portal's kinds of error to a code ("" when err is of
// none).
func portalCode(err error) string {
	switch {
	case errors.Is(err, portal.ErrUnauthenticated):
		return CodeUnauthenticated
	case errors.Is(err, portal.ErrForbidden):
		return CodeForbidden
	case errors.Is(err, portal.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, portal.ErrInvalid):
		return CodeInvalidArgument
	case errors.Is(err, portal.ErrConflict):
		return CodeConflict
	}
	return ""
}
