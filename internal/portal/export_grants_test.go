package portal

// SetAccessesDeleted lets the external tests watch what s tells the keys'
// code (Service.accessesDeleted); the returned function puts the previous
// hook back.
func (s *Service) SetAccessesDeleted(f func(ids []string)) func() {
	prev := s.accessesDeleted
	s.accessesDeleted = func(_ *txn, ids []string) error { f(ids); return nil }
	return func() { s.accessesDeleted = prev }
}
