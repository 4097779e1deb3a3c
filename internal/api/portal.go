package api

import (
	"context"
	"errors"
	"fmt"
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/problem"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// audience says who may call a route.
type audience int

const (
	// operators: the low-level API (schema, relationships, permissions,
	// watch), for operator tokens only.
	operators audience = iota
	// people: the portal endpoints, for personal tokens only; the
	// request acts as the token's account.
	people
	// anyone: no authentication (the OpenAPI document).
	anyone
	// catalogue: the catalogue filters, which a catalogue (CKAN, udata,
	// GeoNetwork) calls to filter its search results. Without a token the
	// request acts as an anonymous visitor; with a personal token, as its
	// account; with an operator token, as the account named by the
	// `account` query parameter (anonymous when absent): the catalogue
	// holds one operator token, not its users' personal ones. `account`
	// is honoured for an operator token only: anyone else sending it is
	// refused, since account ids are easy to learn and acting for one
	// must take the catalogue's secret.
	catalogue
)

type actorKey struct{}

// actor returns the account a portal request acts as (set by serve).
func actor(r *http.Request) string {
	s, _ := r.Context().Value(actorKey{}).(string)
	return s
}

// authenticate decides who the request comes from and whether it may call
// rt. Operator tokens (Options.Authenticate) reach the low-level API only;
// personal tokens (Portal.Callers.Authenticate) reach the portal endpoints
// only and act as their account. Either kind on the other's routes is 403,
// not 401: the token is good, the route is not for it. The catalogue
// filters take all three callers (see catalogue).
func (a *api) authenticate(rt Route, w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	if rt.audience == anyone {
		return r, nil
	}
	if (rt.audience == people || rt.audience == catalogue) && a.Portal == nil {
		return r, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Msg: "this server runs without the portal (--no-portal)"}
	}
	tok, ok := bearer(r)
	if !ok && (rt.audience == people || rt.audience == catalogue) {
		// A browser signed in with a session cookie (auth.go).
		if r, has, err := a.bySession(w, r); has {
			if err == nil && rt.audience == catalogue {
				err = refuseAccountParam(r)
			}
			return r, err
		}
	}
	if rt.audience == catalogue && !ok {
		// An anonymous visitor, even with --no-auth: that flag opens the
		// low-level API, it makes nobody an operator of the portal.
		if err := refuseAccountParam(r); err != nil {
			return r, err
		}
		return actingAs(r, ""), nil
	}
	if rt.audience == operators && a.Authenticate == nil {
		return r, nil // --no-auth: the low-level API is open (development only)
	}
	unauth := func(key messages.Key) error {
		w.Header().Set("WWW-Authenticate", `Bearer realm="octroi"`)
		return say(http.StatusUnauthorized, CodeUnauthenticated, key)
	}
	if !ok {
		return r, unauth("api.token_missing")
	}
	if a.Authenticate != nil {
		if name, ok := a.Authenticate(tok); ok {
			logAs(w, "operator:"+name)
			switch rt.audience {
			case people:
				return r, say(http.StatusForbidden, CodeForbidden, "api.operator_on_portal")
			case catalogue:
				return a.actForAccount(w, r)
			}
			return r, nil
		}
	}
	if a.Portal == nil {
		return r, unauth("api.token_invalid")
	}
	acc, err := a.Portal.Callers.Authenticate(r.Context(), tok)
	if err != nil {
		// An expired token, or the token of a disabled account: its holder
		// is told which, in their language.
		var perr *portal.Error
		if errors.As(err, &perr) && errors.Is(perr.Kind, portal.ErrUnauthenticated) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="octroi"`)
			return r, fromProblem(problem.From(err))
		}
		if isUnauthenticated(err) {
			return r, unauth("api.token_invalid")
		}
		return r, err
	}
	logAs(w, acc.ID)
	if rt.audience == operators {
		return r, say(http.StatusForbidden, CodeForbidden, "api.personal_on_low_level")
	}
	if rt.audience == catalogue {
		if err := refuseAccountParam(r); err != nil {
			return r, err
		}
	}
	return actingAs(r, acc.ID), nil
}

// refuseAccountParam refuses the account parameter of a caller who is not
// an operator: answering as that account would let anyone read as anyone,
// and silently answering as the caller would hide the mistake.
func refuseAccountParam(r *http.Request) error {
	if !r.URL.Query().Has("account") {
		return nil
	}
	return say(http.StatusForbidden, CodeForbidden, "api.account_param")
}

// actForAccount makes an operator's catalogue request act for the account
// its account parameter names, or for an anonymous visitor without one.
// An unknown account is 404, not the anonymous view, so that a catalogue
// with stale ids notices. A disabled account is acted for: the engine
// gives it no rights, so it finds nothing (not even the public datasets),
// the answer a check for that user gives.
func (a *api) actForAccount(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	q := r.URL.Query()
	if !q.Has("account") {
		return actingAs(r, ""), nil
	}
	id := q.Get("account")
	if id == "" {
		return r, badRequest("account is empty: name the account the catalogue acts for, or omit account to act for an anonymous visitor")
	}
	// The account reads itself: the portal answers it when active,
	// forbidden when disabled, unauthenticated when there is no such
	// account.
	_, err := a.Portal.Callers.Account(r.Context(), id, id)
	switch {
	case err == nil, errors.Is(err, portal.ErrForbidden):
	case isUnauthenticated(err):
		return r, &Error{Status: http.StatusNotFound, Code: CodeNotFound,
			Msg: fmt.Sprintf("no account %q: account must be the id of an account of this portal (omit it to act for an anonymous visitor)", id), Err: err}
	default:
		return r, err
	}
	if rw, ok := w.(*responseWriter); ok {
		rw.onBehalfOf = id
	}
	return actingAs(r, id), nil
}

// logAs records for the request log who authenticated: an account id, or
// "operator:" and the token's name.
func logAs(w http.ResponseWriter, caller string) {
	if rw, ok := w.(*responseWriter); ok {
		rw.actor = caller
	}
}

// actingAs makes r act as account ("" for an anonymous visitor).
func actingAs(r *http.Request, account string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), actorKey{}, account))
}

// Query helpers.

const defaultPage = 100

// page reads the cursor and limit query parameters (limit 1…MaxBatch,
// default 100).
func (a *api) page(r *http.Request) (string, int, error) {
	q := r.URL.Query()
	limit := defaultPage
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > a.MaxBatch {
			return "", 0, badRequest("limit=%q: want an integer from 1 to %d", s, a.MaxBatch)
		}
		limit = n
	}
	return q.Get("cursor"), limit, nil
}

// nextCursor is the cursor of the page after items: the last id when the
// page is full, else "".
func nextCursor(n, limit int, last func() string) string {
	if n < limit || n == 0 {
		return ""
	}
	return last()
}

func parseLevel(field, s string) (portal.Level, error) {
	l, err := portal.ParseLevel(s)
	if err != nil {
		return 0, badRequest("%s: %v", field, err)
	}
	return l, nil
}

func queryBool(r *http.Request, name string) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest("%s=%q: want true or false", name, s)
	}
	return b, nil
}

func queryTime(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest("%s=%q: want an RFC 3339 time (2025-01-31T12:00:00Z) or a date (2025-01-31)", name, s)
}

// Fields that updates do not apply, with what to do instead. Every PUT of
// the portal decodes its body with decodeUpdate, so that no field is
// silently ignored: a client that sends one learns why it is refused and
// how to get what it meant.
var (
	hintID      = fieldHint{"id", "the id is the one in the path, and an id never changes"}
	hintCreated = fieldHint{"created", "the server records it at creation"}
	hintAccount = fieldHint{"account", "the account is the one in the path ({account})"}
)

// fieldHint says what to do instead of sending field.
type fieldHint struct{ field, how string }

// decodeUpdate decodes the body of a PUT as decode does, and answers a
// field the endpoint does not apply with a message naming it and, from
// hints, what to do instead.
func decodeUpdate(r *http.Request, v any, hints ...fieldHint) error {
	err := decode(r, v)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalidJSON {
		return err
	}
	q, ok := strings.CutPrefix(e.Msg, "unknown field ")
	if !ok {
		return err
	}
	field, uerr := strconv.Unquote(q)
	if uerr != nil {
		return err
	}
	how := "this endpoint does not change it"
	for _, h := range hints {
		if h.field == field {
			how = h.how
		}
	}
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Err: err,
		Msg: fmt.Sprintf("field %q is not applied by %s %s: %s", field, r.Method, r.URL.Path, how)}
}
