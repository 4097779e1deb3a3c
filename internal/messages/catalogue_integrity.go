package messages

// integrityCatalogue holds the refusals about what maps and pages refer to
// (a service's layer, a resource hidden from its reader), kept apart so
// that they merge without touching the content catalogue; init merges it,
// refusing a key defined twice.
var integrityCatalogue = map[Key]entry{
	"invalid.service_layer": {"%s: service %s exposes no layer %s (a map shows only a layer its service exposes: see the service's layers)", "%s : le service %s n'expose pas de couche %s (une carte ne montre qu'une couche exposée par son service : voyez les couches du service)"},
}

func init() { merge(integrityCatalogue) }
