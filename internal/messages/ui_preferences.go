package messages

// The words of "my account"'s preferences (language, e-mails), kept apart
// from ui.go so that merges stay easy; init adds them (a key defined twice
// stops the program).
func init() {
	merge(map[Key]entry{
		"ui.prefs.title":         {"My preferences", "Mes préférences"},
		"ui.prefs.back":          {"Back to my account", "Retour à mon compte"},
		"ui.prefs.language":      {"Language of my pages and e-mails", "Langue de mes pages et de mes courriels"},
		"ui.prefs.language_help": {"Pages are shown in it unless you choose the other one with the button at the top of the page; e-mails are written in it.", "Les pages s'affichent dans cette langue, sauf si vous choisissez l'autre avec le bouton en haut de page ; les courriels sont écrits dans cette langue."},
		"ui.prefs.lang.fr":       {"Français", "Français"},
		"ui.prefs.lang.en":       {"English", "English"},
		"ui.prefs.mail":          {"E-mail me when", "M'écrire un courriel quand"},
		"ui.prefs.mail_help":     {"Unchecked, the notice still shows in My notices, without an e-mail. The e-mails that let you in (a new account, a password reset, an address to confirm, an invitation's link) are always sent.", "Décoché, l'avis reste visible dans Mes avis, sans courriel. Les courriels qui vous permettent d'entrer (un nouveau compte, un mot de passe à réinitialiser, une adresse à confirmer, le lien d'une invitation) sont toujours envoyés."},
		"ui.prefs.save":          {"Save my preferences", "Enregistrer mes préférences"},
		"ui.prefs.saved":         {"Your preferences were saved.", "Vos préférences ont été enregistrées."},

		"ui.prefs.kind.join_request.created":         {"someone asks to join an organisation I manage", "quelqu'un demande à rejoindre une organisation que je gère"},
		"ui.prefs.kind.join_request.accepted":        {"my request to join an organisation is accepted", "ma demande d'adhésion à une organisation est acceptée"},
		"ui.prefs.kind.join_request.refused":         {"my request to join an organisation is refused", "ma demande d'adhésion à une organisation est refusée"},
		"ui.prefs.kind.community.invitation.created": {"I am invited to a community", "je suis invité dans une communauté"},
		"ui.prefs.kind.access_request.created":       {"someone asks for access to a dataset whose requests I decide", "quelqu'un demande l'accès à un jeu de données dont je décide les demandes"},
		"ui.prefs.kind.access_request.accepted":      {"my access request is accepted", "ma demande d'accès est acceptée"},
		"ui.prefs.kind.access_request.refused":       {"my access request is refused", "ma demande d'accès est refusée"},
		"ui.prefs.kind.grant.created":                {"an organisation grants me a permission", "une organisation m'accorde une permission"},
		"ui.prefs.kind.grant.expiring":               {"a permission I hold is about to expire", "une permission dont je bénéficie va expirer"},
		"ui.prefs.kind.grant.expired":                {"a permission I hold has expired", "une permission dont je bénéficie a expiré"},
		"ui.prefs.kind.key.grants_expired":           {"an access key of mine no longer opens anything", "une de mes clés d'accès n'ouvre plus rien"},
	})
}
