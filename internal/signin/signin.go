// Package signin lets people sign in to octroi with an e-mail and a
// password, and keeps their browser sessions: the part of accounts that
// faces (the JSON API, the web UI) share, on top of the portal, which
// keeps the records (see portal's passwords.go and sessions.go).
//
// # Passwords
//
// Passwords are hashed with argon2id (Params), in PHC string format, so
// that each hash carries its parameters: a hash made with older ones is
// re-made at the next good sign-in. A new password needs MinPasswordLen
// characters, and is refused when it is among the common passwords
// guessers try first (an embedded list, see gencommon) or is the account's
// e-mail address. Comparisons are constant-time.
//
// # Signing in
//
// SignIn checks an e-mail and a password and opens a session. Whatever
// fails — an unknown e-mail, an account without a password yet, a
// disabled account, a wrong password — the answer is ErrBadCredentials,
// after the same work (an unknown e-mail's password is hashed against a
// stand-in hash), so that nobody learns which e-mails have accounts.
// Failures slow the next attempts (see throttle): per (e-mail, address)
// and per address, doubling up to five minutes, so that a guesser is
// slowed without anyone being able to lock someone else out for longer.
//
// # Sessions
//
// A session's secret travels in a cookie (Cookie: HttpOnly, SameSite=Lax,
// Secure over TLS or when the public URL is https). The portal stores it
// hashed, as a credential that every node's credentials cache holds in
// memory, with its absolute expiry; Authenticate checks the idle timeout
// (from this node's memory, confirmed from the database before refusing,
// since another node may have seen the session used), and that the
// account is active in the engine's index: disabling an account ends its
// sessions at once on every node (the portal deletes them, and until
// each node's cache learns of it the index already refuses the account).
//
// Links (invitations, password resets, e-mail verification) are made by
// the portal and reach their owner by e-mail only; SetPasswordWithLink
// uses one.
//
// A Service is safe for concurrent use.
package signin

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/portal"
)

// Accounts is what signing in needs of the portal; *portal.Service
// implements it.
type Accounts interface {
	PasswordHash(ctx context.Context, email string) (portal.Account, string, error)
	RehashPassword(ctx context.Context, account, old, new string) error
	ChangePassword(ctx context.Context, actor, hash, keep string) error
	LinkAccount(ctx context.Context, secret string) (portal.Account, error)
	UseLink(ctx context.Context, secret, hash string) (portal.Account, error)
	RequestPasswordReset(ctx context.Context, email string) error
	Register(ctx context.Context, email, name string) error
	OpenSession(ctx context.Context, account string, expires time.Time, address, userAgent string) (portal.Session, string, error)
	SessionLastUsed(ctx context.Context, id string) (*time.Time, error)
	CloseSession(ctx context.Context, actor, id string) error
	ActiveAccount(ctx context.Context, id string) (portal.Account, error)
	SetPasswordHash(ctx context.Context, account, hash string) error
	SignInWithIdentity(ctx context.Context, issuer, subject, email string, verified, byEmail bool) (portal.Account, error)
}

// Lookup finds a credential by its secret in memory (credentials.Cache).
type Lookup interface {
	Lookup(kind, secret string, now time.Time) (credentials.Entry, error)
}

// Default timeouts: a session ends after IdleTimeout without use, and
// AbsoluteTimeout after it opened whatever its use.
const (
	DefaultIdleTimeout     = 2 * time.Hour
	DefaultAbsoluteTimeout = 7 * 24 * time.Hour
)

