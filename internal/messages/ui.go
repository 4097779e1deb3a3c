package messages

// uiCatalogue holds the web interface's words: labels, headings and
// sentences of its screens (package ui). They join the catalogue at init,
// under keys that begin with "ui.", so that every rule of the catalogue
// (both languages, the same verbs) holds for them too.
var uiCatalogue = map[Key]entry{
	"ui.skip_to_content":        {"Skip to content", "Aller au contenu"},
	"ui.nav.label":              {"Main menu", "Menu principal"},
	"ui.nav.catalogue":          {"Catalogue", "Catalogue"},
	"ui.footer":                 {"octroi: who may find, consult, download and share each dataset.", "octroi : qui peut trouver, consulter, télécharger et partager chaque donnée."},
	"ui.page_not_found":         {"There is no page at this address.", "Il n'y a pas de page à cette adresse."},
	"ui.lang_unknown":           {"unknown language: choose fr or en", "langue inconnue : choisissez fr ou en"},
	"ui.back_home":              {"Back to the catalogue", "Retour au catalogue"},
	"ui.back_to":                {"Back to %s", "Retour à %s"},
	"ui.next_page":              {"Next page", "Page suivante"},
	"ui.why":                    {"Why?", "Pourquoi ?"},
	"ui.catalogue.title":        {"Datasets", "Jeux de données"},
	"ui.catalogue.caption":      {"The datasets you may find, with what you may do with them.", "Les jeux de données que vous pouvez trouver, avec ce que vous pouvez en faire."},
	"ui.catalogue.you_may":      {"You may", "Vous pouvez"},
	"ui.catalogue.may_download": {"download", "télécharger"},
	"ui.catalogue.may_consult":  {"consult", "consulter"},
	"ui.catalogue.may_find":     {"find it only", "seulement le trouver"},
	"ui.catalogue.empty":        {"No dataset is visible to you.", "Aucun jeu de données ne vous est visible."},
	"ui.dataset.id":             {"Product id", "Identifiant du produit"},
	"ui.dataset.title":          {"Title", "Titre"},
	"ui.dataset.owner":          {"Organisation", "Organisation"},
	"ui.dataset.default_level":  {"Default access level", "Niveau d'accès par défaut"},
	"ui.dataset.your_rights":    {"What you may do", "Ce que vous pouvez faire"},
	"ui.dataset.may":            {"You may %s this dataset.", "Vous pouvez %s ce jeu de données."},
	"ui.dataset.may_not":        {"You may not %s this dataset.", "Vous ne pouvez pas %s ce jeu de données."},
	"ui.why.title":              {"Why: %s", "Pourquoi : %s"},
	"ui.why.reasons":            {"Because", "Parce que"},
}

func init() {
	for k, e := range uiCatalogue {
		if _, dup := catalogue[k]; dup {
			panic("messages: key " + string(k) + " is twice in the catalogue")
		}
		catalogue[k] = e
	}
}
