package messages

// uiAccessWhyCatalogue holds the words of the access table's "why" screen
// (package ui: why a group has its effective level on a dataset), apart
// from the other screens' so that they merge without meeting; init adds
// them.
var uiAccessWhyCatalogue = map[Key]entry{
	"ui.accesswhy.title":   {"Why %s has this level on %s", "Pourquoi %s a ce niveau sur %s"},
	"ui.accesswhy.caption": {"Every source of a level for the group's members.", "Toutes les sources d'un niveau pour les membres du groupe."},
	"ui.accesswhy.source":  {"Source", "Source"},
	"ui.accesswhy.decides": {"gives the effective level", "donne le niveau effectif"},
	"ui.accesswhy.rule":    {"The effective level is the highest of these.", "Le niveau effectif est le plus élevé de ceux-ci."},
	"ui.accesswhy.back":    {"Back to the access table of %s", "Retour au tableau d'accès de %s"},
}

func init() { merge(uiAccessWhyCatalogue) }
