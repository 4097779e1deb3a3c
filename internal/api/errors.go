package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
	"golang.org/x/text/language"
)

// Stable error codes of problem documents. Clients branch on these, never
// on messages; never rename one. Every code is in codeTable, and the
// OpenAPI document's Problem.code enum lists exactly the codes a client can
// receive (openapi_test checks both).
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
	problemTypePrefix       = "https://octroi.dev/problems/"
	statusClientClosed      = 499
)

// codeInfo is what a code means: its HTTP status and its title in English
// and French (the problem document's title, in the caller's language).
type codeInfo struct {
	Status int
	EN, FR string
}

// codeTable is the one table of codes. A code's status never changes.
var codeTable = map[string]codeInfo{
	CodeInvalidArgument:     {http.StatusBadRequest, "Invalid argument", "Argument invalide"},
	CodeInvalidJSON:         {http.StatusBadRequest, "Invalid JSON body", "Corps JSON invalide"},
	CodeInvalidRelationship: {http.StatusBadRequest, "Relationship not allowed by the schema", "Relation refusée par le schéma"},
	CodeUnknownType:         {http.StatusBadRequest, "Unknown type", "Type inconnu"},
	CodeUnknownRelation:     {http.StatusBadRequest, "Unknown relation or permission", "Relation ou permission inconnue"},
	CodeInvalidCursor:       {http.StatusBadRequest, "Invalid cursor", "Curseur invalide"},
	CodeCaveatError:         {http.StatusBadRequest, "Caveat could not be evaluated", "Condition impossible à évaluer"},
	CodeUnauthenticated:     {http.StatusUnauthorized, "Authentication required", "Authentification requise"},
	CodeForbidden:           {http.StatusForbidden, "Not allowed", "Action non autorisée"},
	CodeNotFound:            {http.StatusNotFound, "Not found", "Introuvable"},
	CodeMethodNotAllowed:    {http.StatusMethodNotAllowed, "Method not allowed", "Méthode non autorisée"},
	CodeAlreadyExists:       {http.StatusConflict, "Already exists", "Existe déjà"},
	CodeConflict:            {http.StatusConflict, "Conflicts with the current state", "Incompatible avec l'état actuel"},
	CodeSchemaManaged:       {http.StatusConflict, "Schema managed by the portal", "Schéma géré par le portail"},
	CodePreconditionFailed:  {http.StatusConflict, "Precondition failed", "Condition préalable non remplie"},
	CodeSchemaInUse:         {http.StatusConflict, "Schema in use", "Schéma utilisé"},
	CodeNoSchema:            {http.StatusConflict, "No schema", "Aucun schéma"},
	CodeRevisionUnavailable: {http.StatusConflict, "Revision unavailable", "Révision indisponible"},
	CodeRevisionTooOld:      {http.StatusGone, "Revision too old", "Révision trop ancienne"},
	CodeRequestTimeout:      {http.StatusRequestTimeout, "Request body too slow", "Corps de requête trop lent"},
	CodeTooLarge:            {http.StatusRequestEntityTooLarge, "Request body too large", "Corps de requête trop volumineux"},
	CodeSchemaInvalid:       {http.StatusUnprocessableEntity, "Invalid schema", "Schéma invalide"},
	CodeDepthExceeded:       {http.StatusUnprocessableEntity, "Maximum depth exceeded", "Profondeur maximale dépassée"},
	CodeConsistencyTimeout:  {http.StatusServiceUnavailable, "Consistency timeout", "Délai de cohérence dépassé"},
	CodeUnavailable:         {http.StatusServiceUnavailable, "Service unavailable", "Service indisponible"},
	CodeTimeout:             {http.StatusGatewayTimeout, "Request timed out", "Délai de la requête dépassé"},
	CodeInternal:            {http.StatusInternalServerError, "Internal error", "Erreur interne"},
	CodeClientClosedRequest: {statusClientClosed, "Client closed request", "Requête abandonnée par le client"},
}

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
	title, detail := codeTable[e.Code].EN, e.Msg
	if lang == "fr" {
		title = codeTable[e.Code].FR
		if e.FR != "" {
			detail = e.FR
		}
	}
	if title == "" {
		title = http.StatusText(e.Status)
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

// languages are those of the messages, English first (the default).
var languages = language.NewMatcher([]language.Tag{language.English, language.French})

// lang is the caller's language for messages, from Accept-Language: "fr"
// or "en".
func lang(r *http.Request) string {
	tag, _ := language.MatchStrings(languages, r.Header.Get("Accept-Language"))
	if base, _ := tag.Base(); base.String() == "fr" {
		return "fr"
	}
	return "en"
}

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: fmt.Sprintf(format, args...)}
}

