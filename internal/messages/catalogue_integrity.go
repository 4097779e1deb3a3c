package messages

// integrityCatalogue holds the refusals about what maps and pages refer to
// (a service's layer, a resource hidden from its reader), kept apart so
// that they merge without touching the content catalogue; init merges it,
// refusing a key defined twice.
var integrityCatalogue = map[Key]entry{
	"invalid.service_layer":           {"%s: service %s exposes no layer %s (a map shows only a layer its service exposes: see the service's layers)", "%s : le service %s n'expose pas de couche %s (une carte ne montre qu'une couche exposée par son service : voyez les couches du service)"},
	"invalid.hidden_resource":         {"%s: a resource hidden from you is sent back as you read it, with its kind and hidden only (no id, no layer); a new map has none", "%s : une ressource qui vous est cachée se renvoie telle que vous l'avez lue, avec seulement son type et hidden (ni id, ni couche) ; une nouvelle carte n'en a pas"},
	"invalid.hidden_resource_unknown": {"%s: the map has no resource number %d of kind %s hidden from you; send back the hidden resources as you read them", "%s : la carte n'a pas de ressource numéro %d de type %s qui vous soit cachée ; renvoyez les ressources cachées telles que vous les avez lues"},
}

func init() {
	for k, e := range integrityCatalogue {
		if _, dup := catalogue[k]; dup {
			panic("messages: key " + string(k) + " is defined twice")
		}
		catalogue[k] = e
	}
}
