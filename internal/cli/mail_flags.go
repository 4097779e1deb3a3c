package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/server"
)

// mailFlags are the flags of the portal's e-mails and expiry notices
// (serve); parse the days with expiryDays after the flags.
func mailFlags(ef *envFlags, m *server.MailConfig, days *string) {
	ef.String(&m.SMTPAddr, "smtp-addr", "OCTROI_SMTP_ADDR", "`host:port` of the SMTP server the portal's e-mails go through (empty: they stay in the outbox, sent once one is set)")
	ef.String(&m.SMTPUser, "smtp-user", "OCTROI_SMTP_USER", "SMTP user name (empty: no authentication)")
	ef.String(&m.SMTPPassword, "smtp-password", "OCTROI_SMTP_PASSWORD", "SMTP password, never logged; prefer the environment or --smtp-password-file to the command line")
	ef.String(&m.SMTPPasswordFile, "smtp-password-file", "OCTROI_SMTP_PASSWORD_FILE", "`file` whose first line is the SMTP password")
	ef.String(&m.SMTPTLS, "smtp-tls", "OCTROI_SMTP_TLS", "starttls (required STARTTLS, port 587), tls (implicit TLS, port 465) or none (a relay on this host only)")
	ef.String(&m.MailFrom, "mail-from", "OCTROI_MAIL_FROM", "sender of the e-mails, e.g. \"Plateforme <no-reply@example.org>\"")
	ef.String(&m.PublicURL, "public-url", "OCTROI_PUBLIC_URL", "`URL` people reach the platform at (https://data.example.org): the e-mails' links are under it")
	ef.String(days, "grant-expiry-notices", "OCTROI_GRANT_EXPIRY_NOTICES", "comma-separated `days` before a grant's expiry when its beneficiaries and grantor are told (once each, then once when it expired)")
	ef.Duration(&m.ExpiryCheckInterval, "grant-expiry-check", "OCTROI_GRANT_EXPIRY_CHECK", "how often grants are checked for the expiry notices due (0: never)")
}

// expiryDays parses --grant-expiry-notices ("30,7").
func expiryDays(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 1 {
			return nil, fmt.Errorf("%w: --grant-expiry-notices %q: want days, such as 30,7", errUsage, s)
		}
		out = append(out, d)
	}
	return out, nil
}

// printDemoMail says where the demo's e-mails go, so that a newcomer can
// read the notices (join requests, access requests, expiry) it sends.
func printDemoMail(w io.Writer, url string, m server.MailConfig) {
	if m.SMTPAddr != "" {
		fmt.Fprintf(w, "  E-mails go to / Les courriels partent vers : %s\n\n", m.SMTPAddr)
		return
	}
	fmt.Fprintf(w, `  E-mails: none is sent without --smtp-addr; they wait in the outbox. To read them, run a
  mail catcher and restart with it / Courriels : aucun n'est envoyé sans --smtp-addr ; ils
  attendent dans la file d'envoi. Pour les lire, lancez un attrape-courriels et redémarrez :
    go install github.com/axllent/mailpit@v1.33.1 && mailpit --listen 127.0.0.1:8025 --smtp 127.0.0.1:1025
    octroi serve --demo --smtp-addr 127.0.0.1:1025 --smtp-tls none --mail-from demo@octroi.example --public-url %s
  then open / puis ouvrez http://127.0.0.1:8025

`, url)
}
