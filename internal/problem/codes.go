package problem

import (
	"net/http"

	"github.com/octroi/octroi/internal/messages"
)

// Stable error codes. Clients branch on these, never on messages; never
// rename one. Every code has a status in statuses and a title in the
// message catalogue (key "code." + code); the API's OpenAPI document lists
// exactly the codes a client can receive (the api package's tests check
// both). Some codes only one face sends (schema_in_use: the API's schema
// endpoint); they are here all the same, so that there is one table.
const (
	CodeInvalidArgument     = "invalid_argument"      // 400: a value or an action is refused; detail says which and why
	CodeInvalidJSON         = "invalid_json"          // 400: the body is not the expected JSON
	CodeInvalidRelationship = "invalid_relationship"  // 400: a relationship the schema does not allow
	CodeUnknownType         = "unknown_type"          // 400: the schema has no such definition
	CodeUnknownRelation     = "unknown_relation"      // 400: the type has no such relation or permission
	CodeInvalidCursor       = "invalid_cursor"        // 400
	CodeCaveatError         = "caveat_error"          // 400: a caveat could not be evaluated
	CodeUnauthenticated     = "unauthenticated"       // 401
	CodeForbidden           = "forbidden"             // 403: the caller may not do this (or this token kind may not call this route)
	CodeNotFound            = "not_found"             // 404: no such operation, or no such portal resource
	CodeMethodNotAllowed    = "method_not_allowed"    // 405
	CodeAlreadyExists       = "already_exists"        // 409: create of an existing relationship
	CodeConflict            = "conflict"              // 409: the portal's state does not allow it (a last admin, a duplicate e-mail…)
	CodeSchemaManaged       = "schema_managed"        // 409: the portal manages the schema
	CodePreconditionFailed  = "precondition_failed"   // 409: a write precondition did not hold
	CodeSchemaInUse         = "schema_in_use"         // 409: a schema change would orphan stored relationships
	CodeNoSchema            = "no_schema"             // 409: write a schema first
	CodeRevisionUnavailable = "revision_unavailable"  // 409: the revision asked is no longer (or not yet) readable
	CodeRevisionTooOld      = "revision_too_old"      // 410: the changelog no longer goes back that far
	CodeRequestTimeout      = "request_timeout"       // 408: the request body did not arrive in time
	CodeTooLarge            = "too_large"             // 413: body over the size limit
	CodeSchemaInvalid       = "schema_invalid"        // 422: parse or semantic errors, with line:col
	CodeDepthExceeded       = "depth_exceeded"        // 422: the walk went deeper than the limit
	CodeConsistencyTimeout  = "consistency_timeout"   // 503: the index did not reach the revision asked in time
	CodeUnavailable         = "unavailable"           // 503: busy database, shutting down, not ready
	CodeTimeout             = "timeout"               // 504: the request took longer than the server allows
	CodeInternal            = "internal"              // 500
	CodeClientClosedRequest = "client_closed_request" // 499: logged only, never sent
	CodeTooManyRequests     = "too_many_requests"     // 429: failed sign-ins or e-mail requests: wait Retry-After seconds
)

// StatusClientClosed is the status logged when the client left before its
// answer (nginx's 499); it is never sent.
const StatusClientClosed = 499

// statuses is the one table of codes. A code's status never changes.
var statuses = map[string]int{
	CodeInvalidArgument:     http.StatusBadRequest,
	CodeInvalidJSON:         http.StatusBadRequest,
	CodeInvalidRelationship: http.StatusBadRequest,
	CodeUnknownType:         http.StatusBadRequest,
	CodeUnknownRelation:     http.StatusBadRequest,
	CodeInvalidCursor:       http.StatusBadRequest,
	CodeCaveatError:         http.StatusBadRequest,
	CodeUnauthenticated:     http.StatusUnauthorized,
	CodeForbidden:           http.StatusForbidden,
	CodeNotFound:            http.StatusNotFound,
	CodeMethodNotAllowed:    http.StatusMethodNotAllowed,
	CodeAlreadyExists:       http.StatusConflict,
	CodeConflict:            http.StatusConflict,
	CodeSchemaManaged:       http.StatusConflict,
	CodePreconditionFailed:  http.StatusConflict,
	CodeSchemaInUse:         http.StatusConflict,
	CodeNoSchema:            http.StatusConflict,
	CodeRevisionUnavailable: http.StatusConflict,
	CodeRevisionTooOld:      http.StatusGone,
	CodeRequestTimeout:      http.StatusRequestTimeout,
	CodeTooLarge:            http.StatusRequestEntityTooLarge,
	CodeSchemaInvalid:       http.StatusUnprocessableEntity,
	CodeDepthExceeded:       http.StatusUnprocessableEntity,
	CodeConsistencyTimeout:  http.StatusServiceUnavailable,
	CodeUnavailable:         http.StatusServiceUnavailable,
	CodeTimeout:             http.StatusGatewayTimeout,
	CodeInternal:            http.StatusInternalServerError,
	CodeClientClosedRequest: StatusClientClosed,
	CodeTooManyRequests:     http.StatusTooManyRequests,
}

// Codes returns every code, in no particular order.
func Codes() []string {
	out := make([]string, 0, len(statuses))
	for c := range statuses {
		out = append(out, c)
	}
	return out
}

// Status is the HTTP status of code (0 for an unknown code).
func Status(code string) int { return statuses[code] }

// Title is code's title in l, for a problem document or an error page;
// for an unknown code, the status's standard text.
func Title(code string, status int, l messages.Lang) string {
	k := messages.Key("code." + code)
	if !messages.Has(k) {
		return http.StatusText(status)
	}
	return messages.New(k).In(l)
}
