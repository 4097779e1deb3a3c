package portal

// SetAccessesDeleted lets the external tests watch accessesDeleted; the
// returned function puts the previous hook back.
func SetAccessesDeleted(f func(ids []string)) func() {
	prev := accessesDeleted
	accessesDeleted = func(_ *txn, ids []string) error { f(ids); return nil }
	return func() { accessesDeleted = prev }
}