// Config is what a Service needs. Accounts and Sessions are required.
type Config struct {
	Accounts Accounts
	// Sessions looks sessions up (a credentials.Cache holding
	// portal.KindSession, following the store).
	Sessions Lookup
	// IdleTimeout and AbsoluteTimeout bound a session (zero: the
	// defaults).
	IdleTimeout, AbsoluteTimeout time.Duration
	// Params hash new passwords (zero: DefaultParams).
	Params Params
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Service signs people in and keeps their sessions.
type Service struct {
	acc           Accounts
	lookup        Lookup
	idle, absol   time.Duration
	params        Params
	now           func() time.Time
	dummy         string // a hash to check unknown e-mails' passwords against
	fails         *throttle
	requests      *throttle // reset and registration requests, per address
	seenMu        sync.Mutex
	seen          map[string]time.Time // session id → last use seen by this node
	lastSeenSweep time.Time
	// hashing bounds the password hashes computed at once (each takes
	// Params.Memory), so that a flood of sign-ins queues rather than
	// exhausting memory.
	hashing chan struct{}
	// verified counts password checks, so that tests can prove that every
	// sign-in pays for one whatever the e-mail.
	verified atomic.Int64
}

// New returns a Service, or an error naming the missing configuration.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Accounts == nil:
		return nil, errors.New("signin: Config.Accounts is required")
	case cfg.Sessions == nil:
		return nil, errors.New("signin: Config.Sessions is required")
	case cfg.IdleTimeout < 0 || cfg.AbsoluteTimeout < 0:
		return nil, errors.New("signin: session timeouts must be positive")
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if cfg.Params == (Params{}) {
		cfg.Params = DefaultParams
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{acc: cfg.Accounts, lookup: cfg.Sessions, idle: cfg.IdleTimeout, absol: cfg.AbsoluteTimeout, params: cfg.Params, now: cfg.Now,
		fails: newThrottle(), requests: newThrottle(), seen: map[string]time.Time{}, hashing: make(chan struct{}, runtime.GOMAXPROCS(0))}
	s.requests.freePair, s.requests.freeAddr = 5, 5
	s.dummy = s.params.Hash("a stand-in: no password matches it on purpose")
	return s, nil
}

// IdleTimeout and AbsoluteTimeout report the session timeouts in force.
func (s *Service) IdleTimeout() time.Duration     { return s.idle }
func (s *Service) AbsoluteTimeout() time.Duration { return s.absol }

// Client is who makes a request, for throttling and for the sessions
// list: its address (without port) and user agent.
type Client struct {
	Address, UserAgent string
}

// SignIn checks email and password and opens a session, whose secret it
// returns (for the cookie). Failures are ErrBadCredentials, or a
// *ThrottledError while the caller must wait.
func (s *Service) SignIn(ctx context.Context, email, password string, c Client) (portal.Session, string, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	if err := s.checkThrottle(s.fails, key, c.Address, now); err != nil {
		return portal.Session{}, "", err
	}
	acc, phc, err := s.acc.PasswordHash(ctx, email)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		// Spend the work a known e-mail costs.
		_, _, _ = s.verify(password, s.dummy)
		s.fails.fail(key, c.Address, now)
		return portal.Session{}, "", ErrBadCredentials
	case err != nil:
		return portal.Session{}, "", err
	}
	ok, rehash, err := s.verify(password, phc)
	if err != nil {
		return portal.Session{}, "", err // a corrupt stored hash: the operator's to see
	}
	if !ok {
		s.fails.fail(key, c.Address, now)
		return portal.Session{}, "", ErrBadCredentials
	}
	s.fails.succeed(key, c.Address)
	if rehash {
		// The sign-in stands even if storing the better hash fails: the
		// next one tries again.
		_ = s.acc.RehashPassword(ctx, acc.ID, phc, s.hash(password))
	}
	ses, secret, err := s.acc.OpenSession(ctx, acc.ID, now.Add(s.absol), c.Address, c.UserAgent)
	if err != nil {
		return portal.Session{}, "", err
	}
	s.noteSeen(ses.ID, now)
	return ses, secret, nil
}

func (s *Service) verify(password, phc string) (ok, rehash bool, err error) {
	s.verified.Add(1)
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	return s.params.Verify(password, phc)
}

// hash hashes a new password, within the bound on hashes at once.
func (s *Service) hash(password string) string {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	return s.params.Hash(password)
}

func (s *Service) checkThrottle(t *throttle, key, addr string, now time.Time) error {
	if d := t.wait(key, addr, now); d > 0 {
		return throttled(int(math.Ceil(d.Seconds())))
	}
	return nil
}

// Authenticate returns the account of a session's secret and the
// session's id. An unknown, closed, expired or idle session is an error of
// kind portal.ErrUnauthenticated (idle and expired ones say so: their
// holder did sign in), a disabled account's is portal.ErrAccountDisabled.
// It answers from memory, but for a session this node has not seen used
// within the idle timeout, which it checks in the database first.
func (s *Service) Authenticate(ctx context.Context, secret string) (portal.Account, string, error) {
	now := s.now()
	e, err := s.lookup.Lookup(portal.KindSession, secret, now)
	var expired *credentials.ExpiredError
	switch {
	case errors.As(err, &expired):
		return portal.Account{}, "", refuse(portal.ErrUnauthenticated, "signin.session_expired")
	case err != nil:
		return portal.Account{}, "", refuse(portal.ErrUnauthenticated, "signin.session_invalid")
	}
	if last := s.lastSeen(e.ID); last.IsZero() || now.Sub(last) > s.idle {
		stored, err := s.acc.SessionLastUsed(ctx, e.ID)
		if errors.Is(err, portal.ErrNotFound) {
			return portal.Account{}, "", refuse(portal.ErrUnauthenticated, "signin.session_invalid")
		}
		if err != nil {
			return portal.Account{}, "", err
		}
		if now.Sub(*stored) > s.idle {
			// Closed for good, so that no node takes it again.
			_ = s.acc.CloseSession(ctx, e.Owner, e.ID)
			return portal.Account{}, "", refuse(portal.ErrUnauthenticated, "signin.session_expired")
		}
	}
	acc, err := s.acc.ActiveAccount(ctx, e.Owner)
	if err != nil {
		return portal.Account{}, "", err
	}
	s.noteSeen(e.ID, now)
	return acc, e.ID, nil
}

