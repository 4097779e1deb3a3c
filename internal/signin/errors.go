package signin

import (
	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// Refusals are the portal's errors (portal.Error with one of its
// sentinels), so that every face maps them the way it maps the domain's.

func refuse(kind error, key messages.Key, args ...any) error {
	return &portal.Error{Kind: kind, Msg: messages.New(key, args...)}
}

func invalid(key messages.Key, args ...any) error { return refuse(portal.ErrInvalid, key, args...) }

// ErrBadCredentials refuses a sign-in: the e-mail is unknown, or has no
// password yet, or the password is wrong, or the account is disabled. It
// never says which, so that nobody learns which e-mails have accounts.
var ErrBadCredentials error = &portal.Error{Kind: portal.ErrUnauthenticated, Msg: messages.New("signin.bad_credentials")}

// ThrottledError refuses a sign-in attempted too soon after failures (kind
// ErrUnauthenticated, so that it says nothing more than a wrong password
// would, but with when to try again).
type ThrottledError struct {
	Refusal    *portal.Error
	RetryAfter int // seconds
}

func throttled(secs int) error {
	return &ThrottledError{Refusal: &portal.Error{Kind: portal.ErrUnauthenticated, Msg: messages.New("signin.throttled", secs)}, RetryAfter: secs}
}

// Unwrap lets errors.As find the portal.Error (problem mapping) and
// errors.Is its kind.
func (e *ThrottledError) Unwrap() error { return e.Refusal }

func (e *ThrottledError) Error() string { return e.Refusal.Error() }
