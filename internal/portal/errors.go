package portal

import (
	"errors"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/store"
)

// Sentinel errors: every error of the service wraps exactly one of them (or
// is an internal failure of the store or engine, which wraps none). Test
// with errors.Is; messages say what is wrong and where, and are safe to show
// to the acting person (they name only what that person may see).
var (
	// ErrUnauthenticated: no acting account, or a token that is unknown,
	// revoked, or whose account is disabled.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the acting account lacks the right for the action.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: no such object, or one the actor may not even see.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: bad input; the message names the field.
	ErrInvalid = errors.New("invalid")
	// ErrConflict: the action would break an invariant or a uniqueness
	// rule; the message says which.
	ErrConflict = errors.New("conflict")
)

// tokenExpired refuses a personal token past its expiry (kind
// ErrUnauthenticated). Unlike an unknown secret it is told as such, and
// when: whoever holds an expired token did hold a valid one and learns
// nothing new, and needs to know to make another.
func tokenExpired(at time.Time) error {
	return refuse(ErrUnauthenticated, "portal.token_expired", at.UTC().Format(time.RFC3339))
}

// ErrAccountDisabled refuses a valid personal token whose account is
// disabled (kind ErrUnauthenticated): its holder is told why, since the
// token itself is good.
var ErrAccountDisabled error = &Error{Kind: ErrUnauthenticated, Msg: messages.New("portal.token_account_disabled")}

// Error is a refusal of the service: its kind (one of the sentinels
// above), what to tell the acting person (a message of the catalogue, which
// faces render in the reader's language), and the cause when it comes from
// below (logged by faces, never shown). Faces show Msg, never Error(),
// which prefixes the kind for logs.
type Error struct {
	Kind  error
	Msg   messages.Message
	Cause error
}

func (e *Error) Error() string { return e.Kind.Error() + ": " + e.Msg.In(messages.English) }

// Unwrap exposes the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

// refuse returns an Error of kind with the message key of the catalogue
// and its arguments.
func refuse(kind error, key messages.Key, args ...any) error {
	return &Error{Kind: kind, Msg: messages.New(key, args...)}
}

func invalid(key messages.Key, args ...any) error { return refuse(ErrInvalid, key, args...) }

func conflict(key messages.Key, args ...any) error { return refuse(ErrConflict, key, args...) }

func notFound(key messages.Key, args ...any) error { return refuse(ErrNotFound, key, args...) }

// noSuch is the refusal of a missing record of kind: "no dataset "X"".
func noSuch(kind, id string) error {
	return notFound("notfound.object", noun(kind), messages.Quote(id))
}

// noun names a kind of record in the reader's language.
func noun(kind string) messages.Text { return words("noun.", kind) }

// words is the catalogue's words for a value (a kind, a status) under
// prefix, or the value itself when the catalogue has none.
func words(prefix, v string) messages.Text {
	if k := messages.Key(prefix + v); messages.Has(k) {
		return messages.New(k)
	}
	return messages.Verbatim(v)
}

// storeErr converts the store's sentinels to the service's, so that callers
// test one family of errors. Errors already carrying a portal sentinel pass
// unchanged.
func storeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnauthenticated), errors.Is(err, ErrForbidden), errors.Is(err, ErrNotFound),
		errors.Is(err, ErrInvalid), errors.Is(err, ErrConflict):
		return err
	case errors.Is(err, store.ErrAlreadyExists), errors.Is(err, store.ErrPreconditionFailed):
		return &Error{Kind: ErrConflict, Msg: messages.Verbatim(err.Error()), Cause: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Kind: ErrNotFound, Msg: messages.Verbatim(err.Error()), Cause: err}
	case errors.Is(err, store.ErrInvalid):
		return &Error{Kind: ErrInvalid, Msg: messages.Verbatim(err.Error()), Cause: err}
	}
	return err
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// notFoundOr returns err when there is one, else a missing record of kind.
func notFoundOr(err error, kind, id string) error {
	if err != nil {
		return err
	}
	return noSuch(kind, id)
}

// isPortalNotFound reports a missing record as the views report it.
func isPortalNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// rightNamesObject lists the rights the catalogue words (key "right." +
// type#permission), and whether the words name the object (take its id).
// A right missing here is named by its permission and object.
var rightNamesObject = map[string]bool{
	"platform#administer": false, "platform#manage_accounts": false, "platform#read_all_data": false,
	"community#member": true, "community#manage": true, "community#delete": true, "community#view": true,
	"organisation#member": true, "organisation#publish": true, "organisation#manage_members": true,
	"org_group#member": true, "org_group#manage": true,
	"dataset#manage_access": true, "dataset#edit": true, "dataset#download": true, "dataset#consult": true, "dataset#search": true,
	"service#manage": true, "service#view": true, "service#use": true, "grant#manage": true, "grant#view": true,
}

// lacks is the refusal of an action that needs r.
func lacks(r right) error {
	k := r.res.Type + "#" + r.perm
	named, ok := rightNamesObject[k]
	what := messages.New("right.other", r.perm, r.res.Type, r.res.ID)
	switch {
	case ok && named:
		what = messages.New(messages.Key("right."+k), r.res.ID)
	case ok:
		what = messages.New(messages.Key("right." + k))
	}
	return refuse(ErrForbidden, "portal.lacks", what)
}

// errDisabled is the refusal of any action by a disabled account.
var errDisabled = &Error{Kind: ErrForbidden, Msg: messages.New("portal.account_disabled")}
