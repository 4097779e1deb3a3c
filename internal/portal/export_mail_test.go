package portal

import "context"

// NotifyForTest records a notice as a change of the system would, so that
// tests can send notices of kinds no action of theirs sends yet (those
// with a secret link).
func (s *Service) NotifyForTest(ctx context.Context, to, kind string, data map[string]string) error {
	return s.transact(ctx, systemActor, func(t *txn) error { return t.notify(to, kind, data) })
}