// toError is the one place that maps errors to statuses, codes and safe
// messages. Messages of the sentinel errors below are written for users;
// anything unrecognised becomes a 500 whose text is only logged.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	// Portal errors first: their messages are written for the acting
	// person, in both languages, and name only what that person may see.
	var perr *portal.Error
	if errors.As(err, &perr) {
		if st, code := portalStatus(perr.Kind); code != "" {
			return &Error{Status: st, Code: code, Msg: perr.EN, FR: perr.FR, Err: err}
		}
	}
	switch {
	case errors.Is(err, portal.ErrUnauthenticated):
		return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Msg: "invalid or revoked token", FR: "jeton invalide ou révoqué", Err: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Msg: "no such resource", FR: "ressource introuvable", Err: err}
	}
	if st, code := portalStatus(err); code != "" {
		return &Error{Status: st, Code: code, Msg: err.Error(), Err: err}
	}
	var (
		sl  schema.ErrorList
		ire *InvalidRelationshipError
		siu *SchemaInUseError
		ae  *store.AlreadyExistsError
		pf  *store.PreconditionFailedError
		pe  *tuple.ParseError
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
	case errors.As(err, &ae):
		e = &Error{Status: http.StatusConflict, Code: CodeAlreadyExists, Msg: ae.Error()}
	case errors.As(err, &pf):
		e = &Error{Status: http.StatusConflict, Code: CodePreconditionFailed, Msg: pf.Error()}
	case errors.Is(err, store.ErrInvalid):
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: err.Error()}
	case errors.As(err, &pe):
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: err.Error()}
	case errors.Is(err, store.ErrNoSchema), errors.Is(err, engine.ErrNoSchema):
		e = &Error{Status: http.StatusConflict, Code: CodeNoSchema, Msg: "no schema: write a schema first (PUT /api/v1/schema)"}
	case errors.Is(err, engine.ErrUnknownType):
		e = &Error{Status: http.StatusBadRequest, Code: CodeUnknownType, Msg: err.Error()}
	case errors.Is(err, engine.ErrUnknownMember):
		e = &Error{Status: http.StatusBadRequest, Code: CodeUnknownRelation, Msg: err.Error()}
	case errors.Is(err, engine.ErrCursor):
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalidCursor, Msg: "invalid cursor: pass back a cursor this server returned"}
	case errors.Is(err, engine.ErrCaveat):
		e = &Error{Status: http.StatusBadRequest, Code: CodeCaveatError, Msg: err.Error()}
	case errors.Is(err, engine.ErrDepth):
		e = &Error{Status: http.StatusUnprocessableEntity, Code: CodeDepthExceeded, Msg: "maximum depth exceeded: the relationships form a chain deeper than the server's limit"}
	case errors.Is(err, index.ErrRevisionUnavailable):
		e = &Error{Status: http.StatusConflict, Code: CodeRevisionUnavailable, Msg: "the revision asked for is no longer readable (a cursor kept too long?): start again"}
	case errors.Is(err, store.ErrRevisionTooOld):
		e = &Error{Status: http.StatusGone, Code: CodeRevisionTooOld, Msg: "the changelog no longer goes back to that revision: export the relationships again and watch from the export's revision"}
	case errors.Is(err, store.ErrFutureRevision), errors.Is(err, ErrTokenAhead):
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: ErrTokenAhead.Error()}
	case errors.Is(err, ErrConsistencyTimeout):
		e = &Error{Status: http.StatusServiceUnavailable, Code: CodeConsistencyTimeout, Msg: "the server's index did not reach the requested revision in time: retry, or read with minimize_latency"}
	case errors.Is(err, store.ErrBusy), errors.Is(err, store.ErrClosed), errors.Is(err, ErrUnavailable):
		e = &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Msg: "the server is busy or shutting down: retry later"}
	case errors.Is(err, context.DeadlineExceeded):
		e = &Error{Status: http.StatusGatewayTimeout, Code: CodeTimeout, Msg: "the request took longer than the server allows"}
	case errors.Is(err, context.Canceled):
		e = &Error{Status: statusClientClosed, Code: CodeClientClosedRequest, Msg: "request canceled"}
	default:
		e = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Msg: "internal error; the server log has the details"}
	}
	e.Err = err
	return e
}

// portalStatus maps the portal's kinds of error to a status and code ("" when
// err is of none).
func portalStatus(err error) (int, string) {
	switch {
	case errors.Is(err, portal.ErrUnauthenticated):
		return http.StatusUnauthorized, CodeUnauthenticated
	case errors.Is(err, portal.ErrForbidden):
		return http.StatusForbidden, CodeForbidden
	case errors.Is(err, portal.ErrNotFound):
		return http.StatusNotFound, CodeNotFound
	case errors.Is(err, portal.ErrInvalid):
		return http.StatusBadRequest, CodeInvalidArgument
	case errors.Is(err, portal.ErrConflict):
		return http.StatusConflict, CodeConflict
	}
	return 0, ""
}

// isUnauthenticated reports whether a personal token was refused (unknown,
// revoked, or its account disabled).
func isUnauthenticated(err error) bool {
	return errors.Is(err, portal.ErrUnauthenticated) || errors.Is(err, portal.ErrNotFound) || errors.Is(err, store.ErrNotFound)
}
