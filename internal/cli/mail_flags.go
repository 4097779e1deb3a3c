package cli

import "github.com/octroi/octroi/internal/server"

// mailFlags are the flags of the portal's e-mails (serve).
func mailFlags(ef *envFlags, m *server.MailConfig) {
	ef.String(&m.SMTPAddr, "smtp-addr", "OCTROI_SMTP_ADDR", "`host:port` of the SMTP server the portal's e-mails go through (empty: they stay in the outbox, sent once one is set)")
	ef.String(&m.SMTPUser, "smtp-user", "OCTROI_SMTP_USER", "SMTP user name (empty: no authentication)")
	ef.String(&m.SMTPPassword, "smtp-password", "OCTROI_SMTP_PASSWORD", "SMTP password, never logged; prefer the environment or --smtp-password-file to the command line")
	ef.String(&m.SMTPPasswordFile, "smtp-password-file", "OCTROI_SMTP_PASSWORD_FILE", "`file` whose first line is the SMTP password")
	ef.String(&m.SMTPTLS, "smtp-tls", "OCTROI_SMTP_TLS", "starttls (required STARTTLS, port 587), tls (implicit TLS, port 465) or none (a relay on this host only)")
	ef.String(&m.MailFrom, "mail-from", "OCTROI_MAIL_FROM", "sender of the e-mails, e.g. \"Plateforme <no-reply@example.org>\"")
	ef.String(&m.PublicURL, "public-url", "OCTROI_PUBLIC_URL", "`URL` people reach the platform at (https://data.example.org): the e-mails' links are under it")
}
