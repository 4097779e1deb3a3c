package portal

import (
	"errors"
	"fmt"
	"time"

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

// TokenExpiredError refuses a personal token past its expiry. It wraps
// ErrUnauthenticated; unlike an unknown secret it may be told as such (and
// when), since whoever holds an expired token did hold a valid one and
// learns nothing new: they need to know to make another.
type TokenExpiredError struct{ At time.Time }

func (e *TokenExpiredError) Error() string {
	return "unauthenticated: this personal token expired at " + e.At.UTC().Format(time.RFC3339)
}

func (e *TokenExpiredError) Unwrap() error { return ErrUnauthenticated }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func conflictf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConflict}, args...)...)
}

func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotFound}, args...)...)
}

func forbiddenf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrForbidden}, args...)...)
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
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, store.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return err
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// notFoundOr returns err when there is one, else ErrNotFound with the
// message.
func notFoundOr(err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	return notFoundf(format, args...)
}

// isPortalNotFound reports a missing record as the views report it.
func isPortalNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
