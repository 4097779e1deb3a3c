package messages

// The words of an organisation's edit screen, kept apart from ui.go so
// that merges stay easy; init adds them (a key defined twice stops the
// program).
func init() {
	merge(map[Key]entry{
		"ui.orgedit.title":        {"Information of %s", "Informations de %s"},
		"ui.orgedit.link":         {"Edit the organisation's information", "Modifier les informations de l'organisation"},
		"ui.orgedit.back":         {"Back to the members", "Retour aux membres"},
		"ui.orgedit.contact":      {"Contact address", "Adresse de contact"},
		"ui.orgedit.contact_help": {"Shown to the beneficiaries of the organisation's permissions, to ask for a renewal or help; empty: none.", "Montrée aux bénéficiaires des permissions de l'organisation, pour demander un renouvellement ou de l'aide ; vide : aucune."},
		"ui.orgedit.save":         {"Save the information", "Enregistrer les informations"},
		"ui.orgedit.saved":        {"The organisation's information was saved.", "Les informations de l'organisation ont été enregistrées."},
		// Source 000: a consumer writes to the producer, with their
		// account's id, to be granted access.
		"ui.dataset.contact": {"Producer's contact", "Contact du producteur"},
		"ui.me.id":           {"My account's id (to give a producer who grants me access)", "Identifiant de mon compte (à donner au producteur qui m'accorde un accès)"},
	})
}
