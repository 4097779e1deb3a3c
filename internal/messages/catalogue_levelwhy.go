package messages

// The messages that explain a group's effective level on a dataset (the
// "why" of the access table), kept apart so that they merge without
// meeting other nouns' keys; init adds them.
func init() {
	merge(map[Key]entry{
		"levelwhy.summary":   {"%s gets the level %s on dataset “%s”.", "%s obtient le niveau « %s » sur le jeu de données « %s »."},
		"levelwhy.default":   {"the dataset's default level, which everyone gets: %s", "le niveau par défaut du jeu de données, que tout le monde obtient : « %s »"},
		"levelwhy.specific":  {"its own specific level on the dataset: %s", "son propre niveau particulier sur le jeu de données : « %s »"},
		"levelwhy.org_group": {"it belongs to the group of organisations %s, which has the specific level %s", "elle fait partie du groupe d'organisations %s, qui a le niveau particulier « %s »"},
		"levelwhy.owner":     {"it owns the dataset: its members get %s", "elle est propriétaire du jeu de données : ses membres obtiennent « %s »"},
		"levelwhy.platform":  {"its members hold the platform role %s, which reads every dataset: %s", "ses membres ont le rôle de plateforme %s, qui lit tous les jeux de données : « %s »"},
	})
}
