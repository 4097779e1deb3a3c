package messages

// contentCatalogue holds the messages of content pages and maps (sources
// 003 and 004), kept apart from catalogue so that their nouns grow
// without touching everyone's table; init merges it, refusing a key
// defined twice.
var contentCatalogue = map[Key]entry{
	"right.content#edit_all_pages": {"manage every page (\"edit all pages\" and platform administrators)", "gérer toutes les pages (« modifier toutes les pages » et administrateurs de la plateforme)"},
	"right.content#create_map":     {"create maps (map administrators, map editors and roles holding the creator privilege)", "créer des cartes (administrateurs et éditeurs de cartes, rôles détenant le privilège de créateur)"},
	"right.page#view":              {"view page %s", "consulter la page %s"},
	"right.page#edit":              {"edit page %s (people and groups given \"edit page\", and whoever publishes for its organisation)", "modifier la page %s (personnes et groupes ayant « modifier la page », et qui publie pour son organisation)"},
	"right.page#manage":            {"manage the security of page %s (whoever publishes for its organisation, and \"edit all pages\")", "gérer la sécurité de la page %s (qui publie pour son organisation, et « modifier toutes les pages »)"},
	"right.map#view":               {"view map %s", "consulter la carte %s"},
	"right.map#edit":               {"edit map %s (roles with write or owner privilege)", "éditer la carte %s (rôles ayant le privilège écriture ou propriétaire)"},
	"right.map#share":              {"share map %s (roles with owner privilege, map administrators and editors)", "partager la carte %s (rôles propriétaires, administrateurs et éditeurs de cartes)"},
	"right.map#delete":             {"delete map %s (roles with owner privilege, map administrators and editors)", "supprimer la carte %s (rôles propriétaires, administrateurs et éditeurs de cartes)"},
	"right.map#set_properties":     {"set the name and icon of map %s (roles with owner privilege, map administrators and editors)", "définir le nom et l'icône de la carte %s (rôles propriétaires, administrateurs et éditeurs de cartes)"},

	"api.page_public_required": {"public is required: true (everyone who may reach the portal) or false (only the people and groups added to the page)", "public est obligatoire : true (toute personne ayant accès au portail) ou false (seulement les personnes et groupes ajoutés à la page)"},
	"api.map_owner_required":   {"owner is required: the role that owns the map, {\"kind\": \"community\" or \"organisation\", \"id\": …}", "owner est obligatoire : le rôle propriétaire de la carte, {\"kind\": \"community\" ou \"organisation\", \"id\": …}"},

	"noun.page": {"page", "page"},
	"noun.map":  {"map", "carte"},

	"invalid.holder_kind":        {"%s kind %s: want %s", "%s, type %s : il faut %s"},
	"invalid.content_role":       {"role %s: want %s", "rôle %s : il faut %s"},
	"invalid.content_too_many":   {"%s: %d given, at most %d", "%s : %d donnés, %d au plus"},
	"invalid.content_duplicate":  {"%s: %s is listed twice", "%s : %s figure deux fois"},
	"invalid.resource_kind":      {"%s kind %s: want dataset or service", "%s, type %s : il faut dataset ou service"},
	"invalid.dataset_layer":      {"%s: a dataset has no layer (layers are a service's): leave layer out", "%s : un jeu de données n'a pas de couche (les couches sont celles d'un service) : omettez layer"},
	"invalid.map_level":          {"level %s: want read, write, owner, or none to remove the privilege", "level %s : il faut read, write, owner, ou none pour retirer le privilège"},
	"invalid.group_query":        {"q: want a part of an organisation's or a community's name", "q : il faut une partie du nom d'une organisation ou d'une communauté"},
	"invalid.view_not_removable": {"view: \"view page\" is given to everyone added to a page and cannot be removed alone; to stop someone viewing a private page, remove them from the page (DELETE the member)", "view : « consulter la page » est donnée à tous ceux qui sont ajoutés à une page et ne peut pas être retirée seule ; pour qu'une personne ne consulte plus une page privée, retirez-la de la page (DELETE du membre)"},

	"notfound.page_member": {"%s is not added to page %s", "%s n'est pas ajouté à la page %s"},

	"conflict.page_id_taken":  {"page id %s is taken", "l'identifiant de page %s est déjà pris"},
	"conflict.map_id_taken":   {"map id %s is taken", "l'identifiant de carte %s est déjà pris"},
	"conflict.map_last_owner": {"%s is the last owner of map %s: a map never loses its last owner, or nobody but the map administrators could share or delete it; make another role owner first", "%s est le dernier propriétaire de la carte %s : une carte ne perd jamais son dernier propriétaire, sinon seuls les administrateurs de cartes pourraient la partager ou la supprimer ; nommez d'abord un autre rôle propriétaire"},

	"content.consult_dataset":    {"consult dataset %s", "consulter le jeu de données %s"},
	"content.use_service":        {"use service %s", "utiliser le service %s"},
	"portal.resource_not_yours":  {"you may add to a %s only what you may consult yourself, and you may not %s", "vous ne pouvez ajouter à une %s que ce que vous pouvez consulter vous-même, et vous ne pouvez pas %s"},
	"portal.map_owner_not_yours": {"you may create a map only for a role you belong to, so that you keep it: you are not a member of %s", "vous ne pouvez créer une carte que pour un rôle auquel vous appartenez, pour la garder : vous n'êtes pas membre de %s"},
}

func init() { merge(contentCatalogue) }
