package messages

// The words of the screens that close the last imperfections (cancelled
// access requests, grants covering no service, organisations created and
// deleted from the interface, bounded community choices), kept apart from
// ui.go so that merges stay easy; init adds them (a key defined twice
// stops the program).
func init() {
	merge(map[Key]entry{
		"ui.notice.access_request.cancelled.dataset_deleted":   {"Your access request for dataset %s was cancelled: the dataset was deleted.", "Votre demande d'accès au jeu de données %s a été annulée : le jeu de données a été supprimé."},
		"ui.notice.access_request.cancelled.community_deleted": {"Your access request for dataset %s for the community %s was cancelled: the community was deleted.", "Votre demande d'accès au jeu de données %s pour la communauté %s a été annulée : la communauté a été supprimée."},
		"ui.notice.access_request.cancelled.services_deleted":  {"Your access request for dataset %s was cancelled: the services it asked for were deleted.", "Votre demande d'accès au jeu de données %s a été annulée : les services demandés ont été supprimés."},
		"ui.request_cause.dataset_deleted":                     {"the dataset was deleted", "le jeu de données a été supprimé"},
		"ui.request_cause.community_deleted":                   {"the community it was for was deleted", "la communauté bénéficiaire a été supprimée"},
		"ui.request_cause.services_deleted":                    {"the services it asked for were deleted", "les services demandés ont été supprimés"},
		"ui.notice.access_request.cancelled.grant_deleted":     {"Your request to renew a grant for dataset %s was cancelled: the grant was deleted.", "Votre demande de renouvellement d'une permission pour le jeu de données %s a été annulée : la permission a été supprimée."},
		"ui.request_cause.grant_deleted":                       {"the grant it would renew was deleted", "la permission à renouveler a été supprimée"},
		"ui.notice.grant.deleted.services_deleted":             {"Grant %s of organisation %s was deleted: every service it covered was deleted, so it opened nothing any more.", "La permission %s de l'organisation %s a été supprimée : tous les services qu'elle couvrait ont été supprimés, elle n'ouvrait donc plus rien."},
		"ui.prefs.kind.grant.deleted":                          {"a permission I hold is deleted with the services it covered", "une permission dont je bénéficie est supprimée avec les services qu'elle couvrait"},
		"ui.prefs.kind.access_request.cancelled":               {"my access request is cancelled because what it asked for was deleted", "ma demande d'accès est annulée parce que ce qu'elle demandait a été supprimé"},
	})
}

// The platform administrators' creation and deletion of organisations
// (ui/orgadmin.go), and the notice of a join request cancelled with its
// organisation.
func init() {
	merge(map[Key]entry{
		"ui.orgadmin.new_title":            {"Create an organisation", "Créer une organisation"},
		"ui.orgadmin.new_link":             {"Create an organisation", "Créer une organisation"},
		"ui.orgadmin.back":                 {"Back to the organisations", "Retour aux organisations"},
		"ui.orgadmin.id_help":              {"Used in addresses; it does not change: letters, digits and _ | - = + .", "Utilisé dans les adresses ; il ne change pas : lettres, chiffres et _ | - = + ."},
		"ui.orgadmin.type":                 {"Type of organisation", "Type d'organisation"},
		"ui.orgadmin.first_admin":          {"First delegated administrator (account id)", "Premier administrateur délégué (identifiant de compte)"},
		"ui.orgadmin.first_admin_help":     {"Yours by default; they add the other members. An account's id is shown on its My account page.", "Le vôtre par défaut ; il ajoute les autres membres. L'identifiant d'un compte figure sur sa page Mon compte."},
		"ui.orgadmin.create_button":        {"Create the organisation", "Créer l'organisation"},
		"ui.orgadmin.created":              {"The organisation was created.", "L'organisation a été créée."},
		"ui.orgadmin.delete_link":          {"Delete the organisation", "Supprimer l'organisation"},
		"ui.orgadmin.delete_question":      {"Delete the organisation %s?", "Supprimer l'organisation %s ?"},
		"ui.orgadmin.delete_consequence":   {"Its members lose their roles in it, it leaves its groups of organisations, and the levels it held on datasets, pages and maps go; pending requests to join it are cancelled. An organisation that still owns datasets or pages is not deleted: delete them first.", "Ses membres y perdent leur rôle, elle quitte ses groupes d'organisations, et les niveaux qu'elle détenait sur des jeux de données, des pages et des cartes disparaissent ; les demandes d'adhésion en attente sont annulées. Une organisation qui possède encore des jeux de données ou des pages n'est pas supprimée : supprimez-les d'abord."},
		"ui.orgadmin.delete":               {"Delete the organisation", "Supprimer l'organisation"},
		"ui.orgadmin.deleted":              {"The organisation was deleted.", "L'organisation a été supprimée."},
		"ui.notice.join_request.cancelled": {"Your request to join organisation %s was cancelled: the organisation was deleted.", "Votre demande d'adhésion à l'organisation %s a été annulée : l'organisation a été supprimée."},
	})
}

// A bounded choice among the reader's own roles (ui/rolechoice.go).
func init() {
	merge(map[Key]entry{
		"ui.rolechoice.find_owner":     {"Find the owning role by name", "Chercher le rôle propriétaire par son nom"},
		"ui.rolechoice.find_community": {"Find one of your communities by name", "Chercher une de vos communautés par son nom"},
		"ui.rolechoice.shown":          {"%d shown of your %d: search to narrow.", "%d affichés sur vos %d : cherchez pour affiner."},
	})
}
