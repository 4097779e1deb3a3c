package messages

// The words of creating and deleting a content page from the web
// interface (source 003), and of the grants screen's live and ended
// sections (source 000; cartes.gouv.fr #376), kept apart from the other
// catalogues so that they merge without touching them; init adds them (a
// key defined twice stops the program).
func init() {
	merge(map[Key]entry{
		"ui.pages.create":             {"Create a page", "Créer une page"},
		"ui.pages.create_intro":       {"The page is private until you make it public in its security section.", "La page est privée tant que vous ne la rendez pas publique dans sa section de sécurité."},
		"ui.pages.new_id":             {"Identifier (in its address)", "Identifiant (dans son adresse)"},
		"ui.pages.new_id_help":        {"Letters, digits, - and _, e.g. flood-dashboard", "Lettres, chiffres, - et _, par exemple tableau-inondations"},
		"ui.pages.owner":              {"Owning organisation", "Organisation propriétaire"},
		"ui.pages.owner_platform":     {"none: a page of the platform", "aucune : une page de la plateforme"},
		"ui.pages.create_button":      {"Create the page", "Créer la page"},
		"ui.pages.created":            {"The page was created: write its text and add its visualisations.", "La page a été créée : écrivez son texte et ajoutez ses visualisations."},
		"ui.pages.delete":             {"Delete the page", "Supprimer la page"},
		"ui.pages.delete_question":    {"Delete page %s?", "Supprimer la page %s ?"},
		"ui.pages.delete_consequence": {"The page, its visualisations and the permissions given on it are deleted; the datasets it shows stay.", "La page, ses visualisations et les permissions accordées sur elle sont supprimées ; les jeux de données qu'elle montre restent."},
		"ui.pages.deleted":            {"The page was deleted.", "La page a été supprimée."},
		"ui.pages.may_not_create":     {"you may not create pages: whoever publishes for an organisation creates its pages, and \"edit all pages\" creates the platform's", "vous ne pouvez pas créer de page : qui publie pour une organisation crée ses pages, et « Modifier toutes les pages » crée celles de la plateforme"},
		"ui.pages.may_not_delete":     {"you may not delete this page: whoever manages it may (its organisation's publishers, \"edit all pages\")", "vous ne pouvez pas supprimer cette page : qui la gère le peut (les publieurs de son organisation, « Modifier toutes les pages »)"},
		"ui.grants.live_heading":      {"Live", "En cours"},
		"ui.grants.ended_heading":     {"Ended", "Terminées"},
		"ui.grants.none_live":         {"No live grant.", "Aucune permission en cours."},
		"ui.grants.none_ended":        {"No ended grant.", "Aucune permission terminée."},
		"ui.grants.ended_intro":       {"Ask a grant's producer to renew it: one click sends them the request.", "Demandez au producteur d'une permission de la renouveler : un clic lui envoie la demande."},
		"ui.grants.next_live":         {"More live grants", "Plus de permissions en cours"},
		"ui.grants.next_ended":        {"More ended grants", "Plus de permissions terminées"},
	})
}
