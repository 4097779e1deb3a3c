package portal

import (
	"context"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/messages"
)

// securityKinds are the e-mailed kinds nobody may turn off: the welcome
// of an account created for someone (it tells them how to get in), a
// password reset, an address to confirm. Any
// notice carrying a secret link (invitations, password resets) is
// e-mailed whatever its owner chose, too.
var securityKinds = map[string]bool{"account.created": true, "account.password_reset": true, "account.verify_email": true}

// OptionalMailKinds are the e-mailed notice kinds an account may turn off
// (SetMailOff), sorted.
func OptionalMailKinds() []string {
	var out []string
	for k := range mailedKinds {
		if !securityKinds[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// SetMailOff sets the notice kinds an account does not receive by e-mail
// (each one of OptionalMailKinds; none: every e-mail), by the account
// itself (active) or an account manager. The notices are still recorded.
func (s *Service) SetMailOff(ctx context.Context, actor, id string, off []string) (Account, error) {
	optional := OptionalMailKinds()
	var clean []string
	for _, k := range off {
		if !slices.Contains(optional, k) {
			return Account{}, invalid("invalid.mail_kind", "mail_off", messages.Quote(k), strings.Join(optional, ", "))
		}
		if !slices.Contains(clean, k) {
			clean = append(clean, k)
		}
	}
	slices.Sort(clean)
	err := s.do(ctx, actor, guard{self: id, rights: []right{{s.platformRef(), "manage_accounts"}}}, func(t *txn) error {
		var a Account
		if err := t.get(ctx, kindAccount, id, &a); err != nil {
			return err
		}
		if slices.Equal(a.MailOff, clean) {
			return nil
		}
		before := a
		a.MailOff = clean
		if err := t.put(kindAccount, a.ID, a.Email, "", accountRecord(a)); err != nil {
			return err
		}
		return t.audit("account.mail_off", "account:"+id, before, a)
	})
	if err != nil {
		return Account{}, err
	}
	return s.read().account(ctx, id)
}
