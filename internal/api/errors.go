package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Stable error codes of problem documents: the shared codes of package
// problem, under the names the API's clients already use. Clients branch on
// these, never on messages; the OpenAPI document's Problem.code enum lists
// exactly the codes a client can receive (codes_test checks it).
const (
	CodeInvalidArgument     = problem.CodeInvalidArgument
	CodeInvalidJSON         = problem.CodeInvalidJSON
	CodeInvalidRelationship = problem.CodeInvalidRelationship
	CodeUnknownType         = problem.CodeUnknownType
	CodeUnknownRelation     = problem.CodeUnknownRelation
	CodeInvalidCursor       = problem.CodeInvalidCursor
	CodeCaveatError         = problem.CodeCaveatError
	CodeUnauthenticated     = problem.CodeUnauthenticated
	CodeForbidden           = problem.CodeForbidden
	CodeNotFound            = problem.CodeNotFound
	CodeMethodNotAllowed    = problem.CodeMethodNotAllowed
	CodeAlreadyExists       = problem.CodeAlreadyExists
	CodeConflict            = problem.CodeConflict
	CodeSchemaManaged       = problem.CodeSchemaManaged
	CodePreconditionFailed  = problem.CodePreconditionFailed
	CodeSchemaInUse         = problem.CodeSchemaInUse
	CodeNoSchema            = problem.CodeNoSchema
	CodeRevisionUnavailable = problem.CodeRevisionUnavailable
	CodeRevisionTooOld      = problem.CodeRevisionTooOld
	CodeRequestTimeout      = problem.CodeRequestTimeout
	CodeTooLarge            = problem.CodeTooLarge
	CodeSchemaInvalid       = problem.CodeSchemaInvalid
	CodeDepthExceeded       = problem.CodeDepthExceeded
	CodeConsistencyTimeout  = problem.CodeConsistencyTimeout
	CodeUnavailable         = problem.CodeUnavailable
	CodeTimeout             = problem.CodeTimeout
	CodeInternal            = problem.CodeInternal
	CodeClientClosedRequest = problem.CodeClientClosedRequest
	CodeTooManyRequests     = problem.CodeTooManyRequests
	problemTypePrefix       = "https://octroi.dev/problems/"
	statusClientClosed      = problem.StatusClientClosed
)

// Errors a Backend returns for the adapter to map.
var (
	// ErrConsistencyTimeout: the index did not reach the revision a read
	// asked for within the server's bound.
	ErrConsistencyTimeout = errors.New("the index did not reach the requested revision in time")
	// ErrTokenAhead: a consistency token names a revision the store has
	// not reached: it was issued for another database.
	ErrTokenAhead = errors.New("consistency token is ahead of the database: was it issued by another octroi database?")
	// ErrUnavailable: the server cannot answer now (shutting down, index
	// reloading).
	ErrUnavailable = errors.New("server unavailable")
	// ErrSchemaManaged: the server runs the portal, whose built-in schema
	// is the only one it accepts.
	ErrSchemaManaged = errors.New("this server runs the portal, whose built-in schema it manages itself: the schema cannot be replaced (serve with --no-portal to manage your own schema)")
)

// InvalidRelationshipError names the relationship, among a request's, that
// the schema refuses.
type InvalidRelationshipError struct {
	Index        int // 0-based position of the update (or of the imported relationship)
	Relationship tuple.Relationship
	Err          error
}

func (e *InvalidRelationshipError) Error() string {
	return fmt.Sprintf("update %d (%s): %v", e.Index, tuple.Format(e.Relationship), e.Err)
}

func (e *InvalidRelationshipError) Unwrap() error { return e.Err }

// SchemaInUseError lists the stored relationships a new schema would no
// longer allow.
type SchemaInUseError struct {
	Uses []SchemaUse
}

func (e *SchemaInUseError) Error() string {
	return fmt.Sprintf("the new schema would orphan stored relationships of %d shapes; delete them first or keep what they use", len(e.Uses))
}

