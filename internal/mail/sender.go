// Package mail sends the portal's outbox over SMTP: it claims due entries
// (package portal, outbox.go), renders each one (plain text and HTML, in
// French or English, from the embedded templates, with links under the
// platform's public URL) and sends it, then marks it sent; a temporary
// failure is retried with exponential back-off, a refused address (or the
// last attempt) fails the entry for good, which the portal audits
// ("mail.failed") and the sender counts (octroi_mail_failed_total).
//
// Any number of senders may run, one per node, on one database: the
// outbox's claims are exclusive leases, so a message is never sent by two
// of them. Before each message the sender checks that its lease still
// covers a whole SMTP exchange (Config.Timeout), so that its lease cannot
// run out, and another node take the entry over, while it sends. The only
// duplicate a crash can make is a sender dying between the SMTP server's
// acceptance of a message and the store write that marks it sent, which
// follows at once (see portal's outbox).
//
// The SMTP password is never logged, nor is any message's data: links in
// invitations and password resets are secrets.
package mail

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	gomail "github.com/wneessen/go-mail"

	"github.com/octroi/octroi/internal/portal"
)

// TLS modes of the SMTP connection.
const (
	TLSStartTLS = "starttls" // plain connection upgraded by STARTTLS, which must succeed (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: for a relay on the same host only
)

// Config is what a Sender needs. Addr, From and PublicURL are required.
type Config struct {
	// Addr is the SMTP server, host:port.
	Addr string
	// User and Password authenticate (PLAIN or LOGIN, as the server
	// offers; never over an unencrypted connection unless TLS is none).
	// Empty User: no authentication.
	User, Password string
	// TLS is starttls (default), tls or none.
	TLS string
	// From is the sender address, optionally with a name:
	// "Plateforme <no-reply@example.org>".
	From string
	// PublicURL is where people reach the platform; links in messages are
	// under it.
	PublicURL string
	// RootCAs verifies the server's certificate (nil: the system's).
	RootCAs *x509.CertPool

	// Poll is how often the outbox is read when nothing wakes the sender
	// (default 5s). Lease is how long a claim holds an entry (default
	// 10m); Timeout bounds one SMTP exchange (default 30s); Batch is the
	// number of entries claimed at once (default 10).
	Poll    time.Duration
	Lease   time.Duration
	Timeout time.Duration
	Batch   int
	// Backoff is the wait after a first temporary failure, doubled after
	// each (default 1m), up to MaxBackoff (default 6h).
	Backoff, MaxBackoff time.Duration

	// Now is the clock (nil: time.Now); Log the logger (nil: none);
	// Metrics registers the sender's counters (nil: none).
	Now     func() time.Time
	Log     *slog.Logger
	Metrics prometheus.Registerer
}

// Validate reports the first unusable value, naming its flag.
func (c Config) Validate() error {
	var errs []error
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || host == "" {
		errs = append(errs, fmt.Errorf("--smtp-addr %q: want host:port, such as smtp.example.org:587", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		errs = append(errs, fmt.Errorf("--smtp-addr %q: the port must be 1 to 65535", c.Addr))
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSImplicit, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("--smtp-tls %q: want starttls, tls or none", c.TLS))
	}
	if c.TLS == TLSNone && c.User != "" && err == nil && !loopback(host) {
		errs = append(errs, fmt.Errorf("--smtp-tls none with --smtp-user would send the password in clear to %s: use starttls or tls (none is for a relay on this host)", host))
	}
	if c.Password != "" && c.User == "" {
		errs = append(errs, errors.New("--smtp-password is set without --smtp-user"))
	}
	if err := gomail.NewMsg().From(c.From); err != nil || c.From == "" {
		errs = append(errs, fmt.Errorf("--mail-from %q: want an address, such as \"Plateforme <no-reply@example.org>\"", c.From))
	}
	if _, err := parsePublicURL(c.PublicURL); err != nil {
		errs = append(errs, fmt.Errorf("--public-url: %w", err))
	}
	if c.Poll < 0 || c.Lease < 0 || c.Timeout < 0 || c.Batch < 0 || c.Backoff < 0 || c.MaxBackoff < 0 {
		errs = append(errs, errors.New("mail intervals and sizes must not be negative"))
	}
	return errors.Join(errs...)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Outbox is what a Sender needs of the portal's outbox.
type Outbox interface {
	ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]portal.Mail, error)
	MailSent(ctx context.Context, owner, id string, at time.Time) error
	MailFailed(ctx context.Context, owner, id, reason string, permanent bool, now, next time.Time) (bool, error)
}

