package messages

// The words of a map's edit screen (its properties, its layers, its
// deletion), kept apart from ui.go so that merges stay easy; init adds
// them (a key defined twice stops the program).
func init() {
	merge(map[Key]entry{
		"ui.mapedit.title":              {"Edit map %s", "Modifier la carte %s"},
		"ui.mapedit.link":               {"Edit the map", "Modifier la carte"},
		"ui.mapedit.back":               {"Back to %s", "Retour à %s"},
		"ui.mapedit.properties":         {"Properties", "Propriétés"},
		"ui.mapedit.save":               {"Save the properties", "Enregistrer les propriétés"},
		"ui.mapedit.saved":              {"The map's properties were saved.", "Les propriétés de la carte ont été enregistrées."},
		"ui.mapedit.layers_caption":     {"What the map shows", "Ce que montre la carte"},
		"ui.mapedit.layer":              {"Layer", "Couche"},
		"ui.mapedit.remove":             {"Remove", "Retirer"},
		"ui.mapedit.remove_which":       {"Remove %s from the map", "Retirer %s de la carte"},
		"ui.mapedit.add_dataset":        {"Add a dataset (its id)", "Ajouter un jeu de données (son identifiant)"},
		"ui.mapedit.add":                {"Add to the map", "Ajouter à la carte"},
		"ui.mapedit.dataset_needed":     {"dataset: type the id of a dataset you may consult", "jeu de données : saisissez l'identifiant d'un jeu de données que vous pouvez consulter"},
		"ui.mapedit.layer_added":        {"The layer was added.", "La couche a été ajoutée."},
		"ui.mapedit.layer_removed":      {"The layer was removed.", "La couche a été retirée."},
		"ui.mapedit.delete":             {"Delete the map", "Supprimer la carte"},
		"ui.mapedit.delete_question":    {"Delete map %s?", "Supprimer la carte %s ?"},
		"ui.mapedit.delete_consequence": {"The map and every privilege given on it are deleted; the datasets it shows stay.", "La carte et tous les privilèges accordés sur elle sont supprimés ; les jeux de données qu'elle montre restent."},
		"ui.mapedit.deleted":            {"The map was deleted.", "La carte a été supprimée."},
	})
}