// Error is an API error with its HTTP status, stable code and the message
// shown to the client, in English (Msg) and, when it has one, French (FR);
// Err is the cause, logged only.
type Error struct {
	Status int
	Code   string
	Msg    string
	FR     string
	Err    error
	// Extensions of the problem document.
	Errors   []ProblemError
	Uses     []SchemaUse
	Imported *int
	Token    Token
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// problem is the document the client reads, in lang ("fr" or "en"): the
// title comes from the code table, the detail in French when the error has
// a French text.
func (e *Error) problem(lang string) *Problem {
	title, detail := problem.Title(e.Code, e.Status, messages.Lang(lang)), e.Msg
	if lang == string(messages.French) && e.FR != "" {
		detail = e.FR
	}
	return &Problem{
		Type:   problemTypePrefix + e.Code,
		Title:  title,
		Status: e.Status,
		Detail: detail,
		Code:   e.Code,
		Errors: e.Errors, Uses: e.Uses, Imported: e.Imported, Token: e.Token,
	}
}

// lang is the caller's language for messages, from Accept-Language: "fr"
// or "en".
func lang(r *http.Request) string { return string(problem.Lang(r)) }

// say is an API error whose text comes from the message catalogue, in
// English and French.
func say(status int, code string, key messages.Key, args ...any) *Error {
	m := messages.New(key, args...)
	return &Error{Status: status, Code: code, Msg: m.In(messages.English), FR: m.In(messages.French)}
}

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: fmt.Sprintf(format, args...)}
}

// toError maps errors to statuses, codes and safe messages: the API's own
// errors (and the extensions of their problem documents) here, everything
// else by the mapping every face shares (problem.From).
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var (
		sl  schema.ErrorList
		ire *InvalidRelationshipError
		siu *SchemaInUseError
	)
	switch {
	case errors.As(err, &sl):
		e = &Error{Status: http.StatusUnprocessableEntity, Code: CodeSchemaInvalid, Msg: "the schema has errors: " + sl[0].Error()}
		for _, se := range sl {
			e.Errors = append(e.Errors, ProblemError{Line: se.Pos.Line, Column: se.Pos.Col, Message: se.Msg})
		}
	case errors.As(err, &ire):
		i := ire.Index
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalidRelationship, Msg: ire.Error(),
			Errors: []ProblemError{{Index: &i, Message: ire.Err.Error()}}}
	case errors.Is(err, ErrSchemaManaged):
		e = &Error{Status: http.StatusConflict, Code: CodeSchemaManaged, Msg: ErrSchemaManaged.Error()}
	case errors.As(err, &siu):
		e = &Error{Status: http.StatusConflict, Code: CodeSchemaInUse, Msg: siu.Error(), Uses: siu.Uses}
	case errors.Is(err, store.ErrFutureRevision), errors.Is(err, ErrTokenAhead):
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: ErrTokenAhead.Error()}
	case errors.Is(err, ErrConsistencyTimeout):
		e = &Error{Status: http.StatusServiceUnavailable, Code: CodeConsistencyTimeout, Msg: "the server's index did not reach the requested revision in time: retry, or read with minimize_latency"}
	case errors.Is(err, ErrUnavailable):
		p := problem.New(CodeUnavailable, messages.New("error.busy"))
		p.Err = err
		return fromProblem(p)
	default:
		return fromProblem(problem.From(err))
	}
	e.Err = err
	return e
}

// fromProblem is p as the API tells it, in both languages.
func fromProblem(p *problem.Error) *Error {
	return &Error{Status: p.Status, Code: p.Code, Msg: p.Msg.In(messages.English), FR: p.Msg.In(messages.French), Err: p.Err}
}

// isUnauthenticated reports whether a personal token was refused (unknown,
// revoked, or its account disabled).
func isUnauthenticated(err error) bool {
	return errors.Is(err, portal.ErrUnauthenticated) || errors.Is(err, portal.ErrNotFound) || errors.Is(err, store.ErrNotFound)
}
