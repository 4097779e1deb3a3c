package messages

// The messages of the last imperfections closed (an unreadable client
// address, cancelled access requests, grants left covering no service),
// kept apart from the main catalogue so that they merge without touching
// it; init adds them (a key defined twice stops the program).
func init() {
	merge(map[Key]entry{
		"gateway.ip_unreadable": {"access key %s has an IP filter and the client's address could not be read: refused, since it might be one the filter keeps out", "la clé d'accès %s a un filtre IP et l'adresse du client n'a pas pu être lue : refusé, car ce pourrait être une adresse que le filtre écarte"},
	})
}

// The refusals of deleting an organisation that still publishes
// (portal/orgdelete.go).
func init() {
	merge(map[Key]entry{
		"conflict.organisation_has_datasets": {"organisation %s still owns %d dataset(s): delete them or ask their producers to, before deleting the organisation (its services and grants go with its datasets)", "l'organisation %s possède encore %d jeu(x) de données : supprimez-les ou demandez-le à leurs producteurs avant de supprimer l'organisation (ses services et ses permissions partent avec ses jeux de données)"},
		"conflict.organisation_id_retired":   {"organisation id %s belonged to an organisation that was deleted: its requests and its audit log still name it, so it is not given again; choose another id", "l'identifiant d'organisation %s appartenait à une organisation supprimée : ses demandes et son journal d'audit le nomment encore, il n'est donc pas réattribué ; choisissez-en un autre"},
		"conflict.organisation_has_pages":    {"organisation %s still owns %d content page(s): delete them before deleting the organisation", "l'organisation %s possède encore %d page(s) de contenu : supprimez-les avant de supprimer l'organisation"},
	})
}