// lastSeen is the last use of session id this node saw (zero: none).
func (s *Service) lastSeen(id string) time.Time {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	return s.seen[id]
}

// noteSeen records a use; entries older than the idle timeout are swept
// now and then, so that memory holds the sessions of the last idle period.
func (s *Service) noteSeen(id string, now time.Time) {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	s.seen[id] = now
	if now.Sub(s.lastSeenSweep) > s.idle {
		s.lastSeenSweep = now
		for k, t := range s.seen {
			if now.Sub(t) > s.idle {
				delete(s.seen, k)
			}
		}
	}
}

// SignOut closes the session of secret; an unknown one is no error (the
// caller is signed out either way).
func (s *Service) SignOut(ctx context.Context, secret string) error {
	e, err := s.lookup.Lookup(portal.KindSession, secret, s.now())
	if err != nil {
		return nil
	}
	err = s.acc.CloseSession(ctx, e.Owner, e.ID)
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	}
	return err
}

// SetPasswordWithLink sets the password of the account a link (an
// invitation, a reset, an e-mail verification) is for, after checking its
// strength. The link is then used up, and the account's sessions end.
func (s *Service) SetPasswordWithLink(ctx context.Context, link, password string) (portal.Account, error) {
	acc, err := s.acc.LinkAccount(ctx, link)
	if err != nil {
		return portal.Account{}, err
	}
	if err := checkPassword("password", password, acc.Email); err != nil {
		return portal.Account{}, err
	}
	return s.acc.UseLink(ctx, link, s.hash(password))
}

// SetPassword sets an account's password as the system (the demo, an
// operator's command), after checking its strength; the account's
// sessions end.
func (s *Service) SetPassword(ctx context.Context, account, email, password string) error {
	return s.SetPasswords(ctx, map[string]string{account: email}, password)
}

// SetPasswords is SetPassword for several accounts (id → e-mail) that
// share one password, hashed once: the demo gives all its people one.
func (s *Service) SetPasswords(ctx context.Context, accounts map[string]string, password string) error {
	for _, email := range accounts {
		if err := checkPassword("password", password, email); err != nil {
			return err
		}
	}
	hash := s.hash(password)
	for id := range accounts {
		if err := s.acc.SetPasswordHash(ctx, id, hash); err != nil {
			return err
		}
	}
	return nil
}

// ChangePassword sets the actor's password, after checking its current
// one (throttled like a sign-in) and the new one's strength; the actor's
// other sessions end, the session keep stays.
func (s *Service) ChangePassword(ctx context.Context, actor, keep, current, password string, c Client) error {
	acc, err := s.acc.ActiveAccount(ctx, actor)
	if err != nil {
		return err
	}
	now := s.now()
	if err := s.checkThrottle(s.fails, acc.Email, c.Address, now); err != nil {
		return err
	}
	_, phc, err := s.acc.PasswordHash(ctx, acc.Email)
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return err
	}
	if err != nil { // no password yet: nothing matches
		phc = s.dummy
	}
	if ok, _, err := s.verify(current, phc); err != nil || !ok {
		s.fails.fail(acc.Email, c.Address, now)
		if err != nil {
			return err
		}
		return invalid("signin.wrong_password", "current_password")
	}
	s.fails.succeed(acc.Email, c.Address)
	if err := checkPassword("password", password, acc.Email); err != nil {
		return err
	}
	return s.acc.ChangePassword(ctx, actor, s.hash(password), keep)
}

// RequestPasswordReset sends a reset link to the account of email, if
// there is one; the answer is the same either way (nil), but for a
// *ThrottledError when one address asks too often.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, c Client) error {
	if err := s.countRequest(c); err != nil {
		return err
	}
	return s.acc.RequestPasswordReset(ctx, email)
}

// Register signs someone up (when the platform allows it: else
// portal.ErrForbidden): an account for email with a link to verify it and
// set a password. The answer is the same whether the e-mail was taken.
func (s *Service) Register(ctx context.Context, email, name string, c Client) error {
	if err := s.countRequest(c); err != nil {
		return err
	}
	return s.acc.Register(ctx, email, name)
}

// countRequest counts a request that sends an e-mail, and refuses it when
// its address has sent many lately (so that nobody floods mailboxes).
func (s *Service) countRequest(c Client) error {
	now := s.now()
	if err := s.checkThrottle(s.requests, "", c.Address, now); err != nil {
		return err
	}
	s.requests.fail("", c.Address, now)
	return nil
}
