package server

import (
	"context"
	"crypto/rand"
	"fmt"
)

// demoPasswords gives every active person of the demo one password, new at
// every start (the one printed last is the one that works), so that a
// newcomer can sign in as each of them.
func (s *Server) demoPasswords(ctx context.Context, accounts []DemoAccount) error {
	pw := "demo-" + rand.Text()[:12]
	active := map[string]string{}
	for _, a := range accounts {
		if !a.Disabled {
			active[a.ID] = a.Email
		}
	}
	// One hash for all: hashing costs tens of milliseconds each.
	if err := s.signin.SetPasswords(ctx, active, pw); err != nil {
		return fmt.Errorf("demo passwords: %w", err)
	}
	for i := range accounts {
		if !accounts[i].Disabled {
			accounts[i].Password = pw
		}
	}
	return nil
}