var _ Outbox = portal.Outbox{}

// Sender drains an outbox over SMTP. Run it once per process.
type Sender struct {
	cfg    Config
	box    Outbox
	render *Renderer
	owner  string
	log    *slog.Logger
	wake   chan struct{}

	sent, retried, failed prometheus.Counter

	// hook, when set (tests), is called at each step of a message:
	// "claimed", "sent" (accepted by the server, not yet marked), "marked".
	hook func(step, id string)
}

// New returns a Sender, or the configuration's errors.
func New(cfg Config, box Outbox) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.TLS = cmp.Or(cfg.TLS, TLSStartTLS)
	cfg.Poll = cmp.Or(cfg.Poll, 5*time.Second)
	cfg.Lease = cmp.Or(cfg.Lease, 10*time.Minute)
	cfg.Timeout = cmp.Or(cfg.Timeout, 30*time.Second)
	cfg.Batch = cmp.Or(cfg.Batch, 10)
	cfg.Backoff = cmp.Or(cfg.Backoff, time.Minute)
	cfg.MaxBackoff = cmp.Or(cfg.MaxBackoff, 6*time.Hour)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Lease < 2*cfg.Timeout {
		return nil, fmt.Errorf("mail lease %s must be at least twice the SMTP timeout %s", cfg.Lease, cfg.Timeout)
	}
	r, err := NewRenderer(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	s := &Sender{cfg: cfg, box: box, render: r, owner: newOwner(), log: cfg.Log, wake: make(chan struct{}, 1),
		sent:    prometheus.NewCounter(prometheus.CounterOpts{Name: "octroi_mail_sent_total", Help: "E-mails the SMTP server accepted."}),
		retried: prometheus.NewCounter(prometheus.CounterOpts{Name: "octroi_mail_retries_total", Help: "E-mail attempts that failed and will be retried."}),
		failed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "octroi_mail_failed_total", Help: "E-mails given up (refused address or too many attempts); each is in the audit log as mail.failed."}),
	}
	if cfg.Metrics != nil {
		for _, c := range []prometheus.Collector{s.sent, s.retried, s.failed} {
			if err := cfg.Metrics.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// newOwner names this sender in the leases it takes: unique per process.
func newOwner() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Wake makes Run look at the outbox now rather than at its next poll (a
// change on this node just queued a message). It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends. Errors of the store are logged and retried at
// the next poll.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("mail outbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// Drain claims and sends due entries until none is left, and returns how
// many the server accepted.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	n := 0
	for {
		ms, err := s.box.ClaimMail(ctx, s.owner, s.cfg.Now(), s.cfg.Lease, s.cfg.Batch)
		if err != nil || len(ms) == 0 {
			return n, err
		}
		for _, m := range ms {
			s.step("claimed", m.ID)
			if err := ctx.Err(); err != nil {
				return n, err // the lease runs out and another sender takes over
			}
			ok, err := s.send(ctx, m)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
		}
	}
}

func (s *Sender) step(step, id string) {
	if s.hook != nil {
		s.hook(step, id)
	}
}

// send sends one claimed entry and records the outcome; it reports whether
// the server accepted it. An error is the store's: the entry stays leased
// and is retried once the lease runs out.
func (s *Sender) send(ctx context.Context, m portal.Mail) (bool, error) {
	now := s.cfg.Now()
	if m.LeaseUntil.Sub(now) < s.cfg.Timeout {
		// Too late to send within the lease: leave it to the next claim.
		return false, nil
	}
	msg, err := s.message(m)
	if err != nil {
		return false, s.fail(ctx, m, fmt.Sprintf("cannot render: %v", err), true)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Timeout)
	err = s.dialAndSend(sctx, msg)
	cancel()
	if err != nil {
		reason, permanent := classify(err)
		return false, s.fail(ctx, m, reason, permanent)
	}
	s.step("sent", m.ID)
	// The one window for a duplicate: from the server's acceptance to
	// this write. It ignores ctx so that a stopping node still marks what
	// it sent.
	if err := s.box.MailSent(context.WithoutCancel(ctx), s.owner, m.ID, s.cfg.Now()); err != nil {
		return true, fmt.Errorf("marking e-mail %s sent: %w", m.ID, err)
	}
	s.sent.Inc()
	s.step("marked", m.ID)
	s.log.Info("e-mail sent", "mail", m.ID, "kind", m.Kind)
	return true, nil
}

// fail records a failed attempt: retried after a back-off, or given up.
func (s *Sender) fail(ctx context.Context, m portal.Mail, reason string, permanent bool) error {
	now := s.cfg.Now()
	wait := s.cfg.Backoff
	for i := 1; i < m.Attempts && wait < s.cfg.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, s.cfg.MaxBackoff)
	final, err := s.box.MailFailed(context.WithoutCancel(ctx), s.owner, m.ID, reason, permanent, now, now.Add(wait))
	if err != nil {
		return fmt.Errorf("recording the failure of e-mail %s: %w", m.ID, err)
	}
	if final {
		s.failed.Inc()
		s.log.Warn("e-mail given up", "mail", m.ID, "kind", m.Kind, "account", m.Account, "attempts", m.Attempts, "reason", reason)
	} else {
		s.retried.Inc()
		s.log.Info("e-mail will be retried", "mail", m.ID, "kind", m.Kind, "attempt", m.Attempts, "in", wait, "reason", reason)
	}
	return nil
}

// message renders an entry as a go-mail message. Its Message-ID is the
// entry's id, so that a receiving system can tell the one duplicate a
// crash may cause.
func (s *Sender) message(m portal.Mail) (*gomail.Msg, error) {
	r, err := s.render.Render(m)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("recipient address: %w", err)
	}
	msg.SetMessageIDWithValue(m.ID + "@" + s.render.platform)
	msg.SetDate()
	msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.Subject(r.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	return msg, nil
}

// dialAndSend sends one message over a connection of its own.
func (s *Sender) dialAndSend(ctx context.Context, msg *gomail.Msg) error {
	host, port, _ := net.SplitHostPort(s.cfg.Addr)
	p, _ := strconv.Atoi(port)
	opts := []gomail.Option{gomail.WithPort(p), gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12})}
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.User != "" {
		auth := gomail.SMTPAuthAutoDiscover // the strongest the server offers, over TLS
		if s.cfg.TLS == TLSNone {
			auth = gomail.SMTPAuthPlainNoEnc // only to a loopback relay: see Validate
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// classify says why an attempt failed, for the outbox and the logs, and
// whether retrying is useless: the server refused the recipient or the
// message with a permanent (5xx) answer. Everything else — no
// connection, a timeout, a temporary (4xx) answer, a refused sender or
// authentication (the operator's to fix) — is retried.
func classify(err error) (string, bool) {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		permanent := !se.IsTemp() && code >= 500 && code < 600 &&
			(se.Reason == gomail.ErrSMTPRcptTo || se.Reason == gomail.ErrSMTPData || se.Reason == gomail.ErrSMTPDataClose)
		return oneLine(se.Error()), permanent
	}
	return oneLine(err.Error()), false
}

// oneLine keeps a reason short and on one line (it goes to the audit log).
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}
