package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/mail"
	"github.com/octroi/octroi/internal/portal"
)

// MailConfig is how the server sends the portal's e-mails (the outbox,
// see package mail). Without SMTPAddr nothing is sent: notices queue their
// e-mails in the outbox, which the server says once at start, and a later
// start with an SMTP server sends them.
type MailConfig struct {
	// SMTPAddr is the SMTP server, host:port.
	SMTPAddr string
	// SMTPUser and SMTPPassword authenticate; SMTPPasswordFile, when
	// set, holds the password instead (its first line), so that it stays
	// out of the environment and the command line. Never logged.
	SMTPUser         string
	SMTPPassword     string
	SMTPPasswordFile string
	// SMTPTLS is starttls (default), tls or none.
	SMTPTLS string
	// MailFrom is the messages' sender, e.g. "Plateforme <no-reply@example.org>".
	MailFrom string
	// PublicURL is where people reach the platform: the links of the
	// messages are under it.
	PublicURL string

	// ExpiryNoticeDays are the days before a grant's expiry when its
	// people are told (portal.GrantExpiryNotices); nil: 30 and 7.
	// ExpiryCheckInterval is how often each node looks for the notices
	// due (0: never; they are recorded exactly once whatever the number
	// of nodes).
	ExpiryNoticeDays    []int
	ExpiryCheckInterval time.Duration
}

// validateMail reports what is wrong with the mail settings (nothing when
// no SMTP server is set and nothing else is).
func (c Config) validateMail() error {
	m := c.Mail
	for _, d := range m.ExpiryNoticeDays {
		if d < 1 || d > 366 {
			return fmt.Errorf("--grant-expiry-notices: %d days: want 1 to 366", d)
		}
	}
	if m.ExpiryCheckInterval < 0 {
		return errors.New("--grant-expiry-check must not be negative")
	}
	if m.SMTPAddr == "" {
		if m.SMTPUser != "" || m.SMTPPassword != "" || m.SMTPPasswordFile != "" {
			return errors.New("--smtp-user or --smtp-password is set without --smtp-addr")
		}
		return nil
	}
	if c.NoPortal {
		return errors.New("--smtp-addr: the portal sends e-mails, and --no-portal serves without it")
	}
	if m.SMTPPassword != "" && m.SMTPPasswordFile != "" {
		return errors.New("set --smtp-password or --smtp-password-file, not both")
	}
	cfg := c.mailSenderConfig()
	if m.SMTPPasswordFile != "" {
		cfg.Password = "file" // read at start; here only its presence counts
	}
	return cfg.Validate()
}

func (c Config) mailSenderConfig() mail.Config {
	m := c.Mail
	return mail.Config{Addr: m.SMTPAddr, User: m.SMTPUser, Password: m.SMTPPassword, TLS: m.SMTPTLS, From: m.MailFrom, PublicURL: m.PublicURL, Poll: c.PollInterval}
}

// startMail builds the outbox's sender (Start runs it), or warns once that
// e-mails stay in the outbox.
func (s *Server) setupMail() error {
	if s.portal == nil {
		return nil
	}
	if s.cfg.Mail.SMTPAddr == "" {
		s.log.Warn("no SMTP server configured (--smtp-addr): e-mails stay in the outbox and are sent once one is")
		return nil
	}
	cfg := s.cfg.mailSenderConfig()
	if f := s.cfg.Mail.SMTPPasswordFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("--smtp-password-file: %w", err)
		}
		cfg.Password, _, _ = strings.Cut(string(b), "\n")
		cfg.Password = strings.TrimRight(cfg.Password, "\r")
		if cfg.Password == "" {
			return fmt.Errorf("--smtp-password-file %s: the file's first line is empty", f)
		}
	}
	cfg.Log, cfg.Metrics = s.log.With("component", "mail"), s.reg
	m, err := mail.New(cfg, s.portal.Outbox())
	if err != nil {
		return err
	}
	s.mailer = m
	s.log.Info("e-mails are sent", "smtp", cfg.Addr, "tls", cfg.TLS, "from", cfg.From, "public_url", cfg.PublicURL)
	return nil
}

// Outbox returns the portal's outbox (for tests and tools), or false
// without the portal.
func (s *Server) Outbox() (portal.Outbox, bool) {
	if s.portal == nil {
		return portal.Outbox{}, false
	}
	return s.portal.Outbox(), true
}

// expiryWindows are the notice windows of Mail.ExpiryNoticeDays.
func (c Config) expiryWindows() []time.Duration {
	if c.Mail.ExpiryNoticeDays == nil {
		return nil
	}
	out := make([]time.Duration, len(c.Mail.ExpiryNoticeDays))
	for i, d := range c.Mail.ExpiryNoticeDays {
		out[i] = time.Duration(d) * 24 * time.Hour
	}
	return out
}

// expiryLoop records the grants' expiry notices due, and purges the
// self-registrations whose verification expired, every
// ExpiryCheckInterval, until ctx ends. Every node runs it: the portal
// records each notice once, and each purge re-reads what it deletes in
// its transaction.
func (s *Server) expiryLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.Mail.ExpiryCheckInterval)
	defer t.Stop()
	for {
		n, err := s.portal.GrantExpiryNotices(ctx, s.cfg.expiryWindows())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("grant expiry notices", "error", err)
		case n > 0:
			s.log.Info("grant expiry notices recorded", "grants", n)
		}
		// Self-registrations nobody verified in time go, with their links.
		switch n, err := s.portal.PurgeRegistrations(ctx); {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("purging expired registrations", "error", err)
		case n > 0:
			s.log.Info("expired registrations purged", "registrations", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
