package messages

// The sentences of the grant notices "grant.created" and
// "key.grants_expired" on the notices screen, kept apart from ui.go so
// that they merge without touching it; init adds them (a key defined twice
// stops the program).
func init() {
	merge(map[Key]entry{
		"ui.notice.grant.created":      {"Organisation %s made grant %s for you.", "L'organisation %s vous a accordé la permission %s."},
		"ui.notice.key.grants_expired": {"Your access key %s no longer opens anything: its grants expired, the last on %s.", "Votre clé d'accès %s n'ouvre plus rien : ses permissions ont expiré, la dernière le %s."},
	})
}
